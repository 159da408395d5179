"""AND/OR availability propagation over the supply network, and the model it runs on.

This is the engine shared by multi-tier exposure, chokepoints, disruption
simulation and Monte Carlo. The network is built straight from the checked
rows (:func:`chiprisk.graph.io.loader.load_tables`), never from RDF, by
:func:`build_network` (:mod:`chiprisk.graph.model.network_build`, with the
share tables of :mod:`chiprisk.graph.model.share_tables`; the container is
:class:`chiprisk.graph.model.supply_network.SupplyNetwork`); all three names
are re-exported here.

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
sourcing each edge used.

Multi-tier firms (:mod:`chiprisk.graph.model.firm_tiers`): rows with
``buyer = X`` (an organisation) give a node ``j@X`` with X's own share table
for ``j`` and ``j``'s requirements; every supplier node of ``X`` (its
``X@stage`` nodes and the sites it operates) then delivers at most the least
availability of X's purchase nodes, so a failure at any tier reaches the
products. Cycles between firms are broken and listed in
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

import numpy as np
import scipy.sparse as sp

from chiprisk.graph.model.network_build import build_network
from chiprisk.graph.model.share_tables import BASIS_PREFERENCE, QUALITATIVE_MIDPOINTS
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = [
    "BASIS_PREFERENCE",
    "QUALITATIVE_MIDPOINTS",
    "SupplyNetwork",
    "build_network",
    "hhi_by_firm",
    "propagate",
]

_SNAP = 1e-9
"""Availabilities within this of 0 or 1 are snapped to it (float sums of shares)."""


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
    Python loop over paths, nodes or scenarios. A supplier whose firm buys
    inputs (multi-tier firms) is capped, at the level after its purchases, by
    the least availability of those purchases (where below 1). No substitution: a supplier's
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
    copied = False
    for lv in net._levels:
        if len(lv.dep_sup):  # multi-tier firms: output bounded by what they buy
            m = np.minimum.reduceat(out[lv.dep_idx], lv.dep_starts, axis=0)
            if (m < 1.0).any():
                if not copied:
                    a, copied = a.copy(), True
                a[lv.dep_sup] = np.minimum(a[lv.dep_sup], np.where(m < 1.0, m, np.inf))
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
    O(nnz(W)) with one sparse product; each row's squared shares are summed
    over its entries in firm order (no nodes x firms array: a network with
    100,000 firms stays sparse).
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
    WG.sum_duplicates()  # canonical: one entry per (node, entity), in entity order
    rows = np.repeat(np.arange(net.n_nodes), np.diff(WG.indptr))
    out = np.bincount(rows, weights=(WG.data * 100.0) ** 2, minlength=net.n_nodes)
    out[~net.has_suppliers] = math.nan
    return out
