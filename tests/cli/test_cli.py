"""The CLI: every command, every output format, exit codes, bad input."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

FORMAT_COMMANDS = [
    ("info",),
    ("show", "asml"),
    ("search", "tsmc"),
    ("query", "--named", "suppliers-of-input", "--param", "input=euv-lithography"),
    ("query", "--list"),
    ("build",),
]


@pytest.mark.parametrize("args", FORMAT_COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_formats(invoke, args, fmt):
    r = invoke(*args, "--format", fmt)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        rows = json.loads(r.output)
        assert isinstance(rows, list) and rows and isinstance(rows[0], dict)
    elif fmt == "csv":
        df = pd.read_csv(StringIO(r.output))
        assert len(df) >= 1
    else:
        assert r.output.strip()


def test_output_file(invoke, tmp_path):
    out = tmp_path / "s.json"
    r = invoke("search", "hbm", "--format", "json", "-o", str(out))
    assert r.exit_code == 0 and r.output == ""
    assert any(row["id"] == "hbm" for row in json.loads(out.read_text()))


def test_json_numbers_and_nulls(invoke):
    rows = json.loads(invoke("show", "sup-euv-asml-2025", "--format", "json").output)
    by_field = {r["field"]: r["value"] for r in rows if r["section"] == "attribute"}
    assert by_field["share"] == 100
    assert isinstance(by_field["year"], int)
    assert all(r["label"] is None or isinstance(r["label"], str) for r in rows)


def test_version_and_help(invoke):
    assert invoke("--version").output.startswith("chiprisk, version ")
    r = invoke()
    assert r.exit_code == 0 and "Look around" in r.output


def test_unknown_command_suggests(invoke):
    r = invoke("serach", "x")
    assert r.exit_code == 2 and "Did you mean: search" in r.output


def test_show_unknown_entity_suggests(invoke):
    r = invoke("show", "tsmcc")
    assert r.exit_code == 2
    assert "unknown entity 'tsmcc'" in r.output and "tsmc" in r.output


def test_validate_builtin_exit_0(invoke):
    r = invoke("validate")
    assert r.exit_code == 0 and "conforms" in r.output


BAD_SHAPES = sorted((Path(__file__).parents[1] / "fixtures/shapes/bad").glob("*.ttl"))


def test_there_are_bad_fixtures():
    assert len(BAD_SHAPES) >= 10


# one test per fixture file: a failure names its file, and the others still run
@pytest.mark.parametrize("path", BAD_SHAPES, ids=lambda p: p.stem)
def test_validate_rdf_bad_fixture_exit_1(invoke, path):
    r = invoke("validate", "--rdf", str(path))
    assert r.exit_code == 1, (path.name, r.output)
    assert f"[{path.stem}]" in r.output


def test_validate_rdf_syntax_error_exit_2(invoke, tmp_path):
    p = tmp_path / "broken.ttl"
    p.write_text("<urn:a> <urn:b> .")
    r = invoke("validate", "--rdf", str(p))
    assert r.exit_code == 2 and "broken.ttl: not valid turtle" in r.output


def test_bad_data_dir_exit_2_names_file_line_column(invoke, tiny_dir, tmp_path):
    p = tiny_dir / "seed/supplies.csv"
    p.write_text(p.read_text().replace("s-euv-asml,asml,euv,,100,", "s-euv-asml,asml,euv,,130,"))
    out = tmp_path / "never.json"
    r = invoke("--data", str(tiny_dir), "search", "x", "--format", "json", "-o", str(out))
    assert r.exit_code == 2
    assert "supplies.csv, line 2, column share: 130 is above the allowed range 0..100" in r.output
    assert not out.exists()


def test_data_option_runs_any_command(invoke, tiny_dir):
    r = invoke("--data", str(tiny_dir), "info", "--format", "json")
    facts = {row["field"]: row["value"] for row in json.loads(r.output)}
    assert facts["organizations"] == "5" and facts["data"] == str(tiny_dir)


def test_query_text_and_file(invoke, tmp_path):
    q = "SELECT ?name WHERE { crid:asml rdfs:label ?name }"
    r = invoke("query", q, "--format", "json")
    assert json.loads(r.output) == [{"name": "ASML Holding"}]
    f = tmp_path / "q.rq"
    f.write_text(q)
    assert json.loads(invoke("query", str(f), "--format", "json").output) == [
        {"name": "ASML Holding"}
    ]


def test_query_errors_exit_2(invoke):
    assert invoke("query", "SELECT WHERE {").exit_code == 2
    assert invoke("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }").exit_code == 2
    r = invoke("query", "--named", "nope")
    assert r.exit_code == 2 and "unknown named query" in r.output
    r = invoke("query", "--named", "suppliers-of-input", "--param", "bogus=1")
    assert r.exit_code == 2 and "has no parameter 'bogus'" in r.output
    assert invoke("query", "--named", "suppliers-of-input", "--param", "noequals").exit_code == 2


def test_param_is_bound_not_pasted(invoke):
    hostile = "euv-lithography> } ; DROP ALL ; SELECT * { <x"
    r = invoke(
        "query", "--named", "suppliers-of-input", "--param", f"input={hostile}", "--format", "json"
    )
    assert r.exit_code in (0, 2)
    if r.exit_code == 0:
        assert json.loads(r.output) == []


def test_export_stdout_and_file(invoke, tmp_path):
    r = invoke("export", "--format", "nt")
    assert r.exit_code == 0 and r.output.count("\n") > 100
    out = tmp_path / "g.jsonld"
    r = invoke("export", "--format", "jsonld", "-o", str(out))
    assert r.exit_code == 0 and json.loads(out.read_text())


def test_export_missing_folder_exit_2(invoke, tmp_path):
    r = invoke("export", "-o", str(tmp_path / "no/such/dir/g.ttl"))
    assert r.exit_code == 2 and "does not exist" in r.output


def test_python_m_entry_point():
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "chiprisk.cli", "--version"], capture_output=True, text=True
    )
    assert r.returncode == 0 and "chiprisk, version" in r.stdout


ANALYSIS_COMMANDS = [
    ("summary",),
    ("concentration", "--input", "euv-lithography"),
    ("concentration", "--stage", "equipment", "--by", "hq"),
    ("exposure", "nvidia-h100"),
    ("exposure", "nvidia-h100", "--by", "firm", "--totals"),
    ("chokepoints", "--top", "5"),
]


@pytest.mark.parametrize("args", ANALYSIS_COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_analysis_formats(invoke, args, fmt):
    r = invoke(*args, "--format", fmt)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        assert json.loads(r.output)


def test_concentration_euv_is_a_monopoly_and_explained(invoke):
    rows = json.loads(
        invoke("concentration", "--input", "euv-lithography", "--format", "json").output
    )
    assert rows[0]["hhi"] == 10000 and rows[0]["top_entity"] == "asml"
    facts = json.loads(
        invoke(
            "concentration", "--input", "euv-lithography", "--explain", "--format", "json"
        ).output
    )
    assert facts and all(f["url"].startswith("http") for f in facts)


def test_leading_edge_logic_taiwan_by_location(invoke):
    rows = json.loads(
        invoke(
            "concentration", "--input", "leading-edge-logic", "--by", "country", "--format", "json"
        ).output
    )
    top = rows[0]
    assert top["top_entity"] == "TW" and top["top_share"] > 65 and top["over_65"] is True
    facts = json.loads(
        invoke(
            "concentration",
            "--input",
            "leading-edge-logic",
            "--by",
            "country",
            "--explain",
            "--format",
            "json",
        ).output
    )
    assert {f["entity"] for f in facts} >= {"TW"}
    assert all(f["source_id"] for f in facts)


def test_summary_json_sections(invoke):
    rows = json.loads(invoke("summary", "--format", "json").output)
    assert {r["section"] for r in rows} == {
        "concentrated",
        "markets",
        "chokepoints",
        "exposure",
        "outlook",
    }
    outlook = [r for r in rows if r["section"] == "outlook"]
    assert {r["input"] for r in outlook} >= {"logic-5nm-and-below", "cowos-packaging"}
    assert all(0 <= r["share_last_without_policies"] <= 100 for r in outlook)


def test_analysis_bad_arguments_exit_2(invoke):
    assert invoke("exposure", "nvidia-h10").exit_code == 2
    assert invoke("concentration", "--input", "euv").exit_code == 2
    assert invoke("concentration", "--explain").exit_code == 2
    assert invoke("concentration", "--year", "1900").exit_code == 2
