"""Rows -> RDF: minted IRIs, typed literals, provenance on every fact."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import PROV, RDF, XSD

from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.rdf.triples import build_graph
from chiprisk.ontology.namespaces import CR, iri_for


def test_tiny_graph_facts(tiny_dir):
    g = build_graph(load_tables(tiny_dir))
    jasm_fab = iri_for("jasm-fab-1")
    assert (jasm_fab, RDF.type, CR.Fab) in g
    assert (jasm_fab, CR.locatedIn, iri_for("JP")) in g
    assert (jasm_fab, CR.startYear, Literal(2024)) in g
    assert set(g.objects(jasm_fab, CR.processNode)) == {Literal("N12"), Literal("N28")}
    share = g.value(iri_for("s-logic-tsmc"), CR.share)
    assert share.datatype == XSD.decimal and float(share) == 90.0
    assert (iri_for("jasm"), CR.parentOrganization, iri_for("tsmc")) in g
    assert (iri_for("TW"), CR.isoCode, Literal("TW")) in g
    assert (iri_for("h100"), CR.requires, iri_for("logic")) in g


def test_every_fact_node_has_provenance(tiny_dir):
    g = build_graph(load_tables(tiny_dir))
    for cls in (CR.Supply, CR.Site, CR.Policy, CR.PolicyAction, CR.Organization, CR.Input):
        nodes = set(g.subjects(RDF.type, cls))
        assert nodes
        for n in nodes:
            assert g.value(n, PROV.wasDerivedFrom) is not None, n


def test_build_is_deterministic(tiny_dir):
    t = load_tables(tiny_dir)
    assert set(build_graph(t)) == set(build_graph(t))
