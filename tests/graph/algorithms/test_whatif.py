"""Policy what-if: methods.md R4.1 and R4.3, capacity bookkeeping, properties."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.additions import Addition, apply_additions, parse_addition
from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.algorithms.policy_actions import missing_capacity_tables
from chiprisk.graph.algorithms.policy_ranking import policies
from chiprisk.graph.algorithms.risk import expected_unmet_demand
from chiprisk.graph.algorithms.whatif import whatif
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables

TINY = Path(__file__).parents[2] / "fixtures" / "tiny"
CAPS = {"TW": 92, "KR": 8, "US": 0, "JP": 0, "EU": 0}
PROBS = {"TW": 0.05, "KR": 0.02, "US": 0.01, "JP": 0.03, "EU": 0.01}


def test_r4_1_eud_is_location_aware_hhi_is_not():
    assert expected_unmet_demand(CAPS, 100, PROBS) == pytest.approx(4.76, abs=1e-6)
    assert expected_unmet_demand(CAPS, 100, PROBS, {"US": 20}) == pytest.approx(3.61952, abs=1e-6)
    assert expected_unmet_demand(CAPS, 100, PROBS, {"JP": 20}) == pytest.approx(3.64256, abs=1e-6)
    assert expected_unmet_demand(CAPS, 100, PROBS, {"EU": 20}) == pytest.approx(3.61952, abs=1e-6)
    from chiprisk.graph.algorithms.hhi_change import hhi_after_addition

    assert hhi_after_addition([92, 8], None, 0.0) == pytest.approx(8528)
    assert hhi_after_addition([92, 8], None, 20.0) == pytest.approx(6200)


@settings(max_examples=60, deadline=None)
@given(
    add=st.dictionaries(st.sampled_from(list(CAPS)), st.floats(0, 50), max_size=5),
    more=st.dictionaries(st.sampled_from(list(CAPS)), st.floats(0, 50), max_size=5),
)
def test_adding_capacity_never_increases_eud(add, more):
    bigger = {k: add.get(k, 0) + more.get(k, 0) for k in CAPS}
    assert (
        expected_unmet_demand(CAPS, 100, PROBS, bigger)
        <= expected_unmet_demand(CAPS, 100, PROBS, add) + 1e-9
    )


@pytest.fixture
def s2_dir(tmp_path):
    """The tiny data with the ETO S2 fabrication shares as a country capacity table."""
    d = tmp_path / "d"
    shutil.copytree(TINY, d)
    sup = (d / "seed" / "supplies.csv").read_text()
    rows = [("CN", 24), ("TW", 18), ("KR", 17), ("US", 17), ("JP", 10), ("DE", 8), ("other", 7)]
    extra = "".join(
        f"s-s2-{c.lower()},{c},euv,,,,,,{q},wafers/month,capacity,2022,estimate,src-a\n"
        for c, q in rows
    )
    (d / "seed" / "supplies.csv").write_text(sup + extra)
    return d


def _hhi(tables, lens="country"):
    df = concentration(tables, inputs="euv", lens=lens, basis="capacity", year=2030)
    return float(df.iloc[0]["hhi"])


def test_r4_3_sign_rule_through_apply_additions(s2_dir):
    t = load_tables(s2_dir)
    base = _hhi(t)
    eu, _ = apply_additions(t, [Addition("DE", "euv", 0.5, "wafers/month")], 2030)
    cn, _ = apply_additions(t, [Addition("CN", "euv", 0.5, "wafers/month")], 2030)
    assert _hhi(eu) < base < _hhi(cn)  # s_DE = 0.079 < H < s_CN = 0.238


def test_capacity_added_and_not_comparable(tiny_dir):
    t = load_tables(tiny_dir)
    r = whatif(t, ["jp-jasm-aid"], year=2030, runs=500)
    row = r.inputs.iloc[0]
    assert (row["input"], row["capacity_added"]) == ("logic", 55000.0)
    assert row["capacity_applied"] == 0 and "no capacity table in wafers/month" in row["note"]
    assert r.actions["amount_usd"].dropna().iloc[0] == pytest.approx(476e9 / 131.5)
    assert "131.5 JPY" in " ".join(r.assumptions)
    early = whatif(t, ["jp-jasm-aid"], year=2023, runs=500)
    assert early.inputs.empty  # the fab starts in 2024
    miss = missing_capacity_tables(t, 2030)
    assert miss[["input", "capacity_unit"]].values.tolist() == [["logic", "wafers/month"]]


def test_capacity_table_gives_before_after_and_lower_losses(s2_dir):
    t = load_tables(s2_dir)
    r = whatif(t, None, year=2030, additions=[parse_addition("JP:euv:40", t)], runs=4000)
    country = r.inputs[r.inputs["lens"] == "country"].iloc[0]
    assert country["capacity_added"] == 40 and country["comparable"]
    assert country["hhi_after"] != country["hhi_before"]
    mc = r.products[r.products["scenario"] == "(monte carlo)"]
    assert (mc["eud_after"] <= mc["eud_before"] + 1e-12).all()
    named = r.products[r.products["scenario"] == "tw-blockade"]
    assert (named["output_after"] >= named["output_before"] - 1e-12).all()


def test_capacity_started_before_the_table_year_is_not_added_twice(s2_dir):
    t = load_tables(s2_dir)  # the euv capacity table is of 2022
    old = Addition("JP", "euv", 40, "wafers/month", start_year=2022)
    new = Addition("JP", "euv", 40, "wafers/month", start_year=2023)
    same, report = apply_additions(t, [old], 2030)
    assert not report["applied"].iloc[0]
    assert report["note"].iloc[0] == "already in the 2022 table (capacity from 2022)"
    assert _hhi(same) == _hhi(t)
    changed, report = apply_additions(t, [new], 2030)
    assert report["applied"].iloc[0] and _hhi(changed) != _hhi(t)


def test_parse_addition_errors(tiny_dir):
    t = load_tables(tiny_dir)
    for bad, msg in [
        ("JP:logic", "expected"),
        ("XX:logic:1", "not a site"),
        ("JP:nope:1", "unknown input"),
        ("JP:logic:-1", ">= 0"),
    ]:
        with pytest.raises(UsageError, match=msg):
            parse_addition(bad, t)
    with pytest.raises(UsageError, match="unknown policy"):
        whatif(t, ["jp-jasm"], year=2030)


def test_policies_rank_lists_every_policy_with_a_reason(tiny_dir):
    t = load_tables(tiny_dir)
    df = policies(t, rank=True, year=2030)
    assert set(df["policy"]) == set(t["policies"]["id"])
    assert df["reason"].notna().all()  # neither policy changes the model in the tiny data
    assert df["money_usd"].notna().all()


def test_builtin_japanese_policy_adds_capacity_by_2030():
    t = load_tables()
    acts = t["policy_actions"]
    jp = set(t["policies"].query("jurisdiction == 'JP'")["id"])
    cap = acts[acts["policy"].isin(jp) & acts["adds_capacity"].notna()]
    assert not cap.empty, "the built-in data should have Japanese capacity actions"
    r = whatif(t, sorted(set(cap["policy"])), year=2030, runs=1000)
    assert (r.inputs["capacity_added"] > 0).any()
