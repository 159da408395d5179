"""CLI: simulate, montecarlo, whatif, policies, optimize (formats, exit codes, bad input)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "tw-blockade"],
        [
            "simulate",
            "--disrupt",
            "country:TW",
            "--disrupt",
            "site:tsmc-fab-18",
            "--severity",
            "0.8",
        ],
        ["montecarlo", "--runs", "2000", "--seed", "1"],
        ["whatif", "--policy", "jp-jasm-aid", "--year", "2030", "--runs", "500"],
        ["policies"],
        ["policies", "--rank", "--year", "2030"],
        ["optimize", "--input", "logic", "--budget", "10", "--cost", "US=1"],
        [
            "optimize",
            "--input",
            "logic",
            "--target-hhi",
            "5000",
            "--cost",
            "US=1",
            "--by",
            "country",
        ],
    ],
)
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_commands_in_every_format(invoke, tiny_dir, args, fmt):
    res = invoke("--data", str(tiny_dir), *args, "--format", fmt)
    assert res.exit_code == 0, res.output
    if fmt == "json":
        rows = json.loads(res.stdout)
        assert isinstance(rows, list) and rows and isinstance(rows[0], dict)


def test_simulate_json_numbers(invoke, tiny_dir):
    res = invoke(
        "--data", str(tiny_dir), "simulate", "tw-blockade", "--products", "--format", "json"
    )
    row = next(r for r in json.loads(res.stdout) if r["node"] == "h100")
    assert row["output_fraction"] == pytest.approx(1 - 0.9 * 100 / 155)


def test_whatif_table_shows_capacity_and_rate(invoke, tiny_dir):
    res = invoke(
        "--data",
        str(tiny_dir),
        "whatif",
        "--policy",
        "jp-jasm-aid",
        "--year",
        "2030",
        "--runs",
        "500",
    )
    assert "55,000" in res.output and "131.5 JPY" in res.output
    # why nothing changed is printed in full even when the note column does not fit
    assert "logic (wafers/month): not comparable (no capacity table in wafers/month)" in res.output


@pytest.mark.parametrize(
    "args,msg",
    [
        (["simulate", "nope"], "unknown scenario"),
        (["simulate", "--disrupt", "planet:mars"], "kind must be one of"),
        (["simulate"], "give a scenario"),
        (["whatif", "--policy", "nope", "--year", "2030"], "unknown policy"),
        (["optimize", "--input", "logic", "--cost", "US=1"], "exactly one"),
        (["optimize", "--input", "nope", "--budget", "1", "--cost", "US=1"], "unknown entity"),
        (["montecarlo", "--level", "1.5"], "level"),
    ],
)
def test_bad_input_exits_2(invoke, tiny_dir, args, msg):
    res = invoke("--data", str(tiny_dir), *args)
    assert res.exit_code == 2 and msg in res.output


def test_bad_scenario_file_exits_2(invoke, tiny_dir, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "id: s\nname: S\ntargets: [site:nowhere]\nseverity: 0.5\nprobability: 0.1\n"
        "source_id: src-a\n"
    )
    res = invoke("--data", str(tiny_dir), "simulate", str(f))
    assert res.exit_code == 2 and "unknown site id 'nowhere'" in res.output
