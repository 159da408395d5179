"""``chiprisk report``: writes the report, says where, teaches in --help."""

from __future__ import annotations

from pathlib import Path


def test_report_writes_html_charts_tables(invoke, tiny_dir, tmp_path):
    out = tmp_path / "rep"
    res = invoke("--data", str(tiny_dir), "report", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"wrote {out / 'index.html'}" in res.output
    assert (out / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list((out / "charts").glob("*.png")) and (out / "tables" / "sources.csv").exists()
    assert "\x1b[" not in res.output  # no progress bar or colour off a terminal


def test_report_into_a_file_is_a_usage_error(invoke, tiny_dir, tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    res = invoke("--data", str(tiny_dir), "report", "-o", str(f))
    assert res.exit_code == 2
    assert "not a directory" in res.output or "file" in res.output.lower()


def test_report_needs_an_output_dir(invoke):
    res = invoke("report")
    assert res.exit_code == 2 and "--output" in res.output


def test_help_has_examples_and_is_listed_under_reports(invoke):
    out = invoke("report", "--help").output
    assert "Examples:" in out and out.count("chiprisk ") >= 2
    top = invoke().output
    assert "Reports:" in top and "report" in top.split("Reports:")[1].split("\n")[1]
    assert Path  # imported for type hints in fixtures
