"""Single points of failure at scale (issue 21): sparse killers and HHI, checked against dense."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from chiprisk.graph.algorithms import chokepoints as ck
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, hhi_by_firm, propagate

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from tiered import write_tiered  # noqa: E402


@pytest.fixture(scope="module", params=["builtin", "tiered"])
def net(request, tmp_path_factory):
    if request.param == "builtin":
        return build_network(load_tables())
    d = write_tiered(tmp_path_factory.mktemp("t") / "net", 600, seed=1, events=False)
    return build_network(load_tables(d))


def _dense_hhi(net):
    """The HHI as a dense nodes x entities sum (the formula, before issue 21's 100k work)."""
    entity = net.supplier_firm.copy()
    extra: dict[str, int] = {}
    for k, kind in enumerate(net.supplier_kind):
        if kind == "country":
            entity[k] = len(net.firms) + extra.setdefault(net.supplier_id[k], len(extra))
    G = np.zeros((net.n_suppliers, len(net.firms) + len(extra)))
    keep = np.flatnonzero(entity >= 0)
    G[keep, entity[keep]] = 1.0
    shares = (net.W @ G) * 100.0
    out = (shares**2).sum(axis=1)
    out[~net.has_suppliers] = np.nan
    return out, (shares > 0).sum(axis=1)


def test_hhi_by_firm_equals_the_dense_sum(net):
    got = hhi_by_firm(net)
    want, entities = _dense_hhi(net)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)  # the last digit at most
    few = (entities <= 2) & ~np.isnan(want)  # one or two terms: the same sum exactly
    assert few.any() and np.array_equal(got[few], want[few])


def test_killers_match_the_dense_removal_test(net):
    """Every firm removal that stops a product, and its direct supply, as dense propagate says."""
    p_idx = np.array([net.node_index[p] for p in net.products])
    E = net.F.tocsc()
    got = {j: (d, a) for j, d, a in ck._killers(net, E, p_idx)}
    cut = E.toarray()
    avail = propagate(net, 1.0 - cut)[p_idx]
    want = np.flatnonzero((avail <= 1e-9).any(axis=0))
    assert sorted(got) == want.tolist() and len(want) > 0
    direct = net.W @ (1.0 - cut)
    for j, (d, affected) in got.items():
        assert np.array_equal(d, direct[:, j])
        assert np.array_equal(affected, np.flatnonzero(avail[:, j] <= 1e-9))
