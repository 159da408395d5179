"""Validate share vectors and scalar arguments for the concentration-index kernels.

The index modules (:mod:`~chiprisk.graph.algorithms.indices`,
:mod:`~chiprisk.graph.algorithms.hhi_change`,
:mod:`~chiprisk.graph.algorithms.range_bounds`,
:mod:`~chiprisk.graph.algorithms.bands`) check their arguments here: every
check raises ``ValueError`` with a message naming the argument. Shares are in
percent (0..100) and HHIs on the 0..10,000 scale.

Examples
--------
>>> HHI_MAX
10000.0
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["HHI_MAX"]

#: Maximum HHI on the percent scale.
HHI_MAX = 10_000.0

#: Absolute slack allowed above 100 % for a single share (floating-point noise
#: from renormalisation), and in feasibility checks of the range bounds.
_PERCENT_ATOL = 1e-9


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
