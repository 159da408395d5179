"""A counterfactual reweighted on the full world's network equals the network built for it."""

import pandas as pd
import pytest

from chiprisk.graph.algorithms.counterfactual import expected_losses, without_scale, world_as_of
from chiprisk.graph.algorithms.policy_counterfactuals import _units
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.ledger import capacity_as_of, tables_as_of
from chiprisk.graph.model.network_build import build_network
from chiprisk.graph.model.network_reweight import changed_groups, reweighted_network


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def _shares(net):
    W = net.W.tocoo()
    return {
        (net.nodes[i], net.suppliers[j]): v
        for i, j, v in zip(W.row, W.col, W.data, strict=True)
        if v != 0
    }


@pytest.mark.parametrize("year", [2024, 2030])
@pytest.mark.parametrize("additionality", [1.0, 0.5])
def test_every_policy_reweights_to_the_built_network(tables, year, additionality):
    base_t, base_net = world_as_of(tables, year)
    fast = 0
    for unit in _units(tables):
        if not unit["sites"]:
            continue
        t = tables_as_of(tables, year, scale=without_scale(unit["sites"], additionality))
        net = reweighted_network(base_net, base_t, t, year)
        if net is None:
            continue
        fast += 1
        built, got = _shares(build_network(t, year)), _shares(net)
        assert got.keys() == built.keys(), unit["id"]
        for key, v in built.items():
            assert got[key] == pytest.approx(v, abs=1e-15), (unit["id"], key)
    assert fast >= 20  # the reweighting, not the fallback, answers the built-in policies


def test_expected_losses_are_the_same_either_way(tables):
    world = world_as_of(tables, 2030)
    for sites in (["tsmc-arizona-fab-21"], ["tsmc-arizona-fab-21", "samsung-taylor"]):
        for add in (1.0, 0.5):
            scale = without_scale(sites, add)
            a = expected_losses(tables, 2030, scale=scale)
            b = expected_losses(tables, 2030, scale=scale, base=world)
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-12)


def test_a_capability_left_without_capacity_is_built_in_full(tables):
    cap = capacity_as_of(tables, 2030)
    live = cap[(cap["input"] == "cowos-packaging") & (cap["quantity"] > 0)]
    cowos = sorted(set(live["site"]))
    assert cowos
    base_t, base_net = world_as_of(tables, 2030)
    t = tables_as_of(tables, 2030, scale=without_scale(cowos, 1.0))
    assert reweighted_network(base_net, base_t, t, 2030) is None
    a = expected_losses(tables, 2030, scale=without_scale(cowos, 1.0))
    b = expected_losses(tables, 2030, scale=without_scale(cowos, 1.0), base=(base_t, base_net))
    pd.testing.assert_frame_equal(a, b)


def test_changed_groups_sees_value_changes_and_new_rows():
    a = pd.DataFrame(
        {"id": ["r1", "r2"], "input": ["x", "y"], "buyer": [None, "p"], "share": [60.0, 40.0]}
    )
    b = pd.concat(
        [a, pd.DataFrame({"id": ["r3"], "input": ["z"], "buyer": [None], "share": [5.0]})],
        ignore_index=True,
    )
    assert changed_groups(a, b) == {("z", "")}
    assert changed_groups(a, a.assign(share=[60.0, 41.0])) == {("y", "p")}
    assert changed_groups(a, a) == set()
