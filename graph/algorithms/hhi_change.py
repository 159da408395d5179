"""How the HHI responds to added capacity: the post-addition HHI and its slope.

Adding capacity ``c`` to one entity (or as a new entity) changes the HHI by
the closed form of methods.md 1.2 (R1.15); the HHI is not monotone in ``c``
(reference case R4.3), so both the curve and the sign of its slope at
``c = 0`` are given. Units as in :mod:`~chiprisk.graph.algorithms.indices`:
percent shares (or any quantities) in, HHI on the 0..10,000 scale out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from chiprisk.graph.algorithms.share_checks import (
    HHI_MAX,
    _as_vector,
    _check_scalar,
    _positive_total,
)

__all__ = ["hhi_after_addition", "hhi_derivative_sign"]


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
        :func:`~chiprisk.graph.algorithms.indices.hhi_bounds`). To treat the
        residual as one entity instead, list it in ``quantities``.

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
