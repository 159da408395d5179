"""HHI bounds and point shares of many interval share tables at once.

:func:`~chiprisk.graph.algorithms.indices.hhi_range_bounds` bounds one table;
scoring every input of a large network calls it thousands of times, and the
Python overhead per call dominates. The functions here take all tables as
flat arrays with a table index per entity and work with sorted segments, so
the cost is a few numpy passes over the entities whatever the number of
tables. They give the same answers as the one-table functions (tests compare
them) wherever they claim exactness.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["grouped_interval_bounds", "grouped_point_shares"]

_TOL = 1e-12
_NEST_TOL = 1e-9


def _segment_starts(sorted_groups: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True where a new group begins in a sorted group-index array."""
    start = np.ones(sorted_groups.size, dtype=bool)
    start[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return start


def _segment_cumsum(values: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.float64]:
    """Cumulative sums within each group (summed per group, no cross-group rounding)."""
    return pd.Series(values).groupby(group, sort=False).cumsum().to_numpy()


def grouped_interval_bounds(
    group: NDArray[np.int64],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    total: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """HHI bounds of many share tables whose entities' shares are intervals.

    Each table ``g`` has entities ``i`` with ``group[i] == g`` and shares
    ``lo[i] <= s_i <= hi[i]`` (percent) in a market of size ``total[g]``; the
    part of the market the entities leave unassigned is the residual, as in
    :func:`~chiprisk.graph.algorithms.indices.hhi_range_bounds` with
    ``exhaustive=False``: fragmented (adds 0) for the lower bound, one entity
    for the upper bound.

    Parameters
    ----------
    group : ndarray of int
        Table index of each entity, ``0 <= group < len(total)``.
    lo, hi : ndarray of float
        Share interval of each entity, ``0 <= lo <= hi``.
    total : ndarray of float
        Market size of each table, at least the sum of its ``lo``.

    Returns
    -------
    low, high : ndarray of float
        Per table: ``sum lo**2`` and the upper bound on the 0..10,000 scale.
    exact : ndarray of bool
        Per table: ``high`` is the exact maximum. False where the table has
        strictly nested intervals (one inside another, the NP-hard case);
        ``high`` is then the fractional-knapsack relaxation, a valid but
        possibly loose bound (call ``hhi_range_bounds`` on that table for the
        exact value).

    Notes
    -----
    The maximum of the convex ``sum s**2 + r**2`` sits at a vertex. When the
    listed intervals are comonotone (ordering by ``hi`` also orders ``lo``)
    the greedy fill by ``hi`` is exact for every listed total ``b`` (see the
    Notes of ``hhi_range_bounds``), so the maximum over the residual
    ``r = B - b`` is a one-dimensional problem: on each piece of the greedy
    the objective is a convex quadratic in ``b``, so only the piece ends need
    checking. All tables are done in O(N log N) for N entities in total, one
    sort and a few segment sums.

    Examples
    --------
    >>> import numpy as np
    >>> low, high, exact = grouped_interval_bounds(
    ...     np.array([0, 0, 1]), np.array([51.0, 13.0, 40.0]),
    ...     np.array([51.0, 13.0, 60.0]), np.array([100.0, 100.0]))
    >>> low.tolist(), high.tolist(), exact.tolist()
    ([2770.0, 1600.0], [4066.0, 5200.0], [True, True])
    """
    group = np.asarray(group, dtype=np.int64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    n_groups = total.size
    low = np.bincount(group, lo * lo, minlength=n_groups)
    budget = np.maximum(total - np.bincount(group, lo, minlength=n_groups), 0.0)
    hi = np.minimum(hi, lo + budget[group])
    best = budget * budget  # every listed share at lo, the residual takes the rest
    exact = np.ones(n_groups, dtype=bool)

    free = hi - lo > 0
    g, lo_f, hi_f = group[free], lo[free], hi[free]
    if g.size == 0:
        return low, low + best, exact
    # hi ties (up to rounding, which depends on summation order) go larger lo first
    order = np.lexsort((-lo_f, -np.round(hi_f, 9), g))
    g, lo_f, hi_f = g[order], lo_f[order], hi_f[order]
    start = _segment_starts(g)
    nested = ~start[1:] & (lo_f[1:] > lo_f[:-1] + _NEST_TOL)  # rounding is not nesting
    exact[np.unique(g[1:][nested])] = False

    w = hi_f - lo_f
    gain = hi_f * hi_f - lo_f * lo_f
    c = _segment_cumsum(w, g)  # listed mass raised after this entity
    G = _segment_cumsum(gain, g)
    B = budget[g]
    # piece ends where this entity is raised fully and the residual keeps the rest
    full = c <= B * (1 + _TOL) + _TOL
    vals = np.where(full, G + np.maximum(B - c, 0.0) ** 2, -np.inf)
    # the piece where the listed entities take the whole budget (residual 0)
    c_prev, G_prev = c - w, G - gain
    x = B - c_prev
    partial = (x > 0) & (x < w)
    vals = np.where(partial, np.maximum(vals, G_prev + 2 * lo_f * x + x * x), vals)
    np.maximum.at(best, g, vals)

    loose = ~exact[g]
    if loose.any():
        # fractional knapsack over the nested tables: s(2 lo + s) <= s (lo + hi)
        gl = np.concatenate((g[loose], np.flatnonzero(~exact)))
        res_b = budget[~exact]
        wl = np.concatenate((w[loose], res_b))
        dens = np.concatenate((lo_f[loose] + hi_f[loose], res_b))
        o = np.lexsort((-dens, gl))
        gl, wl, dens = gl[o], wl[o], dens[o]
        before = _segment_cumsum(wl, gl) - wl
        take = np.clip(budget[gl] - before, 0.0, wl)
        relaxed = np.bincount(gl, take * dens, minlength=n_groups)
        best = np.where(exact, best, np.maximum(best, relaxed))
    return low, np.maximum(low + best, low), exact


def grouped_point_shares(
    group: NDArray[np.int64],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    room: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Point shares of many interval tables: midpoints moved down to fit ``room``.

    Per table ``g``, ``s = clip(mid - mu_g, lo, hi)`` with the smallest
    ``mu_g >= 0`` such that ``sum s <= room[g]`` (the Euclidean projection of
    the midpoints onto the feasible shares).

    Parameters
    ----------
    group : ndarray of int
        Table index of each entity.
    lo, hi : ndarray of float
        Share intervals (percent).
    room : ndarray of float
        Per table, the mass the listed entities may take (at least the sum
        of their ``lo``).

    Returns
    -------
    ndarray of float
        The point share of each entity, in the input order.

    Notes
    -----
    For ``mu >= 0`` each share is ``max(mid - mu, lo)``, so the sum is
    piecewise linear in ``mu`` with breakpoints at the half-widths
    ``w = mid - lo``: with the ``k`` widest entities still above ``lo``,
    ``mu_k = (sum lo + sum of those k widths - room) / k``, and the answer is
    ``mu_k`` for the largest ``k`` with ``w_k > mu_k`` (the rule of the
    Euclidean projection onto a simplex, Duchi et al. 2008). One sort by
    width within each table and segment sums: O(N log N) for N entities in
    all tables, no iteration.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = np.array([0.0, 10.0, 5.0]), np.array([20.0, 30.0, 15.0])
    >>> grouped_point_shares(np.array([0, 0, 1]), lo, hi, np.array([25.0, 100.0])).round(9).tolist()
    [7.5, 17.5, 10.0]
    """
    group = np.asarray(group, dtype=np.int64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    room = np.asarray(room, dtype=np.float64)
    mid = (lo + hi) / 2.0
    over = np.bincount(group, mid, minlength=room.size) > room
    if not over.any():
        return mid
    sel = np.flatnonzero(over[group])
    tables, g = np.unique(group[sel], return_inverse=True)
    g = g.reshape(-1)
    lo_s, mid_s = lo[sel], mid[sel]
    width = mid_s - lo_s
    order = np.lexsort((-width, g))
    gs, ws = g[order], width[order]
    start = _segment_starts(gs)
    k = np.arange(gs.size) - np.maximum.accumulate(np.where(start, np.arange(gs.size), 0)) + 1
    excess = np.bincount(g, lo_s, minlength=tables.size) - room[tables]
    mu = (excess[gs] + _segment_cumsum(ws, gs)) / k
    # the last k whose own width is still above its mu (as in projecting onto a simplex);
    # with none (room == sum lo) every share sits at lo: mu is the largest width
    best = ws[start].copy()
    last = np.full(tables.size, -1)
    active = np.flatnonzero(ws > mu)
    np.maximum.at(last, gs[active], active)
    has = last >= 0
    best[has] = mu[last[has]]
    out = mid.copy()
    out[sel] = np.clip(mid_s - best[g], lo_s, hi[sel])
    return out
