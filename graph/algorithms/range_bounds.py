"""HHI bounds when shares are only known as intervals or qualitative labels.

A share table may give a range (``share_min``..``share_max``) or a label
(``major``, ``minor``, ``negligible``) instead of a number. Labels become
percent intervals (:func:`qualitative_share_ranges`, the file contract's
:data:`~chiprisk.graph.io.contract.QUALITATIVE_SHARE_RANGES`), and
:func:`hhi_range_bounds` gives the exact least and greatest HHI over every
share vector the intervals allow, with the residual convention of
:func:`~chiprisk.graph.algorithms.indices.hhi_bounds` (methods.md 1.1).
Shares are in percent, HHIs on the 0..10,000 scale.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from chiprisk.graph.algorithms.share_checks import _PERCENT_ATOL, _as_vector, _check_scalar
from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES

__all__ = ["hhi_range_bounds", "qualitative_share_ranges"]

#: Above this many vertex configurations, :func:`hhi_range_bounds` falls back to
#: a valid but possibly loose relaxation bound (see its Notes).
_MAX_CONFIGURATIONS = 1 << 20


def qualitative_share_ranges(
    labels: Iterable[str],
    mapping: Mapping[str, tuple[float, float]] = QUALITATIVE_SHARE_RANGES,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Turn qualitative share labels into percent intervals ``(lo, hi)``.

    Parameters
    ----------
    labels : iterable of str
        Labels such as ``"major"``; matching ignores case and surrounding
        whitespace.
    mapping : mapping, default :data:`QUALITATIVE_SHARE_RANGES`
        Label -> ``(lo, hi)`` in percent. The default is a chiprisk convention
        (negligible 0-1, minor 1-10, major 10-100), not a published standard.

    Returns
    -------
    (lo, hi) : tuple of numpy.ndarray
        Arrays ready for :func:`hhi_range_bounds`.

    Raises
    ------
    ValueError
        On an unknown label or an empty label list.

    Notes
    -----
    Complexity O(N).

    Examples
    --------
    >>> lo, hi = qualitative_share_ranges(["major", "Minor", "negligible"])
    >>> lo.tolist(), hi.tolist()
    ([10.0, 1.0, 0.0], [100.0, 10.0, 1.0])
    """
    table = {str(key).strip().lower(): value for key, value in mapping.items()}
    pairs = []
    for label in labels:
        key = str(label).strip().lower()
        if key not in table:
            raise ValueError(f"unknown qualitative share label {label!r}; known: {sorted(table)}")
        pairs.append(table[key])
    if not pairs:
        raise ValueError("labels is empty; at least one label is required")
    arr = np.asarray(pairs, dtype=np.float64)
    return arr[:, 0].copy(), arr[:, 1].copy()


def _water_fill_min(lo: NDArray[np.float64], hi: NDArray[np.float64], total: float) -> float:
    """min sum s**2 s.t. lo <= s <= hi, sum s = total (assumed feasible).

    KKT: s_i = clip(lam, lo_i, hi_i) with lam solving g(lam) = total, where
    g(lam) = sum clip(lam, lo_i, hi_i) is piecewise linear and non-decreasing
    with breakpoints at the lo_i and hi_i. g is evaluated at all breakpoints in
    O(N log N) with sorted cumulative sums and the crossing is interpolated
    exactly.
    """
    lo_sorted = np.sort(lo)
    hi_sorted = np.sort(hi)
    lo_cum = np.concatenate(([0.0], np.cumsum(lo_sorted)))
    hi_cum = np.concatenate(([0.0], np.cumsum(hi_sorted)))
    b = np.unique(np.concatenate((lo, hi)))
    n = lo.size
    n_lo_le = np.searchsorted(lo_sorted, b, side="right")  # lo_i <= b: not clamped at lo
    n_hi_lt = np.searchsorted(hi_sorted, b, side="left")  # hi_i < b: clamped at hi
    sum_lo_above = lo_cum[-1] - lo_cum[n_lo_le]
    sum_hi_below = hi_cum[n_hi_lt]
    n_mid = n - (n - n_lo_le) - n_hi_lt
    g = sum_lo_above + sum_hi_below + n_mid * b
    j = int(np.searchsorted(g, total, side="left"))
    if j >= b.size:  # total == sum(hi) up to rounding
        lam = float(b[-1])
    elif j == 0 or g[j] == total:
        lam = float(b[j])
    else:
        lam = float(b[j - 1] + (total - g[j - 1]) * (b[j] - b[j - 1]) / (g[j] - g[j - 1]))
    s = np.clip(lam, lo, hi)
    return float(np.dot(s, s))


def _max_sum_squares(
    lo: NDArray[np.float64], hi: NDArray[np.float64], total: float
) -> tuple[float, bool]:
    """max sum s**2 s.t. lo <= s <= hi, sum s = total (assumed feasible, hi <= lo + R).

    Returns (value, exact). See hhi_range_bounds Notes for the algorithm.
    """
    width = hi - lo
    fixed = width <= 0
    if fixed.any() and not fixed.all():
        # exact shares (zero-width intervals) sit at the same value in every
        # vertex: take them out of the search, which is exponential in its size
        v, exact = _max_sum_squares(lo[~fixed], hi[~fixed], total - float(lo[fixed].sum()))
        return float(np.dot(lo[fixed], lo[fixed])) + v, exact
    budget = max(total - float(lo.sum()), 0.0)
    base = float(np.dot(lo, lo))
    tol = 1e-12 * max(1.0, total)  # rounding slack only; overshoot adds <= 2*tol*max(hi)

    # Fast path: comonotone intervals (no strictly nested pair) -> greedy is exact.
    order = np.lexsort((-lo, -hi))  # by hi descending, ties by lo descending
    lo_o, w_o = lo[order], width[order]
    if np.all(np.diff(lo_o) <= 0):
        before = np.cumsum(w_o) - w_o
        x = np.clip(budget - before, 0.0, w_o)
        s = lo_o + x
        return float(np.dot(s, s)), True

    # General case: enumerate vertices up to permutations of identical intervals.
    groups, counts = np.unique(np.column_stack((lo, hi)), axis=0, return_counts=True)
    n_configs = math.prod(int(m) + 1 for m in counts)
    g_lo, g_hi = groups[:, 0], groups[:, 1]
    g_w = g_hi - g_lo
    if n_configs * len(counts) > _MAX_CONFIGURATIONS:
        warnings.warn(
            f"hhi_range_bounds: {n_configs} vertex configurations exceed the enumeration "
            "limit; returning the fractional-knapsack relaxation, a valid but possibly "
            "loose upper bound",
            RuntimeWarning,
            stacklevel=3,
        )
        # phi_i(x) = 2 lo_i x + x**2 <= x (lo_i + hi_i) for 0 <= x <= w_i.
        dens = lo + hi
        order = np.argsort(-dens, kind="stable")
        before = np.cumsum(width[order]) - width[order]
        x = np.clip(budget - before, 0.0, width[order])
        return base + float(np.dot(x, dens[order])), False

    grids = np.meshgrid(*[np.arange(int(m) + 1) for m in counts], indexing="ij")
    cfg = np.stack([gr.ravel() for gr in grids], axis=1).astype(np.float64)  # (C, G)
    used = cfg @ g_w
    rest = budget - used  # mass left for the (single) fractional entity
    gain = cfg @ (g_hi * g_hi - g_lo * g_lo)
    feasible = rest >= -tol
    rest_c = np.clip(rest, 0.0, None)
    # candidate fractional group f: has a member not at hi and room for `rest`
    room = (cfg < counts[None, :]) & (g_w[None, :] >= rest_c[:, None] - tol)
    frac = np.minimum(rest_c[:, None], g_w[None, :])
    val = gain[:, None] + 2.0 * g_lo[None, :] * frac + frac * frac
    val = np.where(room & feasible[:, None], val, -np.inf)
    best = float(val.max(initial=-np.inf))
    # configurations that use the budget exactly need no fractional entity
    exact_fit = feasible & (np.abs(rest) <= tol)
    if exact_fit.any():
        best = max(best, float(gain[exact_fit].max()))
    if not math.isfinite(best):  # pragma: no cover - guarded by feasibility checks
        raise RuntimeError("no feasible vertex found")
    return base + best, True


def hhi_range_bounds(
    lo: ArrayLike,
    hi: ArrayLike,
    total: float = 100.0,
    *,
    exhaustive: bool = False,
) -> tuple[float, float]:
    """Exact HHI bounds when each share is only known to lie in an interval.

    Parameters
    ----------
    lo, hi : array_like
        Per-entity share intervals in percent, ``0 <= lo_i <= hi_i``. ``hi`` may
        be ``inf`` ("at least lo_i").
    total : float, default 100.0
        Size of the whole market in the same unit.
    exhaustive : bool, default False
        ``False`` (default): the listed entities need not cover the market,
        ``sum s_i <= total``, and the unassigned remainder
        ``r = total - sum s_i`` belongs to *other, unlisted* entities.
        ``True``: the list is the whole market, ``sum s_i == total``, no
        residual.

    Returns
    -------
    (lower, upper) : tuple of float
        HHI bounds on the 0..10,000 scale (for ``total = 100``).

    Raises
    ------
    ValueError
        On invalid or mismatched inputs, ``lo > hi``, or an infeasible problem
        (``sum lo > total``; with ``exhaustive``, also ``sum hi < total``).

    Notes
    -----
    **Convention (exhaustive=False).** The residual ``r`` is treated like the
    "other" bucket of :func:`~chiprisk.graph.algorithms.indices.hhi_bounds`:

    * lower bound: ``r`` is infinitely fragmented and contributes 0, so
      ``lower = min sum s_i**2 = sum lo_i**2`` (putting any residual mass on
      listed entities only adds squares). This is water-filling at water level
      0: infinitely many infinitesimal residual entities absorb the mass.
    * upper bound: ``r`` is a single entity, ``upper = max sum s_i**2 + r**2``.
      This equals the exhaustive problem with one extra entity in
      ``[0, total - sum lo]``.

    Hence, for any exact shares ``s`` in the boxes with ``sum s <= total`` and
    any split of the residual into pieces ``r_j``,
    ``lower <= sum s_i**2 + sum r_j**2 <= upper``: both bounds are exact
    optima of the convention, so they hold by construction. With
    ``lo == hi`` this reproduces :func:`~chiprisk.graph.algorithms.indices.hhi_bounds` with
    ``residual = total - sum lo``.

    **Minimum (exhaustive=True)** is found by water-filling: the KKT conditions
    of the strictly convex separable problem give ``s_i = clip(lam, lo_i,
    hi_i)`` with ``lam`` solving ``sum clip(lam, lo_i, hi_i) = total``; this
    piecewise-linear equation is solved exactly over its ``2N`` breakpoints in
    O(N log N).

    **Maximum.** ``sum s**2`` is convex, so its maximum over the polytope
    ``{lo <= s <= hi, sum s = total}`` is attained at a vertex, and a vertex has
    at most one coordinate strictly inside its interval.

    * If the intervals are *comonotone* (no interval strictly inside another:
      ordering by ``hi`` descending also orders ``lo`` descending), the greedy
      that starts at ``lo`` and raises entities to ``hi`` in that order until the
      budget is spent is exact: its vector ``g`` is sorted and its top-k sums
      equal ``min(sum of the k largest hi, total - sum of the N-k smallest lo)``,
      which bounds the top-k sum of every feasible vector. So ``g`` majorises
      every feasible vector, and ``sum s**2`` is Schur-convex. Cost O(N log N).
      This covers all-zero ``lo`` and the default qualitative labels.
    * Greedy is **not** exact in general: with nested intervals the problem
      contains subset-sum (``lo_i = (D - a_i)/2``, ``hi_i = (D + a_i)/2``), so
      it is NP-hard. Example: ``lo = (15, 0)``, ``hi = (16, 17)``, total 17:
      greedy by ``hi`` gives (15, 2) -> 229, the optimum is (16, 1) -> 257.
      Otherwise the vertices are enumerated up to permutations of identical
      intervals, ``prod(m_g + 1)`` configurations times ``G`` groups of sizes
      ``m_g`` (``2**N * N`` for distinct intervals), vectorised. Above about
      ``2**20`` configuration-groups a ``RuntimeWarning`` is raised and the
      fractional-knapsack relaxation is returned
      (``2 lo_i x + x**2 <= x (lo_i + hi_i)`` on ``[0, hi_i - lo_i]``): still a
      valid upper bound, no longer guaranteed tight.

    Examples
    --------
    >>> hhi_range_bounds([51, 13], [51, 13], total=100)  # residual 36 as one entity
    (2770.0, 4066.0)
    >>> hhi_range_bounds([0, 0, 0, 0], [100, 100, 100, 100], exhaustive=True)
    (2500.0, 10000.0)
    >>> hhi_range_bounds([15, 0], [16, 17], total=17, exhaustive=True)
    (229.0, 257.0)
    """
    lo_arr = _as_vector(lo, "lo")
    hi_arr = _as_vector(hi, "hi", allow_inf=True)
    if lo_arr.shape != hi_arr.shape:
        raise ValueError(f"lo and hi have different lengths ({lo_arr.size} vs {hi_arr.size})")
    if (lo_arr > hi_arr).any():
        raise ValueError(f"lo > hi at positions {np.flatnonzero(lo_arr > hi_arr)}")
    t = _check_scalar(total, "total")
    if t <= 0:
        raise ValueError(f"total must be > 0, got {t:g}")
    tol = _PERCENT_ATOL * max(1.0, t)
    lo_sum = float(lo_arr.sum())
    if lo_sum > t + tol:
        raise ValueError(f"infeasible: sum(lo)={lo_sum:g} exceeds total={t:g}")
    budget = max(t - lo_sum, 0.0)
    hi_eff = np.minimum(hi_arr, lo_arr + budget)  # no share can exceed lo_i + budget

    if exhaustive:
        hi_sum = float(hi_eff.sum())
        if hi_sum < t - tol:
            raise ValueError(
                f"infeasible: sum(hi)={float(hi_arr.sum()):g} is below total={t:g} "
                "and exhaustive=True"
            )
        lower = _water_fill_min(lo_arr, hi_eff, min(t, hi_sum))
        upper, _ = _max_sum_squares(lo_arr, hi_eff, t)
    else:
        lower = float(np.dot(lo_arr, lo_arr))
        lo_aug = np.append(lo_arr, 0.0)
        hi_aug = np.append(hi_eff, budget)
        upper, _ = _max_sum_squares(lo_aug, hi_aug, t)
    return lower, max(upper, lower)
