"""Exposure and single points of failure from sparse losses: the answers of dense propagation."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from chiprisk.graph.algorithms.exposure import exposure
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, propagate

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from tiered import write_tiered  # noqa: E402


@pytest.fixture(scope="module")
def tiered(tmp_path_factory):
    return load_tables(write_tiered(tmp_path_factory.mktemp("t") / "net", 400, events=False))


@pytest.mark.parametrize("by", ["firm", "country"])
@pytest.mark.parametrize("which", ["builtin", "tiered"])
def test_product_loss_equals_dense_propagation(which, by, request):
    t = load_tables() if which == "builtin" else request.getfixturevalue("tiered")
    net = build_network(t)
    E = (net.F if by == "firm" else net.L).toarray()
    entities = net.firms if by == "firm" else net.countries
    for product in net.products[:4]:
        df = exposure(t, product, by=by, network=net)
        total = df[df["input"] == "(total)"].set_index("entity")["product_loss"]
        dense = 1.0 - propagate(net, 1.0 - E)[net.node_index[product]]
        hit = {e: dense[k] for k, e in enumerate(entities) if dense[k] > 1e-9}
        assert set(hit) <= set(total.index)
        for e, v in hit.items():
            assert total[e] == pytest.approx(v, abs=1e-12)
        direct = df[df["input"] != "(total)"]
        assert (direct["direct_share"] > 0).all()


@pytest.mark.parametrize("which", ["builtin", "tiered"])
def test_single_points_of_failure_equal_the_dense_removal_test(which, request):
    from chiprisk.graph.algorithms.chokepoints import chokepoints

    t = load_tables() if which == "builtin" else request.getfixturevalue("tiered")
    net = build_network(t)
    df = chokepoints(t, network=net, betweenness=False)
    p_idx = [net.node_index[p] for p in net.products]
    dead = propagate(net, 1.0 - net.F.toarray())[p_idx] <= 1e-9  # every firm removed alone
    expect = {
        f: sorted(net.products[i] for i in range(len(p_idx)) if dead[i, k])
        for k, f in enumerate(net.firms)
        if dead[:, k].any()
    }
    got = df[df["kind"] == "firm"].set_index("id")["products"].to_dict()
    assert {f: sorted(v) for f, v in got.items()} == expect
    n_in = len(net.nodes)
    base = sorted(set(net.node_input) - set(net.products))
    cap = np.ones((n_in, len(base)))
    for j, i in enumerate(base):
        cap[[k for k in range(n_in) if net.node_input[k] == i], j] = 0.0
    dead = propagate(net, np.ones((net.n_suppliers, len(base))), cap)[p_idx] <= 1e-9
    expect = {
        i: sorted(net.products[r] for r in np.flatnonzero(dead[:, j]))
        for j, i in enumerate(base)
        if dead[:, j].any()
    }
    got = df[df["kind"] == "input"].set_index("id")["products"].to_dict()
    assert {i: sorted(v) for i, v in got.items()} == expect
