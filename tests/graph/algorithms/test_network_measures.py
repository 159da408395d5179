"""methods.md reference cases R3.1-R3.8 through the public functions."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from chiprisk.graph.algorithms.network_measures import (
    articulation_points,
    betweenness,
    dominance_frontiers,
    ghosh,
    immediate_dominators,
    leontief,
    max_flow,
    node_connectivity,
)

Z = [[150, 500], [200, 100]]
X = [1000, 2000]
R33 = [
    ("x", "a", 3),
    ("x", "b", 1),
    ("a", "c", 3),
    ("b", "c", 5),
    ("b", "d", 4),
    ("d", "e", 2),
    ("c", "y", 2),
    ("e", "y", 3),
]


def test_r3_1_immediate_dominators():
    g = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    assert immediate_dominators(g, 1) == {2: 1, 3: 1, 4: 3, 5: 1}


def test_r3_2_dominance_frontiers():
    g = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    assert dominance_frontiers(g, 1) == {1: [], 2: [5], 3: [5], 4: [5], 5: []}


def test_r3_3_max_flow_and_min_cut():
    value, flow, cut = max_flow(R33, "x", "y")
    assert value == 3.0
    assert flow[("x", "b")] == 1.0
    assert cut == {("c", "y"), ("x", "b")}
    assert sum(c for u, v, c in R33 if (u, v) in cut) == 3


def test_r3_3_agrees_with_networkx():
    g = nx.DiGraph()
    for u, v, c in R33:
        g.add_edge(u, v, capacity=c)
    assert max_flow(R33, "x", "y")[0] == nx.maximum_flow_value(g, "x", "y")


def test_max_flow_refuses_int32_overflow_instead_of_wrapping():
    with pytest.raises(OverflowError):
        max_flow([("s", "t", 2**31)], "s", "t")
    value, _, _ = max_flow([("s", "t", 2**31)], "s", "t", scale=0.5)
    assert value == 2**31


def test_max_flow_fractional_capacities_with_scale():
    value, _, _ = max_flow([("s", "m", 0.25), ("m", "t", 1.0)], "s", "t", scale=100)
    assert value == pytest.approx(0.25)


def test_r3_4_articulation_points():
    g = nx.barbell_graph(4, 2)
    assert articulation_points(g) == {3, 4, 5, 6}
    g.add_edge(2, 8)
    assert articulation_points(g) == set()


def test_r3_5_betweenness():
    assert betweenness(nx.path_graph(3)) == {0: 0.0, 1: 1.0, 2: 0.0}
    assert betweenness(nx.path_graph(3), endpoints=True) == {0: 2.0, 1: 3.0, 2: 2.0}


def test_r3_6_node_connectivity():
    g = nx.icosahedral_graph()
    assert node_connectivity(g) == 5
    assert len(nx.minimum_node_cut(g)) == 5


def test_r3_7_leontief_miller_blair():
    a, l_inv = leontief(Z, X)
    np.testing.assert_allclose(a, [[0.15, 0.25], [0.20, 0.05]], atol=1e-12)
    np.testing.assert_allclose(l_inv, [[1.25412541, 0.330033], [0.2640264, 1.12211221]], atol=1e-6)
    np.testing.assert_allclose(l_inv @ [350, 1700], X, atol=1e-6)
    np.testing.assert_allclose(l_inv @ [600, 1500], [1247.5, 1841.6], atol=0.05)


def test_r3_8_ghosh_miller_blair():
    b, g, v = ghosh(Z, X)
    np.testing.assert_allclose(b, [[0.15, 0.5], [0.1, 0.05]], atol=1e-12)
    np.testing.assert_allclose(g, [[1.25412541, 0.66006601], [0.1320132, 1.12211221]], atol=1e-6)
    np.testing.assert_allclose(v, [650, 1400])
    np.testing.assert_allclose(v @ g, X, atol=1e-6)


def test_io_input_checks():
    with pytest.raises(ValueError):
        leontief([[1, 2]], [1])
    with pytest.raises(ValueError):
        ghosh(Z, [0, 1])
