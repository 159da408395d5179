"""Chokepoints: single points of failure by the AND/OR removal test, ranked.

A candidate ``v`` is a single point of failure (SPOF) of product ``P`` iff
removing ``v`` alone makes ``P`` unproducible: ``avail(P) == 0`` in
:func:`chiprisk.graph.model.propagation.propagate` (methods.md 3.2(c), minimal cut
sets of size 1). All candidates of one kind are scenarios of one call:

- ``input``: the node is capped at 0 (every node of that input, market and
  buyer-specific). Every input of ``P``'s bill-of-materials closure is one,
  because requirements are AND and the data has no substitute inputs.
- ``firm`` (ultimate parent, after roll-up of subsidiaries and sites): all its
  supplier nodes at 0.
- ``site``: its supplier node at 0, and every organisation node of its group
  and stage at ``1 - site weight`` (a group with one producing site for a
  stage can be stopped by that site).

This catches the AND-induced SPOFs a plain dominator test misses (P needs A
and B, X is A's only supplier: X does not dominate P in the plain graph, yet
removing X stops P). Dominators are offered only within one input's OR layer
(:func:`or_layer_dominators`), as DESIGN section 3 asks.

Ranking: ``score = products_affected x hhi / 10,000 x (1 - substitutability)``.
``hhi`` is the firm-lens HHI of the share table used (lower bound: the
residual is fragmented; country-total tables count each country as one
entity; see :func:`chiprisk.graph.model.propagation.hhi_by_firm`): for an input the
highest over the tables the affected products use (market or their own
buyer-specific one); for a firm or site the highest over the nodes it is the
sole supplier of.
A missing ``substitutability`` counts as 0 (no substitute: the factor is 1),
and ``substitutability_assumed`` says so.

Columns of the result
---------------------
kind : ``input``, ``firm`` or ``site``.
id, name : the candidate.
products_affected : how many products it stops.
products : their ids (sorted list).
hhi : firm HHI (0..10,000) as above; NaN where no share data exists.
substitutability : from inputs.csv (lowest over ``sole_supplier_of`` for firms
    and sites); NaN where missing.
substitutability_assumed : True where it was missing and taken as 0.
score : as above (NaN without ``hhi``; ranked last).
rank : 1 = worst.
sole_supplier_of : for firms and sites, the nodes they alone supply
    (``i@P`` = input ``i`` as sourced by product ``P``); empty for inputs.
betweenness : secondary screen only: normalised betweenness of the node in
    the supplies/requires edges of :func:`chiprisk.graph.model.network.to_networkx`
    (NaN when not computed or not a node). Suppliers are sources of that DAG,
    so firms and sites score 0; it screens inputs only.
reason : one readable sentence.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> df = chokepoints(load_tables(), product="nvidia-h100", betweenness=False)
>>> "asml" in set(df["id"].head(5))
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chiprisk.graph.algorithms.exposure import _check_product
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import (
    SupplyNetwork,
    build_network,
    hhi_by_firm,
)
from chiprisk.graph.model.sparse_propagation import propagate_loss

__all__ = ["COLUMNS", "chokepoints", "or_layer_dominators"]

COLUMNS = [
    "kind",
    "id",
    "name",
    "products_affected",
    "products",
    "hhi",
    "substitutability",
    "substitutability_assumed",
    "score",
    "rank",
    "sole_supplier_of",
    "betweenness",
    "reason",
]
_EPS = 1e-9


_BATCH = 4096
"""Scenarios per sparse propagation (memory grows with the nodes below the batch's cuts)."""


def _site_matrix(net: SupplyNetwork) -> sp.csc_matrix:
    return net.S.tocsc()


def _killers(net: SupplyNetwork, E: sp.spmatrix, p_idx: np.ndarray):
    """Yield ``(j, direct, affected)`` for every scenario column ``j`` of ``E`` that stops
    a product: ``direct`` is ``W @ (1 - E[:, j])`` and ``affected`` the stopped products.

    A scenario can stop a product only if it empties some node's supply
    (``(W @ E)[k, j]`` reaches 1: every supplier of ``k`` fully lost), since
    with no supply at 0 nothing propagates to 0. Only those columns are
    propagated, in batches of sparse losses, and ``direct`` is computed for
    the columns that stop a product only, so a network with 100,000 firms
    needs neither a dense suppliers x firms nor a dense nodes x batch matrix.
    """
    WE = (net.W @ E).tocsc()
    hit = WE.copy()
    hit.data = (hit.data >= 1.0 - 1e-6).astype(np.float64)
    hit.eliminate_zeros()
    cand = np.flatnonzero(np.diff(hit.indptr) > 0)
    E = E.tocsc()
    for lo in range(0, len(cand), _BATCH):
        cols = cand[lo : lo + _BATCH]
        cut = E[:, cols]
        dead = propagate_loss(net, cut.tocsr())[p_idx].toarray() >= 1.0 - _EPS  # sparse losses
        for c in np.flatnonzero(dead.any(axis=0)):
            direct = net.W @ (1.0 - cut[:, [c]].toarray()[:, 0])
            yield int(cols[c]), direct, np.flatnonzero(dead[:, c])


def _betweenness(tables: Tables) -> dict[str, float]:
    import networkx as nx

    from chiprisk.graph.model.network import to_networkx

    g = to_networkx(tables)
    h = nx.DiGraph()
    h.add_edges_from(
        (u, v) for u, v, rel in g.edges(data="relation") if rel in ("supplies", "requires")
    )
    return nx.betweenness_centrality(h, normalized=True)


def or_layer_dominators(net: SupplyNetwork, node: str) -> list[str]:
    """Suppliers and firms that dominate one node in its own OR layer.

    The layer is a super-source -> every supplier node with a positive share ->
    its firm (if any) -> the node. A vertex dominates the node iff every
    supply path passes through it: a sole supplier, or a firm whose group
    holds the whole table. Only meaningful within one OR layer; across the
    AND/OR graph use :func:`chokepoints` (methods.md 3.2).

    Notes
    -----
    networkx ``immediate_dominators`` (Cooper-Harvey-Kennedy) on a graph of
    O(suppliers of the node) vertices.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> or_layer_dominators(build_network(load_tables()), "euv-lithography")
    ['asml', 'asml@equipment']
    """
    import networkx as nx  # ~80 ms to import: only where dominators are asked for

    k = net.node_index[node]
    row = net.W.getrow(k)
    g = nx.DiGraph()
    src, target = ("__source__",), ("__node__",)
    g.add_node(target)
    for j in row.indices[row.data > 0]:
        s = net.suppliers[j]
        g.add_edge(src, s)
        f = net.supplier_firm[j]
        if f >= 0:
            g.add_edge(s, ("firm", net.firms[f]))
            g.add_edge(("firm", net.firms[f]), target)
        else:
            g.add_edge(s, target)
    if src not in g:
        return []
    idom = nx.immediate_dominators(g, src)
    out = []
    cur = idom.get(target)
    while cur is not None and cur != src:
        out.append(cur[1] if isinstance(cur, tuple) else cur)
        cur = idom.get(cur)
    return sorted(out)


def chokepoints(
    tables: Tables,
    *,
    product: str | None = None,
    year: int | None = None,
    network: SupplyNetwork | None = None,
    betweenness: bool = True,
) -> pd.DataFrame:
    """Single points of failure of products, ranked by impact and concentration.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    product : str, optional
        Only this product (default: every input of kind ``product``).
    year : int, optional
        As-of year (None: the latest data).
    network : SupplyNetwork, optional
        A network already built for ``year``.
    betweenness : bool
        Add the networkx betweenness screen column (a few hundred ms here).

    Returns
    -------
    pandas.DataFrame
        The columns of the module docstring, one row per SPOF, sorted by rank.

    Raises
    ------
    UsageError
        For an unknown product.

    Notes
    -----
    Three :func:`~chiprisk.graph.model.propagation.propagate` calls (inputs, firms,
    sites as scenarios): O((nnz(W) + nnz(R)) x candidates) numpy work instead
    of one graph search per candidate (methods.md 3.2(c): O(n (n + m))).
    Betweenness (Brandes) is O(V E) on the networkx view.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = chokepoints(load_tables(), betweenness=False)
    >>> sorted(df.loc[df["id"] == "euv-lithography", "products"].item())[:2]
    ['amd-mi300x', 'intel-gaudi-3']
    """
    if product is not None:
        _check_product(tables, product)
    net = network if network is not None else build_network(tables, year)
    products = [product] if product is not None else list(net.products)
    p_idx = np.array([net.node_index[p] for p in products], dtype=np.int64)
    inputs = tables["inputs"].set_index("id")
    subst = inputs["substitutability"].astype(float).to_dict()
    names = inputs["name"].to_dict()
    org_names = dict(
        zip(tables["organizations"]["id"], tables["organizations"]["name"], strict=True)
    )
    site_names = dict(zip(tables["sites"]["id"], tables["sites"]["name"], strict=True))
    hhi = hhi_by_firm(net)
    node_input = np.array(net.node_input, dtype=object)
    rows: list[dict] = []

    # --- inputs: cap every node of the input at 0
    base = sorted(set(net.node_input) - set(products))
    b_index = {b: j for j, b in enumerate(base)}
    node_col = np.array([b_index.get(i, -1) for i in net.node_input], dtype=np.int64)
    # every candidate at once, as sparse losses: each touches only the nodes below it
    capped = np.flatnonzero(node_col >= 0)
    cap = sp.csr_matrix(
        (np.ones(len(capped)), (capped, node_col[capped])), shape=(net.n_nodes, len(base))
    )
    no_cut = sp.csr_matrix((net.n_suppliers, len(base)))
    dead = propagate_loss(net, no_cut, cap)[p_idx].toarray() >= 1.0 - _EPS  # products x inputs
    closures = {p: net.closure(p) for p in products}
    for j in np.flatnonzero(dead.any(axis=0)):
        i = base[j]
        affected = [products[x] for x in np.flatnonzero(dead[:, j])]
        reach = set().union(*(closures[p] for p in affected))
        used = [hhi[k] for k in np.flatnonzero(node_input == i) if k in reach]
        used = [h for h in used if not np.isnan(h)]
        rows.append(
            {
                "kind": "input",
                "id": i,
                "name": names[i],
                "products": affected,
                "hhi": max(used) if used else np.nan,
                "substitutability": subst.get(i, np.nan),
                "sole_supplier_of": [],
            }
        )

    # --- firms and sites: supplier scenarios
    has_suppliers = net.has_suppliers
    for kind, E, labels, label_names in (
        ("firm", net.F.tocsc(), net.firms, org_names),
        ("site", _site_matrix(net), net.sites, site_names),
    ):
        if E.shape[1] == 0:
            continue
        for j, direct_j, affected in _killers(net, E, p_idx):
            reach = set().union(*(closures[products[x]] for x in affected))
            sole = sorted(
                (k for k in reach if has_suppliers[k] and direct_j[k] <= _EPS),
                key=lambda k: net.nodes[k],
            )
            h = [hhi[k] for k in sole if not np.isnan(hhi[k])]
            s = [subst.get(net.node_input[k], np.nan) for k in sole]
            s_known = [x for x in s if not np.isnan(x)]
            rows.append(
                {
                    "kind": kind,
                    "id": labels[j],
                    "name": label_names.get(labels[j], labels[j]),
                    "products": [products[x] for x in affected],
                    "hhi": max(h) if h else np.nan,
                    "substitutability": (
                        min(s_known) if s_known and len(s_known) == len(s) else np.nan
                    ),
                    "sole_supplier_of": [net.nodes[k] for k in sole],
                }
            )

    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("products_affected",)])
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    df["products_affected"] = df["products"].map(len)
    df["hhi"] = df["hhi"].astype(float)
    df["substitutability"] = df["substitutability"].astype(float)
    df["substitutability_assumed"] = df["substitutability"].isna()
    factor = 1.0 - df["substitutability"].fillna(0.0)
    df["score"] = df["products_affected"] * df["hhi"] / 10_000.0 * factor
    bc = _betweenness(tables) if betweenness else {}
    df["betweenness"] = [bc.get(x, np.nan) for x in df["id"]]
    df["reason"] = [_reason(r) for r in df.itertuples(index=False)]
    order = {"input": 0, "firm": 1, "site": 2}
    df["_k"] = df["kind"].map(order)
    df = df.sort_values(
        ["score", "products_affected", "_k", "id"],
        ascending=[False, False, True, True],
        na_position="last",
        kind="mergesort",
    ).drop(columns="_k")
    df["rank"] = np.arange(1, len(df) + 1)
    df = df.reset_index(drop=True)[COLUMNS]
    df.attrs["year"] = net.year
    df.attrs["products"] = products
    return df


def _reason(r) -> str:
    n = r.products_affected
    what = f"{n} product{'s' if n != 1 else ''}"
    if r.kind == "input":
        head = f"required (AND, transitively) by {what}; losing it stops them"
    else:
        head = f"sole supplier of {', '.join(r.sole_supplier_of)}; removing it stops {what}"
    conc = "no share data" if np.isnan(r.hhi) else f"firm HHI {r.hhi:,.0f}"
    sub = (
        "substitutability unknown (taken as 0)"
        if np.isnan(r.substitutability)
        else f"substitutability {r.substitutability:g}"
    )
    return f"{head}; {conc}; {sub}"
