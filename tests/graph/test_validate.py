"""Validation: shapes (good/bad fixture pairs) and whole-graph rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.rdf.triples import build_graph
from chiprisk.graph.rdf.validate import validate_graph

SHAPES = Path(__file__).parents[1] / "fixtures" / "shapes"
GOOD = sorted((SHAPES / "good").glob("*.ttl"))
BAD = sorted((SHAPES / "bad").glob("*.ttl"))


def test_there_are_fixtures():
    assert len(GOOD) >= 1 and len(BAD) >= 10


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixture_conforms(path):
    report = validate_graph(Graph().parse(path, format="turtle"))
    assert report.conforms, report.text()


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_fails_on_its_own_shape(path):
    report = validate_graph(Graph().parse(path, format="turtle"))
    assert not report.conforms
    shapes = report.results[report.results["kind"] == "shape"]
    assert set(shapes["rule"]) == {path.stem}, report.text()


def test_builtin_data_conforms():
    report = validate_graph(build_graph(load_tables()))
    assert report.conforms, report.text()


def test_tiny_conforms(tiny_dir):
    assert validate_graph(build_graph(load_tables(tiny_dir))).conforms


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line)


def test_share_sum_rule(tiny_dir):
    _append(
        tiny_dir / "seed/supplies.csv", "s-logic-x,asml,logic,,20,,,,,,revenue,2024,primary,src-a\n"
    )
    report = validate_graph(build_graph(load_tables(tiny_dir)))
    rows = report.results[report.results["rule"] == "share-sum"]
    assert list(rows["focus"]) == ["logic (revenue, 2024)"]
    assert "shares sum to 120" in rows.iloc[0]["message"]


def test_share_sum_low_needs_residual(tiny_dir):
    p = tiny_dir / "seed/supplies.csv"
    p.write_text(
        p.read_text().replace("s-logic-tsmc,tsmc,logic,,90", "s-logic-tsmc,tsmc,logic,,80")
    )
    report = validate_graph(build_graph(load_tables(tiny_dir)))
    assert "add an 'other' row" in report.results.iloc[0]["message"]
    _append(p, "s-logic-other,other,logic,,10,,,,,,revenue,2024,primary,src-a\n")
    assert validate_graph(build_graph(load_tables(tiny_dir))).conforms


def test_firm_rows_and_country_totals_are_summed_apart(tiny_dir):
    p = tiny_dir / "seed/supplies.csv"
    _append(p, "s-logic-nl,NL,logic,,90,,,,,,revenue,2024,primary,src-a\n")
    report = validate_graph(build_graph(load_tables(tiny_dir)))
    (row,) = report.results.itertuples(index=False)
    assert row.rule == "share-sum" and row.focus == "logic (revenue, 2024, country totals)"
    assert "below 98" in row.message
    _append(p, "s-logic-us,US,logic,,10,,,,,,revenue,2024,primary,src-a\n")
    assert validate_graph(build_graph(load_tables(tiny_dir))).conforms
