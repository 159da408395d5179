"""Policy actions as of a year: what each action of the selected policies does.

A policy's rows in ``policy_actions.csv`` are read as of a year: a capacity
action (``adds_capacity`` + ``capacity_unit`` + ``input``) counts when its
start year (``effective_year``, else the target site's ``start_year``) is on
or before the year; a ``restricts`` action counts from its effective year;
conditions are listed. Money is converted with :mod:`chiprisk.graph.model.fx`
at the policy's enactment year (else the as-of year).
:func:`missing_capacity_tables` lists the inputs whose added capacity has no
capacity table in its unit to land in.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> int(policy_actions(load_tables(), None, 2030)["counted"].sum()) > 0
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from chiprisk.graph.algorithms.additions import _capacity_table
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.fx import convert, rate

__all__ = ["check_currency", "missing_capacity_tables", "policy_actions"]


def _policy_ids(tables: Tables, ids: str | Iterable[str] | None) -> list[str]:
    known = list(tables["policies"]["id"])
    if ids is None:
        return known
    wanted = [ids] if isinstance(ids, str) else list(ids)
    import difflib

    for p in wanted:
        if p not in known:
            close = difflib.get_close_matches(p, known, n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UsageError(f"unknown policy {p!r}.{hint} (see `chiprisk policies`)")
    return wanted


def _year_of(value: object) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


def check_currency(tables: Tables, currency: str) -> None:
    """Raise a UsageError unless money can be converted into ``currency``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> check_currency(load_tables(), "EUR") is None
    True
    """
    try:
        rate(tables, currency, None)
    except UsageError as exc:
        raise UsageError(f"--currency {currency!r}: {exc}") from None


def _money(tables: Tables, amount, currency, year, to: str) -> tuple[float, str | None]:
    if amount is None or amount != amount or not isinstance(currency, str):
        return math.nan, None
    try:
        c = convert(tables, float(amount), currency, to, year)
    except UsageError as exc:
        return math.nan, str(exc)
    return c.amount, c.note


def policy_actions(
    tables: Tables, policy_ids: str | Iterable[str] | None, year: int, currency: str = "USD"
) -> pd.DataFrame:
    """The selected policies' actions as of ``year``, each with what it does.

    Parameters
    ----------
    tables : Tables
    policy_ids : str or iterable of str, optional
        Policy ids (None: every policy).
    year : int
        The as-of year (capacity counts from its start year).
    currency : str, default "USD"
        Money is converted to this currency at the enactment year's rate.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``policy_name``, ``action_id``, ``action``, ``target``,
        ``target_kind``, ``country`` (of a site target), ``input``,
        ``adds_capacity``, ``capacity_unit``, ``start_year``, ``start_from``
        (``effective_year``, ``site start_year`` or None), ``counted``
        (capacity with start year <= year; restrictions in effect),
        ``amount``, ``currency``, ``amount_<to>``, ``fx``, ``condition``,
        ``source_id``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> acts = policy_actions(load_tables(), "jp-jasm-fab-1-subsidy", 2030)
    >>> acts[["action_id", "counted"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['pa-jp-jasm-fab-1-conditions', False], ['pa-jp-jasm-fab-1-subsidy', True],
     ['pa-jp-jasm-fab-1-wafer-capacity', True]]
    """
    check_currency(tables, currency)
    ids = _policy_ids(tables, policy_ids)
    pol = tables["policies"].set_index("id")
    acts = tables["policy_actions"]
    acts = acts[acts["policy"].isin(ids)]
    sites = tables["sites"].set_index("id")
    rows = []
    for _, a in acts.iterrows():
        target = a["target"]
        kind = tables.kind_of(target)
        eff = _year_of(a["effective_year"])
        start, how = eff, "effective_year" if eff is not None else None
        if start is None and kind == "sites":
            start = _year_of(sites.loc[target, "start_year"])
            how = "site start_year" if start is not None else None
        adds = a["adds_capacity"]
        has_cap = adds == adds and adds is not None and isinstance(a["input"], str)
        if has_cap:
            counted = start is not None and start <= year
        elif a["action"] == "restricts":
            counted = eff is None or eff <= year
        else:
            counted = False
        fx_year = _year_of(pol.loc[a["policy"], "enacted"]) or year
        money, note = _money(tables, a["amount"], a["currency"], fx_year, currency)
        rows.append(
            {
                "policy": a["policy"],
                "policy_name": pol.loc[a["policy"], "name"],
                "action_id": a["id"],
                "action": a["action"],
                "target": target,
                "target_kind": kind,
                "country": sites.loc[target, "country"] if kind == "sites" else None,
                "input": a["input"],
                "adds_capacity": adds if has_cap else math.nan,
                "capacity_unit": a["capacity_unit"] if has_cap else None,
                "start_year": start,
                "start_from": how,
                "counted": bool(counted),
                "amount": a["amount"],
                "currency": a["currency"],
                f"amount_{currency.lower()}": money,
                "fx": note,
                "condition": a["condition"],
                "source_id": a["source_id"],
            }
        )
    cols = [
        "policy",
        "policy_name",
        "action_id",
        "action",
        "target",
        "target_kind",
        "country",
        "input",
        "adds_capacity",
        "capacity_unit",
        "start_year",
        "start_from",
        "counted",
        "amount",
        "currency",
        f"amount_{currency.lower()}",
        "fx",
        "condition",
        "source_id",
    ]
    return pd.DataFrame(rows, columns=cols)


def missing_capacity_tables(tables: Tables, year: int) -> pd.DataFrame:
    """Inputs whose policies add capacity but that have no capacity table in that unit.

    Parameters
    ----------
    tables : Tables
    year : int
        The as-of year.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``capacity_unit``, ``policies`` (;-joined), ``capacity_added``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> missing_capacity_tables(load_tables(), 2030)["input"].tolist()[:2]
    ['advanced-packaging', 'leading-edge-logic']
    """
    acts = policy_actions(tables, None, year)
    acts = acts[acts["adds_capacity"].notna()]
    out = []
    for (inp, unit), g in acts.groupby(["input", "capacity_unit"], sort=True):
        tab = _capacity_table(tables, inp, year)
        if tab is None or tab["capacity_unit"].iloc[0] != unit:
            out.append(
                (inp, unit, ";".join(sorted(set(g["policy"]))), float(g["adds_capacity"].sum()))
            )
    return pd.DataFrame(out, columns=["input", "capacity_unit", "policies", "capacity_added"])
