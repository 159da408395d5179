"""Rank policies and awards by what removing their funded capacity would change.

Each policy, and each award (one policy's funding actions on one site, listed
for policies that fund several sites), is
taken out of the world that has every policy
(:mod:`chiprisk.graph.algorithms.counterfactual`): its funded sites' ledger
capacity is scaled by ``1 - additionality``. The change is reported as of one
year: the located Taiwan share and country HHI of the capability it moves
most, and the mean over products of the expected annual loss under the
named scenarios, also per billion USD of public money. Policies and awards
whose removal changes nothing are listed apart with the reason, never
ranked; ties share a rank.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> r = rank_policies(load_tables(), 2030)
>>> float(r.loc[r["id"] == "jp-jasm-fab-1-subsidy", "loss_reduced"].iloc[0])
0.0
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.counterfactual import (
    country_shares,
    expected_losses,
    funded_sites,
    without_scale,
    world_as_of,
)
from chiprisk.graph.algorithms.policy_actions import _money, _year_of, check_currency
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.ledger import capacity_as_of

__all__ = ["RANK_COLUMNS", "rank_policies"]

RANK_COLUMNS = [
    "rank",
    "level",
    "id",
    "policy",
    "name",
    "jurisdiction",
    "year",
    "sites",
    "input",
    "capacity_funded",
    "capacity_unit",
    "taiwan_share_with",
    "taiwan_share_without",
    "hhi_with",
    "hhi_without",
    "expected_loss_with",
    "expected_loss_without",
    "loss_reduced",
    "products_changed",
    "money_usd",
    "loss_reduced_per_bn_usd",
    "additionality",
    "reason",
    "fx",
]
"""Columns of :func:`rank_policies`."""

_TOL = 1e-12


def _units(tables: Tables) -> list[dict]:
    """Policies and awards (policy x funded site) with their sites and money."""
    pol = tables["policies"]
    acts = tables["policy_actions"]
    fund = funded_sites(tables)
    units = []
    for p in pol.itertuples(index=False):
        f = fund[fund["policy"] == p.id]
        a = acts[acts["policy"] == p.id]  # a policy's money: every action, as `policies` counts
        units.append(
            {
                "level": "policy",
                "id": p.id,
                "policy": p.id,
                "name": p.name,
                "jurisdiction": p.jurisdiction,
                "sites": sorted(set(f["site"])),
                "budget": (p.budget, p.currency, _year_of(p.enacted)),
                "amounts": list(zip(a["amount"], a["currency"], strict=True)),
            }
        )
        if f["site"].nunique() < 2:
            continue  # one funded site: the award is the policy itself
        for site, g in f.groupby("site", sort=True):
            units.append(
                {
                    "level": "award",
                    "id": f"{p.id}@{site}",
                    "policy": p.id,
                    "name": f"{p.name}: {site}",
                    "jurisdiction": p.jurisdiction,
                    "sites": [site],
                    "budget": (None, None, _year_of(p.enacted)),
                    "amounts": list(zip(g["amount"], g["currency"], strict=True)),
                }
            )
    return units


def _usd(tables: Tables, unit: dict, year: int) -> tuple[float, str | None]:
    amount, currency, enacted = unit["budget"]
    fy = enacted or year
    money, note = _money(tables, amount, currency, fy, "USD")
    if money != money:
        parts = [_money(tables, a, c, fy, "USD") for a, c in unit["amounts"] if a == a]
        if parts:
            money = float(sum(m for m, _ in parts))
            note = "; ".join(sorted({n for _, n in parts if n})) or None
    return money, note


def rank_policies(
    tables: Tables,
    year: int,
    *,
    additionality: float = 1.0,
) -> pd.DataFrame:
    """Each policy and award: what the world without it would look like as of ``year``.

    Parameters
    ----------
    tables : Tables
        Checked rows with a capacity ledger.
    year : int
        The as-of year of the comparison.
    additionality : float, default 1.0
        Share of the funded capacity that would not exist without the money.

    Returns
    -------
    pandas.DataFrame
        :data:`RANK_COLUMNS`, ranked rows first (by ``loss_reduced_per_bn_usd``,
        then ``loss_reduced``, then the Taiwan share reduced; ties share a
        rank), then the rows without a modelled effect (``rank`` missing,
        ``reason`` says why). ``taiwan_share_*`` are located shares in
        percent of the capability in ``input`` (the one whose Taiwan share
        the unit moves most), ``hhi_*`` its located-country HHI,
        ``expected_loss_*`` the mean over products of the expected annual
        loss (fraction of a year's output), ``loss_reduced`` without minus
        with.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> r = rank_policies(load_tables(), 2030)
    >>> az = r[r["id"] == "us-chips-manufacturing-incentives"].iloc[0]
    >>> bool(az["loss_reduced"] > 0), bool(az["taiwan_share_without"] > az["taiwan_share_with"])
    (True, True)

    Notes
    -----
    One network for the year; each distinct set of funded sites with
    capacity in place reweights its ledger rows
    (:func:`chiprisk.graph.model.network_reweight.reweighted_network`) and
    runs the named scenarios on it.
    """
    check_currency(tables, "USD")
    cap = capacity_as_of(tables, year)
    with_shares = country_shares(tables, year)
    world = world_as_of(tables, year)  # one network; each policy reweights its ledger rows
    base = expected_losses(tables, year, base=world)
    base_exp = base[base["scenario"] == "(expected)"].set_index("product")["expected"]
    cache: dict[frozenset, tuple[pd.DataFrame, pd.Series]] = {}
    rows = []
    for u in _units(tables):
        money, fx = _usd(tables, u, year)
        row = {
            "level": u["level"],
            "id": u["id"],
            "policy": u["policy"],
            "name": u["name"],
            "jurisdiction": u["jurisdiction"],
            "year": int(year),
            "sites": ";".join(u["sites"]),
            "money_usd": money,
            "additionality": float(additionality),
            "fx": fx,
            "reason": None,
        }
        funded = cap[cap["site"].isin(u["sites"]) & (cap["quantity"] > 0)]
        funded = funded[funded["status"] != "rollup"]
        if not u["sites"]:
            row["reason"] = "funds no site (money only, or targets a firm, country or bloc)"
            rows.append(row)
            continue
        if funded.empty:
            row["reason"] = f"its sites have no ledger capacity in place by {year}"
            rows.append(row)
            continue
        key = frozenset(u["sites"])
        if key not in cache:
            scale = without_scale(u["sites"], additionality)
            shares = country_shares(tables, year, scale=scale)
            exp = expected_losses(tables, year, scale=scale, base=world)
            cache[key] = (shares, exp[exp["scenario"] == "(expected)"].set_index("product"))
        shares, exp = cache[key]
        touched = sorted(set(funded["input"]))
        tw_with = _tw(with_shares, touched)
        tw_without = _tw(shares, touched)
        delta = (tw_without - tw_with).abs()
        best = str(delta.idxmax()) if len(delta) else touched[0]
        hhi_w = with_shares.groupby("input")["hhi"].first()
        hhi_wo = shares.groupby("input")["hhi"].first()
        loss_wo = exp["expected"].reindex(base_exp.index).fillna(0.0)
        diff = loss_wo - base_exp
        row.update(
            input=best,
            capacity_funded=float(funded.loc[funded["input"] == best, "quantity"].sum()),
            capacity_unit=funded.loc[funded["input"] == best, "capacity_unit"].iloc[0],
            taiwan_share_with=float(tw_with.get(best, 0.0)),
            taiwan_share_without=float(tw_without.get(best, 0.0)),
            hhi_with=float(hhi_w.get(best, math.nan)),
            hhi_without=float(hhi_wo.get(best, math.nan)),
            expected_loss_with=float(base_exp.mean()),
            expected_loss_without=float(loss_wo.mean()),
            loss_reduced=float(diff.mean()),
            products_changed=int((diff.abs() > _TOL).sum()),
        )
        if money == money and money > 0:
            row["loss_reduced_per_bn_usd"] = row["loss_reduced"] / (money / 1e9)
        moved = (delta > _TOL).any() or abs(row["hhi_without"] - row["hhi_with"]) > _TOL
        if not moved and abs(row["loss_reduced"]) <= _TOL:
            row["reason"] = "removing its capacity changes no share and no loss"
        rows.append(row)
    df = pd.DataFrame(rows).reindex(columns=RANK_COLUMNS)
    effect = df["reason"].isna()
    tw_cut = df["taiwan_share_without"] - df["taiwan_share_with"]
    key = pd.DataFrame(
        {
            "per_bn": df["loss_reduced_per_bn_usd"].fillna(-np.inf).round(12),
            "loss": df["loss_reduced"].fillna(-np.inf).round(12),
            "tw": tw_cut.fillna(-np.inf).round(9),
        }
    )
    order = key[effect].apply(tuple, axis=1)
    df.loc[effect, "rank"] = order.rank(method="min", ascending=False)
    df["rank"] = df["rank"].astype("Int64")
    df = df.assign(_has=effect, _k=key["per_bn"], _l=key["loss"], _t=key["tw"])
    df = df.sort_values(
        ["_has", "rank", "level", "id"], ascending=[False, True, False, True], na_position="last"
    )
    df = df.drop(columns=["_has", "_k", "_l", "_t"]).reset_index(drop=True)
    df.attrs["assumptions"] = [
        f"as of {year}: every policy vs every policy but the one ranked; the funded sites' "
        f"ledger capacity x (1 - additionality), additionality = {additionality:g}",
        "expected loss: sum over the named scenarios of probability x loss x weeks / 52, "
        "mean over products (fraction of a year's output)",
        f"demand in {year} is the capacity operating in {year} (utilisation held constant)",
        "money: the policy's budget, else the sum of its action amounts, in USD at the "
        "enactment year's rate (fx column); awards: their actions' amounts",
    ]
    return df


def _tw(shares: pd.DataFrame, inputs: list[str]) -> pd.Series:
    s = shares[shares["input"].isin(inputs)]
    tw = s[s["country"] == "TW"].set_index("input")["share"]
    return tw.reindex(inputs).fillna(0.0)
