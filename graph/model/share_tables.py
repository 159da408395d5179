"""Choose and value the share table of every (input, buyer) from the supplies rows.

The conventions (basis preference, then the latest year; exact, range,
qualitative or capacity values; the implicit residual ``other``) are those of
:mod:`chiprisk.graph.model.propagation`, whose network
:func:`chiprisk.graph.model.network_build.build_network` builds from these
tables.

Examples
--------
>>> BASIS_PREFERENCE[:2]
('sourcing', 'capacity')
>>> QUALITATIVE_MIDPOINTS["major"]
55.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = ["BASIS_PREFERENCE", "QUALITATIVE_MIDPOINTS"]

BASIS_PREFERENCE: tuple[str, ...] = ("sourcing", "capacity", "shipments", "units", "revenue")
"""Share-table basis preference, best first (a buyer's own sourcing, then capacity)."""

QUALITATIVE_MIDPOINTS: dict[str, float] = {
    k: (lo + hi) / 2 for k, (lo, hi) in QUALITATIVE_SHARE_RANGES.items()
}
"""Percent stand-ins for qualitative shares: midpoints of the indices.py intervals."""


@dataclass
class _ShareTable:
    """The rows chosen for one node's share table, and their shares."""

    basis: str
    year: int
    ids: list[str]
    source_ids: list[str]
    shares: dict[str, float]
    info: dict


def _select_tables(rows: pd.DataFrame, year: int | None) -> dict[tuple[str, str], _ShareTable]:
    """The share table of every (input, buyer) group, chosen and valued at once.

    One sort picks every group's (basis, year) by the basis preference, then
    the latest year; the row values are computed for all rows together and
    each group's shares are summed from array slices.
    """
    if year is not None:
        rows = rows[rows["year"].astype(float) <= year]
    out: dict[tuple[str, str], _ShareTable] = {}
    if rows.empty:
        return out
    # one lexicographic sort on integer codes: (input, buyer), basis preference,
    # latest year first; each group's first row names its table, and a stable
    # sort keeps the table's rows in file order
    input_code = pd.factorize(rows["input"].to_numpy(dtype=object), sort=True)[0]
    buyer_code = pd.factorize(rows["buyer"].to_numpy(dtype=object), sort=True)[0]
    buyer_code = np.where(buyer_code < 0, buyer_code.max(initial=0) + 1, buyer_code)
    basis = rows["basis"].to_numpy(dtype=object)
    preference = pd.Index(BASIS_PREFERENCE).get_indexer(basis)
    rank = np.where(preference >= 0, preference, len(BASIS_PREFERENCE))
    years = rows["year"].to_numpy(dtype=np.int64)
    order = np.lexsort((-years, rank, buyer_code, input_code))
    gi, gb = input_code[order], buyer_code[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (gi[1:] != gi[:-1]) | (gb[1:] != gb[:-1])
    head = order[np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))]
    chosen = order[(basis[order] == basis[head]) & (years[order] == years[head])]
    pos = pd.DataFrame(
        {
            "input": rows["input"].to_numpy(dtype=object)[chosen],
            "buyer": rows["buyer"].to_numpy(dtype=object)[chosen],
            "basis": basis[chosen],
            "year": years[chosen],
        }
    )
    tab = rows.iloc[chosen]
    # A source may publish both firm rows and country totals for one table
    # (CSET/ETO does): never add them together; firm/site rows win, because
    # they carry firm and site identity and their location comes from sites.
    is_country = tab["supplier"].isin(ISO_COUNTRIES).to_numpy()
    is_firm = ~is_country & (tab["supplier"] != RESIDUAL_ID).to_numpy()
    ci, cb = input_code[chosen], buyer_code[chosen]
    starts = np.flatnonzero(np.r_[True, (ci[1:] != ci[:-1]) | (cb[1:] != cb[:-1])])
    has_firm = np.maximum.reduceat(is_firm, starts) if len(starts) else is_firm
    group_has_firm = np.repeat(has_firm, np.diff(np.r_[starts, len(chosen)]))
    keep = ~(is_country & group_has_firm)
    tab, pos = tab[keep], pos[keep]
    share = tab["share"].to_numpy(dtype=float)
    lo = tab["share_min"].to_numpy(dtype=float)
    hi = tab["share_max"].to_numpy(dtype=float)
    qual = tab["share_qual"].to_numpy(dtype=object)
    cap = tab["capacity"].to_numpy(dtype=float)
    has_range = ~np.isnan(lo) | ~np.isnan(hi)
    mid = (np.where(np.isnan(lo), 0.0, lo) + np.where(np.isnan(hi), 100.0, hi)) / 2
    qmid = pd.Series(qual, dtype=object).map(dict(QUALITATIVE_MIDPOINTS)).to_numpy(dtype=float)
    vals = np.where(~np.isnan(share), share, np.where(has_range, mid, qmid))
    sup = tab["supplier"].to_numpy(dtype=object)
    ids = tab["id"].to_numpy(dtype=object)
    srcs = tab["source_id"].to_numpy(dtype=object)
    g_input = pos["input"].to_numpy(dtype=object)
    g_buyer = pos["buyer"].to_numpy(dtype=object)
    g_basis = pos["basis"].to_numpy(dtype=object)
    g_year = pos["year"].to_numpy()
    new_group = np.ones(len(g_input), dtype=bool)
    new_group[1:] = (g_input[1:] != g_input[:-1]) | (g_buyer[1:] != g_buyer[:-1])
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], len(g_input))
    for a, b in zip(starts, ends, strict=True):
        v = vals[a:b]
        kinds = []
        if (~np.isnan(share[a:b])).any():
            kinds.append("exact")
        if (np.isnan(share[a:b]) & has_range[a:b]).any():
            kinds.append("range")
        if (np.isnan(share[a:b]) & ~has_range[a:b] & ~np.isnan(qmid[a:b])).any():
            kinds.append("qualitative")
        capacity = bool(np.isnan(v).all() and (~np.isnan(cap[a:b])).all())
        if capacity:
            v, kind = cap[a:b], "capacity"
        else:
            v, kind = np.nan_to_num(v, nan=0.0), "+".join(kinds) or "none"
        key = (g_input[a], g_buyer[a] or None)
        out[key] = _ShareTable(
            basis=g_basis[a],
            year=int(g_year[a]),
            ids=list(ids[a:b]),
            source_ids=list(srcs[a:b]),
            shares={},
            info={"values": kind, "implicit_residual": 0.0},
        )
        t = out[key]
        total = float(v.sum())
        if total <= 0:
            continue
        acc: dict[str, float] = {}
        for s_, x in zip(sup[a:b], v, strict=True):
            acc[s_] = acc.get(s_, 0.0) + float(x)
        if not capacity and "qualitative" not in kind and total < 100.0:
            gap = 100.0 - total
            acc[RESIDUAL_ID] = acc.get(RESIDUAL_ID, 0.0) + gap
            t.info["implicit_residual"] = gap / 100.0
            total = 100.0
        t.shares = {s_: x / total for s_, x in acc.items() if x > 0}
    return out
