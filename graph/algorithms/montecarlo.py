"""Monte Carlo disruption risk: expected unmet demand, VaR, CVaR, P(shortfall).

Model (methods.md 3.7; assumptions printed by the CLI)
------------------------------------------------------
* **Events** are the named scenarios and the rows of ``events.csv`` (a
  supplier's own annual failure probability and duration,
  :mod:`~chiprisk.graph.algorithms.data_events`), or any list of
  :class:`~chiprisk.graph.algorithms.scenarios.Scenario`, each occurring in a
  year with its annual ``probability``, independently of the others.
  Correlation comes from shared targets: one event hits every supplier it
  targets at once (a country event hits all the country's sites and the
  located share of every firm; a bloc event all member countries), so
  suppliers are strongly correlated within an event, and events that overlap
  (a Taiwan blockade and a southern-Taiwan earthquake) hit the same
  suppliers.
* **Overlap**: where several events hit a supplier in one run the deepest cut
  applies (availability is the minimum, cuts do not compound).
* **Timing**: all events of a run start together and last their
  ``duration_weeks`` (52 when missing). The year is cut into segments at the
  distinct durations; in each segment the events still running apply. The
  loss of a node in a run is the fraction of a year's output lost,
  ``sum_k (1 - avail_k) x (D_k - D_{k-1}) / 52``, in [0, 1].
* **Weeks**: a run's loss is the mean shortfall of its weekly curve over the
  year (:mod:`~chiprisk.graph.algorithms.weekly`: buffers, lead and restart
  times, installed-base decay, from ``inputs.csv``; a scenario's own
  ``overrides`` apply only in ``simulate``). With no buffers, lead, restart
  times or decay and whole-week durations this is the segment sum below,
  week by week, and the segment sum is what is computed (the sparse path).
* **Substitution** as in :mod:`~chiprisk.graph.algorithms.simulate`
  (``spare_capacity``, default 0).
* **Draws**: ``numpy.random.default_rng(seed).random((n_events, runs))``;
  event ``e`` occurs in run ``r`` when the draw is ``< p_e``. Two networks
  (before/after a policy) run with the same seed and events see the same
  draws: common random numbers, so differences are not sampling noise.
* **Statistics** per node: EUD (mean loss) with its standard error
  ``sd / sqrt(N)``; VaR at ``level`` (the least x with ``P(L <= x) >=
  level``); CVaR (Rockafellar-Uryasev, mean of the worst ``1 - level``)
  with the standard error of the Rockafellar-Uryasev estimator; P(any
  shortfall) with ``sqrt(p (1 - p) / N)``.

Vectorisation: runs with the same set of events have the same losses, so
losses are computed once per distinct event pattern (at most ``2**n_events``,
and far fewer in practice) with one :func:`~chiprisk.graph.model.propagation.propagate`
call per duration segment over all patterns; ``dedupe=False`` propagates
every run (used by the benchmark to report both). Events are resolved in one
batch (:mod:`~chiprisk.graph.algorithms.event_batch`) and kept as sparse
event-to-row incidence (:mod:`~chiprisk.graph.algorithms.event_rows`), and the
segment losses are propagated as sparse losses
(:func:`~chiprisk.graph.model.sparse_propagation.propagate_loss`), so a run
costs the rows its events touch, not the whole network.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> df = montecarlo(t, runs=20_000, seed=1)
>>> bool((df["eud"] >= 0).all())
True
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.data_events import data_events
from chiprisk.graph.algorithms.event_batch import EventSet, event_set
from chiprisk.graph.algorithms.event_rows import apply_events, segment_losses
from chiprisk.graph.algorithms.scenarios import Scenario, named_scenarios
from chiprisk.graph.algorithms.simulate import WEEKS_PER_YEAR
from chiprisk.graph.algorithms.weekly import active_weeks, own_availability, propagate_weekly
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork, build_network, propagate

__all__ = [
    "COLUMNS",
    "EventSet",
    "assumptions",
    "event_set",
    "loss_statistics",
    "montecarlo",
    "sample_events",
    "sample_losses",
]

COLUMNS = [
    "node",
    "input",
    "input_name",
    "kind",
    "runs",
    "level",
    "eud",
    "eud_se",
    "var",
    "cvar",
    "cvar_se",
    "p_shortfall",
    "p_shortfall_se",
    "worst",
]
"""Columns of :func:`montecarlo`, in order (losses are fractions of a year's output)."""

DEFAULT_RUNS = 100_000
_BATCH = 65_536
_KEPT = 1 << 25
"""Nodes x runs per batch when only some rows are kept (bounds the sparse losses)."""
_DRAWS = 1 << 22
"""Uniform draws held at once by :func:`sample_events` (32 MiB)."""


def sample_events(probs: Sequence[float] | np.ndarray, runs: int, seed: int | None) -> np.ndarray:
    """Occurrence matrix (n_events x runs, bool): the same seed gives the same draws.

    The draws are ``default_rng(seed).random((n_events, runs))``, taken a
    block of rows at a time (the same numbers, without the float matrix).

    Examples
    --------
    >>> sample_events([0.5, 0.0], 4, seed=0).sum(axis=1).tolist()[1]
    0
    """
    if runs < 1:
        raise UsageError(f"runs must be >= 1, got {runs}")
    p = np.asarray(probs, dtype=float)
    rng = np.random.default_rng(seed)
    out = np.empty((p.size, runs), dtype=bool)
    step = max(1, _DRAWS // runs)  # rows per draw: the same stream, bounded memory
    for lo in range(0, p.size, step):
        out[lo : lo + step] = rng.random((min(step, p.size - lo), runs)) < p[lo : lo + step, None]
    return out


def _progress(total: int, show: bool):
    if not show:
        return None
    from rich.progress import Progress

    bar = Progress(transient=True, console=None)
    bar.start()
    task = bar.add_task("Monte Carlo", total=total)
    return bar, task


def _losses_of_patterns(
    net: SupplyNetwork,
    ev: EventSet,
    occ: np.ndarray,
    spare: float,
    baseline: np.ndarray | None,
    tick: Callable[[int], None] | None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Annual loss (n_nodes x n_cols, or the ``rows``) of each occurrence column."""
    if ev.params is not None and not _static_equivalent(ev):
        out = _weekly_losses(net, ev, occ, spare, baseline, tick)
        return out if rows is None else out[rows]
    if baseline is None:  # sparse: only the rows and nodes each run's events touch
        batch = _BATCH if rows is None else max(1024, min(_BATCH, _KEPT // net.n_nodes))
        L = segment_losses(
            net, ev.inc_a, ev.inc_c, ev.durations, occ, spare, tick=tick, rows=rows, batch=batch
        )
        return np.clip(L, 0.0, 1.0, out=L)
    n_cols = occ.shape[1]
    loss = np.zeros((net.n_nodes, n_cols))
    levels = np.unique(ev.durations)
    prev = 0.0
    inc_a, inc_c = ev.inc_a, ev.inc_c
    for d in levels:
        active = occ & (ev.durations >= d)[:, None]
        cols = np.flatnonzero(active.any(axis=0))
        if baseline is not None:
            cols = np.arange(n_cols)
        batch = max(256, min(_BATCH, 4_000_000 // max(net.n_suppliers, 1)))  # bounded memory
        for lo in range(0, len(cols), batch):
            c = cols[lo : lo + batch]
            a = apply_events(inc_a, active[:, c])  # only the rows the events touch
            cap = apply_events(inc_c, active[:, c])
            if baseline is not None:
                a *= baseline[:, None]
            avail = propagate(net, a * (1.0 + spare), cap)
            loss[:, c] += (1.0 - avail) * ((d - prev) / WEEKS_PER_YEAR)
            if tick:
                tick(len(c))
        prev = d
    if baseline is not None and prev < WEEKS_PER_YEAR:  # the rest of the year: baseline only
        avail = propagate(net, baseline * (1.0 + spare))
        loss += (1.0 - avail)[:, None] * ((WEEKS_PER_YEAR - prev) / WEEKS_PER_YEAR)
    np.clip(loss, 0.0, 1.0, out=loss)
    return loss if rows is None else loss[rows]


def _static_equivalent(ev: EventSet) -> bool:
    """True when the weekly loss is the segment sum: no stocks, delays or decay, whole weeks."""
    p = ev.params
    still = not any(
        np.any(getattr(p, f)) for f in ("installed", "buffer", "lead", "restart", "decay")
    )
    return still and bool(np.all(ev.durations == np.round(ev.durations)))


def _weekly_losses(
    net: SupplyNetwork,
    ev: EventSet,
    occ: np.ndarray,
    spare: float,
    baseline: np.ndarray | None,
    tick: Callable[[int], None] | None,
) -> np.ndarray:
    """Annual loss of each occurrence column: the mean of its weekly curve over a year."""
    n_cols, T = occ.shape[1], int(WEEKS_PER_YEAR)
    loss = np.zeros((net.n_nodes, n_cols))
    bounds = np.concatenate([[0.0], np.unique(ev.durations)])
    if baseline is not None and bounds[-1] < WEEKS_PER_YEAR:
        bounds = np.append(bounds, WEEKS_PER_YEAR)  # the rest of the year: baseline only
    batch = max(16, min(_BATCH, 2_000_000 // max(net.n_nodes * T, 1)))  # bounded memory
    inc_a, inc_c = ev.inc_a, ev.inc_c
    for lo in range(0, n_cols, batch):
        c = np.arange(lo, min(lo + batch, n_cols))
        cause = np.zeros((net.n_nodes, len(c), T))
        for prev, d in zip(bounds[:-1], bounds[1:], strict=True):
            active = occ[:, c] & (ev.durations >= d)[:, None]
            if not active.any() and baseline is None:
                continue
            a = apply_events(inc_a, active)  # only the rows the events touch
            cap = apply_events(inc_c, active)
            if baseline is not None:
                a *= baseline[:, None]
            direct = own_availability(net, a, cap, spare)
            share = active_weeks(np.array([prev]), np.array([d - prev]), T)[0]
            cause += (1.0 - direct)[:, :, None] * share[None, None, :]
        p = ev.params.columns(np.zeros(len(c), dtype=int))
        loss[:, c] = propagate_weekly(net, np.clip(cause, 0.0, 1.0), p).sum(axis=-1) / T
        if tick:
            tick(2 * len(c))
    return np.clip(loss, 0.0, 1.0)


def sample_losses(
    net: SupplyNetwork,
    events: EventSet,
    occurrences: np.ndarray,
    *,
    spare_capacity: float = 0.0,
    baseline_availability: np.ndarray | None = None,
    dedupe: bool = True,
    progress: bool = False,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Loss (fraction of a year's output) of every node in every run: (n_nodes x runs).

    Parameters
    ----------
    net : SupplyNetwork
    events : EventSet
        From :func:`event_set` on the same network.
    occurrences : numpy.ndarray of bool, (n_events x runs)
        From :func:`sample_events` (reuse it for common random numbers).
    spare_capacity : float
        Substitution headroom of surviving suppliers (see simulate).
    baseline_availability : array_like, optional
        Supplier availability all year (an export control), multiplied in.
    dedupe : bool, default True
        Compute each distinct event pattern once.
    progress : bool
        Show a progress bar (only when standard error is a terminal).
    rows : numpy.ndarray, optional
        Only these nodes (``len(rows) x runs``): the static path then holds
        no nodes x runs array, so a large network runs many years.

    Notes
    -----
    O(P x S x (nnz(W) + nnz(R))) for P distinct patterns (runs without
    ``dedupe``) and S duration segments; no Python loop over runs.
    """
    occ = np.asarray(occurrences, dtype=bool)
    base = None if baseline_availability is None else np.asarray(baseline_availability, float)
    if dedupe:
        if occ.shape[0] <= 62:  # one int64 code per run: a fast 1-D unique
            weights = np.left_shift(np.int64(1), np.arange(occ.shape[0], dtype=np.int64))
            uniq, inverse = np.unique(weights @ occ.astype(np.int64), return_inverse=True)
            patterns = (uniq[None, :] >> np.arange(occ.shape[0])[:, None]) & 1 == 1
        else:
            codes = np.packbits(occ, axis=0, bitorder="little")
            uniq, inverse = np.unique(codes, axis=1, return_inverse=True)
            patterns = np.unpackbits(uniq, axis=0, count=occ.shape[0], bitorder="little")
            patterns = patterns.astype(bool)
        if patterns.shape[1] == occ.shape[1]:  # every run distinct: no copy back
            patterns, inverse = occ, None
    else:
        patterns, inverse = occ, None
    bar = _progress(patterns.shape[1] * 2, progress and sys.stderr.isatty())
    tick = (lambda k: bar[0].advance(bar[1], k)) if bar else None
    try:
        loss = _losses_of_patterns(net, events, patterns, spare_capacity, base, tick, rows)
    finally:
        if bar:
            bar[0].stop()
    return loss[:, np.ravel(inverse)] if inverse is not None else loss


def loss_statistics(losses: np.ndarray, level: float = 0.95) -> dict[str, np.ndarray]:
    """EUD, VaR, CVaR, P(shortfall) and their standard errors per row of ``losses``.

    Examples
    --------
    >>> s = loss_statistics(np.array([[0.0, 0.0, 0.0, 1.0]]), level=0.75)
    >>> float(s["eud"][0]), float(s["var"][0]), float(s["cvar"][0])
    (0.25, 0.0, 1.0)
    """
    if not 0.0 <= level < 1.0:
        raise UsageError(f"--level must be in [0, 1), got {level!r}")
    L = np.atleast_2d(losses)
    n = L.shape[1]
    eud = L.mean(axis=1)
    sd = L.std(axis=1, ddof=1) if n > 1 else np.zeros(L.shape[0])
    k = min(int(math.ceil(level * n)) - 1, n - 1)
    k = max(k, 0)
    # the k-th smallest loss: most runs of a row lose nothing, and np.partition
    # slows to ~2 ms a row on such ties (20,000 runs), while a row whose
    # minimum fills its first k+1 places has that minimum as the answer and
    # the other rows sort quickly
    low = L.min(axis=1)
    var = low.copy()
    at_low = np.count_nonzero(low[:, None] == L, axis=1)
    need = at_low <= k
    if need.any():
        var[need] = np.sort(L[need], axis=1)[:, k]
    tail = var[:, None] + np.maximum(L - var[:, None], 0.0) / (1.0 - level)
    cvar = tail.mean(axis=1)
    cvar_se = tail.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else np.zeros(L.shape[0])
    p = (L > 1e-12).mean(axis=1)
    return {
        "eud": eud,
        "eud_se": sd / math.sqrt(n),
        "var": var,
        "cvar": cvar,
        "cvar_se": cvar_se,
        "p_shortfall": p,
        "p_shortfall_se": np.sqrt(p * (1.0 - p) / n),
        "worst": L.max(axis=1),
    }


def assumptions(spare_capacity: float = 0.0, seed: int | None = 0) -> list[str]:
    """The Monte Carlo assumptions, one sentence each (printed by the CLI)."""
    return [
        "each named scenario is an event occurring in a year with its annual probability, "
        "independently; correlation comes from shared targets",
        "overlapping events: the deepest cut applies; all start together and last their "
        "duration_weeks (52 when missing)",
        "loss = fraction of a year's output lost; EUD = mean loss, VaR/CVaR at the level, "
        "P(shortfall) = P(loss > 0), with standard errors",
        f"surviving suppliers may run {spare_capacity:.0%} above normal output; "
        f"seed {seed} (same seed = same draws: common random numbers)",
    ]


def montecarlo(
    tables: Tables,
    scenarios: Sequence[Scenario] | None = None,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int | None = 0,
    level: float = 0.95,
    year: int | None = None,
    network: SupplyNetwork | None = None,
    spare_capacity: float = 0.0,
    include: str = "products",
    progress: bool = False,
) -> pd.DataFrame:
    """Monte Carlo of the named scenarios: risk statistics per product (or node).

    Parameters
    ----------
    tables : Tables
    scenarios : sequence of Scenario, optional
        The events (default: every named scenario of the data, then every
        row of ``events.csv``: :func:`~chiprisk.graph.algorithms.data_events.data_events`).
    runs : int
        Simulated years.
    seed : int, optional
        RNG seed (the same seed gives the same draws).
    level : float
        VaR/CVaR level (0.95).
    year : int, optional
        As of this year.
    network : SupplyNetwork, optional
        Prebuilt network for ``year``.
    spare_capacity : float
        Substitution headroom (default 0).
    include : {"products", "all"}
        Rows for products only or for every node.
    progress : bool
        Show a progress bar on a terminal.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; losses are fractions of a year's output.
        Sorted by kind (products first) and EUD, largest first.
        ``df.attrs["assumptions"]``, ``df.attrs["events"]`` (id, probability).

    Notes
    -----
    See :func:`sample_losses`. Memory O(rows x runs) floats (products only:
    a few rows however large the network), plus the events x runs draws.
    """
    if include not in ("products", "all"):
        raise UsageError(f"include must be products or all, not {include!r}")
    net = network if network is not None else build_network(tables, year)
    scs = (
        list(scenarios) if scenarios is not None else named_scenarios(tables) + data_events(tables)
    )
    ev = event_set(net, tables, scs)
    occ = sample_events(ev.probs, runs, seed)
    products = set(net.products)
    is_prod = np.array(
        [i in products and b is None for i, b in zip(net.node_input, net.node_buyer, strict=True)]
    )
    rows = np.flatnonzero(is_prod) if include == "products" else np.arange(net.n_nodes)
    keep = rows if include == "products" else None
    L = sample_losses(net, ev, occ, spare_capacity=spare_capacity, progress=progress, rows=keep)
    stats = loss_statistics(np.ascontiguousarray(L), level)  # row sums in memory order
    names = dict(zip(tables["inputs"]["id"], tables["inputs"]["name"], strict=True))
    df = pd.DataFrame(
        {
            "node": [net.nodes[i] for i in rows],
            "input": [net.node_input[i] for i in rows],
            "input_name": [names.get(net.node_input[i]) for i in rows],
            "kind": ["product" if is_prod[i] else "input" for i in rows],
            "runs": runs,
            "level": level,
            **stats,
        }
    )[COLUMNS]
    df["_p"] = df["kind"] != "product"
    df = df.sort_values(["_p", "eud", "node"], ascending=[True, False, True])
    df = df.drop(columns="_p").reset_index(drop=True)
    df.attrs["assumptions"] = assumptions(spare_capacity, seed)
    df.attrs["events"] = list(zip(ev.ids, ev.probs.tolist(), strict=True))
    return df
