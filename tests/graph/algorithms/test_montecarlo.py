"""Monte Carlo: estimates against the enumerated value, common random numbers, statistics."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from chiprisk.graph.algorithms.montecarlo import (
    event_set,
    loss_statistics,
    montecarlo,
    sample_events,
    sample_losses,
)
from chiprisk.graph.algorithms.risk import conditional_value_at_risk, value_at_risk
from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network

TINY = Path(__file__).parents[2] / "fixtures" / "tiny"
EVENTS = [
    Scenario("tw", "TW", ("country:TW",), 0.9, duration_weeks=26, probability=0.2),
    Scenario("jp", "JP", ("site:jasm-fab-1",), 1.0, duration_weeks=8, probability=0.3),
    Scenario("nl", "EUV", ("org:asml",), 0.5, duration_weeks=52, probability=0.1),
]


@pytest.fixture(scope="module")
def tiny():
    return load_tables(TINY)


def test_estimate_within_four_standard_errors_of_enumeration(tiny):
    net = build_network(tiny)
    ev = event_set(net, tiny, EVENTS)
    # exact value: enumerate the patterns with the library's own pattern propagation
    pats = np.array(list(itertools.product([False, True], repeat=3))).T
    probs = np.prod(np.where(pats, ev.probs[:, None], 1 - ev.probs[:, None]), axis=0)
    k = net.node_index["h100"]
    exact = float(sample_losses(net, ev, pats, dedupe=False)[k] @ probs)
    df = montecarlo(tiny, EVENTS, runs=40_000, seed=3)
    row = df.set_index("node").loc["h100"]
    assert abs(row["eud"] - exact) <= 4 * row["eud_se"]
    assert row["eud_se"] > 0


def test_single_event_matches_simulate(tiny):
    net = build_network(tiny)
    ev = event_set(net, tiny, EVENTS[:1])
    L = sample_losses(net, ev, np.array([[True]]))
    frac = simulate(tiny, EVENTS[0]).set_index("node").loc["h100", "output_fraction"]
    assert L[net.node_index["h100"], 0] == pytest.approx((1 - frac) * 26 / 52)


def test_dedupe_is_exact_and_seed_repeats(tiny):
    net = build_network(tiny)
    ev = event_set(net, tiny, EVENTS)
    occ = sample_events(ev.probs, 5_000, seed=11)
    assert np.array_equal(occ, sample_events(ev.probs, 5_000, seed=11))
    a = sample_losses(net, ev, occ, dedupe=True)
    b = sample_losses(net, ev, occ, dedupe=False)
    assert np.allclose(a, b)


def test_statistics_match_the_risk_module():
    rng = np.random.default_rng(0)
    L = rng.random((1, 1000)) * (rng.random((1, 1000)) < 0.1)
    s = loss_statistics(L, 0.9)
    assert s["var"][0] == pytest.approx(value_at_risk(L[0], beta=0.9))
    assert s["cvar"][0] == pytest.approx(conditional_value_at_risk(L[0], beta=0.9))
    assert s["p_shortfall"][0] == pytest.approx((L > 0).mean())


def test_bad_arguments(tiny):
    with pytest.raises(UsageError, match="runs"):
        montecarlo(tiny, EVENTS, runs=0)
    with pytest.raises(UsageError, match="level"):
        montecarlo(tiny, EVENTS, runs=10, level=1.0)
    with pytest.raises(UsageError, match="probability"):
        montecarlo(tiny, [Scenario("x", "x", ("country:TW",), 1.0)], runs=10)
