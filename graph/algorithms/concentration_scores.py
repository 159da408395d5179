"""Score coded share rows: one row of concentration indices per (input, lens, basis, year).

The kernel behind :func:`~chiprisk.graph.algorithms.concentration.concentration`:
given the market rows (:mod:`~chiprisk.graph.algorithms.share_rows`) and their
lens rows (:mod:`~chiprisk.graph.algorithms.lens_rows`), one sort of the lens
rows by (table, entity) gives every index as segment sums, and the interval
bounds and point shares of all tables come at once from
:mod:`~chiprisk.graph.algorithms.grouped_bounds`. The conventions (residual,
point shares, ``hhi_method``) are those documented in
:mod:`~chiprisk.graph.algorithms.concentration`; :data:`COLUMNS` is the
table's column order.

Examples
--------
>>> COLUMNS[:4]
['input', 'input_name', 'stage', 'lens']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pycountry

from chiprisk.graph.algorithms.bands import band_2010, band_2023, sia_bcg_single_region
from chiprisk.graph.algorithms.grouped_bounds import grouped_interval_bounds, grouped_point_shares
from chiprisk.graph.algorithms.lens_rows import LensRows
from chiprisk.graph.algorithms.range_bounds import hhi_range_bounds
from chiprisk.graph.algorithms.share_checks import HHI_MAX
from chiprisk.graph.algorithms.share_rows import MarketRows, group_codes
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import LENSES
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = ["COLUMNS"]

COLUMNS = [
    "input",
    "input_name",
    "stage",
    "lens",
    "basis",
    "year",
    "n_entities",
    "hhi",
    "hhi_low",
    "hhi_high",
    "hhi_method",
    "cr1",
    "cr3",
    "top_entity",
    "top_entity_name",
    "top_share",
    "effective_n",
    "entropy",
    "count_to_75",
    "band_2023",
    "band_2010",
    "over_65",
    "share_total",
    "residual",
    "site_basis",
    "supply_ids",
    "source_ids",
]
"""Columns of :func:`~chiprisk.graph.algorithms.concentration.concentration`, in order."""

_THRESHOLD = 75.0
_ATOL = 1e-9
_LONG_ID = 64  # longer ids sort as Python objects rather than as a fixed-width array


def _names(tables: Tables, ids: Iterable[object]) -> dict[str, str]:
    """Names of those ``ids`` that are organisations or sites."""
    wanted = pd.Index(pd.unique(np.asarray([x for x in ids if isinstance(x, str)], dtype=object)))
    names: dict[str, str] = {}
    for name in ("organizations", "sites"):
        f = tables[name].drop_duplicates("id", keep="last")
        pos = pd.Index(f["id"]).get_indexer(wanted)
        hit = pos >= 0
        names.update(zip(wanted[hit], f["name"].to_numpy(dtype=object)[pos[hit]], strict=True))
    return names


def _entity_name(entity: object, names: dict[str, str]) -> object:
    if not isinstance(entity, str):
        return None
    if entity == RESIDUAL_ID:
        return "other (residual)"
    if entity in names:
        return names[entity]
    c = pycountry.countries.get(alpha_2=entity) if len(entity) == 2 else None
    return getattr(c, "common_name", c.name) if c is not None else entity


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _sorted_ids(values: np.ndarray) -> np.ndarray:
    """Positions that sort string ``values`` (fixed-width when short: C compares)."""
    if len(values) and max(map(len, values)) <= _LONG_ID:
        return np.argsort(values.astype("U"), kind="stable")
    return np.argsort(values, kind="stable")


def _id_lists(
    tables: Tables, m: MarketRows, table: np.ndarray, n_tables: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Per (input, basis, year, level) table: its sorted supply ids and source ids."""
    s = tables["supplies"]
    ids = s["id"].to_numpy(dtype=object)[m.pos]
    if s["id"].is_monotonic_increasing:  # the file lists ids in order (the built-in data does)
        order = np.lexsort((m.pos, table))  # so positions sort like the ids
    else:
        order = _sorted_ids(ids)
        order = order[np.argsort(table[order], kind="stable")]
    counts = np.bincount(table, minlength=n_tables)
    supply = [list(x) for x in np.split(ids[order], np.cumsum(counts)[:-1])]
    src, names = pd.factorize(s["source_id"].to_numpy(dtype=object)[m.pos], sort=True)
    keep = src >= 0
    base = len(names) + 1
    pair = np.unique(table[keep].astype(np.int64) * base + src[keep])
    flat = np.asarray(names, dtype=object)[pair % base]
    per = np.bincount(pair // base, minlength=n_tables)
    sources = [list(x) for x in np.split(flat, np.cumsum(per)[:-1])]
    return supply, sources


def _segment_sum(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(group, values, minlength=n)


def _score(tables: Tables, m: MarketRows, lr: LensRows, exact_bounds: bool = False) -> pd.DataFrame:
    """Per (input, lens, basis, year) table: HHI, bounds and the other indices."""
    if not len(lr):
        return _empty()
    row = lr.row
    # one sort: rows by (input, lens, basis, year) table, then entity (codes in id order)
    base = len(lr.entities) + 1
    none = base - 1  # rows without an entity under the lens
    table_key = m.table_key(m.input[row] * len(LENSES) + lr.lens, m.basis[row], m.year[row])
    pair_key = table_key * base + np.where(lr.entity >= 0, lr.entity, none)
    pairs, pair_row, inverse = group_codes(pair_key)
    new_table = np.ones(pairs.size, dtype=bool)
    new_table[1:] = pairs[1:] // base != pairs[:-1] // base
    pair_k = np.cumsum(new_table) - 1
    n_keys = int(pair_k[-1]) + 1
    first = pair_row[new_table]
    kid = pair_k[inverse]
    fr = row[first]
    inputs = tables["inputs"]
    in_pos = pd.Index(inputs["id"]).get_indexer(m.inputs[m.input[fr]])
    found = in_pos >= 0
    cols = {
        "input": m.inputs[m.input[fr]],
        "lens": np.asarray(LENSES, dtype=object)[lr.lens[first]],
        "basis": m.bases[m.basis[fr]],
        "input_name": np.where(found, inputs["name"].to_numpy(dtype=object)[in_pos], None),
        "stage": np.where(found, inputs["stage"].to_numpy(dtype=object)[in_pos], None),
    }
    meta = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    meta["year"] = m.year[fr]

    # how the site lens located each table's rows, ";"-joined in name order
    with_basis = ~lr.residual & (lr.site_basis >= 0)
    nb = len(lr.site_bases)
    used = np.unique(kid[with_basis] * nb + lr.site_basis[with_basis])
    joined: list[list[str]] = [[] for _ in range(n_keys)]
    for k, b in zip((used // nb).tolist(), (used % nb).tolist(), strict=True):
        joined[k].append(lr.site_bases[b])
    meta["site_basis"] = pd.Series([";".join(x) if x else None for x in joined], dtype=object)

    # supply and source ids, once per (input, basis, year, level) table
    table, t_first = m.table, m.table_row
    supply, sources = _id_lists(tables, m, table, t_first.size)
    level = np.where(lr.lens[first] == LENSES.index("country"), 1, 0)
    t_key = m.table_key(m.input[t_first], m.basis[t_first], m.year[t_first]) * 2 + m.level[t_first]
    t_of = np.searchsorted(t_key, m.table_key(m.input[fr], m.basis[fr], m.year[fr]) * 2 + level)
    meta["supply_ids"] = pd.Series([supply[j] for j in t_of], dtype=object)
    meta["source_ids"] = pd.Series([sources[j] for j in t_of], dtype=object)

    # rows summed per (table, entity); the residual apart, rows without an entity drop out
    lo_sum = np.bincount(inverse, lr.lo, minlength=pairs.size)
    hi_sum = np.bincount(inverse, lr.hi, minlength=pairs.size)
    resid = np.bincount(inverse, lr.residual, minlength=pairs.size) > 0
    r = np.bincount(pair_k, np.where(resid, (lo_sum + hi_sum) / 2.0, 0.0), minlength=n_keys)
    ecode = pairs % base
    listed = ~resid & (ecode != none)
    ek, ecode = pair_k[listed], ecode[listed]
    e_lo = np.clip(lo_sum[listed], 0.0, 100.0)
    e_hi = np.maximum(np.clip(hi_sum[listed], 0.0, 100.0), e_lo)
    sum_lo = _segment_sum(e_lo, ek, n_keys)
    total = np.maximum(100.0, sum_lo + r)
    inexact = (e_hi - e_lo) > _ATOL
    in_range = np.zeros(n_keys, dtype=bool)
    in_range[ek[inexact]] = True

    low = _segment_sum(e_lo * e_lo, ek, n_keys)
    high = low + (total - sum_lo) ** 2
    point_hhi = low.copy()
    p = e_lo.copy()
    relaxed = np.zeros(n_keys, dtype=bool)
    rows = in_range[ek]
    if rows.any():
        k_r = ek[rows]
        lo_r, hi_r = e_lo[rows], e_hi[rows]
        low_r, high_r, exact_r = grouped_interval_bounds(k_r, lo_r, hi_r, total)
        high = np.where(in_range, high_r, high)
        relaxed = in_range & ~exact_r
        if exact_bounds:
            for k in np.flatnonzero(relaxed):
                sel = k_r == k
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", RuntimeWarning)
                    _, high[k] = hhi_range_bounds(lo_r[sel], hi_r[sel], total=float(total[k]))
                relaxed[k] = bool(caught)
        p_r = grouped_point_shares(k_r, lo_r, hi_r, total - r)
        p[rows] = p_r
        dot = np.bincount(k_r, p_r * p_r, minlength=n_keys)
        point_hhi = np.where(in_range, np.minimum(np.maximum(dot, low), high), point_hhi)
    method = np.where(
        relaxed,
        "interval midpoints, relaxed upper bound",
        np.where(
            in_range,
            "interval midpoints",
            np.where(total - sum_lo > _ATOL, "residual fragmented", "exact"),
        ),
    )

    # ranking: by point share, ties by entity id (codes are in id order)
    order = np.lexsort((-p, ek))  # stable: rows are already in (table, entity id) order
    ek, ecode, p = ek[order], ecode[order], p[order]
    n_ent = np.bincount(ek, minlength=n_keys)
    start = np.cumsum(n_ent) - n_ent
    rank = np.arange(ek.size) - start[ek]
    cum = pd.Series(p).groupby(ek, sort=False).cumsum().to_numpy()
    has = n_ent > 0
    top_p = np.full(n_keys, np.nan)
    top_p[has] = p[start[has]]
    top_e = np.full(n_keys, None, dtype=object)
    top_e[has] = lr.entities[ecode[start[has]]]
    cr3 = np.full(n_keys, np.nan)
    cr3[has] = _segment_sum(np.where(rank < 3, p, 0.0), ek, n_keys)[has]
    reached = cum >= _THRESHOLD - _ATOL
    reach = np.full(n_keys, ek.size + 1, dtype=np.int64)
    np.minimum.at(reach, ek[reached], rank[reached] + 1)
    sum_p = _segment_sum(p, ek, n_keys)

    # entropy: point shares of the market, the residual (and any gap) as one entity
    market = np.maximum(100.0, sum_p + r)
    f = p / market[ek]
    h = -_segment_sum(f * np.log(np.where(f > 0, f, 1.0)), ek, n_keys)
    g = (market - sum_p) / market
    h -= g * np.log(np.where(g > 0, g, 1.0))

    h = h + 0.0  # no negative zero
    hhi = np.minimum(point_hhi, HHI_MAX)
    out = meta
    out["n_entities"] = n_ent
    out["hhi"] = hhi
    out["hhi_low"] = np.minimum(low, hhi)
    out["hhi_high"] = np.maximum(np.minimum(high, HHI_MAX), hhi)
    out["hhi_method"] = method
    out["cr1"] = top_p
    out["cr3"] = cr3
    out["top_entity"] = top_e
    names = _names(tables, top_e)
    distinct, at = np.unique(np.where(has, top_e, ""), return_inverse=True)
    named = np.array([_entity_name(x, names) if x else None for x in distinct], dtype=object)
    out["top_entity_name"] = named[at.reshape(-1)]
    out["top_share"] = top_p
    with np.errstate(divide="ignore"):
        out["effective_n"] = np.where(hhi > 0, HHI_MAX / np.where(hhi > 0, hhi, 1.0), np.nan)
    out["entropy"] = h
    count_to_75 = pd.array(reach, dtype="Int64")
    count_to_75[reach > ek.size] = pd.NA  # the listed entities never reach 75 %
    out["count_to_75"] = count_to_75
    out["band_2023"] = [band_2023(x) for x in hhi]
    out["band_2010"] = [band_2010(x) for x in hhi]
    out["over_65"] = [
        bool(sia_bcg_single_region(min(x, 100.0))) if x == x else False for x in top_p
    ]
    out["share_total"] = sum_p + r
    out["residual"] = r
    return out[COLUMNS]  # keys sort as input, lens (LENSES order), basis, year
