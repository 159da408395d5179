"""Issue 20: escaping (12), info and chokepoints that scale (8), optimize --cost (14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
NASTY = "AS\x1b[31mML [/bold] $\\frac{1}{$ \x07\x9b2J"


@pytest.fixture(scope="module")
def nasty(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("nasty") / "data"
    shutil.copytree(TINY, d)
    orgs = d / "seed" / "organizations.csv"
    orgs.write_text(orgs.read_text().replace("asml,ASML,NL", f'asml,"{NASTY}",NL'))
    return d


@pytest.mark.parametrize(
    "cmd",
    [
        ["search", "ML"],
        ["show", "asml"],
        ["concentration", "--input", "euv"],
        ["chokepoints"],
        ["exposure", "h100"],
    ],
)
def test_names_never_reach_the_terminal_as_escapes_or_markup(invoke, nasty, cmd):
    res = invoke("--data", str(nasty), "--no-cache", *cmd)
    assert res.exit_code == 0, res.stderr  # was: "[/bold]" crashed every table view
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in res.stdout
    if "asml" in " ".join(cmd) or "ML" in cmd:
        assert "\\x1b[31mML [/bold]" in res.stdout  # shown, visibly escaped


def test_csv_to_a_terminal_is_escaped_but_files_keep_the_data(nasty, tmp_path):
    from chiprisk.cli.options import render_text, safe_text

    assert safe_text("a\x1b[2Jb\tc\nd") == "a\\x1b[2Jb\tc\nd"
    import pandas as pd

    df = pd.DataFrame({"name": [NASTY]})
    assert NASTY in render_text(df, "csv", output=str(tmp_path / "x.csv"))


def test_a_name_with_dollar_signs_does_not_crash_the_report(invoke, nasty, tmp_path):
    res = invoke("--data", str(nasty), "--no-cache", "report", "-o", str(tmp_path / "r"))
    assert res.exit_code == 0, res.stderr  # was: matplotlib mathtext ValueError
    assert "ML [/bold]" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_info_does_not_build_the_rdf_graph(invoke, monkeypatch):
    import chiprisk.graph.rdf.triples as triples

    def never(*args, **kwargs):
        raise AssertionError("info built the RDF graph")

    monkeypatch.setattr(triples, "build_graph", never)
    res = invoke("--data", str(TINY), "--no-cache", "info")
    assert res.exit_code == 0, res.stderr  # was: 13 min, 8.6 GB at 1M rows
    assert "organizations" in res.stdout and "triples" not in res.stdout


def test_chokepoints_compute_betweenness_only_when_asked(invoke, monkeypatch):
    import chiprisk.graph.algorithms.chokepoints as cp

    calls = []
    real = cp._betweenness
    monkeypatch.setattr(cp, "_betweenness", lambda t: calls.append(1) or real(t))
    res = invoke("--data", str(TINY), "--no-cache", "chokepoints", "--format", "csv")
    assert res.exit_code == 0 and calls == []  # was: 267 s at 100k rows, always
    assert "betweenness" not in res.stdout.splitlines()[0]
    res = invoke(
        "--data", str(TINY), "--no-cache", "chokepoints", "--betweenness", "--format", "csv"
    )
    assert res.exit_code == 0 and calls == [1]
    assert "betweenness" in res.stdout.splitlines()[0]


@pytest.mark.parametrize("cost", ["UK=1", "us=1", "nowhere=2"])
def test_optimize_with_an_unknown_candidate_is_a_usage_error(invoke, cost):
    res = invoke(
        "--no-cache",
        "optimize",
        "--input",
        "leading-edge-logic",
        "--target-hhi",
        "5000",
        "--cost",
        cost,
    )
    assert res.exit_code == 2  # was: a plan for an entity that does not exist, exit 0
    assert "unknown entity" in res.stderr
