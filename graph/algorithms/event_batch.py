"""Batched event resolution: many Monte Carlo events resolved at once into sparse incidence.

:func:`~chiprisk.graph.algorithms.scenario_effects.scenario_effects` resolves
one scenario into dense availability over every supplier and node: fine for
a few named scenarios, quadratic for one event per supplier (``events.csv``
on a 100k-supplier list). :func:`resolve_events` resolves all of them in one
pass: the lookups (sites by country and by operator, supplier rows by id,
nodes by input, organisations by parent) are built once, each event's
targets become sparse 0/1 columns of sites, countries, firms, supplier rows
and capped nodes, and three sparse products (``S``, ``L``, ``F`` times those
columns) give every event's supplier hits at once. The result is the
:class:`~chiprisk.graph.algorithms.event_rows.Incidence` of the events'
availabilities and caps: exactly the entries below 1 of the columns that
``scenario_effects`` gives, event by event (the sums are the same sums, taken
in the same order). :func:`event_set` adds the events' probabilities and
durations: the :class:`EventSet` Monte Carlo draws.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.propagation import build_network
>>> from chiprisk.graph.algorithms.scenarios import named_scenarios
>>> t = load_tables()
>>> net = build_network(t)
>>> inc_a, inc_c = resolve_events(net, t, named_scenarios(t))
>>> inc_a.n_events == len(named_scenarios(t)), inc_a.n_rows == net.n_suppliers
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from chiprisk.graph.algorithms.event_rows import Incidence, dense
from chiprisk.graph.algorithms.scenario_effects import _subtypes
from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.algorithms.simulate import WEEKS_PER_YEAR
from chiprisk.graph.algorithms.weekly import WeeklyParams, node_params
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_cells import split_list
from chiprisk.graph.io.loader_scenarios import check_target
from chiprisk.graph.model.lenses import ultimate_parents
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = ["EventSet", "event_set", "resolve_events"]

_EMPTY = np.array([], dtype=np.int64)
_KINDS = ("site", "country", "firm", "direct", "node")


class _Lookups:
    """The per-network lookups of target resolution, built once for all events."""

    def __init__(self, net: SupplyNetwork, tables: Tables) -> None:
        self.net, self.tables = net, tables
        sites, orgs = tables["sites"], tables["organizations"]
        s_idx = {s: k for k, s in enumerate(net.sites)}
        self.s_idx = s_idx
        self.c_idx = {c: k for k, c in enumerate(net.countries)}
        self.f_idx = {f: k for k, f in enumerate(net.firms)}
        self.roots = ultimate_parents(orgs)
        self.by_country: dict[str, list[int]] = {}
        self.by_operator: dict[str, list[int]] = {}
        for s, c, op in zip(sites["id"], sites["country"], sites["operator"], strict=True):
            if s in s_idx:
                self.by_country.setdefault(c, []).append(s_idx[s])
                self.by_operator.setdefault(op, []).append(s_idx[s])
        self.children: dict[str, list[str]] = {}
        for o, p in zip(orgs["id"], orgs["parent"], strict=True):
            if isinstance(p, str):
                self.children.setdefault(p, []).append(o)
        self.sup_rows: dict[str, list[int]] = {}
        for k, s in enumerate(net.supplier_id):
            self.sup_rows.setdefault(s, []).append(k)
        self.node_rows: dict[str, list[int]] = {}
        for k, i in enumerate(net.node_input):
            self.node_rows.setdefault(i, []).append(k)
        self._memo: dict[str, dict[str, list[int]]] = {}

    def _descendants(self, org: str) -> list[str]:
        out, stack, seen = [org], [org], {org}
        while stack:
            for k in self.children.get(stack.pop(), []):
                if k not in seen:
                    seen.add(k)
                    out.append(k)
                    stack.append(k)
        return out

    def target(self, t: str) -> dict[str, list[int]]:
        """Indices a target hits, by kind (sites, countries, firms, supplier rows, nodes)."""
        if t in self._memo:
            return self._memo[t]
        problem = check_target(t, self.tables)
        if problem:
            raise UsageError(problem)
        kind, _, ident = t.partition(":")
        hit: dict[str, list[int]] = {k: [] for k in _KINDS}
        countries: list[str] = []
        if kind == "country":
            countries = [ident]
        elif kind == "bloc":
            blocs = self.tables["blocs"]
            countries = split_list(blocs.loc[blocs["id"] == ident, "members"].iloc[0])
        for c in countries:
            if c in self.c_idx:
                hit["country"].append(self.c_idx[c])
            hit["site"] += self.by_country.get(c, [])
        if kind == "org":
            if self.roots.get(ident) == ident and ident in self.f_idx:
                hit["firm"].append(self.f_idx[ident])
            else:
                for m in self._descendants(ident):
                    hit["direct"] += self.sup_rows.get(m, [])
                    hit["site"] += self.by_operator.get(m, [])
        elif kind == "site":
            if ident in self.s_idx:
                hit["site"].append(self.s_idx[ident])
            hit["direct"] += self.sup_rows.get(ident, [])
        elif kind == "input":
            for i in _subtypes(self.tables["inputs"], ident):
                hit["node"] += self.node_rows.get(i, [])
        self._memo[t] = hit
        return hit


def _mask(rows: list[np.ndarray], cols: list[np.ndarray], shape: tuple[int, int]) -> sp.csr_matrix:
    """A 0/1 matrix with ones at the (row, col) pairs (repeats count once)."""
    r = np.concatenate(rows) if rows else _EMPTY
    c = np.concatenate(cols) if cols else _EMPTY
    key = np.unique(r * shape[1] + c)
    ones = np.ones(len(key))
    return sp.csr_matrix((ones, (key // shape[1], key % shape[1])), shape=shape)


def _incidence(M: sp.spmatrix) -> Incidence:
    """The entries below 1 of the sparse availability ``M`` (rows x events), per event.

    ``M`` holds availabilities where a row is hit; its implicit entries are 1.
    """
    coo = M.tocoo()
    keep = coo.data < 1.0
    row, ev, val = coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep]
    order = np.lexsort((row, ev))  # event-major, rows ascending: as incidence() gives
    row, ev, val = row[order], ev[order], val[order]
    ptr = np.searchsorted(ev, np.arange(M.shape[1] + 1)).astype(np.int64)
    return Incidence(ptr, row, val, M.shape[0])


def resolve_events(
    net: SupplyNetwork,
    tables: Tables,
    scenarios: Sequence[Scenario],
    headroom: np.ndarray | None = None,
) -> tuple[Incidence, Incidence]:
    """Supplier availability and node caps of many events, as sparse incidence.

    Parameters
    ----------
    net : SupplyNetwork
    tables : Tables
        The rows ``net`` was built from.
    scenarios : sequence of Scenario
        The events (targets and severity are used).
    headroom : numpy.ndarray, optional
        Capacity added per node since today (see
        :func:`~chiprisk.graph.algorithms.scenario_effects.scenario_effects`).

    Returns
    -------
    (Incidence, Incidence)
        Event ``e``'s supplier availabilities ``1 - s h`` below 1
        (``n_suppliers`` rows) and its node caps below 1 (``n_nodes`` rows):
        the entries below 1 of ``scenario_effects(net, tables, scenarios[e])``.

    Raises
    ------
    UsageError
        A malformed or unknown target (the first, in scenario order).

    Notes
    -----
    O(targets + sites + suppliers + nodes) to resolve, plus the entries the
    events touch; no suppliers x events array.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> from chiprisk.graph.algorithms.scenarios import Scenario
    >>> t = load_tables()
    >>> net = build_network(t)
    >>> ev = [Scenario("a", "ASML", ("org:asml",), 1.0), Scenario("k", "KR", ("input:hbm",), 0.5)]
    >>> inc_a, inc_c = resolve_events(net, t, ev)
    >>> int(np.diff(inc_a.ptr)[1]), float(inc_c.vals.max())
    (0, 0.5)
    """
    look = _Lookups(net, tables)
    n_ev = len(scenarios)
    parts: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {k: ([], []) for k in _KINDS}
    for e, sc in enumerate(scenarios):
        for t in sc.targets:
            for kind, idx in look.target(t).items():
                if idx:
                    parts[kind][0].append(np.asarray(idx, dtype=np.int64))
                    parts[kind][1].append(np.full(len(idx), e, dtype=np.int64))
    n_sup = net.n_suppliers
    hit = _mask(*parts["direct"], (n_sup, n_ev))
    for kind, M, n in (
        ("site", net.S, len(net.sites)),
        ("country", net.L, len(net.countries)),
        ("firm", net.F, len(net.firms)),
    ):
        if M.shape[1] and parts[kind][0]:
            hit = hit.maximum(M @ _mask(*parts[kind], (n, n_ev)))
    hit = sp.csc_matrix(hit)
    sev = np.array([sc.severity for sc in scenarios], dtype=float)
    cols = np.repeat(np.arange(n_ev), np.diff(hit.indptr))
    avail = sp.csc_matrix(
        (1.0 - sev[cols] * np.clip(hit.data, 0.0, 1.0), hit.indices, hit.indptr), shape=hit.shape
    )
    mask = sp.csc_matrix(_mask(*parts["node"], (net.n_nodes, n_ev)))
    cols = np.repeat(np.arange(n_ev), np.diff(mask.indptr))
    extra = 0.0 if headroom is None else np.asarray(headroom, dtype=float)[mask.indices]
    cap = np.minimum(1.0, 1.0 - sev[cols] + extra)
    caps = sp.csc_matrix((cap, mask.indices, mask.indptr), shape=mask.shape)
    return _incidence(avail), _incidence(caps)


@dataclass
class EventSet:
    """Events resolved on one network: availability and caps per event, sparse.

    ``inc_a`` and ``inc_c`` hold each event's supplier availabilities and node
    caps below 1 (:class:`~chiprisk.graph.algorithms.event_rows.Incidence`);
    :attr:`A` and :attr:`C` give them dense, for small event sets.
    """

    ids: list[str]
    probs: np.ndarray
    durations: np.ndarray  # weeks
    inc_a: Incidence  # n_suppliers rows
    inc_c: Incidence  # n_nodes rows
    params: WeeklyParams | None = None
    """Stock-and-flow values (one column) for the weekly loss; None: the static loss."""

    @property
    def A(self) -> np.ndarray:
        """Dense supplier availability (n_suppliers x n_events): O(suppliers x events) memory."""
        return dense(self.inc_a)

    @property
    def C(self) -> np.ndarray:
        """Dense node caps (n_nodes x n_events): O(nodes x events) memory."""
        return dense(self.inc_c)


def event_set(
    net: SupplyNetwork,
    tables: Tables,
    scenarios: Sequence[Scenario],
    headroom: np.ndarray | None = None,
) -> EventSet:
    """Resolve scenarios as Monte Carlo events (a scenario without probability is refused).

    ``headroom``: see :func:`~chiprisk.graph.algorithms.scenario_effects.scenario_effects`.
    All events are resolved at once into sparse incidence
    (:func:`resolve_events`); :mod:`~chiprisk.graph.algorithms.montecarlo`
    draws them.
    """
    if not scenarios:
        raise UsageError(
            "no events: the data hold no scenarios (add scenarios/*.yaml or events.csv)"
        )
    missing = [s.id for s in scenarios if s.probability is None]
    if missing:
        raise UsageError(f"scenario(s) without an annual probability: {', '.join(missing)}")
    inc_a, inc_c = resolve_events(net, tables, scenarios, headroom)
    dur = np.array(
        [s.duration_weeks if s.duration_weeks is not None else WEEKS_PER_YEAR for s in scenarios]
    )
    return EventSet(
        [s.id for s in scenarios],
        np.array([s.probability for s in scenarios], dtype=float),
        np.minimum(dur, WEEKS_PER_YEAR),
        inc_a,
        inc_c,
        node_params(net, tables),
    )
