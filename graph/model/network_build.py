"""Build the SupplyNetwork from the checked rows (nodes, suppliers, W, R, L, F, S).

The model and its conventions are described in
:mod:`chiprisk.graph.model.propagation`, which re-exports
:func:`build_network`; the share tables come from
:mod:`chiprisk.graph.model.share_tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.firm_tiers import tier_levels
from chiprisk.graph.model.frame_memo import memo_many
from chiprisk.graph.model.lenses import (
    PRODUCING,
    country_site_weights,
    input_nodes,
    site_weights,
    supplier_kind,
    ultimate_parents,
)
from chiprisk.graph.model.share_tables import _select_tables, _ShareTable
from chiprisk.graph.model.supply_network import SupplyNetwork, _Level

__all__ = ["build_network", "build_networks"]


def build_network(tables: Tables, year: int | None = None) -> SupplyNetwork:
    """Project checked rows onto the integer-indexed AND/OR supply network.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    year : int, optional
        As of this year: share tables of ``year`` or earlier, sites started by
        then. None uses the latest table of every input and every producing site.

    Returns
    -------
    SupplyNetwork

    Notes
    -----
    O(rows + sites x firms) with pandas group-bys; the arrays are built once and
    reused by every :func:`propagate` call (one per batch of scenarios).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> net = build_network(load_tables(), year=2024)
    >>> net.edges.query("product == 'nvidia-h100' and input == 'logic-5nm-class'")[
    ...     "sourcing"].item()
    'buyer-specific'
    """
    return build_networks([(tables, year)])[0]


def build_networks(worlds: list[tuple[Tables, int | None]]) -> list[SupplyNetwork]:
    """:func:`build_network` of several (rows, year), the firms' site weights in one pass.

    The outlook builds one network a year; the weights of every firm's
    supplier over its sites depend on the year (the sites started by then)
    and are most of a build's time on small data, so they are computed for
    all the years at once (the same figures: one group per firm, stage and
    year either way).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.ledger import tables_as_of
    >>> t = load_tables()
    >>> nets = build_networks([(tables_as_of(t, y), y) for y in (2024, 2030)])
    >>> [n.year for n in nets], nets[1].n_suppliers >= nets[0].n_suppliers
    ([2024, 2030], True)
    """
    steps = [_build_steps(t, y) for t, y in worlds]
    asks = [next(g) for g in steps]  # each build up to its site weights
    weights = _org_site_weights_many(asks)
    out = []
    for g, ask in zip(steps, asks, strict=True):
        try:
            g.send(weights[ask[1:]])
        except StopIteration as done:
            out.append(done.value)
    return out


def _build_steps(tables: Tables, year: int | None):
    """The build as a generator: yields what it needs of the site weights
    (``(tables, wanted, effective year)``), is sent them, returns the network."""
    inputs = tables["inputs"]
    reqs = tables["requirements"]
    sup = tables["supplies"]
    stage_of = dict(zip(inputs["id"], inputs["stage"], strict=True))
    kind_of = dict(zip(inputs["id"], inputs["kind"], strict=True))
    input_ids = sorted(inputs["id"])
    notes: list[str] = []

    children: dict[str, list[str]] = {i: [] for i in input_ids}
    for p, i in zip(reqs["product"], reqs["input"], strict=True):
        children[p].append(i)
    for p in children:
        children[p].sort()

    # share tables: market per input, buyer-specific per (input, product)
    market = sup[sup["buyer"].isna()]
    buyer_rows = sup[sup["buyer"].notna()]
    tables_for: dict[tuple[str, str | None], _ShareTable] = {}
    for (i, _none), tab in _select_tables(market.assign(buyer=""), year).items():
        tables_for[(i, None)] = tab
    applied = []
    if len(buyer_rows):
        n_rows = buyer_rows.groupby(["input", "buyer"], sort=True).size()
        for (i, b), n_b in n_rows.items():
            if tables.kind_of(b) == "organizations":
                applied.append((i, b))  # a multi-tier firm (model/firm_tiers.py)
            elif tables.kind_of(b) != "inputs":
                notes.append(f"{n_b} row(s) for {i} bought by {b!r} not applied")
            elif i not in children[b]:
                notes.append(f"rows for {i} bought by {b} not applied: {b} does not require {i}")
            else:
                applied.append((i, b))
    if applied:
        keep = pd.MultiIndex.from_tuples(applied, names=["input", "buyer"])
        idx = pd.MultiIndex.from_frame(buyer_rows[["input", "buyer"]])
        tables_for.update(_select_tables(buyer_rows[idx.isin(keep)], year))

    # nodes: inputs plus i@P and i@firm, in topological order (firm tiers included)
    site_op = dict(zip(tables["sites"]["id"], tables["sites"]["operator"], strict=True))
    specs = [(i, None) for i in input_ids] + [k for k in tables_for if k[1] is not None]
    node_level, firm_deps, firm_notes = _levels(specs, children, tables_for, site_op)
    notes.extend(firm_notes)
    specs.sort(key=lambda k: (node_level[k], k[0], k[1] or ""))
    nodes = [i if b is None else f"{i}@{b}" for i, b in specs]
    node_index = {n: k for k, n in enumerate(nodes)}
    level = np.array([node_level[k] for k in specs], dtype=np.int64)
    level_ptr = np.searchsorted(level, np.arange(level.max(initial=-1) + 2))

    # requirement CSR (children of a virtual node are the input's own)
    edge_rows = []
    r_rows, r_cols = [], []
    for k, (i, _b) in enumerate(specs):
        for c in children[i]:
            child = f"{c}@{i}" if (c, i) in tables_for else c
            r_rows.append(k)
            r_cols.append(node_index[child])
    for p in input_ids:
        for c in children[p]:
            specific = (c, p) in tables_for
            edge_rows.append(
                (p, c, f"{c}@{p}" if specific else c, "buyer-specific" if specific else "market")
            )
    n = len(nodes)
    R = sp.csr_matrix((np.ones(len(r_rows)), (r_rows, r_cols)), shape=(n, n))
    R.sort_indices()

    # suppliers and W
    roots = ultimate_parents(tables["organizations"])
    site_country = dict(zip(tables["sites"]["id"], tables["sites"]["country"], strict=True))
    suppliers: list[str] = []
    s_id: list[str] = []
    s_kind: list[str] = []
    s_stage: list[str | None] = []
    s_nodes: list[str] = []
    nodes_of = input_nodes(tables)
    s_index: dict[str, int] = {}
    kind_of_supplier: dict[str, str] = {}
    w_rows, w_cols, w_vals = [], [], []
    used = []
    for k, (i, b) in enumerate(specs):
        tab = tables_for.get((i, b))
        if tab is None:
            continue
        shares, info = tab.shares, tab.info
        if not shares:
            notes.append(f"share table for {nodes[k]} has no positive share")
            continue
        for s, v in sorted(shares.items()):
            kind = kind_of_supplier.get(s) or kind_of_supplier.setdefault(
                s, supplier_kind(tables, s)
            )
            stage = stage_of[i] if kind == "organization" else None
            nd = nodes_of[i] if stage else ""
            key = (f"{s}@{stage}" + (f"[{nd}]" if nd else "")) if stage else s
            if key not in s_index:
                s_index[key] = len(suppliers)
                suppliers.append(key)
                s_id.append(s)
                s_kind.append(kind)
                s_stage.append(stage)
                s_nodes.append(nd)
            w_rows.append(k)
            w_cols.append(s_index[key])
            w_vals.append(v)
        used.append(
            {
                "node": nodes[k],
                "input": i,
                "buyer": b,
                "sourcing": "market" if b is None else "buyer-specific",
                "basis": tab.basis,
                "year": tab.year,
                "values": info["values"],
                "implicit_residual": info["implicit_residual"],
                "supply_ids": sorted(tab.ids),
                "source_ids": sorted(set(tab.source_ids)),
            }
        )
    m = len(suppliers)
    W = sp.csr_matrix((w_vals, (w_rows, w_cols)), shape=(n, m))
    W.sort_indices()

    # location, firm and site matrices
    countries_set: set[str] = set()
    loc: list[dict[str, float]] = []
    basis: list[str] = []
    site_w: list[dict[str, float]] = []
    firm_of: list[str | None] = []
    wanted = tuple(
        sorted(
            {
                (roots[s], st, nd)
                for s, k, st, nd in zip(s_id, s_kind, s_stage, s_nodes, strict=True)
                if k == "organization"
            }
        )
    )
    org_loc, org_basis, org_sites = yield (
        tables,
        wanted,
        _start_year_bound(tables["sites"], year),
    )
    for s, kind, stage, nd in zip(s_id, s_kind, s_stage, s_nodes, strict=True):
        if kind == "site":
            loc.append({site_country[s]: 1.0})
            basis.append("site")
            site_w.append({s: 1.0})
            firm_of.append(roots[site_op[s]])
        elif kind == "country":
            loc.append({s: 1.0})
            basis.append("country")
            site_w.append({})
            firm_of.append(None)
        elif kind == "organization":
            firm = roots[s]
            loc.append(org_loc.get((firm, stage, nd), {}))
            basis.append(org_basis.get((firm, stage, nd), "hq"))
            site_w.append(org_sites.get((firm, stage, nd), {}))
            firm_of.append(firm)
        else:
            loc.append({})
            basis.append("residual")
            site_w.append({})
            firm_of.append(None)
        countries_set.update(loc[-1])
    countries = sorted(countries_set)
    c_index = {c: j for j, c in enumerate(countries)}
    L = _dict_rows(loc, c_index)
    site_list = sorted({x for d in site_w for x in d})
    S = _dict_rows(site_w, {x: j for j, x in enumerate(site_list)})
    firms = sorted({f for f in firm_of if f is not None})
    f_index = {f: j for j, f in enumerate(firms)}
    supplier_firm = np.array([f_index[f] if f else -1 for f in firm_of], dtype=np.int64)

    has_sup = np.diff(W.indptr) > 0
    has_child = np.diff(R.indptr) > 0
    gaps = sorted(
        i for k, (i, b) in enumerate(specs) if b is None and not has_sup[k] and not has_child[k]
    )
    dep_of = _supplier_deps(s_id, s_kind, site_op, firm_deps, node_index)
    ready = {s: 1 + int(level[ps].max()) for s, ps in dep_of.items()}
    levels = []
    for lv in range(len(level_ptr) - 1):
        lo, hi = int(level_ptr[lv]), int(level_ptr[lv + 1])
        rows = np.arange(lo, hi)
        crow = rows[has_child[lo:hi]]
        counts = np.diff(R.indptr)[crow]
        idx = (
            np.concatenate([R.indices[R.indptr[r] : R.indptr[r + 1]] for r in crow])
            if len(crow)
            else np.array([], dtype=np.int64)
        )
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        dep_sup = np.array(sorted(s for s, r in ready.items() if r == lv), dtype=np.int64)
        dep_lists = [dep_of[s] for s in dep_sup]
        levels.append(
            _Level(
                lo,
                hi,
                W[lo:hi],
                np.flatnonzero(has_sup[lo:hi]),
                crow - lo,
                idx.astype(np.int64),
                starts,
                dep_sup,
                np.concatenate(dep_lists) if dep_lists else np.array([], dtype=np.int64),
                np.cumsum([0] + [len(d) for d in dep_lists[:-1]])[: len(dep_lists)].astype(
                    np.int64
                ),
            )
        )
    return SupplyNetwork(
        year=year,
        nodes=nodes,
        node_input=[i for i, _ in specs],
        node_buyer=[b for _, b in specs],
        node_index=node_index,
        level=level,
        level_ptr=level_ptr,
        suppliers=suppliers,
        supplier_id=s_id,
        supplier_kind=s_kind,
        supplier_stage=s_stage,
        supplier_index=s_index,
        W=W,
        R=R,
        countries=countries,
        L=L,
        location_basis=basis,
        firms=firms,
        supplier_firm=supplier_firm,
        sites=site_list,
        S=S,
        tables_used=pd.DataFrame(
            used,
            columns=[
                "node",
                "input",
                "buyer",
                "sourcing",
                "basis",
                "year",
                "values",
                "implicit_residual",
                "supply_ids",
                "source_ids",
            ],
        ),
        edges=pd.DataFrame(edge_rows, columns=["product", "input", "child_node", "sourcing"]),
        gaps=gaps,
        products=sorted(i for i in input_ids if kind_of[i] == "product"),
        notes=notes,
        _levels=levels,
    )


def _levels(
    specs: list[tuple[str, str | None]],
    children: dict[str, list[str]],
    tables_for: dict[tuple[str, str | None], _ShareTable],
    site_op: dict[str, str],
) -> tuple[dict, dict, list[str]]:
    """Node levels with firm tiers (:func:`~chiprisk.graph.model.firm_tiers.tier_levels`)."""
    buyers = {b for _i, b in tables_for if b is not None and b not in children}
    purchases: dict[str, list[tuple[str, str | None]]] = {}
    node_children, firms_used = {}, {}
    for i, b in specs:
        node_children[(i, b)] = [(c, i) if (c, i) in tables_for else (c, None) for c in children[i]]
        if b in buyers:
            purchases.setdefault(b, []).append((i, b))
        tab = tables_for.get((i, b))
        if tab is not None and buyers:
            used = {site_op.get(s, s) for s in tab.shares} & buyers
            if used:
                firms_used[(i, b)] = sorted(used)
    return tier_levels(node_children, firms_used, purchases)


def _supplier_deps(
    s_id: list[str],
    s_kind: list[str],
    site_op: dict[str, str],
    firm_deps: dict[str, list[tuple[str, str | None]]],
    node_index: dict[str, int],
) -> dict[int, np.ndarray]:
    """Supplier node -> the purchase nodes of its firm (organisation, or a site's operator)."""
    out: dict[int, np.ndarray] = {}
    if not firm_deps:
        return out
    for k, (s, kind) in enumerate(zip(s_id, s_kind, strict=True)):
        firm = s if kind == "organization" else site_op.get(s) if kind == "site" else None
        if firm in firm_deps:
            out[k] = np.array([node_index[f"{i}@{b}"] for i, b in firm_deps[firm]], dtype=np.int64)
    return out


def _dict_rows(rows: list[dict[str, float]], index: dict[str, int]) -> sp.csr_matrix:
    r, c, v = [], [], []
    for k, d in enumerate(rows):
        for key, w in d.items():
            r.append(k)
            c.append(index[key])
            v.append(w)
    out = sp.csr_matrix((v, (r, c)), shape=(len(rows), len(index)))
    out.sort_indices()
    return out


def _org_site_weights_many(asks: list[tuple[Tables, tuple, int | None]]) -> dict:
    """Country weights, their basis and site weights of every (firm, stage, nodes)
    supplier asked for, per ``(wanted, effective year)``.

    Memoised per frames, wanted keys and effective year (the same firms and
    stages recur across a counterfactual loop's networks, and years in which no
    site starts give the same weights); the misses of the same frames are one
    vectorised :func:`chiprisk.graph.model.lenses.site_weights` call. Per key
    the results equal :func:`chiprisk.graph.model.lenses.group_site_weights`
    (and the same rule at site resolution).
    """
    out: dict = {}
    by_frames: dict[tuple, list] = {}
    for tables, wanted, eff in asks:
        frames = (tables["organizations"], tables["sites"])
        by_frames.setdefault(tuple(id(f) for f in frames), []).append((tables, wanted, eff))
    for group in by_frames.values():
        tables = group[0][0]
        frames = (tables["organizations"], tables["sites"])
        keys = [("org_site_weights", wanted, eff) for _t, wanted, eff in group]
        got = memo_many(frames, keys, lambda missing, t=tables: _weights_of(t, missing))
        out.update({(k[1], k[2]): v for k, v in got.items()})
    return out


def _start_year_bound(sites: pd.DataFrame, year: int | None) -> int | None:
    """The latest producing site's start year up to ``year``: the same sites count.

    The weights depend on ``year`` only through ``start_year <= year`` over
    the producing sites, so every year between two start years gives the
    same answer.
    """
    if year is None:
        return None
    producing = sites[sites["status"].isin(PRODUCING)]
    starts = pd.to_numeric(producing["start_year"], errors="coerce").dropna().to_numpy()
    if not starts.size:
        return year
    started = starts[starts <= year]
    return int(started.max()) if started.size else int(starts.min()) - 1


def _weights_of(tables: Tables, asks: list[tuple[str, tuple, int | None]]) -> dict:
    """``(loc, how, per_site)`` per memo key ``("org_site_weights", wanted, year)``."""
    roots = ultimate_parents(tables["organizations"])
    rows = sorted({(*key, year) for _tag, wanted, year in asks for key in wanted}, key=str)
    loc: dict[tuple, dict[str, float]] = {}
    how: dict[tuple, str] = {}
    per_site: dict[tuple, dict[str, float]] = {}
    if rows:
        keys = pd.DataFrame(rows, columns=["firm", "stage", "nodes", "_year"])
        keys["year"] = pd.array(keys["_year"].tolist(), dtype="Float64")
        w = site_weights(tables, keys.drop(columns="_year"), roots)
        cols = ("firm", "stage", "nodes", "site", "weight")
        for f, st, nd, site, wt, y in zip(*(w[c].tolist() for c in cols), _years(w), strict=True):
            if site is not None and site == site:
                per_site.setdefault((f, st, nd, y), {})[site] = float(wt)
        cw = country_site_weights(w)
        cols = ("firm", "stage", "nodes", "country", "weight", "site_basis")
        for f, st, nd, c, wt, b, y in zip(*(cw[c].tolist() for c in cols), _years(cw), strict=True):
            loc.setdefault((f, st, nd, y), {})[c] = float(wt)
            how[(f, st, nd, y)] = b
    out = {}
    for tag, wanted, year in asks:
        out[(tag, wanted, year)] = (
            {k: loc[(*k, year)] for k in wanted if (*k, year) in loc},
            {k: how[(*k, year)] for k in wanted if (*k, year) in how},
            {k: per_site[(*k, year)] for k in wanted if (*k, year) in per_site},
        )
    return out


def _years(df: pd.DataFrame) -> list[int | None]:
    return [None if y != y else int(y) for y in df["year"].astype(float)]
