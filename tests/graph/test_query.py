"""SPARQL: named queries against golden files, bindings never pasted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef

from chiprisk.graph.errors import QueryError, UsageError
from chiprisk.graph.knowledge_graph import load
from chiprisk.graph.rdf.query import named_bindings, run_query, to_term
from chiprisk.ontology import resources

GOLDEN = Path(__file__).parents[1] / "golden" / "queries"


@pytest.fixture(scope="module")
def kg():
    return load()


def test_at_least_twelve_documented_queries():
    qs = resources.named_queries()
    assert len(qs) >= 12
    for q in qs.values():
        assert q.question, q.name
        assert "SELECT" in q.text.upper()


@pytest.mark.parametrize("name", resources.query_names())
def test_named_query_matches_golden(kg, name):
    got = kg.named_query(name)
    expected = pd.read_csv(GOLDEN / f"{name}.csv", keep_default_na=False, na_values=[""])
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected), name
    got_csv = pd.read_csv(
        __import__("io").StringIO(got.to_csv(index=False)), keep_default_na=False, na_values=[""]
    )
    pd.testing.assert_frame_equal(got_csv, expected, check_dtype=False)


def test_golden_results_are_not_all_empty():
    non_empty = [p for p in GOLDEN.glob("*.csv") if len(p.read_text().splitlines()) > 1]
    assert len(non_empty) >= 12


def test_bindings_are_terms_not_text():
    g = Graph()
    g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    hostile = 'x" } ; DELETE WHERE { ?s ?p ?o } ; SELECT * { ?s ?p "'
    df = run_query(g, "SELECT ?s WHERE { ?s <urn:p> ?v }", {"v": hostile})
    assert df.empty and len(g) == 1
    assert run_query(g, "SELECT ?s WHERE { ?s <urn:p> ?v }", {"v": "x"}).iloc[0, 0] == "urn:a"


def test_to_term_rejects_bad_iris_and_numbers():
    with pytest.raises(UsageError):
        to_term("http://x> <y", "iri")
    with pytest.raises(UsageError):
        to_term("ten", "integer")
    with pytest.raises(UsageError):
        to_term("1e", "decimal")


def test_update_and_garbage_refused():
    with pytest.raises(QueryError):
        run_query(Graph(), "DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError):
        run_query(Graph(), "SELECT WHERE {")


def test_named_param_defaults_and_override():
    text, b = named_bindings("suppliers-of-input", {})
    assert str(b["input"]).endswith("/euv-lithography")
    _, b = named_bindings("suppliers-of-input", {"input": "hbm"})
    assert str(b["input"]).endswith("/hbm")


def test_kg_sparql_keyword_bindings(kg):
    df = kg.sparql(
        "SELECT ?n WHERE { ?o rdfs:label ?n ; cr:headquarteredIn ?c }", c=to_term("NL", "iri")
    )
    assert "ASML Holding" in set(df["n"])
