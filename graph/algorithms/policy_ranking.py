"""Policy list: each policy's money and actions (ranked: what removing it would change).

The ranking itself is
:func:`~chiprisk.graph.algorithms.policy_counterfactuals.rank_policies`: every
policy and award taken out of the world with every policy, on the capacity
ledger. The before/after of chosen policies is
:func:`~chiprisk.graph.algorithms.whatif.whatif`.
"""

from __future__ import annotations

import math

import pandas as pd

from chiprisk.graph.algorithms.policy_actions import _money, _year_of, policy_actions
from chiprisk.graph.algorithms.policy_counterfactuals import rank_policies
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.ledger import ledger_year

__all__ = ["policies"]


def policies(
    tables: Tables,
    *,
    rank: bool = False,
    year: int | None = None,
    additionality: float = 1.0,
    currency: str = "USD",
) -> pd.DataFrame:
    """Every policy with its money and actions; with ``rank``, what removing it changes.

    Parameters
    ----------
    tables : Tables
    rank : bool, default False
        Return :func:`~chiprisk.graph.algorithms.policy_counterfactuals.rank_policies`
        instead: policies and awards, each removed from the world with every
        policy as of ``year``.
    year : int, optional
        The as-of year (default: this calendar year); money is converted at
        the enactment year's rate.
    additionality : float, default 1.0
        Share of funded capacity that would not exist without the money (ranked).
    currency : str, default "USD"

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``name``, ``jurisdiction``, ``kind``, ``status``,
        ``budget``, ``currency``, ``money_<cur>``, ``fx``, ``actions``,
        ``capacity_actions``, ``restricts``, ``conditions``; ranked: see
        :data:`~chiprisk.graph.algorithms.policy_counterfactuals.RANK_COLUMNS`.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> df = policies(t)
    >>> len(df) == len(t["policies"]), df.columns[:3].tolist()
    (True, ['policy', 'name', 'jurisdiction'])
    """
    if rank:
        return rank_policies(tables, ledger_year(year), additionality=additionality)
    pol = tables["policies"]
    acts_all = tables["policy_actions"]
    year = ledger_year(year)
    acts = policy_actions(tables, None, year, currency)
    mcol = f"money_{currency.lower()}"
    rows = []
    for _, p in pol.iterrows():
        a = acts[acts["policy"] == p["id"]]
        fy = _year_of(p["enacted"]) or year
        money, note = _money(tables, p["budget"], p["currency"], fy, currency)
        if money != money:
            amt = a[f"amount_{currency.lower()}"].dropna()
            money = float(amt.sum()) if len(amt) else math.nan
            note = "; ".join(sorted(set(a["fx"].dropna()))) or note
        rows.append(
            {
                "policy": p["id"],
                "name": p["name"],
                "jurisdiction": p["jurisdiction"],
                "kind": p["kind"],
                "status": p["status"],
                "budget": p["budget"],
                "currency": p["currency"],
                mcol: money,
                "fx": note,
                "actions": int((acts_all["policy"] == p["id"]).sum()),
                "capacity_actions": int(a["adds_capacity"].notna().sum()),
                "restricts": int((a["action"] == "restricts").sum()),
                "conditions": int(a["condition"].notna().sum()),
            }
        )
    return pd.DataFrame(rows)
