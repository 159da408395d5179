"""Lens rows: each market row as one row per (lens, entity), with its weighted share.

Under ``firm`` and ``hq`` a firm-level row counts for its ultimate parent or
that parent's headquarters country, under ``country`` a country total for its
country, and under ``site`` a site row for its country while an organisation
row is spread over the group's producing sites
(:func:`~chiprisk.graph.model.lenses.site_weights`). The rows come from
:func:`~chiprisk.graph.algorithms.share_rows.market_rows` and stay integer
codes (:class:`LensRows`); :func:`explain_frame` turns them back into a
readable frame for ``explain``.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.algorithms.share_rows import market_rows
>>> t = load_tables()
>>> lr = lens_rows(t, market_rows(t, inputs=["euv-lithography"]), ["firm"])
>>> [str(lr.entities[e]) for e in lr.entity], lr.lo.tolist()
(['asml'], [100.0])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from chiprisk.graph.algorithms.share_rows import (
    _COUNTRY,
    _COUNTRY_LEVEL,
    _FIRM_LEVEL,
    _ORG,
    _RESID,
    _SITE,
    KINDS,
    SHARE_KINDS,
    MarketRows,
    _codes,
    group_codes,
)
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import (
    LENSES,
    canonical_nodes,
    country_site_weights,
    site_weights,
)
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = ["LensRows", "explain_frame", "lens_rows"]


@dataclass(frozen=True)
class LensRows:
    """One row per (market row, lens, entity), with the weighted share interval.

    Attributes
    ----------
    row : ndarray of int
        Index into the :class:`~chiprisk.graph.algorithms.share_rows.MarketRows` arrays.
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
    >>> from chiprisk.graph.algorithms.share_rows import market_rows
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
    >>> from chiprisk.graph.algorithms.share_rows import market_rows
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
