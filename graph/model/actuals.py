"""The default as-of year: this calendar year, with its latest actual figures only.

Without ``--year`` every analysis is as of the current calendar year and uses
*actual* figures: a ``supplies`` or ``capacity`` row whose ``year`` lies after
the publication year of its source is a forecast and is left out, and so is a
ledger row that states a plan (status ``planned`` or ``announced``) rather
than capacity in place; the latest earlier row stands instead (installed
capacity stays in place after its last row). Asking for a year
(``--year 2030``) keeps every row up to that year, forecasts included.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> a = actual_rows(t)
>>> len(a["supplies"]) <= len(t["supplies"]), default_year() >= 2026
(True, True)
"""

from __future__ import annotations

import datetime

import pandas as pd

from chiprisk.graph.io.loader import Tables

__all__ = ["PLAN_STATUSES", "actual_rows", "default_year", "forecast_mask"]

PLAN_STATUSES = ("planned", "announced")
"""Ledger statuses that state a plan, not capacity in place."""


def default_year() -> int:
    """The default as-of year: the current calendar year.

    Examples
    --------
    >>> default_year() == __import__("datetime").date.today().year
    True
    """
    return datetime.date.today().year


def _published_year(tables: Tables) -> dict[str, int]:
    src = tables["sources"]
    text = src["published"].astype("string").str[:4]
    years = (
        pd.to_numeric(text, errors="coerce")
        .astype("Float64")
        .to_numpy(dtype=float, na_value=float("nan"))
    )
    return {s: int(y) for s, y in zip(src["id"], years, strict=True) if y == y}


def forecast_mask(tables: Tables, table: str) -> pd.Series:
    """True for the forecast rows of ``table``: a year after the source's publication, or a plan.

    Parameters
    ----------
    tables : Tables
    table : str
        ``supplies`` or ``capacity``.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``tables[table]``; rows whose source has no date are actual.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> m = forecast_mask(t, "capacity")
    >>> bool(m.any()), bool(t["capacity"].loc[m, "status"].isin(PLAN_STATUSES).any())
    (True, True)
    """
    df = tables.frames.get(table)
    if df is None or df.empty:
        return pd.Series(False, index=getattr(df, "index", None), dtype=bool)
    pub = df["source_id"].map(_published_year(tables))
    year = pd.to_numeric(df["year"], errors="coerce")
    later = (year > pub).fillna(False).astype(bool)
    if "status" in df:
        later |= df["status"].isin(PLAN_STATUSES).to_numpy()
    return later


def actual_rows(tables: Tables) -> Tables:
    """The rows without forecasts: ``supplies`` and ``capacity`` rows of a later year
    than their source's publication are dropped.

    Parameters
    ----------
    tables : Tables

    Returns
    -------
    Tables
        A new Tables (the input is not modified); ``data_hash`` gains ``+actual``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = actual_rows(load_tables())
    >>> t.data_hash.endswith("+actual")
    True
    """
    frames = dict(tables.frames)
    for name in ("supplies", "capacity"):
        if name in frames and not frames[name].empty:
            frames[name] = frames[name][~forecast_mask(tables, name)].reset_index(drop=True)
    return Tables(
        frames, tables.scenarios, tables.origin, tables.data_hash + "+actual", tables.kinds
    )
