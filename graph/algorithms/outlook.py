"""Diversification outlook: capacity, concentration and losses by year, with and without policies.

For each year of a range and each capability of the capacity ledger: the
capacity by country (located: where the site is; owner: the headquarters of
the operator's ultimate parent), its share, the country HHI and the top
country, in the world the ledger describes (every policy) and in the world
without the chosen policies (their funded sites' capacity x
``1 - additionality``). For each product: the loss under one scenario in
both worlds, the ledger of that year being the capacity basis.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> df = outlook(load_tables(), inputs=["logic-5nm-and-below"], start=2025, end=2030)
>>> tw = df.query("section == 'capacity' and lens == 'located' and country == 'TW'")
>>> bool(tw.set_index("year").loc[2030, "share"] <= tw.set_index("year").loc[2025, "share"])
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.counterfactual import (
    country_shares,
    expected_losses,
    funded_sites,
    without_scale,
    worlds_as_of,
)
from chiprisk.graph.algorithms.scenarios import named_scenarios
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.ledger import capacity_by_year, ledger_inputs, ledger_years

__all__ = [
    "LEADING_CAPABILITIES",
    "OUTLOOK_COLUMNS",
    "leading_outlook",
    "outlook",
    "policies_matching",
]

OUTLOOK_COLUMNS = [
    "section",
    "year",
    "input",
    "lens",
    "country",
    "capacity",
    "capacity_without_policies",
    "unit",
    "share",
    "share_without_policies",
    "hhi",
    "hhi_without_policies",
    "product",
    "scenario",
    "loss_with_policies",
    "loss_without_policies",
    "site",
    "status",
    "ledger_year",
    "ledger_ids",
    "source_ids",
]
"""Columns of :func:`outlook` (JSON rows carry them all; ``null`` where not applicable)."""


DEFAULT_SCENARIO = "taiwan-strait-blockade"
"""The scenario of the outlook's loss rows unless another is chosen."""

WORLDS_AT_ONCE = 5
"""Years whose networks the outlook builds together (and holds at once)."""

LEADING_CAPABILITIES = (
    "logic-5nm-and-below",
    "leading-edge-logic",
    "cowos-packaging",
    "hbm",
)
"""The capabilities ``chiprisk summary`` gives one outlook line each."""


def leading_outlook(
    tables: Tables, year: int, *, additionality: float = 1.0, now: Tables | None = None
) -> pd.DataFrame:
    """Per leading capability: the top located country's share now and in the last ledger year.

    Parameters
    ----------
    tables : Tables
    year : int
        "Now": the as-of year.
    additionality : float, default 1.0
    now : Tables, optional
        The rows "now" is read from (default ``tables``): the facade passes
        this year's actual rows, and ``tables`` with every ledger year.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``country`` (the top country now), ``year``, ``share``
        (percent, now), ``last_year``, ``share_last_with_policies``,
        ``share_last_without_policies`` (every policy's funded sites removed).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = leading_outlook(load_tables(), 2025)
    >>> "cowos-packaging" in set(df["input"])
    True
    """
    years = ledger_years(tables)
    known = set(ledger_inputs(tables))
    wanted = [i for i in LEADING_CAPABILITIES if i in known]
    cols = [
        "input",
        "country",
        "year",
        "share",
        "last_year",
        "share_last_with_policies",
        "share_last_without_policies",
    ]
    if not years or not wanted:
        return pd.DataFrame(columns=cols)
    last = max(years[-1], int(year))
    scale = without_scale(funded_sites(tables)["site"], additionality)
    now_rows = now if now is not None else tables
    now = country_shares(now_rows, year, inputs=[i for i in wanted if i in known])
    w = country_shares(tables, last, inputs=wanted)
    wo = country_shares(tables, last, inputs=wanted, scale=scale)
    rows = []
    for inp in wanted:
        g = now[(now["input"] == inp) & now["share"].notna()]
        if g.empty:
            continue
        top = g.sort_values(["share", "country"], ascending=[False, True]).iloc[0]

        def share(df: pd.DataFrame, inp: str = inp, c: str = top["country"]) -> float:
            hit = df.loc[(df["input"] == inp) & (df["country"] == c), "share"]
            return float(hit.iloc[0]) if len(hit) and hit.iloc[0] == hit.iloc[0] else 0.0

        rows.append(
            (inp, top["country"], int(year), float(top["share"]), last, share(w), share(wo))
        )
    return pd.DataFrame(rows, columns=cols)


def policies_matching(tables: Tables, selectors: Iterable[str] | None) -> list[str]:
    """Policy ids chosen by id or by jurisdiction (``US``, ``JP``, ``eu``); all when None.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> ids = policies_matching(load_tables(), ["JP"])
    >>> "jp-jasm-fab-1-subsidy" in ids, "us-chips-manufacturing-incentives" in ids
    (True, False)
    """
    pol = tables["policies"]
    if selectors is None:
        return sorted(pol["id"])
    chosen: set[str] = set()
    for s in selectors:
        hit = pol.loc[(pol["id"] == s) | (pol["jurisdiction"] == s), "id"]
        if hit.empty:
            known = sorted(set(pol["jurisdiction"]))
            raise UsageError(
                f"--without {s!r}: not a policy id or a jurisdiction with policies "
                f"(jurisdictions: {', '.join(known)})"
            )
        chosen |= set(hit)
    return sorted(chosen)


def _years(tables: Tables, start: int | None, end: int | None) -> list[int]:
    ys = ledger_years(tables)
    if not ys:
        raise UsageError("the data has no capacity ledger (capacity.csv): nothing to project")
    lo = start if start is not None else max(ys[0], 2022)
    hi = end if end is not None else ys[-1]
    if lo > hi:
        raise UsageError(f"--from {lo} is after --to {hi}")
    return list(range(int(lo), int(hi) + 1))


def outlook(
    tables: Tables,
    *,
    inputs: Iterable[str] | None = None,
    start: int | None = None,
    end: int | None = None,
    scenario: str | None = DEFAULT_SCENARIO,
    without: Iterable[str] | None = None,
    additionality: float = 1.0,
    explain: bool = False,
) -> pd.DataFrame:
    """Capacity, concentration and losses per year, with and without policies.

    Parameters
    ----------
    tables : Tables
        Checked rows with a capacity ledger.
    inputs : iterable of str, optional
        Capabilities (default: every capability with ledger rows and their
        parents, e.g. ``leading-edge-logic``).
    start, end : int, optional
        Years (default: the ledger's years from 2022).
    scenario : str or None, default "taiwan-strait-blockade"
        The named scenario of the ``loss`` rows; None for no loss rows (also
        when the default is not in the data).
    without : iterable of str, optional
        Policies (ids or jurisdictions) removed in the "without" world;
        default every policy.
    additionality : float, default 1.0
        Share of funded capacity that would not exist without the money.
    explain : bool, default False
        Add ``ledger`` rows: every ledger row behind the figures, per year.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTLOOK_COLUMNS`. ``capacity`` rows: one per (year, input,
        lens, country); ``concentration`` rows: one per (year, input, lens)
        with the HHI and the top country and its share; ``loss`` rows: one per
        (year, product); ``ledger`` rows (with ``explain``). ``attrs
        ["assumptions"]`` lists what the figures assume.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = outlook(load_tables(), inputs=["cowos-packaging"], start=2025, end=2025)
    >>> sorted(set(df["section"]))
    ['capacity', 'concentration', 'loss']
    """
    years = _years(tables, start, end)
    known = ledger_inputs(tables)
    wanted = list(inputs) if inputs is not None else known
    bad = [i for i in wanted if i not in known]
    if bad:
        raise UsageError(
            f"--input {bad[0]!r} has no capacity ledger rows (capabilities: {', '.join(known)})"
        )
    removed = policies_matching(tables, without)
    sites = sorted(set(funded_sites(tables, removed)["site"]))
    scale = without_scale(sites, additionality)
    note = None
    if scenario == DEFAULT_SCENARIO and scenario not in set(tables.scenarios["id"]):
        scenario, note = None, f"no loss rows: the data has no scenario {DEFAULT_SCENARIO!r}"
    scs = named_scenarios(tables, [scenario]) if scenario else []
    caps_w = capacity_by_year(tables, years)
    caps_wo = capacity_by_year(tables, years, scale=scale)
    by_lens = {}  # every year at once: one group-by per lens and world
    for lens in ("located", "owner"):
        w = _shares_by_year(caps_w, wanted, lens)
        wo = _shares_by_year(caps_wo, wanted, lens)
        m = w.merge(wo, on=["year", "input", "country"], how="outer", suffixes=("", "_wo"))
        m["unit"] = m["unit"].fillna(m["unit_wo"])
        capacity = pd.DataFrame(
            {
                "section": "capacity",
                "year": m["year"],
                "input": m["input"],
                "lens": lens,
                "country": m["country"],
                "capacity": m["capacity"].fillna(0.0),
                "capacity_without_policies": m["capacity_wo"].fillna(0.0),
                "unit": m["unit"],
                "share": m["share"],
                "share_without_policies": m["share_wo"],
            }
        )
        by_lens[lens] = (capacity, _concentration_rows(w, wo, lens))
    parts = []
    worlds: dict = {}
    for k, y in enumerate(years):
        for capacity, concentration in by_lens.values():
            parts.append(capacity[capacity["year"] == y])
            parts.append(concentration[concentration["year"] == y])
        if scs:
            if y not in worlds:  # a few years' networks built together, a few held at once
                worlds = worlds_as_of(tables, years[k : k + WORLDS_AT_ONCE])
            parts.append(_loss_rows(tables, y, scale, scs, caps_w[y], worlds[y]))
        if explain:
            parts.append(_ledger_rows(caps_w[y], y, wanted))
    parts = [p for p in parts if len(p)]
    if parts:
        out = pd.concat(parts, ignore_index=True).reindex(columns=OUTLOOK_COLUMNS)
    else:  # no capacity in place in any of the years asked for
        out = pd.DataFrame(columns=OUTLOOK_COLUMNS)
    out.attrs["assumptions"] = [
        "capacity: the ledger's quantity in place at the end of each year (planned rows count "
        "from their year; paused and cancelled never); one unit per capability",
        f"without policies: {len(removed)} policies removed ({', '.join(removed[:6])}"
        f"{', ...' if len(removed) > 6 else ''}); their {len(sites)} funded sites' capacity "
        f"x (1 - additionality), additionality = {additionality:g}",
        "located = the site's country; owner = the headquarters of the operator's ultimate parent",
        "loss: share of each product's output lost while the scenario lasts; demand in each "
        "year is the capacity operating that year (utilisation held constant)",
    ]
    if note:
        out.attrs["assumptions"].append(note)
    return out


def _shares_by_year(caps: dict[int, pd.DataFrame], inputs: list[str], lens: str) -> pd.DataFrame:
    """:func:`country_shares` of every year at once, with a ``year`` column.

    The same group sums as one call per year (the rows of a group keep their
    order), so the same figures.
    """
    col = {"located": "country", "owner": "owner_country"}[lens]
    # years without rows are left out: their empty frames would turn text columns to object
    frames = [c.assign(_year=y) for y, c in caps.items() if len(c)] or [
        next(iter(caps.values())).assign(_year=0)
    ]
    cap = pd.concat(frames, ignore_index=True)
    cap = cap[cap["input"].isin(inputs)]
    g = cap.groupby(["_year", "input", col], sort=True)
    out = pd.DataFrame({"capacity": g["quantity"].sum(), "unit": g["capacity_unit"].first()})
    out = out.reset_index().rename(columns={"_year": "year", col: "country"})
    out["year"] = out["year"].astype("int64")
    total = out.groupby(["year", "input"])["capacity"].transform("sum")
    out["share"] = np.where(total > 0, 100.0 * out["capacity"] / total.where(total > 0, 1), np.nan)
    out["hhi"] = (out["share"] ** 2).groupby([out["year"], out["input"]]).transform("sum")
    out.loc[total <= 0, "hhi"] = np.nan
    return out[["year", "input", "country", "capacity", "unit", "share", "hhi"]]


def _concentration_rows(w: pd.DataFrame, wo: pd.DataFrame, lens: str) -> pd.DataFrame:
    """The top country of every (year, capability), with and without policies."""
    keys = ["year", "input"]
    g = w.dropna(subset=["share"])
    h = wo.dropna(subset=["share"])
    top = g.sort_values(["year", "input", "share", "country"], ascending=[True, True, False, True])
    top = top.drop_duplicates(keys)
    at = pd.MultiIndex.from_frame(top[keys])
    key = pd.MultiIndex.from_frame(top[["year", "input", "country"]])
    share_wo = h.set_index(["year", "input", "country"])["share"].reindex(key).fillna(0.0)
    return pd.DataFrame(
        {
            "section": "concentration",
            "year": top["year"].to_numpy(),
            "input": top["input"].to_numpy(),
            "lens": lens,
            "country": top["country"].to_numpy(),
            "capacity": g.groupby(keys)["capacity"].sum().reindex(at).to_numpy(),
            "capacity_without_policies": h.groupby(keys)["capacity"]
            .sum()
            .reindex(at)
            .fillna(0.0)
            .to_numpy(),
            "unit": top["unit"].to_numpy(),
            "share": top["share"].to_numpy(),
            "share_without_policies": share_wo.to_numpy(),
            "hhi": top["hhi"].to_numpy(),
            "hhi_without_policies": h.groupby(keys)["hhi"].first().reindex(at).to_numpy(),
        }
    )


def _loss_rows(
    tables: Tables, year: int, scale: dict, scs: list, cap: pd.DataFrame, world: tuple
) -> pd.DataFrame:
    a = expected_losses(tables, year, scenarios=scs, base=world)
    moved = cap["site"].map(lambda s: scale.get(s, 1.0) != 1.0)
    if cap.loc[moved.to_numpy(dtype=bool), "quantity"].sum() > 0:
        b = expected_losses(tables, year, scenarios=scs, scale=scale, base=world)
    else:  # no funded capacity in place this year: the world without is this one
        b = a
    a = a[a["scenario"] != "(expected)"]
    b = b[b["scenario"] != "(expected)"]
    m = a.merge(b, on=["product", "scenario"], suffixes=("", "_wo"))
    return pd.DataFrame(
        {
            "section": "loss",
            "year": year,
            "product": m["product"],
            "scenario": m["scenario"],
            "loss_with_policies": m["loss"],
            "loss_without_policies": m["loss_wo"],
        }
    )


def _ledger_rows(cap: pd.DataFrame, year: int, inputs: list[str]) -> pd.DataFrame:
    cap = cap[cap["input"].isin(inputs)]
    return pd.DataFrame(
        {
            "section": "ledger",
            "year": year,
            "input": cap["input"],
            "lens": "located",
            "country": cap["country"],
            "capacity": cap["quantity"],
            "unit": cap["capacity_unit"],
            "site": cap["site"],
            "status": cap["status"],
            "ledger_year": cap["ledger_year"],
            "ledger_ids": cap["ledger_ids"],
            "source_ids": cap["source_ids"],
        }
    )
