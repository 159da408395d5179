"""Classical network measures used as references and screens.

These are the textbook measures of methods.md section 3, behind one small
API: input-output multipliers (Leontief, Ghosh), maximum flow with its
minimum cut, dominators, articulation points, betweenness and vertex
connectivity. chiprisk's risk scores come from the AND/OR engine
(:mod:`chiprisk.graph.model.propagation`); these measures are screens and
cross-checks, and several (betweenness, articulation points) ignore the
AND/OR semantics, as their docstrings say.

Examples
--------
>>> import numpy as np
>>> A, L = leontief([[150, 500], [200, 100]], [1000, 2000])
>>> np.round(L @ [350, 1700], 6).tolist()
[1000.0, 2000.0]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

__all__ = [
    "articulation_points",
    "betweenness",
    "dominance_frontiers",
    "ghosh",
    "immediate_dominators",
    "leontief",
    "max_flow",
    "node_connectivity",
]

_INT32_MAX = 2**31 - 1


def _io(z: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(z, dtype=float)
    x = np.asarray(x, dtype=float)
    if z.ndim != 2 or z.shape[0] != z.shape[1] or x.shape != (z.shape[0],):
        raise ValueError("Z must be n x n and x of length n")
    if np.any(x <= 0):
        raise ValueError("total outputs x must be positive")
    return z, x


def leontief(z: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Technical coefficients ``A = Z diag(x)^-1`` and the Leontief inverse ``(I - A)^-1``.

    Parameters
    ----------
    z : array_like, (n, n)
        Inter-industry flows, ``z[i, j]`` = input from i used by j.
    x : array_like, (n,)
        Total output of each industry.

    Returns
    -------
    (A, L) : numpy.ndarray
        ``x = L @ f`` for final demand ``f`` (demand-driven propagation).

    Notes
    -----
    O(n^3) dense solve; fine for the sector-level tables this is meant for.

    Examples
    --------
    >>> A, L = leontief([[150, 500], [200, 100]], [1000, 2000])
    >>> A.round(2).tolist()
    [[0.15, 0.25], [0.2, 0.05]]
    """
    z, x = _io(z, x)
    a = z / x[None, :]
    return a, np.linalg.inv(np.eye(len(x)) - a)


def ghosh(z: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Allocation coefficients ``B = diag(x)^-1 Z``, the Ghosh inverse and value added.

    Supply-driven propagation: ``x^T = v^T G`` with ``v = x - column sums of Z``.
    Use it for exposure accounting, not price forecasting (methods.md 3.1).

    Returns
    -------
    (B, G, v) : numpy.ndarray

    Notes
    -----
    O(n^3) dense.

    Examples
    --------
    >>> B, G, v = ghosh([[150, 500], [200, 100]], [1000, 2000])
    >>> v.tolist(), (v @ G).round(6).tolist()
    ([650.0, 1400.0], [1000.0, 2000.0])
    """
    z, x = _io(z, x)
    b = z / x[:, None]
    v = x - z.sum(axis=0)
    return b, np.linalg.inv(np.eye(len(x)) - b), v


def max_flow(
    edges: Iterable[tuple[Hashable, Hashable, float]],
    source: Hashable,
    sink: Hashable,
    *,
    scale: float = 1.0,
) -> tuple[float, dict[tuple[Hashable, Hashable], float], set[tuple[Hashable, Hashable]]]:
    """Maximum flow, flow per edge and a minimum cut (scipy's Dinic).

    Capacities are multiplied by ``scale`` and rounded to integers, as
    ``scipy.sparse.csgraph.maximum_flow`` needs int32 capacities; a capacity
    that would reach 2**31 raises instead of silently wrapping (a known scipy
    pitfall: a capacity of 2**31 gave flow 0).

    Parameters
    ----------
    edges : iterable of (u, v, capacity)
    source, sink : node labels
    scale : float
        Resolution of capacities (1 = whole units).

    Returns
    -------
    (value, flow, cut)
        ``flow[(u, v)]`` on each input edge; ``cut`` the saturated edges from
        the source side (nodes reachable in the residual graph) to the rest.

    Notes
    -----
    Dinic's algorithm, O(V^2 E); 0.5 s on 100k nodes / 1M edges where
    networkx's preflow-push took 115 s (stack.md).

    Examples
    --------
    >>> e = [("x", "a", 3), ("x", "b", 1), ("a", "c", 3), ("b", "c", 5),
    ...      ("b", "d", 4), ("d", "e", 2), ("c", "y", 2), ("e", "y", 3)]
    >>> value, flow, cut = max_flow(e, "x", "y")
    >>> value, flow[("x", "b")], sorted(cut)
    (3.0, 1.0, [('c', 'y'), ('x', 'b')])
    """
    edges = list(edges)
    labels: dict[Hashable, int] = {}
    for u, v, _ in edges:
        labels.setdefault(u, len(labels))
        labels.setdefault(v, len(labels))
    for node in (source, sink):
        if node not in labels:
            raise ValueError(f"{node!r} is not in the graph")
    caps = np.array([c for _, _, c in edges], dtype=float) * scale
    if np.any(caps < 0) or not np.all(np.isfinite(caps)):
        raise ValueError("capacities must be finite and non-negative")
    if np.any(np.rint(caps) > _INT32_MAX):
        raise OverflowError(
            "a scaled capacity reaches 2**31; lower `scale` (scipy's max-flow is int32)"
        )
    rows = np.array([labels[u] for u, _, _ in edges])
    cols = np.array([labels[v] for _, v, _ in edges])
    n = len(labels)
    graph = sp.csr_matrix((np.rint(caps).astype(np.int32), (rows, cols)), shape=(n, n))
    res = maximum_flow(graph, labels[source], labels[sink])
    flow_m = res.flow.tocsr()
    flow = {(u, v): max(float(flow_m[labels[u], labels[v]]), 0.0) / scale for u, v, _ in edges}
    residual = (graph - flow_m).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    reach = set(breadth_first_order(residual, labels[source], return_predecessors=False).tolist())
    cut = {(u, v) for (u, v, c) in edges if labels[u] in reach and labels[v] not in reach and c > 0}
    return float(res.flow_value) / scale, flow, cut


def immediate_dominators(graph: nx.DiGraph, start: Hashable) -> dict[Hashable, Hashable]:
    """Immediate dominator of every node reachable from ``start`` (``start`` excluded).

    networkx <= 3.4 mapped ``start`` to itself and 3.6 does not (methods.md
    3.2(a)); this wrapper returns the 3.6 form on every version. Apply it
    within one input's OR layer of suppliers: on the whole AND/OR graph it
    misses AND-induced single points of failure (use chokepoints for those).

    Examples
    --------
    >>> g = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    >>> sorted(immediate_dominators(g, 1).items())
    [(2, 1), (3, 1), (4, 3), (5, 1)]
    """
    idom = dict(nx.immediate_dominators(graph, start))
    idom.pop(start, None)
    return idom


def dominance_frontiers(graph: nx.DiGraph, start: Hashable) -> dict[Hashable, list]:
    """Dominance frontier of every node reachable from ``start`` (sorted lists).

    Examples
    --------
    >>> g = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    >>> dominance_frontiers(g, 1)
    {1: [], 2: [5], 3: [5], 4: [5], 5: []}
    """
    df = nx.dominance_frontiers(graph, start)
    return {k: sorted(v) for k, v in sorted(df.items())}


def articulation_points(graph: nx.Graph) -> set[Hashable]:
    """Nodes whose removal disconnects the undirected view of ``graph``.

    A screen only: undirected connectivity ignores the direction of supply
    and the AND/OR semantics (methods.md 3.2(b)).

    Examples
    --------
    >>> sorted(articulation_points(nx.barbell_graph(4, 2)))
    [3, 4, 5, 6]
    """
    g = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    return set(nx.articulation_points(g))


def betweenness(
    graph: nx.Graph, *, normalized: bool = False, endpoints: bool = False
) -> dict[Hashable, float]:
    """Brandes betweenness (shortest-path load): a secondary screen, not a risk score.

    In a layered supply DAG every source-to-product path has the same length,
    so betweenness mostly counts paths through a node (methods.md 3.4).

    Examples
    --------
    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    return nx.betweenness_centrality(graph, normalized=normalized, endpoints=endpoints)


def node_connectivity(graph: nx.Graph, s: Hashable | None = None, t: Hashable | None = None) -> int:
    """Vertex connectivity (global, or between ``s`` and ``t``); 1 means a single point of failure.

    Examples
    --------
    >>> node_connectivity(nx.icosahedral_graph())
    5
    """
    if (s is None) != (t is None):
        raise ValueError("give both s and t, or neither")
    return nx.node_connectivity(graph, s, t) if s is not None else nx.node_connectivity(graph)
