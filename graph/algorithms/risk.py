"""Risk measures and the single-stage supply model of methods.md 4.2.

- :func:`value_at_risk` and :func:`conditional_value_at_risk` of a discrete
  loss distribution (equal weights for samples, or given probabilities).
  CVaR is the Rockafellar-Uryasev value
  ``inf_eta { eta + E[(L - eta)+] / (1 - beta) }`` (methods.md 3.7), which
  for ``S`` equally likely samples with ``(1 - beta) S`` whole is the mean of
  the worst ``(1 - beta) S`` losses.
- :func:`outage_scenarios` enumerates the ``2**n`` combinations of
  independent entity outages; :func:`expected_unmet_demand` is the
  single-stage EUD ``sum_w p_w max(0, D - sum_k a_kw (cap_k + x_k))``
  (methods.md 4.2, reference case R4.1).

Examples
--------
>>> caps = {"TW": 92, "KR": 8, "US": 0, "JP": 0, "EU": 0}
>>> probs = {"TW": 0.05, "KR": 0.02, "US": 0.01, "JP": 0.03, "EU": 0.01}
>>> round(expected_unmet_demand(caps, 100, probs), 6)
4.76
>>> round(expected_unmet_demand(caps, 100, probs, {"JP": 20}), 5)
3.64256
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from chiprisk.graph.errors import UsageError

__all__ = [
    "MAX_ENUMERATED",
    "conditional_value_at_risk",
    "expected_unmet_demand",
    "outage_scenarios",
    "single_stage_losses",
    "value_at_risk",
]

MAX_ENUMERATED = 20
"""Largest number of independent entities whose outages are enumerated (2**20 scenarios)."""


def _weights(losses: np.ndarray, probs: np.ndarray | None) -> np.ndarray:
    if probs is None:
        return np.full(losses.shape[-1], 1.0 / losses.shape[-1])
    p = np.asarray(probs, dtype=float)
    if p.shape != (losses.shape[-1],) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
        raise UsageError("probs must be non-negative, one per loss, and sum to 1")
    return p


def _check_beta(beta: float) -> float:
    if not 0.0 <= beta < 1.0:
        raise UsageError(f"the level must be in [0, 1), got {beta!r}")
    return float(beta)


def value_at_risk(losses, probs=None, beta: float = 0.95) -> np.ndarray | float:
    """The ``beta``-quantile of the loss: the least ``x`` with ``P(L <= x) >= beta``.

    ``losses`` may be 2-D (rows are separate distributions over the same
    scenarios); the result then has one value per row.

    Examples
    --------
    >>> value_at_risk([0, 0, 0, 10], beta=0.75)
    0.0
    >>> value_at_risk([0, 0, 0, 10], beta=0.8)
    10.0
    """
    beta = _check_beta(beta)
    L = np.atleast_2d(np.asarray(losses, dtype=float))
    p = _weights(L, probs)
    order = np.argsort(L, axis=1, kind="stable")
    Ls = np.take_along_axis(L, order, axis=1)
    cum = np.cumsum(p[order], axis=1)
    k = (cum < beta - 1e-12).sum(axis=1)
    k = np.minimum(k, L.shape[1] - 1)
    out = Ls[np.arange(L.shape[0]), k]
    return float(out[0]) if np.ndim(losses) == 1 else out


def conditional_value_at_risk(losses, probs=None, beta: float = 0.95) -> np.ndarray | float:
    """Rockafellar-Uryasev CVaR: ``VaR + E[(L - VaR)+] / (1 - beta)``.

    Examples
    --------
    >>> conditional_value_at_risk([0, 0, 0, 10], beta=0.75)
    10.0
    >>> conditional_value_at_risk([1, 2, 3, 4], beta=0.5)
    3.5
    """
    beta = _check_beta(beta)
    L = np.atleast_2d(np.asarray(losses, dtype=float))
    p = _weights(L, probs)
    v = np.atleast_1d(value_at_risk(L, p, beta))
    out = v + (np.maximum(L - v[:, None], 0.0) @ p) / (1.0 - beta)
    return float(out[0]) if np.ndim(losses) == 1 else out


def _as_vector(values, keys: list[str], name: str) -> np.ndarray:
    if isinstance(values, Mapping):
        unknown = set(values) - set(keys)
        if unknown:
            raise UsageError(f"{name}: unknown entities {sorted(unknown)}")
        return np.array([float(values.get(k, 0.0)) for k in keys])
    arr = np.asarray(values, dtype=float)
    if arr.shape != (len(keys),):
        raise UsageError(f"{name} must have one value per entity ({len(keys)})")
    return arr


def outage_scenarios(outage_probs) -> tuple[np.ndarray, np.ndarray]:
    """All ``2**n`` combinations of independent outages.

    Parameters
    ----------
    outage_probs : array_like of n probabilities in [0, 1]

    Returns
    -------
    (availability, probability)
        ``availability`` is (n, 2**n) of 0/1 (1 = up); ``probability`` (2**n,).

    Notes
    -----
    O(n 2**n); refused above :data:`MAX_ENUMERATED` entities (sample instead).
    """
    q = np.asarray(outage_probs, dtype=float)
    n = q.size
    if n > MAX_ENUMERATED:
        raise UsageError(f"{n} entities is too many to enumerate (at most {MAX_ENUMERATED})")
    if ((q < 0) | (q > 1)).any():
        raise UsageError("outage probabilities must be in [0, 1]")
    codes = np.arange(1 << n)
    down = ((codes[None, :] >> np.arange(n)[:, None]) & 1).astype(bool)
    p = np.prod(np.where(down, q[:, None], 1.0 - q[:, None]), axis=0)
    return (~down).astype(float), p


def single_stage_losses(capacities, demand: float, availability, additions=None) -> np.ndarray:
    """Shortfall per scenario ``max(0, D - sum_k a_kw (cap_k + x_k))``."""
    cap = np.asarray(capacities, dtype=float)
    x = np.zeros_like(cap) if additions is None else np.asarray(additions, dtype=float)
    return np.maximum(0.0, float(demand) - (cap + x) @ np.asarray(availability, dtype=float))


def expected_unmet_demand(
    capacities, demand: float, outage_probs, additions=None, *, beta: float | None = None
) -> float:
    """Single-stage expected unmet demand, all independent outages enumerated.

    Parameters
    ----------
    capacities : mapping entity -> capacity, or array_like
    demand : float
        ``D``, in the unit of the capacities.
    outage_probs : mapping entity -> probability (same keys), or array_like
    additions : mapping or array_like, optional
        Capacity added per entity (``x``).
    beta : float, optional
        When given, return the CVaR at this level instead of the expectation.

    Returns
    -------
    float

    Notes
    -----
    O(n 2**n) for n entities (methods.md R4.1 uses n = 5).
    """
    if isinstance(capacities, Mapping):
        keys = list(capacities)
        if isinstance(outage_probs, Mapping):
            keys += [k for k in outage_probs if k not in capacities]
    else:
        keys = [str(k) for k in range(len(np.atleast_1d(capacities)))]
    cap = _as_vector(capacities, keys, "capacities")
    q = _as_vector(outage_probs, keys, "outage_probs")
    x = None if additions is None else _as_vector(additions, keys, "additions")
    if (cap < 0).any() or (x is not None and (x < 0).any()) or demand < 0:
        raise UsageError("capacities, additions and demand must be >= 0")
    A, p = outage_scenarios(q)
    losses = single_stage_losses(cap, demand, A, x)
    if beta is not None:
        return float(conditional_value_at_risk(losses, p, beta))
    return float(losses @ p)
