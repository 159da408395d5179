"""RDF exports: parse in an independent parser and agree across formats."""

from __future__ import annotations

import pyoxigraph
import pytest
from chiprisk.graph.export import RDF_FORMATS, serialize, write_rdf
from chiprisk.graph.knowledge_graph import load
from rdflib import Graph
from rdflib.compare import isomorphic


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
    import chiprisk.graph.atomic as atomic

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(Exception, match="No space left"):
        write_rdf(kg.rdf, "turtle", out)
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]
