"""Tables that say what they mean (issue 19): identifying columns first and never
dropped to fit, ``--columns`` on every row-printing command, units in the headers
of the table view only."""

from __future__ import annotations

import json
from io import StringIO

import click
import pandas as pd
import pytest

from chiprisk.cli.options import header_label, output_options, to_table

NARROW = {"COLUMNS": "80"}


def header(text: str) -> str:
    """The header lines of a rich table (between the top border and the rule)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    rule = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    return " ".join(lines[top + 1 : rule])


def test_identifying_columns_come_first_and_stay_when_the_table_is_cut():
    df = pd.DataFrame(
        {
            "loss": [0.5, 0.25],
            "note": ["a long note that would not fit anyway", "x" * 40],
            "product": ["nvidia-h100", "amd-mi300x"],
            "scenario": ["taiwan-strait-blockade-long-name", "korea-hbm-outage"],
            **{f"n{i}": [1.0, 2.0] for i in range(12)},
        }
    )
    text = to_table(df, width=60)
    first = next(line for line in text.splitlines() if "nvidia-h100" in line)
    assert first.index("nvidia-h100") < first.index("taiwan-strait") < first.index("50.0%")
    for name in ("nvidia-h100", "amd-mi300x", "korea-hbm-outage"):
        assert name in text
    assert "not shown" in text  # the others were dropped and named


def test_the_id_and_the_reason_stay():
    df = pd.DataFrame(
        {
            "id": [f"policy-{i}" for i in range(4)],
            "year": [2030] * 4,
            **{f"metric_{i}": [0.1] * 4 for i in range(10)},
            "reason": [None, None, "funds no site (money only)", "no ledger capacity by 2030"],
        }
    )
    text = to_table(df, width=70)
    assert "policy-3" in text and "funds no site" in text


def test_units_in_table_headers_only():
    df = pd.DataFrame(
        {
            "input": ["dram"],
            "capacity": [250_000.0],
            "unit": ["wafers/month"],
            "loss": [0.25],
            "hhi": [4485.2],
        }
    )
    head = header(to_table(df, width=200))
    assert "capacity (wafers/month)" in head
    assert "loss (share of output)" in head
    assert "hhi (0-10,000)" in head
    assert header_label("capacity", df.assign(unit=["wafers/month"])) == "capacity (wafers/month)"
    two_units = pd.DataFrame({"capacity": [1.0, 2.0], "unit": ["wafers/month", "units/year"]})
    assert header_label("capacity", two_units) == "capacity (unit: see unit)"


def test_units_not_in_csv_or_json(invoke):
    r = invoke("outlook", "--input", "dram", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "capacity (" not in r.output.splitlines()[0]
    rows = json.loads(invoke("concentration", "--input", "hbm", "--format", "json").output)
    assert "hhi" in rows[0] and "hhi (0-10,000)" not in rows[0]


def test_columns_pick_and_order_in_every_format(invoke):
    r = invoke("concentration", "--input", "hbm", "--columns", "hhi,input", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "hhi,input"
    rows = json.loads(
        invoke(
            "concentration", "--input", "hbm", "--columns", "input,cr1", "--format", "json"
        ).output
    )
    assert set(rows[0]) == {"input", "cr1"}
    # a column the table view leaves out by default can be asked for
    r = invoke("concentration", "--input", "hbm", "--columns", "input,entropy")
    assert r.exit_code == 0 and "entropy" in header(r.output) and "cr1" not in r.output


def test_unknown_columns_are_a_usage_error_naming_them(invoke):
    r = invoke("concentration", "--input", "hbm", "--columns", "input,nope,hhhi")
    assert r.exit_code == 2
    assert "nope, hhhi" in r.output and "hhi_low" in r.output  # and the known ones
    r = invoke("search", "hbm", "--columns", ",")
    assert r.exit_code == 2


def test_every_row_printing_command_has_columns(invoke):
    from chiprisk.cli.main import cli

    ctx = click.Context(cli)
    with_format = [
        name
        for name in cli.list_commands(ctx)
        if (cmd := cli.get_command(ctx, name)) is not None
        and any(
            p.name == "fmt" and "table" in getattr(p.type, "choices", ())
            for p in getattr(cmd, "params", [])
        )
        and any(p.name == "output" for p in cmd.params)
    ]
    assert "simulate" in with_format and "policies" in with_format
    for name in with_format:
        cmd = cli.get_command(ctx, name)
        assert any("--columns" in p.opts for p in cmd.params), name


def test_columns_option_is_not_a_command_parameter():
    @click.command()
    @output_options
    def cmd(fmt, output):  # no `columns` argument needed
        click.echo(f"{fmt} {output}")

    from click.testing import CliRunner

    r = CliRunner().invoke(cmd, ["--columns", "a,b"])
    assert r.exit_code == 0 and r.output == "table None\n"


def test_simulate_products_shows_the_product_at_80_columns(invoke):
    r = invoke(
        "--no-cache",
        "simulate",
        "--disrupt",
        "country:TW",
        "--duration-weeks",
        "13",
        "--products",
        env=NARROW,
    )
    assert r.exit_code == 0, r.output
    assert "nvidia-h100" in r.output and "amd-mi300x" in r.output
    assert header(r.output).startswith("┃ node")


def test_policies_rank_keeps_the_id_and_the_reason(invoke):
    r = invoke("--no-cache", "policies", "--rank", "--year", "2030", env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    head = header(r.output)
    assert "id" in head and "reason" in head
    assert "us-chips-loans" in r.output and "funds no site" in r.output


def test_whatif_shows_the_scenario_of_each_changed_row(invoke):
    r = invoke(
        "--no-cache",
        "whatif",
        "--add-capacity",
        "JP:hbm:30000",
        "--year",
        "2030",
        "--runs",
        "500",
        "--format",
        "table",
        env={"COLUMNS": "90"},
    )
    assert r.exit_code == 0, r.output
    part = r.output.split("Per product and named scenario")[1]
    assert "scenario" in header(part)
    assert "eud_before (share of output)" in r.output.replace("\n", " ").replace("┃", " ") or (
        "eud_before" in r.output
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_columns_reach_the_file_written_with_o(invoke, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    r = invoke("search", "hbm", "--columns", "id", "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    if fmt == "csv":
        assert list(pd.read_csv(StringIO(text)).columns) == ["id"]
    else:
        assert set(json.loads(text)[0]) == {"id"}


def test_columns_in_a_command_of_several_tables(invoke):
    r = invoke("summary", "--columns", "input,hhi", env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    part = r.output.split("Most concentrated inputs")[1]
    assert [c.strip() for c in header(part).split("┃")[1:-1]] == ["input", "hhi (0-10,000)"]
    r = invoke("summary", "--columns", "input,hhi", "--format", "csv")
    assert r.exit_code == 0 and r.output.splitlines()[0] == "input,hhi"
    r = invoke("summary", "--columns", "input,nope", "--format", "csv")
    assert r.exit_code == 2 and "nope" in r.output  # one table: strict
