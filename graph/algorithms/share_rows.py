"""Market-wide share rows as integer codes: which rows a concentration score uses.

:func:`~chiprisk.graph.algorithms.concentration.concentration` scores every
market-wide share table under four lenses. On a large network (a million
supply rows) the cost is in preparing the rows, not in the indices: pandas
frames of string columns copied once per lens, string group-bys and merges.
This module does the first half of that preparation once, with integer codes
for inputs, bases and suppliers, so that every later step is a numpy pass:

- :func:`market_rows` picks the market-wide rows (empty ``buyer``) as of a
  year, gives each its level (``firm`` for organisation and site rows,
  ``country`` for country totals; the residual ``other`` rows belong to every
  level of their table) and its share interval (the conventions of
  :mod:`~chiprisk.graph.algorithms.concentration`);
- :func:`group_codes` numbers distinct integer keys (the tables, the
  (table, entity) pairs) without a stable sort.

:mod:`~chiprisk.graph.algorithms.lens_rows` expands the market rows into one
row per (market row, lens, entity) and back into a readable frame.

Codes index sorted vocabularies (``MarketRows.inputs``, ``MarketRows.bases``),
so ordering by code is ordering by id.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> m = market_rows(t, inputs=["euv-lithography"])
>>> [str(m.suppliers[s]) for s in m.supplier], m.lo.tolist()
(['asml'], [100.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import supplier_lenses, ultimate_parents

__all__ = [
    "KINDS",
    "LEVELS",
    "SHARE_KINDS",
    "MarketRows",
    "group_codes",
    "market_rows",
]

LEVELS = ("firm", "country")
"""Levels of a share table: firm (organisation and site rows) or country totals."""

KINDS = ("organization", "site", "country", "residual")
"""Supplier kinds a market row can have (``MarketRows.kind`` indexes this)."""

SHARE_KINDS = ("exact", "range", "qualitative", "capacity", "unknown")
"""How a row's share interval was found (``MarketRows.share_kind`` indexes this)."""

_ORG, _SITE, _COUNTRY, _RESID = range(4)
_FIRM_LEVEL, _COUNTRY_LEVEL = range(2)
_EXACT, _RANGE, _QUAL, _CAPACITY, _UNKNOWN = range(5)


@dataclass(frozen=True)
class MarketRows:
    """Market-wide supply rows as of a year: one entry per (supply row, level).

    A residual row appears once per level its (input, basis, year) table has.
    Arrays are aligned; codes index the sorted vocabularies.

    Attributes
    ----------
    pos : ndarray of int
        The row's position in ``tables["supplies"]``.
    input, basis : ndarray of int
        Codes into :attr:`inputs` and :attr:`bases`.
    year : ndarray of int
    level : ndarray of int
        Index into :data:`LEVELS`.
    kind : ndarray of int
        The supplier's kind, index into :data:`KINDS`.
    supplier : ndarray of int
        Code into :attr:`suppliers`.
    lo, hi : ndarray of float
        The row's share interval in percent.
    share_kind : ndarray of int
        Index into :data:`SHARE_KINDS`.
    table : ndarray of int
        The row's (input, basis, year, level) share table, numbered in that
        sort order.
    table_row : ndarray of int
        Per table, the index of one of its rows.
    inputs, bases, suppliers : ndarray of object
        Vocabularies (``inputs`` and ``bases`` sorted).
    lenses : pandas.DataFrame
        :func:`~chiprisk.graph.model.lenses.supplier_lenses` of :attr:`suppliers`.
    roots : dict
        :func:`~chiprisk.graph.model.lenses.ultimate_parents` of the organisations.
    """

    pos: NDArray[np.int64]
    input: NDArray[np.int64]
    basis: NDArray[np.int64]
    year: NDArray[np.int64]
    level: NDArray[np.int8]
    kind: NDArray[np.int8]
    supplier: NDArray[np.int64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    share_kind: NDArray[np.int8]
    table: NDArray[np.int64]
    table_row: NDArray[np.int64]
    inputs: NDArray[np.object_]
    bases: NDArray[np.object_]
    suppliers: NDArray[np.object_]
    lenses: pd.DataFrame
    roots: dict[str, str]

    def __len__(self) -> int:
        return int(self.pos.size)

    def table_key(
        self, input_code: NDArray[np.int64], basis: NDArray[np.int64], year: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """One int per (input code, basis code, year), ordered as those are.

        ``input_code`` may be scaled (``input * k + j``, ``0 <= j < k``) to key
        a finer split of each input, such as its lenses.
        """
        return _radix(input_code, basis, year, len(self.bases), self.year)


def _radix(
    input_code: NDArray[np.int64],
    basis: NDArray[np.int64],
    year: NDArray[np.int64],
    n_bases: int,
    years: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Mixed-radix key of (input, basis, year); ``years`` spans the possible years.

    Each digit stays below its radix, so keys are distinct and sort like the
    tuples; int64 holds them while inputs x bases x years stays below 9e18.
    """
    y0 = int(years.min()) if years.size else 0
    ny = int(years.max()) - y0 + 1 if years.size else 1
    return (input_code.astype(np.int64) * max(n_bases, 1) + basis) * ny + (year - y0)


# ------------------------------------------------------------------ market rows


def group_codes(
    key: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Distinct keys (sorted), the index of one row of each, and each row's key number.

    ``numpy.unique(key, return_index=True, return_inverse=True)`` except that
    the row index is any row of the key, not the first: ``numpy.unique`` then
    needs a stable sort, 3-4x slower on millions of keys.

    Examples
    --------
    >>> uniq, row, inverse = group_codes(np.array([7, 3, 7]))
    >>> uniq.tolist(), inverse.tolist(), sorted(row.tolist())[0]
    ([3, 7], [1, 0, 1], 0)
    """
    order = np.argsort(key)
    ordered = key[order]
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(ordered.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], order[new], inverse


def _codes(values: NDArray[np.object_], vocab: Sequence[str] | pd.Index) -> NDArray[np.int64]:
    """Positions of ``values`` in ``vocab`` (-1 where absent)."""
    index = vocab if isinstance(vocab, pd.Index) else pd.Index(vocab)
    return index.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)


def _selection(
    tables: Tables,
    inputs: Iterable[str] | None,
    stage: str | None,
    basis: str | None,
) -> NDArray[np.int64]:
    s = tables["supplies"]
    keep = np.array(s["buyer"].isna(), dtype=bool)
    if inputs is not None:
        keep &= s["input"].isin(list(inputs)).to_numpy(dtype=bool)
    if stage is not None:
        meta = tables["inputs"]
        of_stage = meta.loc[(meta["stage"] == stage).to_numpy(dtype=bool), "id"]
        keep &= s["input"].isin(of_stage).to_numpy(dtype=bool)
    if basis is not None:
        keep &= (s["basis"] == basis).to_numpy(dtype=bool)
    return np.flatnonzero(keep)


def _with_levels(
    kind: NDArray[np.int8], group: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """Rows and levels: listed rows once, residual rows once per level of their table."""
    resid = kind == _RESID
    listed = np.flatnonzero(~resid)
    level = np.where(kind[listed] == _COUNTRY, _COUNTRY_LEVEL, _FIRM_LEVEL).astype(np.int8)
    rows, levels = [listed], [level]
    r = np.flatnonzero(resid)
    n = int(group.max()) + 1 if group.size else 0
    for lv in (_FIRM_LEVEL, _COUNTRY_LEVEL):
        present = np.bincount(group[listed][level == lv], minlength=n) > 0
        chosen = r[present[group[r]]]
        rows.append(chosen)
        levels.append(np.full(chosen.size, lv, dtype=np.int8))
    return np.concatenate(rows), np.concatenate(levels)


def _intervals(
    s: pd.DataFrame, pos: NDArray[np.int64], table: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8]]:
    """Share interval and share kind of each row (``table``: its share table number)."""
    share = s["share"].to_numpy(dtype=float)[pos]
    smin = s["share_min"].to_numpy(dtype=float)[pos]
    smax = s["share_max"].to_numpy(dtype=float)[pos]
    has_share = ~np.isnan(share)
    has_range = ~has_share & (~np.isnan(smin) | ~np.isnan(smax))
    q_lo = np.full(pos.size, np.nan)
    q_hi = np.full(pos.size, np.nan)
    candidates = np.flatnonzero(~has_share & ~has_range)
    if candidates.size:
        qual = s["share_qual"].to_numpy(dtype=object)[pos[candidates]]
        labels = {str(k).lower(): v for k, v in QUALITATIVE_SHARE_RANGES.items()}
        for j, q in zip(candidates, qual, strict=True):
            if isinstance(q, str) and q.lower() in labels:
                q_lo[j], q_hi[j] = labels[q.lower()]
    has_qual = ~has_share & ~has_range & ~np.isnan(q_lo)
    lo = np.where(has_share, share, np.where(has_range, np.nan_to_num(smin, nan=0.0), q_lo))
    hi = np.where(has_share, share, np.where(has_range, np.nan_to_num(smax, nan=100.0), q_hi))
    kind = np.select([has_share, has_range, has_qual], [_EXACT, _RANGE, _QUAL], _CAPACITY)
    kind = kind.astype(np.int8)

    # capacity-only rows: shares from capacities where the whole table has no shares
    cap_only = kind == _CAPACITY
    if cap_only.any():
        n = int(table.max()) + 1
        no_shares = np.bincount(table[~cap_only], minlength=n) == 0
        capacity = s["capacity"].to_numpy(dtype=float)[pos]
        unit = s["capacity_unit"].to_numpy(dtype=object)[pos]
        ucode, _ = pd.factorize(unit)
        has_unit = ucode >= 0
        pairs = np.unique(table[has_unit] * (int(ucode.max()) + 1) + ucode[has_unit])
        units = np.bincount(pairs // (int(ucode.max()) + 1), minlength=n)
        total = np.bincount(table, np.nan_to_num(capacity, nan=0.0), minlength=n)
        derive = cap_only & no_shares[table] & (units[table] == 1) & (total[table] > 0)
        derive &= ~np.isnan(capacity)
        pct = 100.0 * capacity / np.where(total[table] > 0, total[table], 1.0)
        lo = np.where(derive, pct, lo)
        hi = np.where(derive, pct, hi)
        unknown = cap_only & ~derive
        lo = np.where(unknown, 0.0, lo)
        hi = np.where(unknown, 100.0, hi)
        kind = np.where(unknown, _UNKNOWN, kind).astype(np.int8)
    return lo.astype(float), hi.astype(float), kind


def market_rows(
    tables: Tables,
    inputs: Iterable[str] | None = None,
    stage: str | None = None,
    basis: str | None = None,
    year: int | None = None,
) -> MarketRows:
    """The market-wide supply rows to score, as of ``year``, with levels and shares.

    Parameters
    ----------
    tables : Tables
        Checked rows from :func:`chiprisk.graph.io.loader.load_tables`.
    inputs : iterable of str, optional
        Only these input ids (checked by the caller).
    stage, basis : str, optional
        Only inputs of this stage; only rows of this basis.
    year : int, optional
        Per (input, basis, level) the latest year ``<= year`` (``None``: the
        latest).

    Returns
    -------
    MarketRows
        Rows whose supplier is unknown to the tables are left out.

    Raises
    ------
    UsageError
        ``year`` is before every selected row.

    Notes
    -----
    O(R log R) for R supply rows: string columns are factorised once, the
    supplier roll-ups are computed per distinct supplier.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> m = market_rows(load_tables(), inputs=["euv-lithography"])
    >>> [LEVELS[v] for v in m.level], m.lo.tolist(), list(m.inputs)
    (['firm'], [100.0], ['euv-lithography'])
    """
    s = tables["supplies"]
    pos = _selection(tables, inputs, stage, basis)
    suppliers = s["supplier"].to_numpy(dtype=object)[pos]
    sup_code, sup_u = pd.factorize(suppliers)
    roots = ultimate_parents(tables["organizations"])
    info = supplier_lenses(tables, pd.Series(np.asarray(sup_u, dtype=object)), roots)
    kind_u = _codes(info["supplier_kind"].to_numpy(dtype=object), KINDS).astype(np.int8)
    known = kind_u[sup_code] >= 0
    pos, sup_code = pos[known], sup_code[known]
    in_code, in_u = pd.factorize(s["input"].to_numpy(dtype=object)[pos], sort=True)
    b_code, b_u = pd.factorize(s["basis"].to_numpy(dtype=object)[pos], sort=True)
    yr = np.asarray(s["year"].to_numpy()[pos], dtype=np.int64)
    kind = kind_u[sup_code]
    empty = MarketRows(
        pos=pos[:0],
        input=in_code[:0],
        basis=b_code[:0],
        year=yr[:0],
        level=kind[:0],
        kind=kind[:0],
        supplier=sup_code[:0],
        lo=np.zeros(0),
        hi=np.zeros(0),
        share_kind=kind[:0],
        table=sup_code[:0].astype(np.int64),
        table_row=sup_code[:0].astype(np.int64),
        inputs=np.asarray(in_u, dtype=object),
        bases=np.asarray(b_u, dtype=object),
        suppliers=np.asarray(sup_u, dtype=object),
        lenses=info,
        roots=roots,
    )
    if not pos.size:
        return empty
    # the (input, basis, year) table of each row, to give residual rows their levels
    _, _, group = group_codes(_radix(in_code, b_code, yr, len(b_u), yr))
    rows, level = _with_levels(kind, group)

    if year is not None:
        before = yr[rows] <= year
        if not before.any() and rows.size:
            raise UsageError(
                f"no market-wide share data as of {year} for the selection "
                f"(the earliest year with data is {int(yr[rows].min())})"
            )
        rows, level = rows[before], level[before]
    # latest year per (input, basis, level)
    key = (in_code[rows].astype(np.int64) * max(len(b_u), 1) + b_code[rows]) * 2 + level
    latest = pd.Series(yr[rows]).groupby(key).transform("max").to_numpy()
    keep = yr[rows] == latest
    rows, level = rows[keep], level[keep]

    in_code, b_code, yr = in_code[rows].astype(np.int64), b_code[rows].astype(np.int64), yr[rows]
    # share intervals need each row's (input, basis, year, level) table
    _, table_row, table = group_codes(_radix(in_code, b_code, yr, len(b_u), yr) * 2 + level)
    lo, hi, share_kind = _intervals(s, pos[rows], table)
    return MarketRows(
        pos=pos[rows],
        input=in_code,
        basis=b_code,
        year=yr,
        level=level,
        kind=kind[rows],
        supplier=sup_code[rows].astype(np.int64),
        lo=lo,
        hi=hi,
        share_kind=share_kind,
        table=table,
        table_row=table_row,
        inputs=empty.inputs,
        bases=empty.bases,
        suppliers=empty.suppliers,
        lenses=info,
        roots=roots,
    )
