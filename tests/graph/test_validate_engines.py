"""The fast validation engine against the reference (pyshacl and the rules' SPARQL): same findings.

A finding is the row (kind, rule, severity, focus, path, value, message) of
the report; both engines must give the same multiset of rows on the built-in
data, on every bad shape fixture, on all fixtures merged, on seeded random
mutations of the merged good fixtures, and on a small tiered supplier
network with violations planted in it.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.rdf.coded_triples import CodedTriples
from chiprisk.graph.rdf.triples import build_graph, triples
from chiprisk.graph.rdf.validate import (
    RESULT_COLUMNS,
    _sparql_share_groups,
    validate_graph,
    validate_tables,
)
from chiprisk.graph.rdf.validate_rules import share_sum_groups
from chiprisk.ontology.namespaces import CR, iri_for

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

from tiered import write_tiered  # noqa: E402

SHAPES = Path(__file__).parents[1] / "fixtures" / "shapes"
BAD = sorted((SHAPES / "bad").glob("*.ttl"))


def findings(report) -> Counter:
    return Counter(tuple(r) for r in report.results[RESULT_COLUMNS].itertuples(index=False))


def assert_same(graph: Graph) -> Counter:
    fast = findings(validate_graph(graph))
    ref = findings(validate_graph(graph, engine="pyshacl"))
    assert fast == ref, {"only fast": fast - ref, "only pyshacl": ref - fast}
    return fast


def merged(folder: str) -> Graph:
    g = Graph()
    for p in sorted((SHAPES / folder).glob("*.ttl")):
        g.parse(p, format="turtle")
    return g


def test_builtin_data_same_findings():
    tables = load_tables()
    fast = findings(validate_tables(tables))
    assert fast == findings(validate_graph(build_graph(tables), engine="pyshacl"))
    assert fast == findings(validate_graph(build_graph(tables)))


def test_rows_code_the_same_triples_as_the_graph():
    """The fast path codes the rows' triples without an rdflib graph: the same set."""
    tables = load_tables()
    ct = CodedTriples.from_triples(t for t, _ in triples(tables))
    coded = {
        (ct.terms[s], ct.terms[p], ct.terms[o]) for s, p, o in zip(ct.s, ct.p, ct.o, strict=True)
    }
    assert coded == set(build_graph(tables))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_same_findings(path):
    assert sum(assert_same(Graph().parse(path, format="turtle")).values()) >= 1


def test_merged_fixtures_same_findings():
    # the merged good fixtures break no shape (their share rows do add up past 100)
    assert {k[0] for k in assert_same(merged("good"))} <= {"rule"}
    assert sum(assert_same(merged("bad")).values()) >= len(BAD)


ODD = [
    Literal("x"),
    Literal(""),
    Literal("x", lang="en"),
    Literal("12", datatype=XSD.integer),
    Literal("abc", datatype=XSD.decimal),
    Literal(-1.5),
    Literal("150.0", datatype=XSD.decimal),
    Literal("2024", datatype=XSD.gYear),
    Literal(True),
    BNode(),
    URIRef("https://w3id.org/chiprisk/id/Bad_Id"),
    Literal("major", datatype=XSD.string),
    Literal("99.99999999999999999999", datatype=XSD.decimal),
    Literal("3", datatype=XSD.double),
]


@pytest.mark.parametrize("seed", range(12))
def test_random_mutations_same_findings(seed):
    """Drop, retype, add and re-type triples of the merged good fixtures at random."""
    base = list(merged("good"))
    rng = random.Random(seed)
    subjects = sorted({s for s, _, _ in base}, key=str)
    preds = sorted({p for _, p, _ in base}, key=str)
    objs = sorted({o for _, _, o in base}, key=str)
    classes = [o for o in objs if isinstance(o, URIRef)]
    g = Graph()
    for t in base:
        g.add(t)
    for _ in range(rng.randint(1, 12)):
        r = rng.random()
        if r < 0.3:
            g.remove(rng.choice(sorted(g)))
        elif r < 0.55:
            s, p, o = rng.choice(sorted(g))
            g.remove((s, p, o))
            g.add((s, p, rng.choice(ODD + objs)))
        elif r < 0.8:
            g.add((rng.choice(subjects), rng.choice(preds), rng.choice(objs + ODD)))
        else:
            g.add((rng.choice(subjects), RDF.type, rng.choice(classes)))
    assert_same(g)


@pytest.fixture(scope="module")
def tiered_tables(tmp_path_factory):
    return load_tables(write_tiered(tmp_path_factory.mktemp("tiered") / "net", 60, seed=3))


def test_small_tiered_network_same_findings(tiered_tables):
    g = build_graph(tiered_tables)
    assert findings(validate_tables(tiered_tables)) == assert_same(g) == Counter()
    supplies = sorted(g.subjects(RDF.type, CR.Supply))
    rng = random.Random(0)
    for s in rng.sample(supplies, 8):  # share tables that no longer sum to 100
        g.remove((s, CR.share, None))
    for s in rng.sample(supplies, 3):  # a second share, year, a literal supplier
        g.add((s, CR.share, Literal(Decimal("60.0"))))
        g.add((s, CR.year, Literal(2026)))
    g.add((supplies[0], CR.supplier, iri_for("US")))  # a country row among firm rows
    g.add((iri_for("US"), RDF.type, CR.Country))
    found = assert_same(g)
    rules = {k[1] for k in found}
    assert {"share-sum", "SupplyShareRangeShape", "SupplyYearShape"} <= rules


def test_share_sum_groups_equal_the_query(tiered_tables):
    g = build_graph(tiered_tables)
    for s in list(g.subjects(RDF.type, CR.Supply))[:40:3]:
        g.remove((s, CR.share, None))
        g.add((s, CR.shareMin, Literal(Decimal("10.5"))))
    groups = share_sum_groups(CodedTriples.from_graph(g))
    t = CodedTriples.from_graph(g).terms
    fast = Counter(
        (t[r.input], t[r.buyer] if r.buyer >= 0 else None, t[r.basis], t[r.year], str(r.level),
         r.total, r.mins, r.opens)
        for r in groups.itertuples(index=False)
    )  # fmt: skip
    ref = Counter(
        (i, b, ba, y, str(lv), total, mins, opens)
        for i, b, ba, y, lv, total, mins, opens in _sparql_share_groups(g)
    )
    assert fast == ref and len(fast) > 10


def test_share_sum_hands_odd_literals_to_the_sparql_text(tiny_dir):
    """Shares typed xsd:double cannot be summed exactly as rdflib does: the query decides."""
    g = build_graph(load_tables(tiny_dir))
    s = next(iter(g.subjects(CR.share, None)))
    g.set((s, CR.share, Literal("75.5", datatype=XSD.double)))
    assert share_sum_groups(CodedTriples.from_graph(g)) is None
    found = assert_same(g)
    assert any(k[1] == "share-sum" for k in found)


def test_cli_engines_print_the_same(invoke, tiny_dir):
    p = tiny_dir / "seed/supplies.csv"
    p.write_text(
        p.read_text().replace("s-logic-tsmc,tsmc,logic,,90", "s-logic-tsmc,tsmc,logic,,80")
    )
    args = ("--data", str(tiny_dir), "--no-cache", "validate", "--format", "csv")
    fast, ref = invoke(*args), invoke(*args, "--engine", "pyshacl")
    assert fast.exit_code == ref.exit_code == 1
    assert fast.output == ref.output and "share-sum" in fast.output


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate_graph(Graph(), engine="other")
