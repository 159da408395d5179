"""Optimiser: methods.md R4.2, the CVaR version, the budget dual, the HHI target."""

from __future__ import annotations

import pytest

from chiprisk.graph.algorithms.hhi_change import hhi_after_addition
from chiprisk.graph.algorithms.hhi_target import hhi_target
from chiprisk.graph.algorithms.optimize import optimize, optimize_capacity
from chiprisk.graph.algorithms.risk import expected_unmet_demand
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables

CAPS = {"TW": 92, "KR": 8, "US": 0, "JP": 0, "EU": 0}
PROBS = {"TW": 0.05, "KR": 0.02, "US": 0.01, "JP": 0.03, "EU": 0.01}
COSTS = {"US": 1.0, "JP": 0.9, "EU": 1.1}


def test_r4_2_lp_optimum():
    r = optimize_capacity(CAPS, 100, PROBS, costs=COSTS, budget=20)
    assert r.additions["JP"] == pytest.approx(22.2222, abs=1e-4)
    assert r.additions["US"] == pytest.approx(0, abs=1e-6)
    assert r.objective == pytest.approx(3.534782, abs=1e-4)
    assert hhi_after_addition([92, 8], None, r.additions["JP"]) == pytest.approx(6039.4, abs=0.1)


def test_budget_marginal_is_the_finite_difference():
    r = optimize_capacity(CAPS, 100, PROBS, costs=COSTS, budget=20)
    r2 = optimize_capacity(CAPS, 100, PROBS, costs=COSTS, budget=21)
    assert r.budget_marginal > 0
    assert r.objective - r2.objective == pytest.approx(r.budget_marginal, rel=1e-6)


def test_cvar_version_beats_doing_nothing():
    r = optimize_capacity(CAPS, 100, PROBS, costs=COSTS, budget=20, objective="cvar", beta=0.9)
    assert r.cvar <= expected_unmet_demand(CAPS, 100, PROBS, beta=0.9) + 1e-9
    assert r.objective == pytest.approx(r.cvar, rel=1e-6)


def test_hhi_target_closed_form_is_exact():
    df = hhi_target({"TW": 92, "KR": 8}, 6200, {"US": 1.0, "KR": 2.0}, max_add={"KR": 100})
    us = df.set_index("candidate").loc["US"]
    assert us["added"] == pytest.approx(20.0)  # R4.1: 20 new capacity gives 6,200
    assert hhi_after_addition([92, 8], None, us["added"]) == pytest.approx(6200)
    kr = df.set_index("candidate").loc["KR"]
    assert hhi_after_addition([92, 8], 1, kr["added"]) == pytest.approx(6200)
    assert df.iloc[0]["feasible"]


def test_hhi_target_unreachable_is_reported():
    df = hhi_target({"A": 50, "B": 50}, 100, {"A": 1.0})
    assert not df.iloc[0]["feasible"] and "cannot reach" in df.iloc[0]["note"]


def test_network_optimise_on_tiny(tiny_dir):
    t = load_tables(tiny_dir)
    df = optimize(t, "logic", budget=10, costs={"US": 1.0, "KR": 1.0})
    assert df["optimum"].iloc[0] <= df["before"].iloc[0] + 1e-12
    assert (df["spent"].sum()) <= 10 + 1e-9
    with pytest.raises(UsageError, match="exactly one"):
        optimize(t, "logic", costs={"US": 1.0})
