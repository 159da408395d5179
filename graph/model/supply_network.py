"""The SupplyNetwork container: the integer-indexed arrays of the AND/OR supply network.

:func:`chiprisk.graph.model.network_build.build_network` fills it from the
checked rows and :func:`chiprisk.graph.model.propagation.propagate` runs over
it; the model itself (nodes, suppliers, ``W``, ``R``, ``L``, ``S``) is
described in :mod:`chiprisk.graph.model.propagation`.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.network_build import build_network
>>> net = build_network(load_tables())
>>> isinstance(net, SupplyNetwork), net.n_nodes == len(net.nodes)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["SupplyNetwork"]


@dataclass
class _Level:
    lo: int
    hi: int
    w: sp.csr_matrix  # rows lo:hi of W
    sup_rows: np.ndarray  # local rows with suppliers
    child_rows: np.ndarray  # local rows with children
    child_idx: np.ndarray  # gathered children (global node indices)
    starts: np.ndarray  # reduceat offsets into child_idx
    dep_sup: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    # ^ suppliers whose firm's purchases are all computed before this level
    dep_idx: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    dep_starts: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))


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
        Breadth-first over ``R`` and, for multi-tier firms, from a node to the
        purchase nodes of its suppliers' firms (one tier deeper):
        O(nodes + edges) of the closure.
        """
        start = self.node_index[node]
        depth = {start: 0}
        frontier = [start]
        ip, ix = self.R.indptr, self.R.indices
        buys = self._purchases()
        wp, wx = self.W.indptr, self.W.indices
        d = 0
        while frontier:
            d += 1
            nxt = []
            for k in frontier:
                below = ix[ip[k] : ip[k + 1]].tolist()
                if buys:
                    for s in wx[wp[k] : wp[k + 1]].tolist():
                        below += buys.get(s, [])
                for j in below:
                    if j not in depth:
                        depth[j] = d
                        nxt.append(j)
            frontier = nxt
        return depth

    def _purchases(self) -> dict[int, list[int]]:
        """Supplier -> the purchase nodes its firm's output depends on (multi-tier firms)."""
        out: dict[int, list[int]] = {}
        for lv in self._levels:
            if not len(lv.dep_sup):
                continue
            ends = np.r_[lv.dep_starts[1:], len(lv.dep_idx)]
            for s, a, b in zip(lv.dep_sup.tolist(), lv.dep_starts.tolist(), ends, strict=True):
                out[s] = lv.dep_idx[a:b].tolist()
        return out
