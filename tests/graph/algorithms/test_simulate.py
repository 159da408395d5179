"""Disruption simulation and the TTS/TTR LPs (methods.md R3.9, R3.10)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.lp import FlowModel, time_to_recover, time_to_survive
from chiprisk.graph.algorithms.scenarios import (
    adhoc_scenario,
    load_scenario_file,
    named_scenarios,
)
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.errors import DataErrors, UsageError
from chiprisk.graph.io.loader import load_tables

TOY = FlowModel(
    capacity={"P": 20, "C": 20, "R1": 8, "R2": 4},
    inventory={"P": 20, "C": 10, "R1": 0, "R2": 6},
    demand={"P": 10},
    requires={"P": {"C": ["C"]}, "C": {"R": ["R1", "R2"]}},
)


def test_r3_9_time_to_survive():
    assert time_to_survive(TOY, ["R1"]).weeks == pytest.approx(6.0, abs=1e-6)
    assert time_to_survive(TOY, ["R2"]).weeks == pytest.approx(18.0, abs=1e-6)
    assert time_to_survive(TOY, ["C"]).weeks == pytest.approx(3.0, abs=1e-6)
    r = time_to_survive(TOY, [])
    assert r.unbounded and r.status == 3 and math.isinf(r.weeks)


def test_r3_10_time_to_recover():
    r = time_to_recover(TOY, ["C"], weeks=5)
    assert r.lost == pytest.approx(20.0, abs=1e-6)
    assert r.lost_by_product["P"] == pytest.approx(20.0, abs=1e-6)


def test_unknown_disrupted_node():
    with pytest.raises(UsageError, match="not in the model"):
        time_to_survive(TOY, ["X"])


@pytest.fixture(scope="module")
def tiny():
    from pathlib import Path

    return load_tables(Path(__file__).parents[2] / "fixtures" / "tiny")


def test_blockade_cuts_the_located_share(tiny):
    df = simulate(tiny, named_scenarios(tiny, "tw-blockade"))
    h100 = df[df["node"] == "h100"].iloc[0]
    # TSMC's fabs: TW 100,000 and JP 55,000 wafers/month (capacity-weighted location)
    assert h100["output_fraction"] == pytest.approx(1 - 0.9 * 100 / 155)
    assert h100["annual_loss"] == pytest.approx(h100["loss"] * 26 / 52)


def test_site_target_and_spare_capacity(tiny):
    sc = adhoc_scenario(["site:jasm-fab-1"], 1.0, tables=tiny)
    base = simulate(tiny, sc, include="all").set_index("node")
    assert base.loc["h100", "output_fraction"] == pytest.approx(100 / 155)
    spare = simulate(tiny, sc, include="all", spare_capacity=0.5).set_index("node")
    assert spare.loc["logic", "output_fraction"] >= base.loc["logic", "output_fraction"]


def test_input_target_and_inventory_lps(tiny):
    sc = adhoc_scenario(["input:euv"], 0.5, duration_weeks=10, inventory_weeks=2, tables=tiny)
    row = simulate(tiny, sc).set_index("node").loc["h100"]
    assert row["output_fraction"] == pytest.approx(0.5)
    assert row["tts_weeks"] == pytest.approx(4.0)  # 2 weeks of stock / 0.5 lost per week
    assert row["ttr_lost_weeks"] == pytest.approx(0.5 * 10 - 2)


def test_bad_targets_are_usage_errors(tiny):
    with pytest.raises(UsageError, match="kind must be one of"):
        adhoc_scenario(["planet:mars"], tables=tiny)
    with pytest.raises(UsageError, match="unknown site"):
        adhoc_scenario(["site:nowhere"], tables=tiny)
    with pytest.raises(UsageError, match="unknown scenario"):
        named_scenarios(tiny, "tw-blockad")


def test_scenario_file_errors_name_the_key(tiny, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "id: bad\nname: Bad\ntargets: [country:XX]\nseverity: 2\nprobability: 0.1\n"
        "source_id: src-a\n"
    )
    with pytest.raises(DataErrors) as err:
        load_scenario_file(f, tiny)
    text = str(err.value)
    assert "severity" in text and "country:XX" in text


@settings(max_examples=40, deadline=None)
@given(
    s1=st.floats(0, 1),
    s2=st.floats(0, 1),
    target=st.sampled_from(
        ["country:TW", "country:JP", "org:tsmc", "site:tsmc-fab-18", "input:euv", "bloc:eu"]
    ),
)
def test_losses_never_negative_and_monotone_in_severity(tiny, s1, s2, target):
    lo, hi = sorted((s1, s2))
    a = simulate(tiny, adhoc_scenario([target], lo, tables=tiny), include="all")
    b = simulate(tiny, adhoc_scenario([target], hi, tables=tiny), include="all")
    assert (a["loss"] >= 0).all() and (b["loss"] >= 0).all()
    la, lb = a.set_index("node")["loss"], b.set_index("node")["loss"]
    for node in set(la.index) & set(lb.index):
        assert lb[node] >= la[node] - 1e-12
