"""Policy counterfactuals on a hand-computed three-site ledger (tests/graph/ledger_dirs.py)."""

from __future__ import annotations

import pytest
from ledger_dirs import ledger_tables

from chiprisk.graph.algorithms.counterfactual import (
    country_shares,
    expected_losses,
    funded_sites,
    without_scale,
)
from chiprisk.graph.algorithms.outlook import outlook
from chiprisk.graph.algorithms.policy_counterfactuals import rank_policies
from chiprisk.graph.errors import UsageError


@pytest.fixture(scope="module")
def t(tmp_path_factory):
    return ledger_tables(tmp_path_factory.mktemp("cf"))


def _tw(shares):
    return float(shares.loc[shares["country"] == "TW", "share"].iloc[0])


def test_funded_sites_are_the_sites_funding_actions_target(t):
    assert funded_sites(t)["site"].tolist() == ["jasm-fab-1", "tsmc-arizona"]
    assert funded_sites(t, ["eu-act"]).empty


def test_taiwan_share_and_hhi_with_and_without(t):
    w = country_shares(t, 2026)
    wo = country_shares(t, 2026, scale=without_scale(["tsmc-arizona"]))
    # with: 100k TW, 50k JP, 25k US -> 4/7; without Arizona: 100k TW, 50k JP -> 2/3
    assert _tw(w) == pytest.approx(400 / 7)
    assert _tw(wo) == pytest.approx(200 / 3)
    assert w["hhi"].iloc[0] == pytest.approx(10000 * 21 / 49)
    assert wo["hhi"].iloc[0] == pytest.approx(10000 * 5 / 9)
    # half additionality keeps half of Arizona: 12.5k of 162.5k
    half = country_shares(t, 2026, scale=without_scale(["tsmc-arizona"], 0.5))
    assert _tw(half) == pytest.approx(100 / 162.5 * 100)
    # owner lens: every site is TSMC's
    assert _tw(country_shares(t, 2026, lens="owner")) == pytest.approx(100.0)


def test_expected_loss_follows_the_located_share(t):
    with_ = expected_losses(t, 2026)
    without = expected_losses(t, 2026, scale=without_scale(["tsmc-arizona"]))

    def h100(df, scenario):
        return float(df.query("product == 'h100' and scenario == @scenario")["loss"].iloc[0])

    # the blockade takes 0.9 of Taiwan: H100's logic comes 4/7 (with) or 2/3 (without) from TW
    assert h100(with_, "tw-blockade") == pytest.approx(0.9 * 4 / 7)
    assert h100(without, "tw-blockade") == pytest.approx(0.9 * 2 / 3)
    exp = float(with_.query("product == 'h100' and scenario == '(expected)'")["expected"].iloc[0])
    assert exp == pytest.approx(0.01 * 0.9 * 4 / 7 * 26 / 52)


def test_ranking_of_the_hand_case(t):
    r = rank_policies(t, 2026).set_index("id")
    us = r.loc["us-chips"]
    assert us["taiwan_share_with"] == pytest.approx(400 / 7)
    assert us["taiwan_share_without"] == pytest.approx(200 / 3)
    loss = 0.01 * 0.9 * 26 / 52 * (2 / 3 - 4 / 7)
    assert us["loss_reduced"] == pytest.approx(loss)
    assert us["loss_reduced_per_bn_usd"] == pytest.approx(loss / 6.6)
    # JASM: without it Taiwan holds 100k of 125k; JPY 476 bn at 131.5 per USD (2022)
    jasm = r.loc["jp-jasm-aid"]
    assert jasm["taiwan_share_without"] == pytest.approx(80.0)
    loss_j = 0.01 * 0.9 * 26 / 52 * (0.8 - 4 / 7)
    assert jasm["loss_reduced"] == pytest.approx(loss_j)
    assert jasm["money_usd"] == pytest.approx(476e9 / 131.5)
    # more loss removed per dollar ranks first
    assert jasm["rank"] == 1 and us["rank"] == 2
    # money only: listed apart with the reason, never ranked
    eu = r.loc["eu-act"]
    assert pd_isna(eu["rank"]) and "funds no site" in eu["reason"]
    # in 2025 Arizona has no capacity yet: no effect, with the reason
    r25 = rank_policies(t, 2025).set_index("id")
    assert pd_isna(r25.loc["us-chips", "rank"])
    assert "no ledger capacity" in r25.loc["us-chips", "reason"]


def test_ties_share_a_rank(t):
    r = rank_policies(t, 2026, additionality=0.0)
    # with additionality 0 nothing changes: nothing is ranked
    assert r["rank"].isna().all()
    assert set(r["reason"].dropna()) >= {"removing its capacity changes no share and no loss"}


def test_outlook_rows_and_explain(t):
    df = outlook(t, start=2025, end=2027, without=["US"], explain=True, scenario="tw-blockade")
    cap = df.query("section == 'capacity' and lens == 'located' and country == 'TW'")
    shares = dict(zip(cap["year"], cap["share"], strict=True))
    assert shares == pytest.approx({2025: 200 / 3, 2026: 400 / 7, 2027: 80.0})
    wo = dict(zip(cap["year"], cap["share_without_policies"], strict=True))
    assert wo == pytest.approx({2025: 200 / 3, 2026: 200 / 3, 2027: 100.0})
    loss = df.query("section == 'loss' and product == 'h100'").set_index("year")
    assert loss.loc[2026, "loss_with_policies"] == pytest.approx(0.9 * 4 / 7)
    assert loss.loc[2026, "loss_without_policies"] == pytest.approx(0.9 * 2 / 3)
    led = df[df["section"] == "ledger"]
    assert set(led.loc[led["year"] == 2027, "ledger_ids"]) == {
        "cap-az-2026",
        "cap-f18-2024",
        "cap-jasm-2027",
    }


def test_outlook_without_the_default_scenario_has_no_loss_rows(t):
    df = outlook(t, start=2026, end=2026)
    assert "loss" not in set(df["section"])
    assert any("no scenario" in a for a in df.attrs["assumptions"])


def test_outlook_bad_arguments_are_usage_errors(t):
    with pytest.raises(UsageError, match="--without 'XX'"):
        outlook(t, without=["XX"])
    with pytest.raises(UsageError, match="no capacity ledger rows"):
        outlook(t, inputs=["euv"])
    with pytest.raises(UsageError, match="after --to"):
        outlook(t, start=2030, end=2025)


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_whatif_carries_the_ledger_counterfactual():
    import chiprisk.graph as cg

    kg = cg.load()
    jasm = kg.whatif(["jp-jasm-fab-1-subsidy"], year=2030, runs=200).counterfactual
    assert jasm.loc[jasm["kind"] == "input", "id"].tolist() == ["logic-mature"]
    assert (jasm.loc[jasm["kind"] == "product", "loss_reduced"] == 0).all()
    r = kg.whatif(["us-chips-manufacturing-incentives"], year=2030, runs=200)
    cf = r.counterfactual.set_index("id")
    assert cf.loc["nvidia-h100", "loss_reduced"] > 0
    assert (
        cf.loc["logic-5nm-class", "taiwan_share_without"]
        > cf.loc["logic-5nm-class", "taiwan_share_with"]
    )
    assert "counterfactual" in set(r.to_frame()["section"])


def test_outlook_of_years_before_any_capacity_is_empty_not_an_error(t):
    first = int(t["capacity"]["year"].astype(int).min())
    df = outlook(t, start=first - 3, end=first - 2, scenario=None)
    assert df.empty
    assert "section" in df.columns
    assert df.attrs["assumptions"]


def test_outlook_years_at_once_equal_one_year_at_a_time(t):
    both = outlook(t, start=2025, end=2027, scenario=None)
    for year in (2025, 2026, 2027):
        alone = outlook(t, start=year, end=year, scenario=None)
        got = both[both["year"] == year].reset_index(drop=True)
        assert got.equals(alone.reset_index(drop=True)), year
