"""Capacity additions: the capacity a policy or ``--add-capacity`` adds, written into the tables.

An :class:`Addition` puts ``amount`` of an input at a site, organisation or
country. :func:`apply_additions` adds it as a supply row where the input's
latest ``capacity``-basis table gives capacities in the same unit, or (ad
hoc additions without a unit) as percentage points of today's market with the
share table renormalised; otherwise the addition is reported as not
comparable. A country target gets a new, unnamed entity there unless the
table is at country level. The what-if (:mod:`~chiprisk.graph.algorithms.whatif`)
then holds demand at today's output: the added capacity is headroom, a
rescaling of the input's shares (``_rescaled_network``).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> parse_addition("JP:logic-foundry:20000", load_tables()).amount
20000.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import supplier_kind
from chiprisk.graph.model.propagation import SupplyNetwork, build_network

__all__ = ["Addition", "apply_additions", "parse_addition"]


@dataclass(frozen=True)
class Addition:
    """Capacity ``amount`` (in ``unit``; None = the table's unit or percent points)
    added for ``input`` at ``target`` (a site, organisation or country).

    Examples
    --------
    >>> Addition("JP", "logic-foundry", 10.0).source
    'ad hoc'
    """

    target: str
    input: str
    amount: float
    unit: str | None = None
    source: str = "ad hoc"
    source_id: str | None = None
    start_year: int | None = None
    """When the capacity starts (policy actions); an addition that started on or
    before the year of the table it would change is already counted there."""


def parse_addition(text: str, tables: Tables) -> Addition:
    """Parse ``site-or-country:input:amount`` (e.g. ``JP:logic-foundry:20000``).

    Parameters
    ----------
    text : str
        The ``--add-capacity`` value.
    tables : Tables
        The rows the target and input are checked against.

    Returns
    -------
    Addition
        In the unit of the input's capacity table, else percentage points.

    Raises
    ------
    UsageError
        Wrong shape, unknown target or input, or a negative amount.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> a = parse_addition("JP:logic-foundry:20000", load_tables())
    >>> a.target, a.input, a.amount
    ('JP', 'logic-foundry', 20000.0)
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise UsageError(f"--add-capacity {text!r}: expected SITE-OR-COUNTRY:INPUT:AMOUNT")
    target, inp, amount = parts
    if target not in ISO_COUNTRIES and tables.kind_of(target) not in ("sites", "organizations"):
        raise UsageError(f"--add-capacity {text!r}: {target!r} is not a site, org or country code")
    if tables.kind_of(inp) != "inputs":
        raise UsageError(f"--add-capacity {text!r}: unknown input {inp!r}")
    try:
        value = float(amount)
    except ValueError:
        raise UsageError(f"--add-capacity {text!r}: {amount!r} is not a number") from None
    if not (value >= 0) or math.isinf(value):
        raise UsageError(f"--add-capacity {text!r}: the amount must be >= 0")
    return Addition(target, inp, value)


def _table_rows(tables: Tables, inp: str, year: int | None, basis: str | None) -> pd.DataFrame:
    s = tables["supplies"]
    s = s[(s["input"] == inp) & s["buyer"].isna()]
    if basis is not None:
        s = s[s["basis"] == basis]
    if year is not None:
        s = s[s["year"] <= year]
    if s.empty:
        return s
    return s[s["year"] == s["year"].max()]


def _capacity_table(tables: Tables, inp: str, year: int | None) -> pd.DataFrame | None:
    """The latest capacity-basis market table as of ``year`` if it is all capacities."""
    rows = _table_rows(tables, inp, year, "capacity")
    if rows.empty:
        return None
    only_cap = (
        rows["share"].isna()
        & rows["share_min"].isna()
        & rows["share_max"].isna()
        & rows["share_qual"].isna()
        & rows["capacity"].notna()
    )
    if not only_cap.all() or rows["capacity_unit"].nunique() != 1:
        return None
    return rows


def _synthetic(tables: Tables, frames: dict, kinds: dict, country: str) -> str:
    """A new organisation and site in ``country`` standing for new, unnamed capacity."""
    org = f"new-capacity-{country.lower()}"
    if org in kinds:
        return f"{org}-site"
    src = tables["sources"]["id"].iloc[0]
    frames["organizations"] = pd.concat(
        [
            frames["organizations"],
            pd.DataFrame(
                [
                    {
                        "id": org,
                        "name": f"New capacity in {country}",
                        "hq_country": country,
                        "source_id": src,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    frames["sites"] = pd.concat(
        [
            frames["sites"],
            pd.DataFrame(
                [
                    {
                        "id": f"{org}-site",
                        "name": f"New capacity in {country}",
                        "operator": org,
                        "country": country,
                        "status": "announced",
                        "kind": "fab",
                        "source_id": src,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    kinds[org] = "organizations"
    kinds[f"{org}-site"] = "sites"
    return f"{org}-site"


def apply_additions(
    tables: Tables, additions: Sequence[Addition], year: int | None
) -> tuple[Tables, pd.DataFrame]:
    """Rows with the capacity additions applied, and what was applied where.

    Returns
    -------
    (Tables, pandas.DataFrame)
        The modified rows (rerun ``concentration()`` on them) and one row per
        addition: ``target``, ``input``, ``amount``, ``unit``, ``applied``
        (bool), ``table_basis``, ``table_year``, ``old_total``, ``new_total``
        (in the table's unit; percent for share tables), ``note``,
        ``source``, ``source_id``.

    Notes
    -----
    O(rows of the touched tables) per addition.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> new, report = apply_additions(t, [Addition("JP", "logic-foundry", 10.0)], 2030)
    >>> report[["applied", "unit", "old_total", "new_total"]].values.tolist()
    [[True, 'percent points', 100.0, 110.0]]
    """
    frames = {k: v.copy() for k, v in tables.frames.items()}
    kinds = dict(tables.kinds)
    new_rows: list[dict] = []
    report = []
    totals: dict[str, tuple[float, float]] = {}
    net: SupplyNetwork | None = None
    for k, add in enumerate(additions):
        cap_tab = _capacity_table(tables, add.input, year)
        base = dict(
            target=add.target,
            input=add.input,
            amount=add.amount,
            unit=add.unit,
            source=add.source,
            source_id=add.source_id,
        )

        def skipped(note: str, basis=None, year=None, base=base) -> dict:
            return {
                **base,
                "applied": False,
                "table_basis": basis,
                "table_year": year,
                "old_total": math.nan,
                "new_total": math.nan,
                "note": note,
            }

        tab = cap_tab
        share_mode = False
        if cap_tab is None or (
            add.unit is not None and cap_tab["capacity_unit"].iloc[0] != add.unit
        ):
            if add.unit is not None:
                report.append(skipped(f"not comparable (no capacity table in {add.unit})"))
                continue
            if net is None:  # the share tables in use, found once for every addition
                net = build_network(tables, year)
            used = net.tables_used[net.tables_used["node"] == add.input]
            if used.empty:
                report.append(skipped("no market-wide share table"))
                continue
            tab = frames["supplies"][frames["supplies"]["id"].isin(used["supply_ids"].iloc[0])]
            if tab["share_qual"].notna().any() or tab["share"].isna().all():
                report.append(
                    skipped(
                        "not comparable (qualitative shares cannot be rescaled)",
                        tab["basis"].iloc[0],
                        int(tab["year"].iloc[0]),
                    )
                )
                continue
            share_mode = True
        table_year = int(tab["year"].iloc[0])
        if add.start_year is not None and add.start_year <= table_year:
            report.append(
                skipped(
                    f"already in the {table_year} table (capacity from {add.start_year})",
                    tab["basis"].iloc[0],
                    table_year,
                )
            )
            continue
        level_country = (tab["supplier"].map(lambda s: supplier_kind(tables, s)) == "country").any()
        target = add.target
        if level_country:
            if tables.kind_of(target) == "sites":
                target = tables["sites"].set_index("id").loc[target, "country"]
            elif tables.kind_of(target) == "organizations":
                target = tables["organizations"].set_index("id").loc[target, "hq_country"]
        elif target in ISO_COUNTRIES:
            target = _synthetic(tables, frames, kinds, target)
        key = add.input
        if share_mode:
            old = totals.get(key, (100.0, 100.0))[1]
            factor = old / (old + add.amount)
            sup = frames["supplies"]
            m = sup["id"].isin(tab["id"]) | sup["id"].isin(
                [r["id"] for r in new_rows if r["input"] == add.input]
            )
            for col in ("share", "share_min", "share_max"):
                sup.loc[m, col] = sup.loc[m, col] * factor
            for r in new_rows:
                if r["input"] == add.input and r.get("share") is not None:
                    r["share"] *= factor
            row = {"share": add.amount * factor}
            new_total, old_total = old + add.amount, totals.get(key, (100.0, 100.0))[0]
            unit = "percent points"
        else:
            old_total = float(tab["capacity"].sum())
            old = totals.get(key, (old_total, old_total))[1]
            row = {"capacity": add.amount, "capacity_unit": tab["capacity_unit"].iloc[0]}
            new_total = old + add.amount
            unit = tab["capacity_unit"].iloc[0]
        totals[key] = (old_total, new_total)
        row.update(
            id=f"whatif-{k}-{add.input}",
            supplier=target,
            input=add.input,
            basis=tab["basis"].iloc[0],
            year=int(tab["year"].iloc[0]),
            confidence="estimate",
            source_id=add.source_id or tab["source_id"].iloc[0],
        )
        new_rows.append(row)
        kinds[row["id"]] = "supplies"
        report.append(
            {
                **base,
                "unit": unit,
                "applied": True,
                "table_basis": row["basis"],
                "table_year": row["year"],
                "old_total": old_total,
                "new_total": new_total,
                "note": None,
            }
        )
    if new_rows:
        frames["supplies"] = pd.concat(
            [frames["supplies"], pd.DataFrame(new_rows)], ignore_index=True
        )
    out = Tables(frames, tables.scenarios, tables.origin, tables.data_hash + "+whatif", kinds)
    cols = [
        "target",
        "input",
        "amount",
        "unit",
        "applied",
        "table_basis",
        "table_year",
        "old_total",
        "new_total",
        "note",
        "source",
        "source_id",
    ]
    return out, pd.DataFrame(report, columns=cols)


def _rescaled_network(
    tables: Tables, applied: pd.DataFrame, year: int | None
) -> tuple[SupplyNetwork, np.ndarray]:
    """The network of the modified rows with demand held at today's output, and the
    headroom per node (added capacity / today's)."""
    net = build_network(tables, year)
    ok = applied[applied["applied"]]
    if ok.empty:
        return net, np.zeros(net.n_nodes)
    factors = np.ones(net.n_nodes)
    for inp, g in ok.groupby("input"):
        if inp in net.node_index:
            factors[net.node_index[inp]] = g["new_total"].max() / g["old_total"].iloc[0]
    W = sp.diags(factors) @ net.W
    W = sp.csr_matrix(W)
    W.sort_indices()
    levels = [replace(lv, w=W[lv.lo : lv.hi]) for lv in net._levels]
    return replace(net, W=W, _levels=levels), factors - 1.0
