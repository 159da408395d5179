"""Descriptive concentration labels: merger-guideline HHI bands and the SIA/BCG screen.

The 2023 DOJ/FTC and 2010 Horizontal Merger Guidelines bands, the 2023
structural presumption and the SIA/BCG (2021) "one region > 65 %" screen
(methods.md 1.3, 2.5). They were written for merger control and trade
reports: use them as labels beside the indices, not as supply-risk scores.
HHIs are on the 0..10,000 scale, shares in percent.
"""

from __future__ import annotations

from typing import Literal

from chiprisk.graph.algorithms.share_checks import (
    _PERCENT_ATOL,
    _check_hhi_value,
    _check_scalar,
)

__all__ = [
    "BAND_HIGH",
    "BAND_MODERATE",
    "BAND_UNCONCENTRATED",
    "Band",
    "band_2010",
    "band_2023",
    "presumption_2023",
    "sia_bcg_single_region",
]

BAND_UNCONCENTRATED = "unconcentrated"
BAND_MODERATE = "moderately concentrated"
BAND_HIGH = "highly concentrated"

Band = Literal["unconcentrated", "moderately concentrated", "highly concentrated"]


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
        Largest single-region share in percent (see
        :func:`~chiprisk.graph.algorithms.indices.concentration_ratio`).
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
