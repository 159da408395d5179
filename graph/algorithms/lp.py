"""Time-to-survive and time-to-recover LPs (Simchi-Levi et al.), solved with scipy HiGHS.

Re-implemented from the formulas of ``methods.md`` 3.6 (read from the public
Databricks stress-test implementation; no code copied), with continuous
variables and ``scipy.optimize.linprog(method="highs")``.

Model
-----
Nodes ``i`` have a capacity ``c_i`` per week and an inventory ``s_i``;
products (nodes with a demand ``d_j`` per week) are the sinks. A non-leaf
node ``j`` needs every material type ``k`` of ``requires[j]`` (AND), each
from any of its listed suppliers (OR), ``r_kj`` units per unit of ``j``.
Variables: production ``u_i`` during the window, flows ``y_ij``, lost demand
``l_j``::

    u_j - sum_{i in P_jk} y_ij / r_kj <= 0     every non-leaf j, material k   (BOM)
    sum_j y_ij - u_i <= s_i                     every non-product i            (balance)
    u_j = 0                                     every disrupted j
    l_j + u_j + s_j >= d_j * t                  every product j                (demand)
    u_i <= c_i * t                              every node                     (capacity)

TTR (disruption of known length ``t``): ``min sum_j f_j l_j``. TTS: ``max t``
with ``l = 0`` (one LP, ``t`` enters linearly). Only *production* of a
disrupted node stops: its inventory still ships (methods.md 3.6, R3.9). When
the surviving capacity covers demand the TTS is unbounded (HiGHS status 3)
and is returned as ``math.inf``.

Examples
--------
>>> m = FlowModel(capacity={"P": 20, "C": 20, "R1": 8, "R2": 4},
...               inventory={"P": 20, "C": 10, "R2": 6}, demand={"P": 10},
...               requires={"P": {"C": ["C"]}, "C": {"R": ["R1", "R2"]}})
>>> time_to_survive(m, ["R1"]).weeks
6.0
>>> time_to_recover(m, ["C"], weeks=5).lost
20.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from chiprisk.graph.errors import UsageError

__all__ = ["FlowModel", "TTRResult", "TTSResult", "time_to_recover", "time_to_survive"]


@dataclass
class FlowModel:
    """A multi-tier flow network for the TTS/TTR LPs (see the module notes).

    Attributes
    ----------
    capacity : mapping node -> units per week
    demand : mapping product -> units per week (the sinks)
    requires : mapping node -> {material type: [supplier nodes]}
    inventory : mapping node -> units on hand (default 0)
    ratio : mapping (material type, node) -> units of material per unit (default 1)
    margin : mapping product -> weight of a lost unit in the TTR objective (default 1)
    """

    capacity: Mapping[str, float]
    demand: Mapping[str, float]
    requires: Mapping[str, Mapping[str, Sequence[str]]]
    inventory: Mapping[str, float] = field(default_factory=dict)
    ratio: Mapping[tuple[str, str], float] = field(default_factory=dict)
    margin: Mapping[str, float] = field(default_factory=dict)

    def nodes(self) -> list[str]:
        seen: dict[str, None] = {}
        for n in self.capacity:
            seen[n] = None
        for j, mats in self.requires.items():
            seen[j] = None
            for sups in mats.values():
                for i in sups:
                    seen[i] = None
        for p in self.demand:
            seen[p] = None
        return list(seen)


@dataclass(frozen=True)
class TTSResult:
    """Time-to-survive in weeks (``math.inf`` when unbounded) and the HiGHS status."""

    weeks: float
    status: int
    message: str

    @property
    def unbounded(self) -> bool:
        return math.isinf(self.weeks)


@dataclass(frozen=True)
class TTRResult:
    """Lost demand over a disruption of ``weeks`` (objective and per product)."""

    lost: float
    lost_by_product: dict[str, float]
    weeks: float
    status: int


def _build(model: FlowModel, disrupted: Iterable[str]):
    nodes = model.nodes()
    idx = {n: k for k, n in enumerate(nodes)}
    bad = [d for d in disrupted if d not in idx]
    if bad:
        raise UsageError(f"disrupted node(s) not in the model: {', '.join(map(repr, bad))}")
    edges: list[tuple[str, str]] = []
    for j, mats in model.requires.items():
        for sups in mats.values():
            for i in sups:
                if (i, j) not in edges:
                    edges.append((i, j))
    products = list(model.demand)
    n, m, q = len(nodes), len(edges), len(products)
    # variable layout: u (n), y (m), l (q), t (1)
    nv = n + m + q + 1
    e_index = {e: n + k for k, e in enumerate(edges)}
    rows_ub: list[np.ndarray] = []
    b_ub: list[float] = []
    for j, mats in model.requires.items():
        for k, sups in mats.items():
            row = np.zeros(nv)
            row[idx[j]] = 1.0
            r = float(model.ratio.get((k, j), 1.0))
            for i in sups:
                row[e_index[(i, j)]] -= 1.0 / r
            rows_ub.append(row)
            b_ub.append(0.0)
    prod_set = set(products)
    for i in nodes:
        if i in prod_set:
            continue
        outs = [e for e in edges if e[0] == i]
        if not outs:
            continue
        row = np.zeros(nv)
        for e in outs:
            row[e_index[e]] = 1.0
        row[idx[i]] = -1.0
        rows_ub.append(row)
        b_ub.append(float(model.inventory.get(i, 0.0)))
    t_col = nv - 1
    for p_k, j in enumerate(products):  # -(l + u) + d t <= s
        row = np.zeros(nv)
        row[n + m + p_k] = -1.0
        row[idx[j]] = -1.0
        row[t_col] = float(model.demand[j])
        rows_ub.append(row)
        b_ub.append(float(model.inventory.get(j, 0.0)))
    for i in nodes:  # u - c t <= 0
        c = model.capacity.get(i)
        if c is None or math.isinf(c):
            continue
        row = np.zeros(nv)
        row[idx[i]] = 1.0
        row[t_col] = -float(c)
        rows_ub.append(row)
        b_ub.append(0.0)
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * nv
    for d in disrupted:
        bounds[idx[d]] = (0.0, 0.0)
    return nodes, products, np.array(rows_ub), np.array(b_ub), bounds, n, m, q, nv


def time_to_survive(model: FlowModel, disrupted: Iterable[str]) -> TTSResult:
    """Longest time all demand is met with ``disrupted`` nodes producing nothing.

    Parameters
    ----------
    model : FlowModel
    disrupted : iterable of str
        Nodes whose production stops (their inventory still ships).

    Returns
    -------
    TTSResult
        ``weeks`` (``math.inf`` when unbounded: HiGHS status 3).

    Notes
    -----
    One LP with O(nodes + edges) variables and constraints (HiGHS).
    """
    disrupted = list(disrupted)
    _, _, A, b, bounds, n, m, q, nv = _build(model, disrupted)
    for k in range(n + m, n + m + q):
        bounds[k] = (0.0, 0.0)  # no lost demand allowed
    c = np.zeros(nv)
    c[-1] = -1.0
    res = linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs")
    if res.status == 3:
        return TTSResult(math.inf, 3, "unbounded: surviving capacity covers demand")
    if res.status != 0:
        return TTSResult(math.nan, int(res.status), str(res.message))
    return TTSResult(float(res.x[-1]), 0, str(res.message))


def time_to_recover(model: FlowModel, disrupted: Iterable[str], weeks: float) -> TTRResult:
    """Least (margin-weighted) lost demand when ``disrupted`` stop for ``weeks``.

    Examples
    --------
    >>> m = FlowModel({"P": 10}, {"P": 10}, {}, inventory={"P": 5})
    >>> time_to_recover(m, ["P"], weeks=2).lost
    15.0
    """
    if weeks < 0 or weeks != weeks:
        raise UsageError(f"weeks must be >= 0, got {weeks!r}")
    disrupted = list(disrupted)
    _, products, A, b, bounds, n, m, q, nv = _build(model, disrupted)
    bounds[-1] = (float(weeks), float(weeks))
    c = np.zeros(nv)
    for k, p in enumerate(products):
        c[n + m + k] = float(model.margin.get(p, 1.0))
    res = linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs")
    if res.status != 0:
        raise UsageError(f"time-to-recover LP failed: {res.message}")
    lost = {p: float(res.x[n + m + k]) for k, p in enumerate(products)}
    return TTRResult(float(res.fun), lost, float(weeks), int(res.status))
