"""RDF exports: parse in an independent parser and agree across formats."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from chiprisk.graph.knowledge_graph import load
from chiprisk.graph.rdf.export import RDF_FORMATS, serialize, write_rdf


@pytest.fixture(scope="module")
def kg():
    return load()


def test_turtle_parses_in_oxigraph_and_is_isomorphic_to_nt(kg):
    ttl = serialize(kg.rdf, "turtle")
    nt = serialize(kg.rdf, "nt")
    store = pyoxigraph.Store()
    store.load(ttl, format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(kg.rdf)
    g_ttl, g_nt = Graph().parse(data=ttl, format="turtle"), Graph().parse(data=nt, format="nt")
    assert isomorphic(g_ttl, g_nt)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_every_format_round_trips(kg, fmt):
    data = serialize(kg.rdf, fmt)
    back = Graph().parse(data=data, format=RDF_FORMATS[fmt][0])
    assert isomorphic(back, kg.rdf)


def test_jsonld_context_is_inline(kg):
    text = serialize(kg.rdf, "jsonld").decode()
    assert '"@context"' in text
    assert '"cr": "https://w3id.org/chiprisk/ontology#"' in text


def test_write_is_atomic_and_leaves_no_temp_files(kg, tmp_path):
    out = tmp_path / "g.ttl"
    write_rdf(kg.rdf, "turtle", out)
    assert out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_failed_write_keeps_old_file(kg, tmp_path, monkeypatch):
    out = tmp_path / "g.ttl"
    out.write_text("old")
    import chiprisk.graph.io.atomic as atomic

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(Exception, match="No space left"):
        write_rdf(kg.rdf, "turtle", out)
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]


# ---------------------------------------------------------------- issue 6

import json  # noqa: E402

import networkx as nx  # noqa: E402
import pandas as pd  # noqa: E402
from rdflib import Dataset  # noqa: E402
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID  # noqa: E402

from chiprisk.graph.io.contract import TABLES  # noqa: E402
from chiprisk.graph.io.loader import load_tables  # noqa: E402
from chiprisk.graph.rdf.derived import DERIVED_GRAPH, concentration_graph  # noqa: E402
from chiprisk.graph.rdf.export import FORMATS, export, graphml_safe, jsonld_context  # noqa: E402
from chiprisk.graph.rdf.files import parse_rdf_file  # noqa: E402
from chiprisk.ontology import resources  # noqa: E402
from chiprisk.ontology.namespaces import CR, iri_for  # noqa: E402

RDF_SUFFIX = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "xml": ".rdf"}


@pytest.mark.parametrize("fmt", sorted(RDF_SUFFIX))
def test_rdf_files_round_trip_through_the_safe_parser(kg, fmt, tmp_path):
    out = export(kg, fmt, tmp_path / f"g{RDF_SUFFIX[fmt]}", include_derived=True)
    back = parse_rdf_file(out)
    expected = Graph()
    for t in kg.rdf:
        expected.add(t)
    for t in concentration_graph(kg):
        expected.add(t)
    assert isomorphic(back, expected)


def test_jsonld_uses_the_published_context(kg):
    doc = json.loads(export(kg, "jsonld", None))
    published = json.loads(resources.jsonld_context_text())["@context"]
    assert doc["@context"] == published == jsonld_context()


def test_trig_keeps_one_named_graph_per_source(kg, tmp_path):
    out = export(kg, "trig", tmp_path / "g.trig", include_derived=True)
    ds = Dataset(default_union=False)
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    sources = {str(iri_for(s)) for s in kg.tables["sources"]["id"]}
    used = {str(iri_for(s)) for t in TABLES for s in kg.tables[t].get("source_id", [])}
    assert used <= names <= sources | {str(DERIVED_GRAPH), str(DATASET_DEFAULT_GRAPH_ID)}
    # every fact sits in the graph of the source it was derived from
    sup = kg.tables["supplies"].iloc[0]
    g = ds.graph(iri_for(sup["source_id"]))
    assert (iri_for(sup["id"]), CR.input, iri_for(sup["input"])) in g
    # and the union is the whole graph (plus the derived scores)
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    expected = Graph()
    for t in kg.rdf:
        expected.add(t)
    for t in concentration_graph(kg):
        expected.add(t)
    assert isomorphic(union, expected)
    # round trip: serialise the parsed dataset again, graph by graph isomorphic
    again = Dataset(default_union=False)
    again.parse(data=ds.serialize(format="trig"), format="trig")
    for g in ds.graphs():
        assert isomorphic(g, again.graph(g.identifier)), g.identifier


def test_graphml_round_trips_nodes_edges_and_attributes(kg, tmp_path):
    out = export(kg, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(out, force_multigraph=True)
    want = graphml_safe(kg.to_networkx())
    assert dict(back.nodes(data=True)) == dict(want.nodes(data=True))
    got_edges = {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)}
    want_edges = {(u, v, k): d for u, v, k, d in want.edges(keys=True, data=True)}
    assert got_edges.keys() == want_edges.keys()
    assert got_edges == want_edges
    share = next(d for d in want_edges.values() if "share" in d)
    assert isinstance(share["share"], float)


def test_csv_tables_round_trip_to_equal_frames(kg, tmp_path):
    out = export(kg, "csv", tmp_path / "tables")
    back = load_tables(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            back[name].reset_index(drop=True), kg.tables[name].reset_index(drop=True), obj=name
        )
    cols = [c for c in kg.tables.scenarios.columns if c != "file"]
    pd.testing.assert_frame_equal(back.scenarios[cols], kg.tables.scenarios[cols])


def test_csv_export_refuses_a_folder_with_other_files(kg, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(Exception, match="was not written by chiprisk export"):
        export(kg, "csv", folder)
    assert (folder / "notes.txt").read_text() == "keep me"
    export(kg, "csv", tmp_path / "again")
    export(kg, "csv", tmp_path / "again")  # a previous export is replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "mine"]


def test_derived_scores_are_queryable_and_declared(kg):
    g = concentration_graph(kg)
    onto = Graph().parse(data=resources.ontology_text(), format="turtle")
    declared = {s for s in onto.subjects() if str(s).startswith(str(CR))}
    used = {t for triple in g for t in triple if str(t).startswith(str(CR))}
    assert used <= declared, sorted(map(str, used - declared))
    conc = kg.concentration(by=None)
    q = """SELECT ?input ?lens ?hhi WHERE {
      ?s a cr:ConcentrationScore ; cr:scoredInput ?input ; cr:lens ?lens ; cr:hhi ?hhi }"""
    from chiprisk.graph.rdf.query import run_query

    got = run_query(g, q)
    assert len(got) == len(conc)
    euv = got[(got["input"] == "euv-lithography") & (got["lens"] == "firm")]
    assert float(euv["hhi"].iloc[0]) == 10000.0


def test_every_format_is_listed():
    assert set(FORMATS) == {"turtle", "nt", "jsonld", "xml", "trig", "graphml", "csv"}


# ------------------------------------------------- issue 19: Oxigraph writes


def _rdflib_export(kg, fmt: str, with_ontology: bool, include_derived: bool) -> bytes:
    """What ``export`` wrote before Oxigraph did: rdflib's serializer on a merged graph."""
    graph = kg.rdf
    if with_ontology or include_derived:
        merged = Graph(bind_namespaces="none")
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns)
        for t in graph:
            merged.add(t)
        if include_derived:
            for t in concentration_graph(kg):
                merged.add(t)
        if with_ontology:
            merged.parse(data=resources.ontology_text(), format="turtle")
        graph = merged
    return serialize(graph, fmt)


@pytest.mark.parametrize(
    ("fmt", "with_ontology", "include_derived"),
    [
        ("turtle", False, False),
        ("turtle", True, False),
        ("nt", False, False),
        ("nt", True, False),
        ("turtle", True, True),
        ("nt", False, True),
    ],
)
def test_oxigraph_writes_the_triples_rdflib_wrote(kg, fmt, with_ontology, include_derived):
    new = export(kg, fmt, None, with_ontology=with_ontology, include_derived=include_derived)
    old = _rdflib_export(kg, fmt, with_ontology, include_derived)
    g_new = Graph().parse(data=new, format=RDF_FORMATS[fmt][0])
    g_old = Graph().parse(data=old, format=RDF_FORMATS[fmt][0])
    assert len(g_new) == len(g_old)
    assert isomorphic(g_new, g_old)
    if not with_ontology:  # no blank nodes: the very same triples, lexical forms too
        ox_fmt = pyoxigraph.RdfFormat.TURTLE if fmt == "turtle" else pyoxigraph.RdfFormat.N_TRIPLES

        def triples_of(data: bytes) -> set:
            return {q.triple for q in pyoxigraph.parse(data, format=ox_fmt)}

        assert triples_of(new) == triples_of(old)
    if fmt == "turtle":
        assert b"@prefix cr: <https://w3id.org/chiprisk/ontology#>" in new
        assert b"crid:tsmc " in new


def test_oxigraph_keeps_lexical_forms_and_writes_atomically(kg, tmp_path):
    nt = export(kg, "nt", None)
    assert b'"0.0"^^<http://www.w3.org/2001/XMLSchema#decimal>' in nt  # not canonicalised
    assert len(nt.splitlines()) == len(set(nt.splitlines())) == len(kg.rdf)
    out = export(kg, "turtle", tmp_path / "g.ttl")
    assert out.read_bytes() == export(kg, "turtle", None)
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_export_module_loads_networkx_only_for_graphml():
    import subprocess
    import sys

    code = "import sys, chiprisk.graph.rdf.export\nprint('networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
