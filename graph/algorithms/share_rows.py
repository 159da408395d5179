"""Market-wide share rows and their lens rows, as integer codes.

:func:`~chiprisk.graph.algorithms.concentration.concentration` scores every
market-wide share table under four lenses. On a large network (a million
supply rows) the cost is in preparing the rows, not in the indices: pandas
frames of string columns copied once per lens, string group-bys and merges.
This module does that preparation once, with integer codes for inputs,
bases, suppliers and lens entities, so that every later step is a numpy pass:

- :func:`market_rows` picks the market-wide rows (empty ``buyer``) as of a
  year, gives each its level (``firm`` for organisation and site rows,
  ``country`` for country totals; the residual ``other`` rows belong to every
  level of their table) and its share interval (the conventions of
  :mod:`~chiprisk.graph.algorithms.concentration`);
- :func:`lens_rows` expands them into one row per (market row, lens, entity):
  firm rows roll up to the ultimate parent or its headquarters country, and
  under the site lens spread over the group's producing sites
  (:func:`~chiprisk.graph.model.lenses.site_weights`);
- :func:`explain_frame` turns the lens rows of a selection back into a
  readable frame (the supply row's columns beside its lens entity).

Codes index sorted vocabularies (``MarketRows.inputs``, ``MarketRows.bases``,
``LensRows.entities``, ``LensRows.site_bases``), so ordering by code is
ordering by id.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> m = market_rows(t, inputs=["euv-lithography"])
>>> lr = lens_rows(t, m, ["firm"])
>>> [str(lr.entities[e]) for e in lr.entity], lr.lo.tolist()
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
from chiprisk.graph.model.lenses import (
    LENSES,
    canonical_nodes,
    country_site_weights,
    site_weights,
    supplier_lenses,
    ultimate_parents,
)
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = [
    "KINDS",
    "LEVELS",
    "SHARE_KINDS",
    "LensRows",
    "MarketRows",
    "explain_frame",
    "group_codes",
    "lens_rows",
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


@dataclass(frozen=True)
class LensRows:
    """One row per (market row, lens, entity), with the weighted share interval.

    Attributes
    ----------
    row : ndarray of int
        Index into the :class:`MarketRows` arrays.
    lens : ndarray of int
        Index into :data:`~chiprisk.graph.model.lenses.LENSES`.
    entity : ndarray of int
        Code into :attr:`entities` (-1: the supplier has no entity under the
        lens, e.g. no headquarters country); residual rows have the code of
        ``other``.
    weight : ndarray of float
        The part of the market row counted for the entity (site spreading).
    site_basis : ndarray of int
        Code into :attr:`site_bases`, -1 where not applicable.
    lo, hi : ndarray of float
        The market row's interval times ``weight``.
    residual : ndarray of bool
    entities, site_bases : ndarray of object
        Sorted vocabularies.
    """

    row: NDArray[np.int64]
    lens: NDArray[np.int8]
    entity: NDArray[np.int64]
    weight: NDArray[np.float64]
    site_basis: NDArray[np.int64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    residual: NDArray[np.bool_]
    entities: NDArray[np.object_]
    site_bases: NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.row.size)


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


# -------------------------------------------------------------------- lens rows


def _spread(
    tables: Tables, m: MarketRows, rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.DataFrame]:
    """Site-country weights of organisation rows: (row, spread index, spread table)."""
    firm_of, firms = pd.factorize(m.lenses["firm"].to_numpy(dtype=object), use_na_sentinel=False)
    firm_code = firm_of[m.supplier[rows]]  # per distinct supplier, then per row
    meta = tables["inputs"]
    pos_in = _codes(m.inputs, meta["id"].to_numpy(dtype=object))
    stage_of = np.where(pos_in >= 0, meta["stage"].to_numpy(dtype=object)[pos_in], None)
    if "process_nodes" in meta:
        node_cells = meta["process_nodes"].to_numpy(dtype=object)[pos_in]
        nodes_of = np.array([canonical_nodes(x) for x in node_cells], dtype=object)
        nodes_of[pos_in < 0] = ""
    else:
        nodes_of = np.full(len(m.inputs), "", dtype=object)
    stage_code, stages = pd.factorize(stage_of, use_na_sentinel=False)
    nodes_code, nodes = pd.factorize(nodes_of)
    inp = m.input[rows]
    # one (firm, stage, year, nodes) combination number per row, by a mixed-radix key:
    # distinct while firms x stages x years x node lists < 2**63 (1e6 x 8 x 151 x 1e4 = 1e13)
    year = m.year[rows]
    y0 = int(year.min()) if year.size else 0
    digits = (stage_code[inp], year - y0, nodes_code[inp])
    bases = (len(stages), int(year.max(initial=y0)) - y0 + 1, max(len(nodes), 1))
    key = firm_code.astype(np.int64)
    for digit, base in zip(digits, bases, strict=True):
        key = key * base + digit
    _, first, cid = group_codes(key)
    keys = pd.DataFrame(
        {
            "firm": np.asarray(firms, dtype=object)[firm_code[first]],
            "stage": np.asarray(stages, dtype=object)[stage_code[inp[first]]],
            "year": year[first],
            "nodes": np.asarray(nodes, dtype=object)[nodes_code[inp[first]]],
        }
    )
    spread = country_site_weights(site_weights(tables, keys, m.roots)).reset_index(drop=True)
    key = spread["_key"].to_numpy(dtype=np.int64)
    order = np.argsort(key, kind="stable")
    spread, key = spread.iloc[order].reset_index(drop=True), key[order]
    counts = np.bincount(key, minlength=len(keys))
    starts = np.cumsum(counts) - counts
    n = counts[cid]
    out_rows = np.repeat(rows, n)
    within = np.arange(out_rows.size) - np.repeat(np.cumsum(n) - n, n)
    return out_rows, np.repeat(starts[cid], n) + within, spread


def lens_rows(tables: Tables, m: MarketRows, lenses: Iterable[str] = LENSES) -> LensRows:
    """Expand market rows into one row per (market row, lens, entity).

    Parameters
    ----------
    tables : Tables
    m : MarketRows
        From :func:`market_rows`.
    lenses : iterable of str
        Lenses of :data:`~chiprisk.graph.model.lenses.LENSES` to expand.

    Returns
    -------
    LensRows
        Under ``firm`` and ``hq`` the firm-level rows count for the ultimate
        parent or its headquarters country; under ``country`` the country
        rows for the country; under ``site`` site rows count for their
        country and organisation rows are spread over the group's producing
        sites (``site_basis`` says how). Residual rows count for ``other``.

    Notes
    -----
    O(R log R + S log S) for R market rows and S (firm, stage, year, nodes)
    spreads: the entity vocabulary and the combinations are sorted once, the
    spreads come from one :func:`~chiprisk.graph.model.lenses.site_weights` call
    over the distinct combinations and are expanded with ``numpy.repeat``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> lr = lens_rows(t, market_rows(t, inputs=["euv-lithography"]), ["site"])
    >>> [str(lr.entities[e]) for e in lr.entity], [str(lr.site_bases[b]) for b in lr.site_basis]
    (['NL'], ['site count'])
    """
    wanted = [LENSES.index(x) for x in lenses]
    info = m.lenses
    kind_u = _codes(info["supplier_kind"].to_numpy(dtype=object), KINDS)
    country_u = np.where(kind_u == _COUNTRY, m.suppliers, None)
    per_supplier = {
        "firm": info["firm"].to_numpy(dtype=object),
        "hq": info["hq"].to_numpy(dtype=object),
        "site": info["site_country"].to_numpy(dtype=object),
        "country": country_u,
    }
    firm_level = m.level == _FIRM_LEVEL
    site_lens = LENSES.index("site") in wanted
    org_rows = np.flatnonzero(firm_level & (m.kind == _ORG)) if site_lens else np.zeros(0, int)
    spread = pd.DataFrame({"country": [], "weight": [], "site_basis": []})
    sp_rows = sp_idx = np.zeros(0, dtype=np.int64)
    if org_rows.size:
        sp_rows, sp_idx, spread = _spread(tables, m, org_rows)

    strings = [a[pd.notna(a)] for a in per_supplier.values()]
    strings += [spread["country"].dropna().to_numpy(dtype=object), np.array([RESIDUAL_ID], object)]
    entities = np.sort(pd.unique(np.concatenate(strings).astype(object)))
    vocab = pd.Index(entities)
    resid_code = int(np.searchsorted(entities, RESIDUAL_ID))
    site_bases = np.sort(
        pd.unique(np.append(spread["site_basis"].dropna().to_numpy(dtype=object), "site rows"))
    )

    parts: list[tuple] = []
    for li in wanted:
        name = LENSES[li]
        code_u = _codes(per_supplier[name], vocab)
        if name == "site":
            rows = np.flatnonzero(firm_level & (m.kind != _ORG))
            sb = np.where(m.kind[rows] == _SITE, int(np.searchsorted(site_bases, "site rows")), -1)
            ent = code_u[m.supplier[rows]]
            weight = np.ones(rows.size)
            sp_ent = _codes(spread["country"].to_numpy(dtype=object), vocab)[sp_idx]
            sp_sb = _codes(spread["site_basis"].to_numpy(dtype=object), site_bases)[sp_idx]
            rows = np.concatenate([rows, sp_rows])
            ent = np.concatenate([ent, sp_ent])
            weight = np.concatenate([weight, spread["weight"].to_numpy(dtype=float)[sp_idx]])
            sb = np.concatenate([sb, sp_sb])
        else:
            level = _COUNTRY_LEVEL if name == "country" else _FIRM_LEVEL
            rows = np.flatnonzero(m.level == level)
            ent = code_u[m.supplier[rows]]
            weight = np.ones(rows.size)
            sb = np.full(rows.size, -1, dtype=np.int64)
        resid = m.kind[rows] == _RESID
        ent = np.where(resid, resid_code, ent)
        parts.append((rows, np.full(rows.size, li, dtype=np.int8), ent, weight, sb, resid))
    if not parts:  # no lens asked for
        none = np.zeros(0, np.int64)
        parts.append((none, none.astype(np.int8), none, np.zeros(0), none, none.astype(bool)))
    row, lens, ent, weight, sb, resid = (np.concatenate(c) for c in zip(*parts, strict=True))
    row = row.astype(np.int64)
    return LensRows(
        row=row,
        lens=lens.astype(np.int8),
        entity=ent.astype(np.int64),
        weight=weight.astype(float),
        site_basis=sb.astype(np.int64),
        lo=m.lo[row] * weight,
        hi=m.hi[row] * weight,
        residual=resid.astype(bool),
        entities=entities,
        site_bases=site_bases,
    )


# --------------------------------------------------------------------- explain


def explain_frame(tables: Tables, m: MarketRows, lr: LensRows) -> pd.DataFrame:
    """The lens rows as a frame: the supply row's columns beside its lens entity.

    Returns
    -------
    pandas.DataFrame
        The ``supplies`` columns of each lens row's supply row (``year`` as
        int), plus ``lens``, ``entity``, ``weight``, ``site_basis`` (None
        where not applicable), ``lo`` and ``hi`` (the weighted interval in
        percent) and ``share_kind``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> m = market_rows(t, inputs=["euv-lithography"])
    >>> explain_frame(t, m, lens_rows(t, m, ["hq"]))[["id", "entity", "lo"]].values.tolist()
    [['sup-euv-asml-2025', 'NL', 100.0]]
    """
    out = tables["supplies"].iloc[m.pos[lr.row]].reset_index(drop=True)
    out["year"] = m.year[lr.row]
    site_bases = np.append(lr.site_bases, None)
    text = {
        "lens": np.asarray(LENSES, dtype=object)[lr.lens],
        "entity": np.where(lr.entity >= 0, lr.entities[np.maximum(lr.entity, 0)], None),
        "site_basis": site_bases[np.where(lr.site_basis >= 0, lr.site_basis, -1)],
        "share_kind": np.asarray(SHARE_KINDS, dtype=object)[m.share_kind[lr.row]],
    }
    for name, values in text.items():
        out[name] = pd.Series(values, dtype=object)
    out["weight"] = lr.weight
    out["lo"] = lr.lo
    out["hi"] = lr.hi
    return out
