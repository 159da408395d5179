"""Policy list and ranking: each policy's money and actions, and its risk reduced per money.

Each policy alone is applied as of a year and the Monte Carlo of the named
scenarios is rerun on the same draws (common random numbers); the reduction
of the expected unmet demand and of its CVaR is divided by the public money
(:func:`policies` with ``rank=True``). The before/after of chosen policies is
:func:`~chiprisk.graph.algorithms.whatif.whatif`.
"""

from __future__ import annotations

import math

import pandas as pd

from chiprisk.graph.algorithms.additions import Addition, _rescaled_network, apply_additions
from chiprisk.graph.algorithms.montecarlo import (
    event_set,
    loss_statistics,
    sample_events,
    sample_losses,
)
from chiprisk.graph.algorithms.policy_actions import _money, _year_of, policy_actions
from chiprisk.graph.algorithms.restrictions import restriction_availability
from chiprisk.graph.algorithms.scenarios import named_scenarios
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import build_network

__all__ = ["policies"]


def policies(
    tables: Tables,
    *,
    rank: bool = False,
    year: int | None = None,
    runs: int = 20_000,
    seed: int | None = 0,
    level: float = 0.95,
    currency: str = "USD",
    spare_capacity: float = 0.0,
    progress: bool = False,
) -> pd.DataFrame:
    """Every policy with its money and actions; with ``rank``, risk reduced per money.

    Ranking: each policy alone is applied as of ``year`` (default: the latest
    start year of any capacity action in the data, so every addition counts)
    and the Monte Carlo of the named scenarios is rerun on the same draws.
    ``delta_eud`` and ``delta_cvar`` are the reductions of the mean over
    products of the annual loss (EUD) and of the CVaR of that mean;
    ``eud_per_bn``/``cvar_per_bn`` divide them by the public money in billions
    of ``currency`` (the policy's budget, else the sum of its action amounts),
    converted at the enactment year's rate. Policies without money, or
    without an effect on the model, get NaN and a ``reason``; none is dropped.

    Parameters
    ----------
    tables : Tables
    rank : bool, default False
        Rank the policies by risk reduced per money (runs the Monte Carlo).
    year : int, optional
        The as-of year of the ranking.
    runs, seed, level : Monte Carlo settings (common random numbers).
    currency : str, default "USD"
    spare_capacity : float, default 0.0
        Substitution headroom (see simulate).
    progress : bool, default False

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``name``, ``jurisdiction``, ``kind``, ``status``,
        ``budget``, ``currency``, ``money_<cur>``, ``fx``, ``actions``,
        ``capacity_actions``, ``restricts``, ``conditions`` and, ranked,
        ``year``, ``delta_eud``, ``delta_cvar``, ``eud_per_bn``,
        ``cvar_per_bn``, ``reason``, ``rank``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> df = policies(t)
    >>> len(df) == len(t["policies"]), df.columns[:3].tolist()
    (True, ['policy', 'name', 'jurisdiction'])
    """
    pol = tables["policies"]
    acts_all = tables["policy_actions"]
    if year is None:
        acts0 = policy_actions(tables, None, 9999, currency)
        ys = acts0.loc[acts0["adds_capacity"].notna(), "start_year"].dropna()
        year = int(ys.max()) if len(ys) else int(tables["supplies"]["year"].max())
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
    df = pd.DataFrame(rows)
    if not rank:
        return df
    scs = named_scenarios(tables)
    before = build_network(tables, year)
    ev = event_set(before, tables, scs)
    occ = sample_events(ev.probs, runs, seed)
    prod = [k for k, n in enumerate(before.nodes) if n in set(before.products)]
    L0 = sample_losses(before, ev, occ, spare_capacity=spare_capacity)[prod].mean(axis=0)
    s0 = loss_statistics(L0[None, :], level)
    out = []
    for _, r in df.iterrows():
        res = {
            "year": year,
            "delta_eud": math.nan,
            "delta_cvar": math.nan,
            "eud_per_bn": math.nan,
            "cvar_per_bn": math.nan,
            "reason": None,
        }
        a = acts[acts["policy"] == r["policy"]]
        adds = [
            Addition(
                x["target"],
                x["input"],
                float(x["adds_capacity"]),
                x["capacity_unit"],
                source=x["action_id"],
                source_id=x["source_id"],
                start_year=_year_of(x["start_year"]),
            )
            for _, x in a[a["counted"] & a["adds_capacity"].notna()].iterrows()
        ]
        new_tables, applied = apply_additions(tables, adds, year)
        after, headroom = _rescaled_network(new_tables, applied, year)
        restrict, _ = restriction_availability(after, new_tables, a)
        if not applied["applied"].any() and restrict is None:
            reasons = sorted(set(applied["note"].dropna()))
            res["reason"] = (
                "; ".join(reasons)
                if reasons
                else ("no capacity addition counted by this year and no export control")
            )
            out.append(res)
            continue
        ev_a = event_set(after, new_tables, scs, headroom)
        L1 = sample_losses(
            after, ev_a, occ, spare_capacity=spare_capacity, baseline_availability=restrict
        )[prod].mean(axis=0)
        s1 = loss_statistics(L1[None, :], level)
        res["delta_eud"] = float(s0["eud"][0] - s1["eud"][0])
        res["delta_cvar"] = float(s0["cvar"][0] - s1["cvar"][0])
        money = r[mcol]
        if money == money and money > 0:
            res["eud_per_bn"] = res["delta_eud"] / (money / 1e9)
            res["cvar_per_bn"] = res["delta_cvar"] / (money / 1e9)
        else:
            res["reason"] = "no budget or amount in the data"
        out.append(res)
    ranked = pd.concat([df, pd.DataFrame(out)], axis=1)
    ranked = ranked.sort_values(
        ["eud_per_bn", "cvar_per_bn", "policy"], ascending=[False, False, True], na_position="last"
    )
    ranked["rank"] = pd.array(
        [k + 1 if v == v else None for k, v in enumerate(ranked["eud_per_bn"])], dtype="Int64"
    )
    ranked = ranked.reset_index(drop=True)
    ranked.attrs["assumptions"] = [
        f"as of {year}; each policy applied alone; Monte Carlo {runs} runs, seed {seed}, "
        f"common random numbers; level {level}",
        "risk = mean over products of the annual loss (fraction of a year's output)",
        f"money = budget, else the sum of action amounts, in billions of {currency} at the "
        "enactment year's rate (see the fx column)",
    ]
    return ranked
