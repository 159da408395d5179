"""Concentration-index kernels for supplier shares.

Pure numpy/scipy functions (no pandas, no I/O) used to score how concentrated one
stage or input node of the AI-chip supply chain is. The formulas, pitfalls and
reference cases are in ``shared/research/methods.md`` sections 1, 4.1 and 5.

Units
-----
Unless a docstring says otherwise, *shares* are in **percent** (0..100) and the
HHI is on the **0..10,000** scale, i.e. ``HHI = sum(s_i**2)``. Functions whose
result does not depend on the scale (:func:`effective_number`,
:func:`shannon_entropy`, :func:`gini`, :func:`hhi_derivative_sign`) accept any
non-negative unit, including fractions and raw quantities.

The "other / various" bucket
----------------------------
Published share tables often carry a residual bucket. Following methods.md 1.1,
it is never folded into the listed entities silently: :func:`hhi_bounds` and
:func:`hhi_range_bounds` report a lower bound (the residual is infinitely
fragmented, so it contributes 0) and an upper bound (the residual is a single
entity, so it contributes ``residual**2``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES

__all__ = [
    "BAND_HIGH",
    "BAND_MODERATE",
    "BAND_UNCONCENTRATED",
    "QUALITATIVE_SHARE_RANGES",
    "band_2010",
    "band_2023",
    "concentration_ratio",
    "count_to_threshold",
    "effective_number",
    "gini",
    "hhi",
    "hhi_after_addition",
    "hhi_bounds",
    "hhi_derivative_sign",
    "hhi_range_bounds",
    "presumption_2023",
    "qualitative_share_ranges",
    "renormalise",
    "shannon_entropy",
    "sia_bcg_single_region",
]

#: Maximum HHI on the percent scale.
HHI_MAX = 10_000.0

#: Absolute slack allowed above 100 % for a single share (floating-point noise
#: from renormalisation), and in feasibility checks of the range bounds.
_PERCENT_ATOL = 1e-9

#: Above this many vertex configurations, :func:`hhi_range_bounds` falls back to
#: a valid but possibly loose relaxation bound (see its Notes).
_MAX_CONFIGURATIONS = 1 << 20

BAND_UNCONCENTRATED = "unconcentrated"
BAND_MODERATE = "moderately concentrated"
BAND_HIGH = "highly concentrated"

Band = Literal["unconcentrated", "moderately concentrated", "highly concentrated"]

# QUALITATIVE_SHARE_RANGES is part of the file contract (what share_qual means).


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _as_vector(
    values: ArrayLike,
    name: str = "shares",
    *,
    max_value: float | None = None,
    allow_inf: bool = False,
) -> NDArray[np.float64]:
    """Return ``values`` as a validated 1-D float array.

    Raises ``ValueError`` for empty input, non-1-D input, NaN, infinities
    (unless ``allow_inf``), negative values and values above ``max_value``.
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one value is required")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN at positions {np.flatnonzero(np.isnan(arr))}")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite values at {np.flatnonzero(np.isinf(arr))}")
    if (arr < 0).any():
        raise ValueError(
            f"{name} contains negative values at positions {np.flatnonzero(arr < 0)}: "
            f"{arr[arr < 0]}"
        )
    if max_value is not None and (arr > max_value + _PERCENT_ATOL).any():
        raise ValueError(
            f"{name} contains values above {max_value:g} "
            f"(max {arr.max():g}); shares must be in percent (0..100). "
            "Convert raw quantities with renormalise() first."
        )
    return arr


def _as_percent(shares: ArrayLike, name: str = "shares") -> NDArray[np.float64]:
    return _as_vector(shares, name, max_value=100.0)


def _positive_total(arr: NDArray[np.float64], name: str) -> float:
    total = float(arr.sum())
    if total <= 0.0:
        raise ValueError(f"{name} sums to 0; at least one value must be positive")
    return total


def _check_scalar(value: float, name: str, *, low: float | None = None) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number, got {value!r}") from exc
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if low is not None and out < low:
        raise ValueError(f"{name} must be >= {low:g}, got {out:g}")
    return out


def _check_hhi_value(value: float, name: str = "hhi") -> float:
    out = _check_scalar(value, name, low=0.0)
    if out > HHI_MAX * (1.0 + 1e-12):
        raise ValueError(
            f"{name}={out:g} exceeds 10,000; HHI must be on the 0..10,000 (percent) scale"
        )
    return out


# ---------------------------------------------------------------------------
# basic indices
# ---------------------------------------------------------------------------


def renormalise(shares: ArrayLike) -> NDArray[np.float64]:
    """Rescale non-negative values so that they sum to 100.

    Parameters
    ----------
    shares : array_like
        Non-negative shares in any unit (percent rows that sum to 99-102 after
        rounding, fractions, or raw quantities such as wafers per month).

    Returns
    -------
    numpy.ndarray
        Percent shares summing to 100 (up to floating-point rounding).

    Raises
    ------
    ValueError
        On empty input, NaN, infinities, negative values or an all-zero vector.

    Notes
    -----
    Complexity O(N) time and memory.

    Examples
    --------
    >>> renormalise([45, 45, 3]).round(4).tolist()
    [48.3871, 48.3871, 3.2258]
    """
    arr = _as_vector(shares, "shares")
    total = _positive_total(arr, "shares")
    return arr * (100.0 / total)


def hhi(shares: ArrayLike) -> float:
    """Herfindahl-Hirschman index of percent shares, on the 0..10,000 scale.

    ``HHI = sum_i s_i**2`` with ``s_i`` in percent ("the sum of the squares of
    the market shares", DOJ; methods.md 1.2).

    Parameters
    ----------
    shares : array_like
        Shares in percent, each in ``[0, 100]``. The input is used as given: a
        row that sums to 102 because of rounding is **not** renormalised (use
        :func:`renormalise` for that), and a residual "other" bucket should be
        handled with :func:`hhi_bounds`, not listed here.

    Returns
    -------
    float
        The HHI. It lies in ``(0, 10000]`` when the shares sum to 100.

    Raises
    ------
    ValueError
        On empty input, NaN, infinities, negative values or a share above 100.

    Notes
    -----
    Complexity O(N) time and memory.

    Examples
    --------
    >>> hhi([30, 30, 20, 20])
    2600.0
    >>> hhi([100])
    10000.0
    """
    arr = _as_percent(shares)
    return float(np.dot(arr, arr))


def hhi_bounds(shares: ArrayLike, residual: float = 0.0) -> tuple[float, float]:
    """Lower and upper HHI when part of the market is an unresolved residual bucket.

    Parameters
    ----------
    shares : array_like
        Percent shares of the identified entities (the residual excluded).
    residual : float, default 0.0
        Percent share of the "other / various" bucket.

    Returns
    -------
    (lower, upper) : tuple of float
        ``lower = hhi(shares)``: the residual is infinitely fragmented and
        contributes 0 (an infimum, approached but not attained).
        ``upper = hhi(shares) + residual**2``: the residual is one entity.
        Any split of the residual into pieces ``r_j`` (``sum r_j = residual``)
        gives ``0 < sum r_j**2 <= residual**2``, so the true HHI lies in
        ``[lower, upper]``.

    Raises
    ------
    ValueError
        On invalid shares (see :func:`hhi`) or a residual that is negative,
        non-finite or above 100.

    Notes
    -----
    Complexity O(N). methods.md 1.1; reference case R1.9.

    Examples
    --------
    >>> hhi_bounds([51, 13, 10, 9, 8, 6], residual=4)
    (3051.0, 3067.0)
    """
    base = hhi(shares)
    r = _check_scalar(residual, "residual", low=0.0)
    if r > 100.0 + _PERCENT_ATOL:
        raise ValueError(f"residual={r:g} is above 100 percent")
    return base, base + r * r


def concentration_ratio(shares: ArrayLike, n: int) -> float:
    """Concentration ratio CRn: the sum of the ``n`` largest percent shares.

    Parameters
    ----------
    shares : array_like
        Percent shares.
    n : int
        Number of largest entities, ``n >= 1``. If ``n`` exceeds the number of
        entities, all shares are summed.

    Returns
    -------
    float
        CRn in percent.

    Raises
    ------
    ValueError
        On invalid shares (see :func:`hhi`) or ``n < 1``.

    Notes
    -----
    Complexity O(N) with ``numpy.partition``. CRn ignores how the share is split
    inside the top n and how the tail is distributed (methods.md 1.4); report it
    next to the HHI, never instead of it.

    Examples
    --------
    >>> concentration_ratio([10, 40, 20, 30], 3)
    90.0
    >>> concentration_ratio([92, 8], 1)
    92.0
    """
    arr = _as_percent(shares)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n must be an integer, got {n!r}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if n >= arr.size:
        return float(arr.sum())
    top = np.partition(arr, arr.size - n)[arr.size - n :]
    return float(top.sum())


def effective_number(shares: ArrayLike) -> float:
    """Effective number of suppliers ``N2 = 1 / H`` (Hill number of order 2).

    ``H`` is the HHI on the 0..1 scale of the shares *normalised to sum to 1*,
    so ``N2 = (sum s)**2 / sum s**2``. For percent shares summing to 100 this is
    ``10_000 / hhi(shares)``.

    Parameters
    ----------
    shares : array_like
        Non-negative shares in any unit (percent, fractions, quantities).

    Returns
    -------
    float
        ``N2`` with ``1 <= N2 <= k``, where ``k`` is the number of positive
        shares.

    Raises
    ------
    ValueError
        On empty input, NaN, infinities, negative values or an all-zero vector.

    Notes
    -----
    Complexity O(N). Normalising first makes the result independent of the unit
    and of rounding (a row summing to 102 is treated as summing to 100).

    Examples
    --------
    >>> round(effective_number([30, 30, 20, 20]), 6)
    3.846154
    >>> effective_number([0.5, 0.5])
    2.0
    """
    arr = _as_vector(shares, "shares")
    total = _positive_total(arr, "shares")
    p = arr / total
    return float(1.0 / np.dot(p, p))


def shannon_entropy(shares: ArrayLike, base: float | None = None) -> float:
    """Shannon entropy ``-sum p_i log p_i`` of the normalised shares.

    Thin validated wrapper around :func:`scipy.stats.entropy`, which normalises
    its input to sum to 1.

    Parameters
    ----------
    shares : array_like
        Non-negative shares in any unit.
    base : float, optional
        Logarithm base; natural log (nats) when ``None``.

    Returns
    -------
    float
        Entropy, between 0 and ``log(k)`` for ``k`` positive shares.
        ``exp(shannon_entropy(s))`` is the Hill number ``N1``.

    Raises
    ------
    ValueError
        On empty input, NaN, infinities, negative values, an all-zero vector or
        an invalid base.

    Notes
    -----
    Complexity O(N).

    Examples
    --------
    >>> shannon_entropy([1 / 2, 1 / 2], base=2)
    1.0
    >>> round(shannon_entropy([30, 30, 20, 20]), 6)
    1.366159
    """
    arr = _as_vector(shares, "shares")
    _positive_total(arr, "shares")
    if base is not None:
        b = _check_scalar(base, "base")
        if b <= 0 or b == 1:
            raise ValueError(f"base must be positive and != 1, got {b:g}")
    from scipy import stats  # scipy.stats costs ~0.7 s to import: load it when used

    return float(stats.entropy(arr, base=base))


def gini(values: ArrayLike, unbiased: bool = False) -> float:
    """Gini coefficient of non-negative values.

    Population form ``G = sum_i sum_j |x_i - x_j| / (2 n**2 mean(x))``, at most
    ``(n - 1) / n``. The unbiased form is ``G * n / (n - 1)`` (the mean absolute
    difference over the ``n(n-1)/2`` unordered pairs divided by ``2 mean(x)``).

    Parameters
    ----------
    values : array_like
        Non-negative values (shares in any unit).
    unbiased : bool, default False
        Return the ``n / (n - 1)``-corrected form.

    Returns
    -------
    float
        The Gini coefficient.

    Raises
    ------
    ValueError
        On empty input, NaN, infinities, negative values, an all-zero vector, or
        ``unbiased=True`` with a single value.

    Notes
    -----
    Complexity O(N log N) via the sorted-rank identity
    ``sum_ij |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i)`` (1-based ranks).
    Gini measures inequality, not concentration: two equal suppliers give
    ``G = 0`` but ``HHI = 5000`` (methods.md 1.6). Do not use it as a risk score.

    Examples
    --------
    >>> round(gini([2, 10, 5, 6, 12]), 10)
    0.2857142857
    >>> round(gini([2, 10, 5, 6, 12], unbiased=True), 10)
    0.3571428571
    """
    arr = _as_vector(values, "values")
    total = _positive_total(arr, "values")
    n = arr.size
    if unbiased and n < 2:
        raise ValueError("the unbiased Gini needs at least two values")
    x = np.sort(arr)
    ranks = np.arange(1, n + 1, dtype=np.float64)
    g = float(np.dot(2.0 * ranks - n - 1.0, x) / (n * total))
    if unbiased:
        g *= n / (n - 1)
    return g


def count_to_threshold(
    shares: ArrayLike, threshold: float = 75.0, *, atol: float = 1e-9
) -> int | None:
    """Smallest number of largest entities whose shares reach ``threshold`` percent.

    Parameters
    ----------
    shares : array_like
        Percent shares.
    threshold : float, default 75.0
        Target cumulative share in percent, ``> 0``.
    atol : float, default 1e-9
        "Reach" means ``cumulative >= threshold - atol``, so that rounding noise
        (e.g. 33.3 + 41.7 = 74.99999999999999) does not hide an exact hit.

    Returns
    -------
    int or None
        The count ``k >= 1``, or ``None`` when even all entities together stay
        below the threshold (for instance a table whose residual bucket was left
        out). ``None`` is returned instead of raising because it is an
        informative answer ("not reachable from the listed entities").

    Raises
    ------
    ValueError
        On invalid shares (see :func:`hhi`) or a non-positive threshold.

    Notes
    -----
    Complexity O(N log N) (sort).

    Examples
    --------
    >>> count_to_threshold([10, 40, 20, 30])
    3
    >>> count_to_threshold([40, 30], threshold=80) is None
    True
    """
    arr = _as_percent(shares)
    t = _check_scalar(threshold, "threshold")
    if t <= 0:
        raise ValueError(f"threshold must be > 0, got {t:g}")
    cum = np.cumsum(np.sort(arr)[::-1])
    hit = np.flatnonzero(cum >= t - atol)
    if hit.size == 0:
        return None
    return int(hit[0]) + 1


# ---------------------------------------------------------------------------
# capacity additions (methods.md 1.2, 4.1)
# ---------------------------------------------------------------------------


def hhi_after_addition(
    quantities: ArrayLike,
    k: int | None,
    c: ArrayLike,
    *,
    fragmented_residual: float = 0.0,
) -> float | NDArray[np.float64]:
    """HHI (0..10,000) after adding quantity ``c`` to entity ``k`` or to a new entity.

    With ``Q = sum q_i + R`` and ``S2 = sum q_i**2`` (``R`` the fragmented
    residual) the post-addition HHI on the 0..1 scale is (methods.md 1.2, R1.15)::

        H(c) = (S2 + 2 q_k c + c**2) / (Q + c)**2,   q_k = 0 for a new entity,

    and this function returns ``10_000 * H(c)``.

    Parameters
    ----------
    quantities : array_like
        Non-negative quantities (capacity, output, revenue, or percent shares)
        of the identified entities. Any unit; the result is scale-invariant.
    k : int or None
        Index into ``quantities`` of the entity that receives ``c``; ``None``
        adds ``c`` as a new entity (HHI is location-blind: every new entity
        gives the same value, methods.md 4.1).
    c : float or array_like
        Added quantity, in the unit of ``quantities``. Negative values model
        a capacity loss and must satisfy ``q_k + c >= 0``. An array returns the
        curve ``H(c)`` elementwise.
    fragmented_residual : float, default 0.0
        Quantity held by an infinitely fragmented residual bucket: it counts in
        ``Q`` but adds nothing to ``S2`` (the lower-bound convention of
        :func:`hhi_bounds`). To treat the residual as one entity instead, list
        it in ``quantities``.

    Returns
    -------
    float or numpy.ndarray
        HHI on the 0..10,000 scale (a float for scalar ``c``).

    Raises
    ------
    ValueError
        On invalid quantities, an out-of-range ``k``, non-finite ``c``,
        ``q_k + c < 0`` or a zero post-addition total.

    Notes
    -----
    Complexity O(N + M) for M values of ``c``. ``H(c)`` is not monotone: it
    falls while the receiving entity's share is below ``H`` and is minimised
    where that share equals ``H`` (see :func:`hhi_derivative_sign`).

    Examples
    --------
    >>> round(hhi_after_addition([24, 18, 17, 17, 10, 8, 7], k=5, c=15.25), 2)
    1603.93
    >>> hhi_after_addition([50, 50], k=None, c=[0.0, 100.0]).tolist()
    [5000.0, 3750.0]
    """
    q = _as_vector(quantities, "quantities")
    resid = _check_scalar(fragmented_residual, "fragmented_residual", low=0.0)
    if k is None:
        qk = 0.0
    else:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ValueError(f"k must be an integer index or None, got {k!r}")
        if not 0 <= k < q.size:
            raise ValueError(f"k={k} is out of range for {q.size} quantities")
        qk = float(q[k])
    c_arr = np.asarray(c, dtype=np.float64)
    if not np.isfinite(c_arr).all():
        raise ValueError("c must be finite")
    if (qk + c_arr < 0).any():
        raise ValueError(f"c removes more than entity k holds (q_k={qk:g})")
    total = float(q.sum()) + resid + c_arr
    if (total <= 0).any():
        raise ValueError("the total quantity after the addition is 0; HHI is undefined")
    s2 = float(np.dot(q, q))
    out = HHI_MAX * (s2 + 2.0 * qk * c_arr + c_arr * c_arr) / (total * total)
    if out.ndim == 0:
        return float(out)
    return out


def hhi_derivative_sign(shares: ArrayLike, k: int | None) -> int:
    """Sign of ``dH/dc`` at ``c = 0`` when adding capacity ``c`` to entity ``k``.

    ``dH/dc = (2 / Q) (s_k - H)`` with ``s_k`` and ``H`` on the 0..1 scale
    (methods.md 1.2), so a small addition lowers the HHI **iff** ``s_k < H``
    (reference case R4.3).

    Parameters
    ----------
    shares : array_like
        Non-negative shares or quantities of *all* entities (any unit; they are
        normalised internally, so a residual must be listed as an entity).
    k : int or None
        Index of the receiving entity; ``None`` for a new entity (``s_k = 0``).

    Returns
    -------
    int
        ``-1`` (HHI falls), ``0`` (stationary: ``s_k == H`` exactly) or ``+1``
        (HHI rises).

    Raises
    ------
    ValueError
        On invalid shares, an all-zero vector or an out-of-range ``k``.

    Notes
    -----
    Complexity O(N). Evaluated as ``sign(q_k * Q - S2)``, which equals
    ``sign(s_k - H)`` after multiplying by ``Q**2 > 0`` and avoids divisions.

    Examples
    --------
    >>> hhi_derivative_sign([24, 18, 17, 17, 10, 8, 7], k=5)
    -1
    >>> hhi_derivative_sign([24, 18, 17, 17, 10, 8, 7], k=0)
    1
    """
    q = _as_vector(shares, "shares")
    total = _positive_total(q, "shares")
    if k is None:
        qk = 0.0
    else:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ValueError(f"k must be an integer index or None, got {k!r}")
        if not 0 <= k < q.size:
            raise ValueError(f"k={k} is out of range for {q.size} shares")
        qk = float(q[k])
    return int(np.sign(qk * total - float(np.dot(q, q))))


# ---------------------------------------------------------------------------
# interval (range) bounds
# ---------------------------------------------------------------------------


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
    "other" bucket of :func:`hhi_bounds`:

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
    ``lo == hi`` this reproduces :func:`hhi_bounds` with
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


# ---------------------------------------------------------------------------
# regulatory bands (descriptive labels only, methods.md 1.3)
# ---------------------------------------------------------------------------


def _band(value: float, moderate_from: float, high_above: float) -> Band:
    if value < moderate_from:
        return BAND_UNCONCENTRATED
    if value <= high_above:
        return BAND_MODERATE
    return BAND_HIGH


def band_2023(hhi: float) -> Band:
    """Concentration band under the 2023 DOJ/FTC Merger Guidelines (section 2.1).

    Boundary convention, following the DOJ wording quoted in methods.md 1.3
    ("between 1,000 and 1,800" is moderately concentrated, "in excess of
    1,800" / "> 1,800" is highly concentrated; unconcentrated "< 1,000" is
    implied):

    * ``hhi < 1000`` -> ``"unconcentrated"``
    * ``1000 <= hhi <= 1800`` -> ``"moderately concentrated"`` (both ends
      included: exactly 1,800 is *moderately*, exactly 1,000 is *moderately*)
    * ``hhi > 1800`` -> ``"highly concentrated"``

    These thresholds were written for merger control; use them only as
    descriptive labels, not as supply-risk scores.

    Parameters
    ----------
    hhi : float
        HHI on the 0..10,000 scale.

    Returns
    -------
    str
        One of ``"unconcentrated"``, ``"moderately concentrated"``,
        ``"highly concentrated"``.

    Raises
    ------
    ValueError
        If ``hhi`` is not finite or outside ``[0, 10000]``.

    Notes
    -----
    Complexity O(1).

    Examples
    --------
    >>> band_2023(1800)
    'moderately concentrated'
    >>> band_2023(1800.01)
    'highly concentrated'
    """
    return _band(_check_hhi_value(hhi), 1_000.0, 1_800.0)


def band_2010(hhi: float) -> Band:
    """Concentration band under the 2010 Horizontal Merger Guidelines (section 5.3).

    Boundary convention, following the wording in methods.md 1.3 ("< 1,500"
    unconcentrated, "1,500-2,500" moderately, "> 2,500" highly concentrated):

    * ``hhi < 1500`` -> ``"unconcentrated"``
    * ``1500 <= hhi <= 2500`` -> ``"moderately concentrated"`` (both ends
      included)
    * ``hhi > 2500`` -> ``"highly concentrated"``

    Parameters
    ----------
    hhi : float
        HHI on the 0..10,000 scale.

    Returns
    -------
    str
        The band label.

    Raises
    ------
    ValueError
        If ``hhi`` is not finite or outside ``[0, 10000]``.

    Notes
    -----
    Complexity O(1).

    Examples
    --------
    >>> band_2010(1296)
    'unconcentrated'
    >>> band_2010(2500)
    'moderately concentrated'
    """
    return _band(_check_hhi_value(hhi), 1_500.0, 2_500.0)


def presumption_2023(post_hhi: float, delta: float) -> bool:
    """Structural presumption of the 2023 Merger Guidelines (HHI test only).

    ``True`` iff the post-merger market is highly concentrated
    (``post_hhi > 1800``) **and** ``delta > 100`` (both strict, per "> 1,800"
    and "ΔHHI > 100" in methods.md 1.3; mergeron encodes (0.18, 0.01)). A
    post-merger HHI of exactly 1,800 or a delta of exactly 100 gives ``False``.

    The separate 30 % combined-share presumption is **not** implemented: its
    final wording is marked unverified [U] in methods.md 1.3.

    Parameters
    ----------
    post_hhi : float
        Post-merger HHI on the 0..10,000 scale.
    delta : float
        Change in HHI caused by the merger (``2 s_a s_b`` for a merger of a and b).

    Returns
    -------
    bool
        Whether the HHI-based presumption applies.

    Raises
    ------
    ValueError
        If ``post_hhi`` is not finite or outside ``[0, 10000]``, or ``delta`` is
        not finite.

    Notes
    -----
    Complexity O(1).

    Examples
    --------
    >>> presumption_2023(1900, 150)
    True
    >>> presumption_2023(2600, 40)
    False
    """
    h = _check_hhi_value(post_hhi, "post_hhi")
    d = _check_scalar(delta, "delta")
    return h > 1_800.0 and d > 100.0


def sia_bcg_single_region(cr1_percent: float, threshold: float = 65.0) -> bool:
    """SIA/BCG (2021) single-region chokepoint screen on CR1.

    The report counts points "where one region holds more than 65% of the
    global market share" (methods.md 2.5), so the test is strict:
    ``cr1_percent > threshold``; exactly 65 % is *not* flagged.

    Parameters
    ----------
    cr1_percent : float
        Largest single-region share in percent (see :func:`concentration_ratio`).
    threshold : float, default 65.0
        Screen threshold in percent.

    Returns
    -------
    bool
        Whether the stage is a single-region chokepoint.

    Raises
    ------
    ValueError
        If either argument is not finite or ``cr1_percent`` is outside
        ``[0, 100]``.

    Notes
    -----
    Complexity O(1).

    Examples
    --------
    >>> sia_bcg_single_region(92.0)
    True
    >>> sia_bcg_single_region(65.0)
    False
    """
    cr1 = _check_scalar(cr1_percent, "cr1_percent", low=0.0)
    if cr1 > 100.0 + _PERCENT_ATOL:
        raise ValueError(f"cr1_percent={cr1:g} is above 100 percent")
    t = _check_scalar(threshold, "threshold")
    return cr1 > t
