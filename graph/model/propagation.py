"""Rows -> integer-indexed supply network, and AND/OR availability propagation.

This is the engine shared by multi-tier exposure, chokepoints, disruption
simulation and Monte Carlo. It is built straight from the checked rows
(:func:`chiprisk.graph.io.loader.load_tables`), never from RDF.

Model (``shared/research/methods.md`` 3.0-3.2)
----------------------------------------------
*Input nodes* are the inputs of ``inputs.csv`` plus *virtual* nodes ``i@P``
for buyer-specific sourcing (below). They are indexed in topological order of
the requirements DAG, leaves first: node ``k`` only requires nodes ``< k``,
and ``level`` is the longest requirement chain below a node (0 = a leaf).

*Supplier nodes* are the suppliers of the share tables used: organisations
(one node per organisation **and input stage**, ``"tsmc@fabrication"``,
because where a group's capacity is depends on the stage: TSMC's fabs are not
its packaging plants), sites (``"tsmc-fab-18"``), countries (``"TW"``, rows a
source published as country totals) and the residual ``"other"``.

``W`` (nodes x suppliers, CSR) holds the share of a node's supply from each
supplier, as fractions summing to 1 on every node that has a share table.
``R`` (nodes x nodes, CSR) holds the required children of every node (AND).

Availability of node ``i`` under supplier availability ``a`` (methods.md
3.2(c), fractional): ``direct(i) = W[i] @ a``; a node with suppliers gives
``min(direct(i), min over children avail(j))``; a node without suppliers (a
product) gives the min over its children; a node with neither is 1 and is
listed in :attr:`SupplyNetwork.gaps` (nothing is known that could fail).

Conventions
-----------
Share table (one per node): rows of one (input, buyer) with ``year <= year``
(any year when ``year`` is None); among the (basis, year) groups the basis
preference ``sourcing > capacity > shipments > units > revenue`` wins first,
then the latest year. Capacity measures physical supply, which is what a
disruption removes, so a capacity table beats a newer revenue table.

Row values: ``share``; else the midpoint of ``share_min``/``share_max`` (a
missing bound is 0 or 100); else the midpoint of the qualitative interval of
:data:`chiprisk.graph.io.contract.QUALITATIVE_SHARE_RANGES`
(``negligible`` 0.5, ``minor`` 5.5, ``major`` 55); a table whose rows give
only ``capacity`` uses capacity / total capacity. Percent tables summing to
less than 100 with no qualitative row get the gap as an implicit residual
``other``; tables with a qualitative row, or summing to 100 or more, are
renormalised. The residual ``other`` is one supplier node with no location,
no firm and no site: no targeted disruption hits it.

Buyer-specific sourcing: where ``supplies.csv`` has rows with ``buyer = P``
(a product) for input ``i`` and ``P`` requires ``i`` directly, ``P``'s
requirement edge goes to a virtual node ``i@P`` whose suppliers are those rows
and whose own requirements equal ``i``'s (H100's logic die comes from TSMC
alone whatever the market shares are). :attr:`SupplyNetwork.edges` says which
sourcing each edge used. Rows whose buyer is an organisation are not applied
(no product -> firm link exists in the contract); they are listed in
:attr:`SupplyNetwork.notes`.

Location: a site supplier is in its country; a country supplier is that
country; an organisation node ``(org, stage)`` (``org@stage``, or
``org@stage[nodes]`` when the input lists process nodes) is spread by
:func:`chiprisk.graph.model.lenses.group_site_weights` of its ultimate parent, that
stage, ``year`` and the input's process nodes (only the group's sites making
those nodes, where any site lists them; capacity-weighted, else per site,
else the owner's headquarters, ``location_basis`` says which). Rows of ``L`` sum to 1 except
the residual's, which is all zero. ``S`` spreads supplier nodes over sites the
same way (organisations over the group's producing sites of the stage).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> net = build_network(load_tables())
>>> import numpy as np
>>> a = np.ones((net.n_suppliers, 1))
>>> float(propagate(net, a)[net.node_index["nvidia-h100"], 0])
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chiprisk.graph.io.contract import QUALITATIVE_SHARE_RANGES
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import (
    country_site_weights,
    input_nodes,
    site_weights,
    supplier_kind,
    ultimate_parents,
)
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = [
    "BASIS_PREFERENCE",
    "QUALITATIVE_MIDPOINTS",
    "SupplyNetwork",
    "build_network",
    "hhi_by_firm",
    "propagate",
]

BASIS_PREFERENCE: tuple[str, ...] = ("sourcing", "capacity", "shipments", "units", "revenue")
"""Share-table basis preference, best first (a buyer's own sourcing, then capacity)."""

QUALITATIVE_MIDPOINTS: dict[str, float] = {
    k: (lo + hi) / 2 for k, (lo, hi) in QUALITATIVE_SHARE_RANGES.items()
}
"""Percent stand-ins for qualitative shares: midpoints of the indices.py intervals."""

_SNAP = 1e-9
"""Availabilities within this of 0 or 1 are snapped to it (float sums of shares)."""


@dataclass
class _Level:
    lo: int
    hi: int
    w: sp.csr_matrix  # rows lo:hi of W
    sup_rows: np.ndarray  # local rows with suppliers
    child_rows: np.ndarray  # local rows with children
    child_idx: np.ndarray  # gathered children (global node indices)
    starts: np.ndarray  # reduceat offsets into child_idx


@dataclass
class SupplyNetwork:
    """Integer-indexed arrays of the AND/OR supply network (see the module notes).

    Attributes
    ----------
    year : int or None
        The as-of year the share tables and sites were chosen for.
    nodes : list of str
        Node ids in topological order, leaves first: input ids and ``i@P``.
    node_input, node_buyer : list
        The input of each node, and the product of a buyer-specific node (else None).
    node_index : dict
        Node id -> index.
    level : numpy.ndarray
        Longest requirement chain below each node (non-decreasing with the index).
    level_ptr : numpy.ndarray
        Nodes of level ``k`` are ``level_ptr[k]:level_ptr[k + 1]``.
    suppliers : list of str
        Supplier node ids (``org@stage``, site id, country code, ``other``).
    supplier_id, supplier_kind, supplier_stage : list
        The supplier id of the rows, its kind (organization, site, country,
        residual) and, for organisations, the stage.
    W : scipy.sparse.csr_matrix
        nodes x suppliers shares (fractions; rows sum to 1 or 0).
    R : scipy.sparse.csr_matrix
        nodes x nodes required children (AND); ``R.indptr``/``R.indices`` is the CSR.
    countries : list of str
        Country codes, columns of ``L``.
    L : scipy.sparse.csr_matrix
        suppliers x countries location weights (rows sum to 1; the residual's to 0).
    location_basis : list of str
        Per supplier: ``site``, ``country``, ``capacity``, ``site count``, ``hq``
        or ``residual``.
    firms : list of str
        Ultimate parents, columns of ``F``.
    supplier_firm : numpy.ndarray
        Index into ``firms`` per supplier (-1 for countries and the residual).
    sites : list of str
        Site ids, columns of ``S``.
    S : scipy.sparse.csr_matrix
        suppliers x sites weights (a site row is its own site; an
        organisation's row spreads over its group's producing sites of the stage).
    tables_used : pandas.DataFrame
        One row per node with a share table: ``node``, ``input``, ``buyer``,
        ``sourcing`` (``buyer-specific``/``market``), ``basis``, ``year``,
        ``values`` (``exact``, ``range``, ``qualitative``, ``capacity``, or a
        ``+`` mix), ``implicit_residual`` (fraction given to ``other``),
        ``supply_ids``, ``source_ids``.
    edges : pandas.DataFrame
        Requirement edges ``product``, ``input``, ``child_node``, ``sourcing``.
    gaps : list of str
        Inputs with neither suppliers nor requirements (availability 1, unknown).
    products : list of str
        Inputs of kind ``product``.
    notes : list of str
        Rows not applied and why.
    """

    year: int | None
    nodes: list[str]
    node_input: list[str]
    node_buyer: list[str | None]
    node_index: dict[str, int]
    level: np.ndarray
    level_ptr: np.ndarray
    suppliers: list[str]
    supplier_id: list[str]
    supplier_kind: list[str]
    supplier_stage: list[str | None]
    supplier_index: dict[str, int]
    W: sp.csr_matrix
    R: sp.csr_matrix
    countries: list[str]
    L: sp.csr_matrix
    location_basis: list[str]
    firms: list[str]
    supplier_firm: np.ndarray
    sites: list[str]
    S: sp.csr_matrix
    tables_used: pd.DataFrame
    edges: pd.DataFrame
    gaps: list[str]
    products: list[str]
    notes: list[str] = field(default_factory=list)
    _levels: list[_Level] = field(default_factory=list, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of input nodes (inputs and buyer-specific ``i@P``)."""
        return len(self.nodes)

    @property
    def n_suppliers(self) -> int:
        """Number of supplier nodes."""
        return len(self.suppliers)

    @property
    def has_suppliers(self) -> np.ndarray:
        """Boolean mask of nodes with a share table."""
        return np.diff(self.W.indptr) > 0

    @property
    def F(self) -> sp.csr_matrix:
        """suppliers x firms one-hot matrix (countries and the residual: empty rows)."""
        rows = np.flatnonzero(self.supplier_firm >= 0)
        return sp.csr_matrix(
            (np.ones(len(rows)), (rows, self.supplier_firm[rows])),
            shape=(self.n_suppliers, len(self.firms)),
        )

    def closure(self, node: str) -> dict[int, int]:
        """Nodes a node needs, transitively, with their smallest depth (itself at 0).

        Notes
        -----
        Breadth-first over ``R``: O(nodes + edges) of the closure.
        """
        start = self.node_index[node]
        depth = {start: 0}
        frontier = [start]
        ip, ix = self.R.indptr, self.R.indices
        d = 0
        while frontier:
            d += 1
            nxt = []
            for k in frontier:
                for j in ix[ip[k] : ip[k + 1]]:
                    j = int(j)
                    if j not in depth:
                        depth[j] = d
                        nxt.append(j)
            frontier = nxt
        return depth


# ------------------------------------------------------------------ share tables


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
    rank = {b: i for i, b in enumerate(BASIS_PREFERENCE)}
    r = pd.DataFrame(
        {
            "input": rows["input"].to_numpy(dtype=object),
            "buyer": rows["buyer"].to_numpy(dtype=object),
            "basis": rows["basis"].to_numpy(dtype=object),
            "year": rows["year"].to_numpy(dtype=np.int64),
            "_pos": np.arange(len(rows)),
        }
    )
    preference = pd.Index(BASIS_PREFERENCE).get_indexer(r["basis"].to_numpy(dtype=object))
    r["_rank"] = np.where(preference >= 0, preference, len(rank))
    best = r.sort_values(
        ["input", "buyer", "_rank", "year"], ascending=[True, True, True, False]
    ).drop_duplicates(["input", "buyer"])[["input", "buyer", "basis", "year"]]
    pos = r.merge(best, on=["input", "buyer", "basis", "year"], how="inner")
    pos = pos.sort_values(["input", "buyer", "_pos"], kind="stable")
    tab = rows.iloc[pos["_pos"].to_numpy()]
    # A source may publish both firm rows and country totals for one table
    # (CSET/ETO does): never add them together; firm/site rows win, because
    # they carry firm and site identity and their location comes from sites.
    is_country = tab["supplier"].isin(ISO_COUNTRIES).to_numpy()
    is_firm = ~is_country & (tab["supplier"] != RESIDUAL_ID).to_numpy()
    group = (pos["input"].astype(str) + "\0" + pos["buyer"].astype(str)).to_numpy()
    group_has_firm = pd.Series(is_firm).groupby(group).transform("any").to_numpy()
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


def _org_site_weights(
    tables: Tables,
    roots: dict[str, str],
    s_id: list[str],
    s_kind: list[str],
    s_stage: list[str | None],
    s_nodes: list[str],
    year: int | None,
) -> tuple[dict, dict, dict]:
    """Country weights, their basis and site weights of every (firm, stage, nodes) supplier.

    One vectorised :func:`chiprisk.graph.model.lenses.site_weights` call; per key the
    results equal :func:`chiprisk.graph.model.lenses.group_site_weights` (and the
    same rule at site resolution).
    """
    keys = pd.DataFrame(
        sorted(
            {
                (roots[s], st, nd)
                for s, k, st, nd in zip(s_id, s_kind, s_stage, s_nodes, strict=True)
                if k == "organization"
            }
        ),
        columns=["firm", "stage", "nodes"],
    )
    loc: dict[tuple[str, str, str], dict[str, float]] = {}
    how: dict[tuple[str, str, str], str] = {}
    per_site: dict[tuple[str, str, str], dict[str, float]] = {}
    if keys.empty:
        return loc, how, per_site
    w = site_weights(tables, keys.assign(year=year), roots)
    cols = ("firm", "stage", "nodes", "site", "weight")
    for f, st, nd, site, wt in zip(*(w[c].tolist() for c in cols), strict=True):
        if site is not None and site == site:
            per_site.setdefault((f, st, nd), {})[site] = float(wt)
    cw = country_site_weights(w)
    cols = ("firm", "stage", "nodes", "country", "weight", "site_basis")
    for f, st, nd, c, wt, b in zip(*(cw[c].tolist() for c in cols), strict=True):
        loc.setdefault((f, st, nd), {})[c] = float(wt)
        how[(f, st, nd)] = b
    return loc, how, per_site


# ------------------------------------------------------------------------ build


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
            if tables.kind_of(b) != "inputs":
                notes.append(f"{n_b} row(s) for {i} bought by organisation {b!r} not applied")
            elif i not in children[b]:
                notes.append(f"rows for {i} bought by {b} not applied: {b} does not require {i}")
            else:
                applied.append((i, b))
    if applied:
        keep = pd.MultiIndex.from_tuples(applied, names=["input", "buyer"])
        idx = pd.MultiIndex.from_frame(buyer_rows[["input", "buyer"]])
        tables_for.update(_select_tables(buyer_rows[idx.isin(keep)], year))

    # nodes: inputs plus i@P, in topological order
    ts: TopologicalSorter[str] = TopologicalSorter({i: children[i] for i in input_ids})
    base_level: dict[str, int] = {}
    for i in ts.static_order():
        base_level[i] = 1 + max((base_level[c] for c in children[i]), default=-1)
    specs = [(i, None) for i in input_ids] + [k for k in tables_for if k[1] is not None]
    specs.sort(key=lambda k: (base_level[k[0]], k[0], k[1] or ""))
    nodes = [i if b is None else f"{i}@{b}" for i, b in specs]
    node_index = {n: k for k, n in enumerate(nodes)}
    level = np.array([base_level[i] for i, _ in specs], dtype=np.int64)
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
    site_op = dict(zip(tables["sites"]["id"], tables["sites"]["operator"], strict=True))
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
    org_loc, org_basis, org_sites = _org_site_weights(
        tables, roots, s_id, s_kind, s_stage, s_nodes, year
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
        levels.append(
            _Level(
                lo,
                hi,
                W[lo:hi],
                np.flatnonzero(has_sup[lo:hi]),
                crow - lo,
                idx.astype(np.int64),
                starts,
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


# -------------------------------------------------------------------- propagate


def propagate(
    net: SupplyNetwork,
    supplier_availability: np.ndarray,
    input_cap: np.ndarray | None = None,
) -> np.ndarray:
    """Availability of every node, for many scenarios at once.

    Parameters
    ----------
    net : SupplyNetwork
    supplier_availability : array_like, shape (n_suppliers, n_scenarios) or (n_suppliers,)
        Fraction of each supplier node's output still available, in [0, 1].
    input_cap : array_like, shape (n_nodes, n_scenarios), optional
        An upper bound on each node's availability (an input-level disruption:
        0 removes the node). Broadcast like ``supplier_availability``.

    Returns
    -------
    numpy.ndarray, shape (n_nodes, n_scenarios) (or (n_nodes,) for a 1-D input)
        ``direct(i) = W[i] @ a``; ``avail(i) = min(direct(i), min_j avail(j))``
        over required children ``j``; products (no suppliers) take the min over
        their children; nodes with neither are 1 (see ``net.gaps``).

    Notes
    -----
    Level by level (leaves first): one sparse mat-mat product ``W[level] @ a``
    and one ``np.minimum.reduceat`` over the gathered CSR children per level,
    so O(depth) numpy calls and O((nnz(W) + nnz(R)) * n_scenarios) work; no
    Python loop over paths, nodes or scenarios. No substitution: a supplier's
    lost output is not made up by the others (that is the disruption module).
    Values within 1e-9 of 0 or 1 are snapped to it, so that "unproducible"
    (``== 0``) and "untouched" (``== 1``) are exact despite float share sums.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> net = build_network(load_tables())
    >>> a = np.ones((net.n_suppliers, 2))
    >>> a[net.supplier_firm == net.firms.index("asml"), 1] = 0.0  # ASML offline
    >>> out = propagate(net, a)
    >>> out[net.node_index["nvidia-h100"]].tolist()
    [1.0, 0.0]
    """
    a = np.asarray(supplier_availability, dtype=float)
    one_d = a.ndim == 1
    if one_d:
        a = a[:, None]
    if a.shape[0] != net.n_suppliers:
        raise ValueError(f"supplier_availability has {a.shape[0]} rows, expected {net.n_suppliers}")
    cap = None
    if input_cap is not None:
        cap = np.asarray(input_cap, dtype=float)
        if cap.ndim == 1:
            cap = cap[:, None]
        cap = np.broadcast_to(cap, (net.n_nodes, a.shape[1]))
    out = np.ones((net.n_nodes, a.shape[1]))
    for lv in net._levels:
        block = np.ones((lv.hi - lv.lo, a.shape[1]))
        if len(lv.sup_rows):
            block[lv.sup_rows] = (lv.w @ a)[lv.sup_rows]
        if len(lv.child_rows):
            m = np.minimum.reduceat(out[lv.child_idx], lv.starts, axis=0)
            block[lv.child_rows] = np.minimum(block[lv.child_rows], m)
        if cap is not None:
            np.minimum(block, cap[lv.lo : lv.hi], out=block)
        block[block > 1.0 - _SNAP] = 1.0  # shares sum to 1 only up to rounding
        block[block < _SNAP] = 0.0
        out[lv.lo : lv.hi] = block
    return out[:, 0] if one_d else out


def hhi_by_firm(net: SupplyNetwork) -> np.ndarray:
    """Firm-lens HHI (0..10,000) of each node's share table (NaN without one).

    Organisation and site suppliers count as their ultimate parent; country
    suppliers as one entity each (a source gave only country totals); the
    residual ``other`` is fragmented and adds 0, so this is the lower bound of
    methods.md 1.1.

    Notes
    -----
    O(nnz(W)) with one sparse product, then dense row blocks of at most
    128 MiB (a network with 100,000 firms never densifies at once).
    """
    entity = net.supplier_firm.copy()
    extra = {}
    for k, kind in enumerate(net.supplier_kind):
        if kind == "country":
            entity[k] = len(net.firms) + extra.setdefault(net.supplier_id[k], len(extra))
    keep = np.flatnonzero(entity >= 0)
    G = sp.csr_matrix(
        (np.ones(len(keep)), (keep, entity[keep])),
        shape=(net.n_suppliers, len(net.firms) + len(extra)),
    )
    WG = (net.W @ G).tocsr()
    out = np.zeros(net.n_nodes)
    step = max(1, (1 << 24) // max(1, G.shape[1]))  # dense blocks of <= 128 MiB
    for lo in range(0, net.n_nodes, step):
        shares = WG[lo : lo + step].toarray() * 100.0
        out[lo : lo + step] = (shares**2).sum(axis=1)
    out[~net.has_suppliers] = math.nan
    return out
