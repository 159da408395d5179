"""Point concentration indices of one share vector: HHI, CR-n, effective number, entropy, Gini.

Pure numpy/scipy functions (no pandas, no I/O) used to score how concentrated one
stage or input node of the AI-chip supply chain is. The formulas, pitfalls and
reference cases are in ``shared/research/methods.md`` sections 1, 4.1 and 5.

The kernels around these live beside them and are re-exported here, so
``chiprisk.graph.algorithms.indices`` stays the one place to import them from:
:mod:`~chiprisk.graph.algorithms.hhi_change` (the HHI after added capacity),
:mod:`~chiprisk.graph.algorithms.range_bounds` (HHI bounds of interval and
qualitative shares), :mod:`~chiprisk.graph.algorithms.bands` (merger-guideline
bands and the SIA/BCG screen); argument checks are in
:mod:`~chiprisk.graph.algorithms.share_checks`.

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

import numpy as np
from numpy.typing import ArrayLike, NDArray

from chiprisk.graph.algorithms.bands import (
    BAND_HIGH,
    BAND_MODERATE,
    BAND_UNCONCENTRATED,
    band_2010,
    band_2023,
    presumption_2023,
    sia_bcg_single_region,
)
from chiprisk.graph.algorithms.hhi_change import hhi_after_addition, hhi_derivative_sign
from chiprisk.graph.algorithms.range_bounds import hhi_range_bounds, qualitative_share_ranges
from chiprisk.graph.algorithms.share_checks import (
    _PERCENT_ATOL,
    HHI_MAX,
    _as_percent,
    _as_vector,
    _check_scalar,
    _positive_total,
)
from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES

__all__ = [
    "BAND_HIGH",
    "BAND_MODERATE",
    "BAND_UNCONCENTRATED",
    "HHI_MAX",
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
