"""Loss propagation over only the rows a scenario touches: the sparse twin of ``propagate``.

:func:`~chiprisk.graph.model.propagation.propagate` works on dense
availability, so each scenario column costs the whole network. A Monte Carlo
run or a removal test cuts a few suppliers; :func:`propagate_loss` carries
*losses* (``1 - availability``) as sparse (row, column, value) entries
instead, level by level, and touches only the nodes below a cut:

* a node's own loss is ``W[i] @ l`` over its suppliers' losses (with spare
  capacity ``s``: ``max(0, 1 - (1 + s)(1 - W[i] @ l))``);
* its loss is the largest of its own, its children's and its cap's;
* a supplier whose firm buys inputs (multi-tier firms) loses at least what
  its firm's worst purchase loses (with spare: ``(s + L) / (1 + s)``);
* values within 1e-9 of 0 or 1 are snapped to them.

This is the model of ``propagate`` written in losses; the answers agree with
``1 - propagate(...)`` to rounding (the sums are taken in another order).

Examples
--------
>>> import numpy as np
>>> import scipy.sparse as sp
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.propagation import build_network, propagate
>>> net = build_network(load_tables())
>>> cut = (net.supplier_firm == net.firms.index("asml")).astype(float)
>>> loss = propagate_loss(net, sp.csr_matrix(cut[:, None]))
>>> k = net.node_index["nvidia-h100"]
>>> float(loss[k, 0]), float(1 - propagate(net, 1 - cut)[k])
(1.0, 1.0)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = ["propagate_loss"]

_SNAP = 1e-9
_SLOTS = 8
"""Most purchases per firm merged slot by slot (beyond: one sort of all of them)."""


def _max_by_key(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest value per distinct key (keys sorted on return)."""
    if len(keys) == 0:
        return keys, vals
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], vals[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return k[starts], np.maximum.reduceat(v, starts)


def _gather(indptr, indices, data, owners, sources):
    """Entries of rows ``sources`` relabelled to their ``owners``: (owner, col, value)."""
    cnt = indptr[sources + 1] - indptr[sources]
    total = int(cnt.sum())
    if total == 0:
        e = np.array([], dtype=np.int64)
        return e, e, np.array([], dtype=float)
    first = np.cumsum(cnt) - cnt
    pos = np.repeat(indptr[sources] - first, cnt) + np.arange(total)
    return np.repeat(owners, cnt), indices[pos], data[pos]


def _purchases_bound(lv, lsup, indptr, done_ind, done_val, spare: float) -> sp.csr_matrix:
    """Supplier losses raised to their firm's worst purchase (multi-tier firms).

    With few purchases per firm, one linear sparse ``maximum`` per purchase
    slot (the j-th purchase of every firm at once: one entry per row and
    column, no sort); else one sort of all gathered entries.
    """
    counts = np.diff(np.r_[lv.dep_starts, len(lv.dep_idx)])
    n_cols = lsup.shape[1]
    if counts.max(initial=0) > _SLOTS:
        owners = np.repeat(lv.dep_sup, counts)
        s, c, v = _gather(indptr, done_ind, done_val, owners, lv.dep_idx)
        if not len(s):
            return lsup
        if spare:
            v = (spare + v) / (1.0 + spare)
        k, v = _max_by_key(s * n_cols + c, v)
        extra = sp.csr_matrix((v, (k // n_cols, k % n_cols)), shape=lsup.shape)
        return lsup.maximum(extra).tocsr()
    for j in range(int(counts.max(initial=0))):
        has = counts > j
        owners, sources = lv.dep_sup[has], lv.dep_idx[lv.dep_starts[has] + j]
        _, c, v = _gather(indptr, done_ind, done_val, owners, sources)
        if not len(c):
            continue
        if spare:
            v = (spare + v) / (1.0 + spare)
        ptr = np.zeros(lsup.shape[0] + 1, dtype=np.int64)
        ptr[owners + 1] = indptr[sources + 1] - indptr[sources]  # owners ascending, once each
        extra = sp.csr_matrix((v, c, np.cumsum(ptr)), shape=lsup.shape)
        lsup = lsup.maximum(extra).tocsr()
    return lsup


def propagate_loss(
    net: SupplyNetwork,
    supplier_loss: sp.spmatrix,
    cap_loss: sp.spmatrix | None = None,
    spare: float = 0.0,
) -> sp.csr_matrix:
    """Loss of every node for many scenarios, as a sparse (n_nodes x n_cols) matrix.

    Parameters
    ----------
    net : SupplyNetwork
    supplier_loss : scipy.sparse matrix, (n_suppliers x n_cols)
        ``1 - availability`` of each supplier node, in [0, 1].
    cap_loss : scipy.sparse matrix, (n_nodes x n_cols), optional
        ``1 - cap`` of each node (an input-level cut).
    spare : float
        Substitution headroom: surviving suppliers run up to ``1 + spare``.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``1 - propagate(net, (1 - supplier_loss) * (1 + spare), 1 - cap_loss)``
        to rounding; only nodes below a cut have entries.

    Notes
    -----
    O(depth) numpy calls per level and work proportional to the (node,
    column) pairs with a loss, not to ``n_nodes x n_cols``.
    """
    n_cols = supplier_loss.shape[1]
    lsup = sp.csr_matrix(supplier_loss, dtype=float)
    cap = sp.csr_matrix(cap_loss, dtype=float) if cap_loss is not None else None
    if cap is not None and cap.nnz == 0:
        cap = None  # no node capped: nothing to take the largest with
    indptr = np.zeros(net.n_nodes + 1, dtype=np.int64)
    idx_chunks: list[np.ndarray] = []
    val_chunks: list[np.ndarray] = []
    done_ind = np.array([], dtype=np.int64)
    done_val = np.array([], dtype=float)
    empty_i = np.array([], dtype=np.int64)
    for lv in net._levels:
        n_rows = lv.hi - lv.lo
        if len(idx_chunks) > 0 and (len(lv.child_rows) or len(lv.dep_sup)):
            done_ind = np.concatenate(idx_chunks)
            done_val = np.concatenate(val_chunks)
        if len(lv.dep_sup) and len(done_ind):
            lsup = _purchases_bound(lv, lsup, indptr, done_ind, done_val, spare)
        parts_k, parts_v = [], []
        if len(lv.sup_rows):
            own = (lv.w @ lsup).tocoo()
            v = own.data
            if spare:
                v = np.maximum(0.0, 1.0 - (1.0 + spare) * (1.0 - v))
            parts_k.append(own.row.astype(np.int64) * n_cols + own.col)
            parts_v.append(v)
        if len(lv.child_rows) and len(done_ind):
            owners = np.repeat(lv.child_rows, np.diff(np.r_[lv.starts, len(lv.child_idx)]))
            r, c, v = _gather(indptr, done_ind, done_val, owners, lv.child_idx)
            parts_k.append(r * n_cols + c)
            parts_v.append(v)
        if cap is not None and cap.indptr[lv.lo] < cap.indptr[lv.hi]:
            blk = cap[lv.lo : lv.hi].tocoo()
            parts_k.append(blk.row.astype(np.int64) * n_cols + blk.col)
            parts_v.append(blk.data)
        if len(parts_k) == 1 and not (len(lv.child_rows) and len(done_ind)):
            k, v = parts_k[0], parts_v[0]  # one sparse matrix: distinct keys, in row order
        elif parts_k:
            k, v = _max_by_key(np.concatenate(parts_k), np.concatenate(parts_v))
        else:
            k, v = empty_i, np.array([], dtype=float)
        v = np.where(v > 1.0 - _SNAP, 1.0, v)
        keep = v >= _SNAP
        k, v = k[keep], v[keep]
        rows = k // n_cols
        counts = np.bincount(rows, minlength=n_rows)
        indptr[lv.lo + 1 : lv.hi + 1] = indptr[lv.lo] + np.cumsum(counts)
        idx_chunks.append(k % n_cols)
        val_chunks.append(v)
    ind = np.concatenate(idx_chunks) if idx_chunks else empty_i
    val = np.concatenate(val_chunks) if val_chunks else np.array([], dtype=float)
    return sp.csr_matrix((val, ind, indptr), shape=(net.n_nodes, n_cols))
