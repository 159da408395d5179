"""Sparse Monte Carlo (issue 21): the same losses as the dense event updates, for fixed seeds."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from chiprisk.graph.algorithms import event_batch
from chiprisk.graph.algorithms import montecarlo as mc
from chiprisk.graph.algorithms.event_rows import apply_events, event_losses, incidence
from chiprisk.graph.algorithms.scenario_effects import scenario_effects
from chiprisk.graph.algorithms.scenarios import named_scenarios
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, propagate
from chiprisk.graph.model.sparse_propagation import propagate_loss

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from tiered import write_tiered  # noqa: E402


def _one_by_one(net, t, scs):
    """Events resolved as before issue 21: one dense scenario_effects column per event."""
    A = np.ones((net.n_suppliers, len(scs)))
    C = np.ones((net.n_nodes, len(scs)))
    for k, sc in enumerate(scs):
        A[:, k], C[:, k], _ = scenario_effects(net, t, sc)
    return A, C


def _dense_static(net, ev, occ, spare=0.0, AC=None):
    """The Monte Carlo segment losses as computed before issue 21: every event, whole matrices."""
    A, C = AC if AC is not None else (ev.A, ev.C)
    loss = np.zeros((net.n_nodes, occ.shape[1]))
    prev = 0.0
    for d in np.unique(ev.durations):
        active = occ & (ev.durations >= d)[:, None]
        a = np.ones((net.n_suppliers, occ.shape[1]))
        cap = np.ones((net.n_nodes, occ.shape[1]))
        for e in np.flatnonzero(active.any(axis=1)):
            hit = active[e]
            a[:, hit] = np.minimum(a[:, hit], A[:, e : e + 1])
            cap[:, hit] = np.minimum(cap[:, hit], C[:, e : e + 1])
        loss += (1.0 - propagate(net, a * (1.0 + spare), cap)) * ((d - prev) / 52.0)
        prev = d
    return np.clip(loss, 0.0, 1.0)


@pytest.fixture(scope="module")
def builtin():
    t = load_tables()
    net = build_network(t)
    return t, net, mc.event_set(net, t, named_scenarios(t))


@pytest.fixture(scope="module")
def tiered(tmp_path_factory):
    d = write_tiered(tmp_path_factory.mktemp("tiered") / "net", 300, seed=4)
    t = load_tables(d)
    net = build_network(t)
    return t, net, mc.event_set(net, t, named_scenarios(t))


@pytest.mark.parametrize("spare", [0.0, 0.25])
@pytest.mark.parametrize("which", ["builtin", "tiered"])
def test_sparse_static_losses_equal_the_dense_ones(which, spare, request):
    t, net, ev = request.getfixturevalue(which)
    ev = dataclasses.replace(ev, params=None)  # the segment model
    probs = np.maximum(ev.probs, 0.05)  # enough events per run to overlap
    occ = mc.sample_events(probs, 3000, seed=11)
    new = mc.sample_losses(net, ev, occ, spare_capacity=spare)
    old = _dense_static(net, ev, occ, spare, _one_by_one(net, t, named_scenarios(t)))
    assert new.shape == old.shape
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-12)
    assert (new > 0).any()


def test_weekly_path_unchanged_by_the_incidence(builtin, monkeypatch):
    """The weekly path (built-in data has stocks) only builds availability from the incidence."""
    _t, net, ev = builtin
    occ = mc.sample_events(np.maximum(ev.probs, 0.1), 400, seed=5)
    new = mc.sample_losses(net, ev, occ)

    def dense(inc, active):  # the old per-event update on the full matrix
        M = np.ones((inc.n_rows, inc.n_events))
        for e in range(inc.n_events):
            sl = slice(inc.ptr[e], inc.ptr[e + 1])
            M[inc.rows[sl], e] = inc.vals[sl]
        out = np.ones((inc.n_rows, active.shape[1]))
        for e in np.flatnonzero(active.any(axis=1)):
            hit = active[e]
            out[:, hit] = np.minimum(out[:, hit], M[:, e : e + 1])
        return out

    monkeypatch.setattr(mc, "apply_events", dense)
    assert np.array_equal(new, mc.sample_losses(net, ev, occ))


@pytest.mark.parametrize("which", ["builtin", "tiered"])
def test_montecarlo_equals_the_one_by_one_resolution(which, request, monkeypatch):
    """montecarlo() with the batched events = with the events resolved one scenario at a time."""
    t, net, _ev = request.getfixturevalue(which)
    new = mc.montecarlo(t, runs=3000, seed=5, network=net, include="all")

    calls = []

    def one_by_one(net, t, scs, headroom=None):
        calls.append(len(scs))
        A, C = _one_by_one(net, t, scs)
        return incidence(A), incidence(C)

    monkeypatch.setattr(event_batch, "resolve_events", one_by_one)
    old = mc.montecarlo(t, runs=3000, seed=5, network=net, include="all")
    assert calls == [len(new.attrs["events"])]
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert (new["eud"] > 0).any()


def test_tiered_montecarlo_seed_repeats_and_reaches_products(tiered):
    t, net, _ev = tiered
    a = mc.montecarlo(t, runs=2000, seed=3, network=net)
    b = mc.montecarlo(t, runs=2000, seed=3, network=net)
    assert a.equals(b)
    assert (a["eud"] > 0).all()  # one event per supplier: every product is hit sometimes


def test_event_rows_match_dense(tiered):
    _t, net, ev = tiered
    inc = incidence(ev.A)
    active = mc.sample_events(np.full(len(ev.ids), 0.1), 50, seed=2)
    a = apply_events(inc, active)
    assert np.array_equal(1.0 - a, event_losses(inc, active).toarray())


@pytest.mark.parametrize("which", ["builtin", "tiered"])
def test_propagate_loss_matches_propagate(which, request):
    _t, net, _ev = request.getfixturevalue(which)
    rng = np.random.default_rng(0)
    cut = (rng.random((net.n_suppliers, 400)) < 0.03) * rng.choice(
        [1.0, 0.4], (net.n_suppliers, 400)
    )
    caps = (rng.random((net.n_nodes, 400)) < 0.005) * 1.0
    for spare in (0.0, 0.3):
        dense = 1.0 - propagate(net, (1.0 - cut) * (1.0 + spare), 1.0 - caps)
        got = propagate_loss(net, sp.csr_matrix(cut), sp.csr_matrix(caps), spare).toarray()
        np.testing.assert_allclose(got, dense, rtol=0, atol=1e-12)


def test_sample_events_in_blocks_draws_the_same_numbers(monkeypatch):
    probs = np.linspace(0.0, 0.9, 37)
    whole = np.random.default_rng(9).random((37, 50)) < probs[:, None]
    monkeypatch.setattr(mc, "_DRAWS", 120)  # two rows per block
    got = mc.sample_events(probs, 50, seed=9)
    assert np.array_equal(got, whole) and got.any()


def test_every_run_distinct_skips_the_copy_back(tiered):
    """With more events than runs can repeat, dedupe and no dedupe give the same losses."""
    _t, net, ev = tiered
    occ = mc.sample_events(np.full(len(ev.ids), 0.2), 300, seed=1)
    a = mc.sample_losses(net, ev, occ, dedupe=True)
    b = mc.sample_losses(net, ev, occ, dedupe=False)
    assert np.array_equal(a, b) and (a > 0).any()


@pytest.mark.parametrize("spare", [0.0, 0.3])
def test_purchase_slots_equal_one_sort(tiered, spare, monkeypatch):
    """Multi-tier firms' purchases merged slot by slot = all gathered and sorted at once."""
    from chiprisk.graph.model import sparse_propagation as spm

    _t, net, _ev = tiered
    rng = np.random.default_rng(3)
    cut = sp.csr_matrix((rng.random((net.n_suppliers, 300)) < 0.05) * 1.0)
    slots = propagate_loss(net, cut, None, spare)
    monkeypatch.setattr(spm, "_SLOTS", 0)  # every level takes the sort
    sort = propagate_loss(net, cut, None, spare)
    assert (slots != sort).nnz == 0 and slots.nnz > 0
    assert any(len(lv.dep_sup) for lv in net._levels)


def test_kept_rows_equal_the_full_losses_in_several_batches(tiered, monkeypatch):
    """Keeping only some nodes (the products) gives their rows of the full losses."""
    t, net, ev = tiered
    occ = mc.sample_events(ev.probs * 5, 3000, seed=8)
    full = mc.sample_losses(net, ev, occ)
    rows = np.array([net.node_index[p] for p in net.products])
    monkeypatch.setattr(mc, "_KEPT", 1)  # the smallest batch: 1,024 runs, three batches
    kept = mc.sample_losses(net, ev, occ, rows=rows)
    assert kept.shape == (len(rows), 3000)
    assert np.array_equal(kept, full[rows]) and (kept > 0).any()
    df = mc.montecarlo(t, runs=3000, seed=8, network=net)
    monkeypatch.setattr(mc, "_KEPT", 1 << 25)
    assert df.equals(mc.montecarlo(t, runs=3000, seed=8, network=net))


@pytest.mark.parametrize("include", ["all", "products"])
def test_montecarlo_statistics_are_those_of_the_full_losses(builtin, include):
    """The statistics are the row statistics of every node's losses, bit for bit."""
    t, net, ev = builtin
    df = mc.montecarlo(t, runs=2000, seed=4, network=net, include=include)
    L = mc.sample_losses(net, ev, mc.sample_events(ev.probs, 2000, 4))
    rows = np.array([net.node_index[n] for n in df["node"]])
    want = mc.loss_statistics(L[rows], 0.95)  # a row gather: C-ordered, as before issue 21
    for col in ("eud", "eud_se", "var", "cvar", "cvar_se", "p_shortfall", "worst"):
        assert np.array_equal(df[col].to_numpy(), want[col]), col
