"""Push to a real Oxigraph server and query it: same answers as rdflib."""

from __future__ import annotations

import pandas as pd
import pytest
import sparql_servers as servers  # tests/graph, on pytest's pythonpath
from rdflib import Literal, URIRef

from chiprisk.graph.knowledge_graph import load
from chiprisk.graph.rdf.push import RemoteError, push_graph, remote_query, with_values
from chiprisk.graph.rdf.query import named_bindings, run_query
from chiprisk.ontology import resources

needs_oxigraph = pytest.mark.skipif(
    servers.oxigraph_binary() is None,
    reason="the oxigraph server binary is missing (pip install oxigraph, in the test extra)",
)


@pytest.fixture(scope="module")
def kg():
    return load()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    if servers.oxigraph_binary() is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph)")
    with servers.oxigraph_server(tmp_path_factory.mktemp("oxi")) as base:
        yield base


def _canon(df: pd.DataFrame) -> list[tuple]:
    def norm(v):
        if v is None or v is pd.NA:
            return None
        if isinstance(v, float):
            return None if v != v else round(v, 6)
        return v

    rows = [tuple(norm(v) for v in row) for row in df.itertuples(index=False, name=None)]
    return sorted(rows, key=repr)


@needs_oxigraph
def test_every_named_query_gives_the_same_answer_on_oxigraph_and_rdflib(kg, store):
    n = push_graph(kg.rdf, f"{store}/store")
    assert n == len(kg.rdf)
    count = remote_query(f"{store}/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count.iloc[0, 0]) == len(kg.rdf)
    names = resources.query_names()
    assert len(names) >= 12
    for name in names:
        text, bindings = named_bindings(name, {})
        local = run_query(kg.rdf, text, bindings)
        remote = remote_query(f"{store}/query", text, bindings)
        assert list(remote.columns) == list(local.columns), name
        assert _canon(remote) == _canon(local), name
        assert len(local) > 0, f"{name} returns nothing on the built-in data"


@needs_oxigraph
def test_bound_parameters_filter_the_same_way(kg, store):
    push_graph(kg.rdf, f"{store}/store")
    text, bindings = named_bindings("suppliers-of-input", {"input": "euv-lithography"})
    local, remote = (
        run_query(kg.rdf, text, bindings),
        remote_query(f"{store}/query", text, bindings),
    )
    assert _canon(local) == _canon(remote)
    assert "asml" in set(local.iloc[:, 0]) | set(local.astype(str).values.ravel())


@needs_oxigraph
def test_push_to_a_named_graph_replaces_it(kg, store):
    url = f"{store}/store"
    push_graph(kg.rdf, url, graph_iri="urn:chiprisk:test")
    push_graph(kg.rdf, url, graph_iri="urn:chiprisk:test")  # a PUT replaces, never appends
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:chiprisk:test> { ?s ?p ?o } }"
    assert int(remote_query(f"{store}/query", q).iloc[0, 0]) == len(kg.rdf)


@needs_oxigraph
def test_failed_push_names_the_status_and_leaves_the_graph(kg, store):
    url = f"{store}/store"
    push_graph(kg.rdf, url, graph_iri="urn:chiprisk:keep")
    with pytest.raises(RemoteError, match=r"HTTP 4\d\d"):
        push_graph(kg.rdf, f"{store}/no-such-endpoint", graph_iri="urn:chiprisk:keep")
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:chiprisk:keep> { ?s ?p ?o } }"
    assert int(remote_query(f"{store}/query", q).iloc[0, 0]) == len(kg.rdf)


def test_unreachable_store_is_a_clear_error(kg):
    with servers.refused_port() as port, pytest.raises(RemoteError, match="cannot reach"):
        push_graph(kg.rdf, f"http://127.0.0.1:{port}/store", timeout=5)


def test_values_block_uses_serialised_terms_not_pasted_text():
    evil = 'x" } ; DROP ALL ; SELECT * { "'
    text = with_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal(evil)})
    assert 'DROP ALL ; SELECT * { \\"' in text or "DROP ALL" in text
    assert text.count("VALUES") == 1
    assert Literal(evil).n3() in text
    assert with_values("ASK { ?s ?p ?o }", {"s": URIRef("urn:a")}).startswith(
        "ASK { VALUES (?s) { (<urn:a>) }"
    )
