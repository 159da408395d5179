"""Sparse event-to-row incidence: the rows each Monte Carlo event touches, applied in batches.

A Monte Carlo event (a named scenario, or one row of ``events.csv``) cuts a
few suppliers or caps a few nodes; the rest of its column of the dense
availability matrix is 1. :func:`incidence` keeps only the entries below 1,
per event (a CSC-like ``ptr``/``rows``/``vals``), and :func:`apply_events`
builds the availability of a batch of runs from the (event, run) pairs that
occur: one gather and one ``numpy.minimum.at`` over the touched entries, so
the cost grows with the rows the occurring events touch, not with
``rows x events x runs``. The result equals the dense
``min(1, min_e A[:, e])`` over each run's events exactly (a minimum is exact).
:func:`event_losses` gives the same as sparse losses ``1 - availability``
(only touched entries are stored), for
:func:`~chiprisk.graph.model.sparse_propagation.propagate_loss`.

Examples
--------
>>> A = np.array([[1.0, 0.0], [0.5, 1.0], [1.0, 1.0]])  # 3 rows x 2 events
>>> inc = incidence(A)
>>> inc.rows.tolist(), inc.vals.tolist()
([1, 0], [0.5, 0.0])
>>> active = np.array([[True, False, True], [False, True, True]])  # 2 events x 3 runs
>>> apply_events(inc, active).tolist()
[[1.0, 0.0, 0.0], [0.5, 1.0, 0.5], [1.0, 1.0, 1.0]]
>>> event_losses(inc, active).toarray().tolist()  # the same as losses, sparse
[[0.0, 1.0, 1.0], [0.5, 0.0, 0.5], [0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from chiprisk.graph.model.sparse_propagation import propagate_loss
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = ["Incidence", "apply_events", "dense", "event_losses", "incidence", "segment_losses"]


@dataclass(frozen=True)
class Incidence:
    """The entries below 1 of a rows x events availability matrix, grouped by event.

    Attributes
    ----------
    ptr : numpy.ndarray
        Event ``e``'s entries are ``rows[ptr[e]:ptr[e + 1]]``, ``vals[...]``.
    rows, vals : numpy.ndarray
        Row index and availability (< 1) of each entry.
    n_rows : int
        Rows of the matrix (suppliers or nodes).
    """

    ptr: np.ndarray
    rows: np.ndarray
    vals: np.ndarray
    n_rows: int

    @property
    def n_events(self) -> int:
        """Number of events (columns of the matrix)."""
        return len(self.ptr) - 1


def incidence(matrix: np.ndarray) -> Incidence:
    """The entries below 1 of ``matrix`` (rows x events), per event.

    Notes
    -----
    O(rows x events) once per event set; entries of 1 or more are left out
    (a run's availability starts at 1 and takes minima, so they never count).
    """
    M = np.asarray(matrix, dtype=float)
    ev, row = np.nonzero(M.T < 1.0)  # event-major: grouped by event, rows sorted
    ptr = np.searchsorted(ev, np.arange(M.shape[1] + 1)).astype(np.int64)
    return Incidence(ptr, row.astype(np.int64), M[row, ev], M.shape[0])


def dense(inc: Incidence) -> np.ndarray:
    """The dense rows x events matrix of ``inc`` (1 off its entries): undoes :func:`incidence`.

    Examples
    --------
    >>> A = np.array([[1.0, 0.0], [0.5, 1.0]])
    >>> bool((dense(incidence(A)) == A).all())
    True
    """
    out = np.ones((inc.n_rows, inc.n_events))
    out[inc.rows, np.repeat(np.arange(inc.n_events), np.diff(inc.ptr))] = inc.vals
    return out


def apply_events(inc: Incidence, active: np.ndarray) -> np.ndarray:
    """Availability (n_rows x n_runs) of each run: the least over its active events, else 1.

    Parameters
    ----------
    inc : Incidence
    active : numpy.ndarray of bool, (n_events x n_runs)
        Which events run in each column.

    Notes
    -----
    O(n_rows x n_runs) to fill the ones, plus O(touched entries) for the
    occurring (event, run) pairs.
    """
    act = np.asarray(active, dtype=bool)
    out = np.ones((inc.n_rows, act.shape[1]))
    e, c = np.nonzero(act)
    cnt = inc.ptr[e + 1] - inc.ptr[e]
    keep = cnt > 0
    e, c, cnt = e[keep], c[keep], cnt[keep]
    total = int(cnt.sum())
    if total == 0:
        return out
    first = np.cumsum(cnt) - cnt  # where each pair's entries start in the gather
    pos = np.repeat(inc.ptr[e] - first, cnt) + np.arange(total)
    np.minimum.at(out, (inc.rows[pos], np.repeat(c, cnt)), inc.vals[pos])
    return out


def event_losses(inc: Incidence, active: np.ndarray) -> sp.csr_matrix:
    """Loss ``1 - availability`` (n_rows x n_runs, sparse) of each run: the deepest cut.

    Parameters
    ----------
    inc : Incidence
    active : numpy.ndarray of bool, (n_events x n_runs)

    Notes
    -----
    O(touched entries log touched entries): no dense rows x runs array.
    """
    act = np.asarray(active, dtype=bool)
    e, c = np.nonzero(act)
    return _pair_losses(inc, e, c, act.shape[1])


@dataclass(frozen=True)
class _Entries:
    """The touched entries of some (event, run) pairs, sorted by (row, run) key."""

    key: np.ndarray  # row * n_cols + run, sorted (repeats where events overlap)
    loss: np.ndarray  # 1 - availability
    pair: np.ndarray  # the (event, run) pair each entry comes from
    n_rows: int
    n_cols: int


def _entries(inc: Incidence, e: np.ndarray, c: np.ndarray, n_cols: int) -> _Entries:
    """Gather and sort, once, the entries the (event, run) pairs ``(e, c)`` touch."""
    cnt = inc.ptr[e + 1] - inc.ptr[e]
    total = int(cnt.sum())
    first = np.cumsum(cnt) - cnt
    pos = np.repeat(inc.ptr[e] - first, cnt) + np.arange(total)
    key = inc.rows[pos] * n_cols + np.repeat(c, cnt)
    order = np.argsort(key, kind="stable")
    pair = np.repeat(np.arange(len(e)), cnt)[order]
    return _Entries(key[order], 1.0 - inc.vals[pos][order], pair, inc.n_rows, n_cols)


def _deepest(ent: _Entries, keep: np.ndarray | None = None) -> sp.csr_matrix:
    """Losses (n_rows x n_cols): the deepest cut per entry over the kept pairs (all: None)."""
    key, val = ent.key, ent.loss
    if keep is not None:
        m = keep[ent.pair]
        key, val = key[m], val[m]
    if len(key) == 0:
        return sp.csr_matrix((ent.n_rows, ent.n_cols))
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    key, val = key[starts], np.maximum.reduceat(val, starts)
    ptr = np.r_[0, np.cumsum(np.bincount(key // ent.n_cols, minlength=ent.n_rows))]
    return sp.csr_matrix((val, key % ent.n_cols, ptr), shape=(ent.n_rows, ent.n_cols))


def _pair_losses(inc: Incidence, e: np.ndarray, c: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """:func:`event_losses` from the (event, run) pairs that occur."""
    return _deepest(_entries(inc, e, c, n_cols))


def segment_losses(
    net: SupplyNetwork,
    inc_a: Incidence,
    inc_c: Incidence,
    durations: np.ndarray,
    occ: np.ndarray,
    spare: float = 0.0,
    *,
    batch: int = 65_536,
    weeks: float = 52.0,
    tick: Callable[[int], None] | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Annual loss (n_nodes x runs) by duration segments, from the touched rows only.

    Parameters
    ----------
    net : SupplyNetwork
    inc_a, inc_c : Incidence
        Events' supplier availabilities and node caps (:func:`incidence`).
    durations : numpy.ndarray
        Weeks each event lasts (at most ``weeks``).
    occ : numpy.ndarray of bool, (n_events x runs)
        Which events occur in each run.
    spare : float
        Substitution headroom of surviving suppliers.
    batch : int
        Runs per batch.
    weeks : float
        Weeks in a year.
    tick : callable, optional
        Called with the runs done after each batch.
    rows : numpy.ndarray, optional
        Only these nodes' losses are kept (default: every node), so the
        result is ``len(rows) x runs`` whatever the network's size.

    Returns
    -------
    numpy.ndarray
        ``sum_k (1 - avail_k) x (D_k - D_{k-1}) / weeks`` per node and run,
        ``avail_k`` with the events still running in segment ``k``: the
        model of the Monte Carlo module, not clipped.

    Notes
    -----
    The (event, run) pairs are found once; each segment keeps those still
    running and propagates their sparse losses
    (:func:`~chiprisk.graph.model.sparse_propagation.propagate_loss`), so the
    work is the touched rows and nodes, never events x runs per segment.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> net = build_network(load_tables())
    >>> A = np.ones((net.n_suppliers, 1))
    >>> A[net.supplier_firm == net.firms.index("asml"), 0] = 0.0  # 26 weeks without ASML
    >>> inc_a, inc_c = incidence(A), incidence(np.ones((net.n_nodes, 1)))
    >>> L = segment_losses(net, inc_a, inc_c, np.array([26.0]), np.array([[True, False]]))
    >>> L[net.node_index["nvidia-h100"]].tolist()
    [0.5, 0.0]
    """
    occ = np.asarray(occ, dtype=bool)
    n_runs = occ.shape[1]
    n_out = net.n_nodes if rows is None else len(rows)
    loss = None if n_runs <= batch else np.zeros((n_out, n_runs))
    r_all, e_all = np.nonzero(occ.T)  # run-major: a batch of runs is one slice
    levels = np.unique(durations)
    for lo in range(0, n_runs, batch):
        hi = min(lo + batch, n_runs)
        i0, i1 = np.searchsorted(r_all, [lo, hi])
        e, r = e_all[i0:i1], r_all[i0:i1] - lo
        acc = sp.csr_matrix((n_out, hi - lo))  # the segments' sum, sparse: in level order
        ent_a, ent_c = _entries(inc_a, e, r, hi - lo), _entries(inc_c, e, r, hi - lo)
        prev = 0.0
        for d in levels:
            keep = durations[e] >= d  # the pairs still running: a filter of the sorted entries
            if keep.any():
                la, lc = _deepest(ent_a, keep), _deepest(ent_c, keep)
                lost = propagate_loss(net, la, lc, spare)
                acc = acc + (lost if rows is None else lost[rows]) * ((d - prev) / weeks)
            prev = d
        if loss is None:
            loss = acc.toarray()
        else:
            loss[:, lo:hi] = acc.toarray()
        if tick:
            tick(hi - lo)
    return loss if loss is not None else np.zeros((n_out, n_runs))
