"""HHI under a target: the least capacity, per candidate, that brings the HHI down to it.

HHI is not convex in the additions (it falls while the receiving entity's
share is below H and rises after, methods.md 1.2), so the problem is solved
exactly **one candidate at a time** with the closed form
``H(c) = (S2 + 2 q_k c + c^2) / (Q + c)^2 <= T``: the least ``c`` is the
smaller root of ``(1 - T) c^2 + 2 (q_k - T Q) c + S2 - T Q^2 = 0``; the
cheapest feasible candidate wins. Combinations of candidates are not searched
(a candidate that cannot reach the target alone is reported so). The forward
formula is :func:`~chiprisk.graph.algorithms.hhi_change.hhi_after_addition`;
:func:`~chiprisk.graph.algorithms.optimize.optimize` applies this to an
input's share table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

__all__ = ["hhi_target"]


def hhi_target(
    quantities: Mapping[str, float],
    target_hhi: float,
    costs: Mapping[str, float],
    *,
    max_add: Mapping[str, float] | None = None,
    fragmented_residual: float = 0.0,
) -> pd.DataFrame:
    """Least capacity, per candidate, that brings HHI (0..10,000) to ``target_hhi``.

    Parameters
    ----------
    quantities : mapping entity -> quantity (any unit; percent shares are fine)
    target_hhi : float
        Target on the 0..10,000 scale.
    costs : mapping candidate -> cost per unit; a candidate that is not in
        ``quantities`` is a new entity.
    max_add : mapping candidate -> build limit, optional
    fragmented_residual : float
        Quantity of an infinitely fragmented residual (counts in the total only).

    Returns
    -------
    pandas.DataFrame
        One row per candidate, cheapest feasible first: ``candidate``,
        ``existing`` (bool), ``share_before`` (%), ``hhi_before``, ``added``,
        ``cost``, ``hhi_after``, ``feasible``, ``note``.

    Examples
    --------
    >>> df = hhi_target({"TW": 92, "KR": 8}, 6200, {"US": 1.0, "KR": 1.0})
    >>> df.iloc[0]["candidate"], round(float(df.iloc[0]["added"]), 4)
    ('US', 20.0)
    """
    q = {k: float(v) for k, v in quantities.items()}
    Q = sum(q.values()) + fragmented_residual
    S2 = sum(v * v for v in q.values())
    T = float(target_hhi) / 10_000.0
    H0 = S2 / Q**2
    rows = []
    for cand, cost in costs.items():
        qk = q.get(cand, 0.0)
        limit = (max_add or {}).get(cand, math.inf)
        note = None
        if H0 <= T:
            c, feasible, note = 0.0, True, "already at or under the target"
        else:
            a, bq, cq = 1.0 - T, 2.0 * (qk - T * Q), S2 - T * Q * Q
            disc = bq * bq - 4.0 * a * cq
            if a <= 0 or disc < 0:
                c, feasible = math.nan, False
                note = "cannot reach the target alone (HHI minimum is above it)"
            else:
                roots = sorted(
                    [(-bq - math.sqrt(disc)) / (2 * a), (-bq + math.sqrt(disc)) / (2 * a)]
                )
                c = max(roots[0], 0.0)
                feasible = c <= limit
                if not feasible:
                    note = f"needs {c:.4g}, above the build limit {limit:g}"
        hhi_after = 10_000.0 * (S2 + 2 * qk * c + c * c) / (Q + c) ** 2 if c == c else math.nan
        rows.append(
            {
                "candidate": cand,
                "existing": cand in q,
                "share_before": 100.0 * qk / Q,
                "hhi_before": 10_000.0 * H0,
                "added": c,
                "cost": c * float(cost) if c == c else math.nan,
                "hhi_after": hhi_after,
                "feasible": feasible,
                "note": note,
            }
        )
    df = pd.DataFrame(rows)
    return df.sort_values(
        ["feasible", "cost", "candidate"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)
