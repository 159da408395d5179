"""The capacity ledger as of a year, and the ledger written into the supply rows."""

from __future__ import annotations

import pandas as pd
import pytest
from ledger_dirs import ledger_tables

from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.ledger import capacity_as_of, ledger_years, tables_as_of


def _by_site(df):
    return dict(zip(df["site"], df["quantity"], strict=True))


def test_status_and_year_rules(tmp_path):
    t = ledger_tables(tmp_path)
    assert ledger_years(t) == [2024, 2026, 2027]
    # 2025: Arizona's latest row is the 2024 zero; planned capacity counts only from its year
    assert _by_site(capacity_as_of(t, 2025)) == {
        "jasm-fab-1": 50000.0,
        "tsmc-arizona": 0.0,
        "tsmc-fab-18": 100000.0,
    }
    # 2026: Arizona's 25,000 is in place; Fab 18's 2024 row stays in place
    assert _by_site(capacity_as_of(t, 2026))["tsmc-arizona"] == 25000.0
    assert _by_site(capacity_as_of(t, 2026))["tsmc-fab-18"] == 100000.0
    # 2027: a paused latest row counts zero
    assert _by_site(capacity_as_of(t, 2027))["jasm-fab-1"] == 0.0
    # before any row: nothing
    assert capacity_as_of(t, 2020).empty


def test_owner_is_the_ultimate_parent(tmp_path):
    cap = capacity_as_of(ledger_tables(tmp_path), 2026)
    assert set(cap["owner"]) == {"tsmc"}
    assert set(cap["owner_country"]) == {"TW"}
    assert dict(zip(cap["site"], cap["country"], strict=True))["jasm-fab-1"] == "JP"


def test_scale_is_a_counterfactual(tmp_path):
    t = ledger_tables(tmp_path)
    cap = capacity_as_of(t, 2026, scale={"tsmc-arizona": 0.25})
    assert _by_site(cap)["tsmc-arizona"] == pytest.approx(6250.0)


def test_shares_from_the_ledger_equal_the_same_shares_written_as_a_table(tmp_path):
    t = ledger_tables(tmp_path)
    from_ledger = concentration(tables_as_of(t, 2026), inputs=["logic"], lens="site", year=2026)
    from_ledger = from_ledger[from_ledger["basis"] == "capacity"].iloc[0]
    # the same three sites written by hand as a 2026 capacity table
    rows = t["supplies"]
    rows = rows[~((rows["input"] == "logic") & (rows["basis"] == "capacity"))]
    hand = pd.DataFrame(
        {
            "id": ["h-f18", "h-az", "h-jasm"],
            "supplier": ["tsmc-fab-18", "tsmc-arizona", "jasm-fab-1"],
            "input": "logic",
            "share": [100 / 1.75, 25 / 1.75, 50 / 1.75],
            "basis": "capacity",
            "year": 2026,
            "confidence": "primary",
            "source_id": "src-a",
        }
    )
    frames = dict(t.frames)
    frames["supplies"] = pd.concat([rows, hand], ignore_index=True).reindex(columns=rows.columns)
    table = Tables(frames, t.scenarios, t.origin, t.data_hash + "hand", dict(t.kinds))
    written = concentration(table, inputs=["logic"], lens="site", year=2026)
    written = written[written["basis"] == "capacity"].iloc[0]
    # located shares 4/7, 2/7, 1/7: HHI = 10,000 x 21/49
    assert from_ledger["hhi"] == pytest.approx(10000 * 21 / 49)
    assert written["hhi"] == pytest.approx(from_ledger["hhi"])
    assert written["top_entity"] == from_ledger["top_entity"] == "TW"


def test_buyer_sourcing_from_a_firm_is_spread_over_its_ledger_sites(tmp_path):
    t = tables_as_of(ledger_tables(tmp_path), 2026)
    s = t["supplies"]
    spread = s[(s["buyer"] == "h100") & (s["input"] == "logic")]
    got = dict(zip(spread["supplier"], spread["share"], strict=True))
    assert got == pytest.approx(
        {"tsmc-fab-18": 100 * 4 / 7, "jasm-fab-1": 100 * 2 / 7, "tsmc-arizona": 100 / 7}
    )


def test_without_a_ledger_the_rows_are_unchanged():
    from ledger_dirs import TINY  # the tiny data has no capacity.csv

    from chiprisk.graph.io.loader import load_tables

    t = load_tables(TINY)
    assert tables_as_of(t, 2026) is t


def test_a_commodity_dram_fab_in_china_does_not_touch_hbm_made_accelerators():
    """Issue 18: SK hynix's Wuxi fab makes commodity DRAM; HBM3/HBM3E sourcing from SK
    hynix is spread over its HBM ledger sites (HBM3E is a type of HBM), not its DRAM fabs."""
    import chiprisk.graph as cg

    df = cg.load().simulate(disrupt=["site:sk-hynix-wuxi-c2"], include="products")
    assert (df["loss"] == 0).all(), df.loc[df["loss"] > 0, ["node", "loss"]]


def _last_row_per_site(t: Tables, year: int) -> set[tuple[str, str, int]]:
    """The rows one year reads, picked the plain way: sort, keep the last per site."""
    cap = t["capacity"]
    rows = cap[cap["year"].astype(int) <= year].sort_values(["input", "site", "year"])
    rows = rows.drop_duplicates(["input", "site"], keep="last")
    return set(zip(rows["input"], rows["site"], rows["year"].astype(int), strict=True))


def test_all_years_in_one_pass_equal_each_year_alone():
    from chiprisk.graph.io.loader import load_tables
    from chiprisk.graph.model.ledger import capacity_by_year

    years = list(range(2015, 2036))
    together = capacity_by_year(load_tables(), years)
    for y in (2015, 2022, 2026, 2030, 2035):
        t = load_tables()  # fresh frames: nothing shared with the batch through the memo
        alone = capacity_as_of(t, y)
        pd.testing.assert_frame_equal(together[y], alone)
        direct = alone[alone["status"] != "rollup"]
        picked = set(zip(direct["input"], direct["site"], direct["ledger_year"], strict=True))
        assert picked == _last_row_per_site(t, y)
    assert together[2015].empty == (min(load_tables()["capacity"]["year"].astype(int)) > 2015)
    assert together[2030]["quantity"].sum() > together[2022]["quantity"].sum()
