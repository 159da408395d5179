"""Weekly disruption model: stocks, buffers, pipeline and recovery, week by week.

The static simulation (:mod:`~chiprisk.graph.algorithms.simulate`) gives one
fraction per node while a disruption lasts. This module turns it into a
weekly curve per node over a horizon (weeks ``0 .. T-1``), on the same
AND/OR network, with each input's stock-and-flow values (``inputs.csv``:
``flow``, ``buffer_weeks``, ``lead_time_weeks``, ``restart_weeks``,
``service_decay_per_year``; ``docs/methods.md`` states the equations and the
sources of every default).

Model (per node ``i``, scenario column ``k``, week ``t``; losses are
fractions of normal weekly output)
---------------------------------------------------------------------
* **Cause** ``c_i(t) = (1 - direct_i) x active(t)``: ``direct_i`` is the
  node's own availability while the cause lasts (its suppliers ``W[i] @ a``,
  capped by input targets) and ``active(t)`` the part of week ``t`` inside
  ``[start_week, start_week + duration_weeks)``.
* **Inputs** ``u_i(t) = max_j L_j(t)`` over required children ``j`` (AND).
* **Consumable** input: ``x = hold_l(max(ramp_r(c), u))``, then the buffer:
  ``L = clip(cumsum(x) - b, 0, x)``. ``ramp_r`` keeps a loss of depth ``d``
  after the cause ends and lets it fall linearly to 0 over ``r`` weeks (a
  weekly average: ``d (1 - (j + 1/2) / r)`` in the ``j``-th week after),
  adding ``d r / 2`` weeks of lost output; ``hold_l`` keeps any loss ``l``
  more weeks (the pipeline refills: new starts take the lead time to come
  out); the buffer (``b`` weeks of normal output held downstream) covers the
  first ``b`` weeks of cumulative shortfall and is not refilled within the
  horizon (the chain runs full: no spare output to rebuild it).
* **Installed** input (tools in use): the cut ``x = max(c, u)`` stops new
  units, parts and service, so installed capacity decays:
  ``K(t) = prod_{s <= t} (1 - h x_b(s))`` with the weekly hazard
  ``h = 1 - (1 - delta)^(1/52)`` (``delta`` = ``service_decay_per_year``) and
  ``x_b = clip(cumsum(x) - b, 0, x)`` (``b`` weeks of spares on hand before
  decay starts). The loss ``1 - K`` while the cut lasts, then held ``l`` weeks
  and ramped back over ``r`` (service and parts return): ``L =
  ramp_r(hold_l((1 - K) [x > 0]))``. Growth is not in the baseline (output is
  relative to today's), so the new units the cut removes cost no output by
  themselves; their loss shows as the installed base ages without service.
* The **product** curve is ``1 - L``. Blank values mean ``consumable`` and 0
  weeks, so data without these columns reproduce the static model week by
  week: with no buffer, lead or restart the curve is ``output_fraction``
  while the cause lasts and 1 after, and its mean over a year equals the
  static ``annual_loss``.

Vectorised over nodes x scenarios x weeks: per level of the DAG one
``reduceat`` for the inputs, one ``cumsum`` for the buffers and one shifted
``maximum`` per week of the longest ramp or hold in the level; no Python loop
over paths, nodes, scenarios or weeks.

Examples
--------
>>> import numpy as np
>>> x = np.array([[[0.0, 1.0, 1.0, 1.0, 0.0, 0.0]]])
>>> buffered(x, np.array([[2.0]]))[0, 0].tolist()  # 2 weeks of stock delay the drop by 2
[0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
>>> hold(x, np.array([[1.0]]))[0, 0].tolist()  # one more week of pipeline
[0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
>>> ramp(x, np.array([[2.0]]))[0, 0].tolist()  # back over 2 weeks
[0.0, 1.0, 1.0, 1.0, 0.75, 0.25]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.scenario_overrides import parse_overrides
from chiprisk.graph.model.propagation import SupplyNetwork

__all__ = [
    "DEFAULT_WEEKS",
    "WeeklyParams",
    "active_weeks",
    "buffered",
    "hold",
    "node_params",
    "own_availability",
    "propagate_weekly",
    "ramp",
]

DEFAULT_WEEKS = 104
"""Default horizon of the weekly simulation (two years)."""
WEEKS_PER_YEAR = 52.0
_SNAP = 1e-9
_NUMERIC = ("buffer_weeks", "lead_time_weeks", "restart_weeks", "service_decay_per_year")


@dataclass
class WeeklyParams:
    """Stock-and-flow values per node and scenario column, shape (n_nodes, n_cols).

    ``installed`` (bool), ``buffer``, ``lead`` and ``restart`` (weeks),
    ``decay`` (share of installed capacity lost per year without service).

    Examples
    --------
    >>> p = WeeklyParams.zeros(3, 2)
    >>> p.buffer.shape, bool(p.installed.any())
    ((3, 2), False)
    """

    installed: np.ndarray
    buffer: np.ndarray
    lead: np.ndarray
    restart: np.ndarray
    decay: np.ndarray

    @classmethod
    def zeros(cls, n_nodes: int, n_cols: int) -> WeeklyParams:
        """All consumable, no buffer, lead, restart or decay (the static model)."""
        z = np.zeros((n_nodes, n_cols))
        return cls(np.zeros((n_nodes, n_cols), dtype=bool), z, z.copy(), z.copy(), z.copy())

    def columns(self, cols: np.ndarray) -> WeeklyParams:
        """The parameters of some scenario columns (a view for a batch)."""
        return WeeklyParams(*(getattr(self, f)[:, cols] for f in _FIELDS))


_FIELDS = ("installed", "buffer", "lead", "restart", "decay")


def node_params(
    net: SupplyNetwork,
    tables: Tables,
    scenarios: list | tuple = (),
    direct: np.ndarray | None = None,
) -> WeeklyParams:
    """Stock-and-flow values of every node, one column per scenario (or one column).

    Parameters
    ----------
    net : SupplyNetwork
    tables : Tables
        ``inputs.csv``'s ``flow``, ``buffer_weeks``, ``lead_time_weeks``,
        ``restart_weeks``, ``service_decay_per_year`` (blank: consumable, 0).
        A buyer-specific node ``i@P`` takes the values of ``i``.
    scenarios : sequence of Scenario, optional
        Each scenario's ``overrides`` replace the input's values;
        ``inventory_weeks`` replaces the products' buffer and
        ``recovery_weeks`` the restart of the nodes it hits directly.
    direct : numpy.ndarray, optional
        (n_nodes, n_scenarios) own availability (which nodes a scenario hits
        directly, for ``recovery_weeks``).

    Returns
    -------
    WeeklyParams
        Shape (n_nodes, max(1, len(scenarios))).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> t = load_tables()
    >>> p = node_params(build_network(t), t)
    >>> p.buffer.shape[1]
    1
    """
    inputs = tables["inputs"].set_index("id")
    node_input = np.array(net.node_input, dtype=object)

    def column(name: str, default: float) -> np.ndarray:
        if name not in inputs.columns:
            return np.full(net.n_nodes, default)
        v = inputs[name].reindex(node_input).to_numpy(dtype=object)
        return np.array([default if _blank(x) else float(x) for x in v])

    base = {k: column(k, 0.0) for k in _NUMERIC}
    flow = (
        inputs["flow"].reindex(node_input).to_numpy(dtype=object)
        if "flow" in inputs.columns
        else np.full(net.n_nodes, None, dtype=object)
    )
    installed = flow == "installed"
    n = max(1, len(scenarios))
    p = WeeklyParams(
        np.repeat(installed[:, None], n, axis=1),
        *(np.repeat(base[k][:, None], n, axis=1) for k in _NUMERIC),
    )
    products = np.isin(node_input, list(net.products)) & np.array(
        [b is None for b in net.node_buyer]
    )
    field_of = dict(zip(_NUMERIC, ("buffer", "lead", "restart", "decay"), strict=True))
    for k, sc in enumerate(scenarios):
        for inp, vals in parse_overrides(getattr(sc, "overrides", None)).items():
            rows = node_input == inp
            for col, v in vals.items():
                if col == "flow":
                    p.installed[rows, k] = v == "installed"
                elif col in field_of:
                    getattr(p, field_of[col])[rows, k] = float(v)
        if getattr(sc, "inventory_weeks", None) is not None:
            p.buffer[products, k] = sc.inventory_weeks
        if getattr(sc, "recovery_weeks", None) is not None and direct is not None:
            p.restart[direct[:, k] < 1.0, k] = sc.recovery_weeks
    return p


def _blank(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def own_availability(
    net: SupplyNetwork, A: np.ndarray, C: np.ndarray | None = None, spare: float = 0.0
) -> np.ndarray:
    """Each node's own availability while a cause lasts: ``min(cap, W[i] @ a)``.

    Parameters
    ----------
    net : SupplyNetwork
    A : numpy.ndarray
        (n_suppliers, n_cols) supplier availability.
    C : numpy.ndarray, optional
        (n_nodes, n_cols) availability caps (input targets).
    spare : float
        Substitution headroom (surviving suppliers run up to ``1 + spare``).

    Returns
    -------
    numpy.ndarray
        (n_nodes, n_cols) in [0, 1]; nodes without suppliers are 1 (before caps).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> net = build_network(load_tables())
    >>> float(own_availability(net, np.ones((net.n_suppliers, 1))).min())
    1.0
    """
    d = np.asarray(net.W @ (np.asarray(A, dtype=float) * (1.0 + spare)))
    d[~net.has_suppliers] = 1.0
    if C is not None:
        d = np.minimum(d, C)
    d = np.clip(d, 0.0, 1.0)
    d[d > 1.0 - _SNAP] = 1.0
    d[d < _SNAP] = 0.0
    return d


def active_weeks(start: np.ndarray, duration: np.ndarray, weeks: int) -> np.ndarray:
    """Share of each week inside ``[start, start + duration)``, shape (n_cols, weeks).

    ``duration`` may be ``inf`` (to the end of the horizon).

    Examples
    --------
    >>> active_weeks(np.array([1.0]), np.array([2.5]), 5).tolist()
    [[0.0, 1.0, 1.0, 0.5, 0.0]]
    """
    t = np.arange(weeks, dtype=float)[None, :]
    s = np.asarray(start, dtype=float)[:, None]
    e = s + np.asarray(duration, dtype=float)[:, None]
    return np.clip(np.minimum(t + 1.0, e) - np.maximum(t, s), 0.0, 1.0)


# ------------------------------------------------------------------ kernels


def buffered(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Loss left after ``b`` weeks of stock: ``clip(cumsum(x) - b, 0, x)`` along weeks.

    ``x`` (m, n, T) losses, ``b`` (m, n) weeks of normal output in stock.
    """
    if not np.any(b > 0):
        return x
    return np.clip(np.cumsum(x, axis=-1) - b[..., None], 0.0, x)


def _shifted_max(x: np.ndarray, weight_of_lag) -> np.ndarray:
    """``max_k x(t - k) g(k)`` for lags ``k >= 1`` given by ``weight_of_lag(k)``."""
    out = x.copy()
    k = 1
    while k < x.shape[-1]:
        g = weight_of_lag(k)
        if g is None:
            break
        if np.any(g > 0):
            np.maximum(out[..., k:], x[..., :-k] * g[..., None], out=out[..., k:])
        k += 1
    return out


def hold(x: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Keep any loss ``lead`` more weeks (pipeline refill; a fractional week in part)."""
    top = float(np.max(lead)) if lead.size else 0.0
    if top <= 0:
        return x

    def g(k: int):
        if k > math.ceil(top):
            return None
        return np.clip(lead - (k - 1), 0.0, 1.0)

    return _shifted_max(x, g)


def ramp(x: np.ndarray, restart: np.ndarray) -> np.ndarray:
    """Let a loss fall linearly to 0 over ``restart`` weeks after it ends (weekly means)."""
    top = float(np.max(restart)) if restart.size else 0.0
    if top <= 0:
        return x
    r = np.where(restart > 0, restart, 1.0)

    def g(k: int):
        if k - 0.5 >= top:
            return None
        return np.where(restart > 0, np.clip(1.0 - (k - 0.5) / r, 0.0, 1.0), 0.0)

    return _shifted_max(x, g)


def _installed_loss(x: np.ndarray, p: WeeklyParams, rows: np.ndarray) -> np.ndarray:
    decay = p.decay[rows]
    h = 1.0 - (1.0 - np.clip(decay, 0.0, 1.0)) ** (1.0 / WEEKS_PER_YEAR)
    xb = buffered(x, p.buffer[rows])
    with np.errstate(divide="ignore"):
        log_k = np.cumsum(np.log1p(-np.minimum(h[..., None] * xb, 1.0)), axis=-1)
    loss = (1.0 - np.exp(log_k)) * (x > 0)
    return ramp(hold(loss, p.lead[rows]), p.restart[rows])


class _FirmTiers:
    """Weekly losses of multi-tier firms' purchases, as extra own cause of the nodes they supply.

    A supplier whose firm buys inputs delivers at most its worst purchase
    (:mod:`chiprisk.graph.model.firm_tiers`); its lost output ``P_s(t)`` (the
    purchase loss, the firm's own supply taken as whole: exact unless the same
    scenario also cuts that supplier directly) adds ``W[i, s] x P_s(t)`` to
    the own cause of every node ``i`` it supplies.
    """

    def __init__(self, net: SupplyNetwork, tail: tuple[int, ...]):
        dep = np.concatenate([lv.dep_sup for lv in net._levels if len(lv.dep_sup)])
        self.pos = np.full(net.n_suppliers, -1, dtype=np.int64)
        self.pos[dep] = np.arange(len(dep))
        self.P = np.zeros((len(dep), *tail))
        self.W = net.W[:, dep].tocsr()

    def update(self, lv, L: np.ndarray) -> None:
        if len(lv.dep_sup):
            self.P[self.pos[lv.dep_sup]] = np.maximum.reduceat(L[lv.dep_idx], lv.dep_starts, axis=0)

    def add_to(self, lv, x: np.ndarray) -> None:
        w = self.W[lv.lo : lv.hi]
        if w.nnz and self.P.any():
            extra = (w @ self.P.reshape(len(self.P), -1)).reshape(x.shape)
            np.minimum(x + extra, 1.0, out=x)


def propagate_weekly(net: SupplyNetwork, own_loss: np.ndarray, params: WeeklyParams) -> np.ndarray:
    """Weekly loss of every node: (n_nodes, n_cols, T) from the causes (n_nodes, n_cols, T).

    Parameters
    ----------
    net : SupplyNetwork
    own_loss : numpy.ndarray
        The cause ``c_i(t)`` per node, scenario column and week (see the
        module notes; :func:`own_availability` and :func:`active_weeks`).
    params : WeeklyParams
        (n_nodes, n_cols) stock-and-flow values (:func:`node_params`).

    Returns
    -------
    numpy.ndarray
        ``L_i(t)`` in [0, 1]; a node's weekly output is ``1 - L``.

    Notes
    -----
    Level by level like :func:`~chiprisk.graph.model.propagation.propagate`;
    per level O(rows x cols x T x (1 + longest ramp or hold in weeks)).
    Rows with no cause and no loss below are skipped.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> net = build_network(load_tables())
    >>> c = np.zeros((net.n_nodes, 1, 4))
    >>> c[net.node_index["abf-substrates"], 0, 1:3] = 1.0  # substrates out in weeks 1, 2
    >>> L = propagate_weekly(net, c, WeeklyParams.zeros(net.n_nodes, 1))
    >>> (1 - L[net.node_index["nvidia-h100"], 0]).tolist()
    [1.0, 0.0, 0.0, 1.0]
    """
    L = np.zeros_like(own_loss, dtype=float)
    tiers = (
        _FirmTiers(net, own_loss.shape[1:]) if any(len(v.dep_sup) for v in net._levels) else None
    )
    for lv in net._levels:
        x = np.array(own_loss[lv.lo : lv.hi], dtype=float)
        if tiers is not None:  # multi-tier firms: their purchases' losses cut their output
            tiers.update(lv, L)
            tiers.add_to(lv, x)
        u = None
        if len(lv.child_rows):
            u = np.maximum.reduceat(L[lv.child_idx], lv.starts, axis=0)
        rows = np.arange(lv.lo, lv.hi)
        inst = params.installed[rows]
        cons_p = WeeklyParams(*(getattr(params, f)[rows] for f in _FIELDS))
        x = ramp(x, np.where(inst, 0.0, cons_p.restart))  # consumables: restart on own cause
        if u is not None:
            x[lv.child_rows] = np.maximum(x[lv.child_rows], u)
        live = np.flatnonzero(x.reshape(len(rows), -1).max(axis=1) > 0)
        if len(live) == 0:
            continue
        out = np.zeros_like(x)
        xs = x[live]
        ins = inst[live]
        cons = ~ins
        if cons.any():  # per (node, column): consumable columns
            y = buffered(
                hold(xs, np.where(cons, cons_p.lead[live], 0.0)), cons_p.buffer[live] * cons
            )
            out[live] = np.where(cons[..., None], y, 0.0)
        if ins.any():
            keep = np.flatnonzero(ins.any(axis=1))
            z = _installed_loss(xs[keep], cons_p, live[keep])
            out[live[keep]] = np.where(ins[keep][..., None], z, out[live[keep]])
        out[out < _SNAP] = 0.0
        L[lv.lo : lv.hi] = np.clip(out, 0.0, 1.0)
    return L
