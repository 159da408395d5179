"""Batched event resolution: exactly the per-scenario effects, as sparse incidence."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from chiprisk.graph.algorithms.data_events import data_events
from chiprisk.graph.algorithms.event_batch import resolve_events
from chiprisk.graph.algorithms.event_rows import dense, incidence
from chiprisk.graph.algorithms.scenario_effects import scenario_effects
from chiprisk.graph.algorithms.scenarios import Scenario, named_scenarios
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from tiered import write_tiered  # noqa: E402


def _one_by_one(net, t, scs, headroom=None):
    """The event resolution before the batch: one scenario_effects per event, dense."""
    A = np.ones((net.n_suppliers, len(scs)))
    C = np.ones((net.n_nodes, len(scs)))
    for k, sc in enumerate(scs):
        A[:, k], C[:, k], _ = scenario_effects(net, t, sc, headroom)
    return A, C


def _same(net, t, scs, headroom=None):
    inc_a, inc_c = resolve_events(net, t, scs, headroom)
    A, C = _one_by_one(net, t, scs, headroom)
    for got, want in ((inc_a, incidence(A)), (inc_c, incidence(C))):
        assert np.array_equal(got.ptr, want.ptr)
        assert np.array_equal(got.rows, want.rows)
        assert np.array_equal(got.vals, want.vals)  # bit for bit
        assert got.n_rows == want.n_rows
    assert np.array_equal(dense(inc_a), np.minimum(A, 1.0))
    return inc_a, inc_c


@pytest.fixture(scope="module")
def builtin():
    t = load_tables()
    return t, build_network(t)


def _every_kind(t, net):
    """Events of every target kind, overlapping, with partial severities."""
    orgs, sites = t["organizations"], t["sites"]
    ops = set(sites.loc[sites["id"].isin(net.sites), "operator"])
    used = set(net.supplier_id) | ops
    subs = orgs[orgs["parent"].notna() & orgs["id"].isin(used)]
    sub, parent = subs["id"].iloc[0], subs["parent"].iloc[0]  # a subsidiary that supplies
    site = net.sites[0]
    bloc = t["blocs"]["id"].iloc[0]
    inp = t["inputs"]["id"].iloc[0]
    targets = [
        ("country:TW",),
        ("country:KR", "country:TW"),
        (f"bloc:{bloc}",),
        (f"org:{net.firms[0]}",),
        (f"org:{sub}",),
        (f"org:{parent}", f"site:{site}"),
        (f"site:{site}",),
        (f"input:{inp}",),
        ("input:hbm", "country:JP"),
        ("country:AQ",),  # hits nothing
    ]
    sevs = [1.0, 0.5, 0.3, 1.0, 0.7, 1.0, 0.25, 0.6, 0.9, 1.0]
    return [
        Scenario(f"e{k}", f"e{k}", tg, s, probability=0.1)
        for k, (tg, s) in enumerate(zip(targets, sevs, strict=True))
    ]


def test_builtin_named_scenarios(builtin):
    t, net = builtin
    inc_a, _ = _same(net, t, named_scenarios(t))
    assert len(inc_a.rows) > 0


def test_every_target_kind_and_headroom(builtin):
    t, net = builtin
    scs = _every_kind(t, net)
    inc_a, inc_c = _same(net, t, scs)
    assert (np.diff(inc_a.ptr)[:7] > 0).all() and np.diff(inc_c.ptr)[7] > 0
    headroom = np.random.default_rng(0).random(net.n_nodes) * 0.5
    _same(net, t, scs, headroom)


def test_tiered_events_and_events_csv(tmp_path):
    d = write_tiered(tmp_path / "net", 400, seed=2, events_as="csv")
    t = load_tables(d)
    net = build_network(t)
    scs = data_events(t)
    assert len(scs) == 400
    inc_a, _ = _same(net, t, scs)
    assert (np.diff(inc_a.ptr) > 0).mean() > 0.9  # nearly every firm supplies something


def test_bad_target_is_refused(builtin):
    t, net = builtin
    with pytest.raises(UsageError, match="unknown org"):
        resolve_events(net, t, [Scenario("x", "x", ("org:nobody-at-all",), 1.0)])
