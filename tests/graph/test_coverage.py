"""The coverage report finds what the data cannot answer, and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.coverage import CHECKS, COLUMNS, confidence_mix, coverage


def _append(path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _rewrite_sorted(path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *sorted(lines[1:])]) + "\n", encoding="utf-8")


def test_columns_and_clean_tiny_data(tiny_dir):
    report = coverage(load_tables(tiny_dir), as_of=2025)
    assert list(report.columns) == COLUMNS
    assert set(report["check"]) <= set(CHECKS)
    warnings = report[report["severity"] == "warning"]
    # the tiny data sums to 100, has rates for every budget year and applies its buyer rows
    assert not set(warnings["check"]) & {"share-sum", "fx-missing", "buyer-unapplied"}
    # the EU act only sets conditions: reported, as information
    eu = report[(report["check"] == "policy-no-effect") & (report["entity"] == "eu-act")]
    assert eu["severity"].tolist() == ["info"]
    # the JASM subsidy funds a site with an amount and capacity: not reported
    assert "jp-jasm-aid" not in set(report["entity"])
    # the end product h100 has no suppliers of its own: info, not warning
    h100 = report[(report["check"] == "no-supplies") & (report["entity"] == "h100")]
    assert h100["severity"].tolist() == ["info"]


def test_each_problem_is_found(tiny_dir):
    seed = tiny_dir / "seed"
    # a share table summing to 70 with no residual, and a stale one
    _append(seed / "inputs.csv", "hbm,HBM,memory,component,,,src-a")
    _append(seed / "supplies.csv", "s-hbm-samsung,samsung,hbm,,70,,,,,,revenue,2024,estimate,src-b")
    _append(seed / "supplies.csv", "s-old-euv,asml,euv,,100,,,,,,revenue,2010,primary,src-a")
    # a buyer row whose buyer is an organisation
    nv = "s-nv-logic,tsmc,logic,nvidia,100,,,,,,sourcing,2024,primary,src-a"
    _append(seed / "supplies.csv", nv)
    # a planned site without coordinates or start year
    _append(seed / "sites.csv", "tsmc-az,TSMC Arizona,tsmc,US,Phoenix,,,fab,N4,ramping,,,,src-a")
    # a subsidy with no actions, and a KRW budget with no KRW rate
    _append(seed / "policies.csv", "kr-aid,Korean aid,KR,subsidy,enacted,2024-05,1000,KRW,src-a")
    for f in ("inputs.csv", "supplies.csv", "sites.csv", "policies.csv"):
        _rewrite_sorted(seed / f)
    report = coverage(load_tables(tiny_dir), stale_years=5, as_of=2025)

    def rows(check, entity):
        return report[(report["check"] == check) & (report["entity"] == entity)]

    assert rows("share-sum", "hbm")["severity"].tolist() == ["warning"]
    assert "sum to 70" in rows("share-sum", "hbm")["detail"].iloc[0]
    assert rows("buyer-unapplied", "logic@nvidia")["count"].tolist() == [1]
    assert rows("site-gaps", "tsmc-az")["severity"].tolist() == ["warning"]
    assert "coordinates" in rows("site-gaps", "tsmc-az")["detail"].iloc[0]
    assert rows("policy-no-effect", "kr-aid")["severity"].tolist() == ["warning"]
    assert rows("fx-missing", "KRW:2024")["count"].tolist() == [1]
    stale = rows("stale-facts", "euv")
    assert stale["count"].tolist() == [1] and stale["severity"].tolist() == ["info"]


def test_stale_horizon_moves_with_as_of(tiny_dir):
    tables = load_tables(tiny_dir)
    early = coverage(tables, stale_years=5, as_of=2025)
    late = coverage(tables, stale_years=1, as_of=2030)
    assert "logic" not in set(early.loc[early["check"] == "stale-facts", "entity"])
    logic = late[(late["check"] == "stale-facts") & (late["entity"] == "logic")]
    assert logic["severity"].tolist() == ["warning"]


def test_negative_stale_years_is_a_usage_error(tiny_dir):
    with pytest.raises(UsageError, match="stale-years"):
        coverage(load_tables(tiny_dir), stale_years=-1)


def test_confidence_mix_sums_to_each_table(tiny_dir):
    tables = load_tables(tiny_dir)
    mix = confidence_mix(tables)
    for table, g in mix.groupby("table"):
        assert g["share"].sum() == pytest.approx(100.0), table
    supplies = mix[mix["table"] == "supplies"].set_index("confidence")["rows"]
    assert supplies["primary"] == len(tables["supplies"])


def test_builtin_data_has_no_sum_or_fx_gaps():
    report = coverage(load_tables(), as_of=2026)
    warnings = report[report["severity"] == "warning"]
    assert "share-sum" not in set(warnings["check"])
    assert "fx-missing" not in set(warnings["check"])


def test_cli_coverage_json(invoke, tiny_dir):
    args = (
        "--data",
        str(tiny_dir),
        "--no-cache",
        "coverage",
        "--as-of",
        "2025",
        "--format",
        "json",
    )
    res = invoke(*args)
    assert res.exit_code == 0
    rows = json.loads(res.output)
    assert rows and set(rows[0]) == set(COLUMNS)
    assert all(isinstance(r["count"], int) for r in rows)


def test_cli_coverage_rejects_negative_years(runner, tiny_dir):
    from chiprisk.cli.main import cli

    res = runner.invoke(cli, ["--data", str(tiny_dir), "coverage", "--stale-years", "-1"])
    assert res.exit_code == 2


def test_stale_tables_name_the_search_or_warn():
    report = coverage(load_tables(), as_of=2026)
    stale = report[report["check"] == "stale-table"]
    assert len(stale)  # the built-in data has old tables: each must say why
    # every input whose latest share table is before 2023 says which search found nothing newer
    assert (stale["severity"] == "info").all()
    assert stale["detail"].str.contains("no public source found: ").all()


def test_a_stale_table_without_a_recorded_search_is_a_warning(tmp_path):
    tiny = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
    shutil.copytree(tiny, tmp_path / "d")
    report = coverage(load_tables(tmp_path / "d"), as_of=2028)
    stale = report[report["check"] == "stale-table"].set_index("entity")
    # logic's latest market-wide table is 2024 (< 2028 - 3); euv's is 2025 (not stale)
    assert stale.loc["logic", "severity"] == "warning"
    assert "latest market-wide share table is 2024" in stale.loc["logic", "detail"]
    assert "euv" not in stale.index
