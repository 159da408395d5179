"""Diversification optimiser: cheapest capacity additions for an HHI target or a risk budget.

Two problems (methods.md 1.2, 4.2, 4.3):

* **Risk under a budget** (an LP, scipy ``linprog(method="highs")``)::

      min_x,z  sum_w p_w z_w                       (EUD)   or
      min      eta + sum_w p_w u_w / (1 - beta)    (CVaR, Rockafellar-Uryasev; u_w >= z_w - eta)
      s.t.     z_w >= D - sum_k a_kw (cap_k + x_k),  z_w >= 0
               sum_k e_k x_k <= B,  0 <= x_k <= x_k^max

  The marginal value of the budget is the dual of the budget row
  (``res.ineqlin.marginals``, <= 0): ``budget_marginal`` is the risk
  reduced by one more unit of money (its negation, >= 0).
* **HHI under a target**: HHI is not convex in the additions (it falls while
  the receiving entity's share is below H and rises after, methods.md 1.2),
  so the problem is solved exactly **one candidate at a time** with the closed
  form ``H(c) = (S2 + 2 q_k c + c^2) / (Q + c)^2 <= T``: the least ``c`` is
  the smaller root of ``(1 - T) c^2 + 2 (q_k - T Q) c + S2 - T Q^2 = 0``;
  the cheapest feasible candidate wins. Combinations of candidates are not
  searched (a candidate that cannot reach the target alone is reported so).
  The closed form is :mod:`~chiprisk.graph.algorithms.hhi_target`
  (:func:`hhi_target` is re-exported here).

On the network (:func:`optimize`), for one input: the entities are the
countries where its supply is located (``W[i] @ L``), the scenarios are all
combinations of the named events (enumerated when there are at most 12,
else sampled with ``seed`` and deduplicated), new capacity in a country is hit
by country and bloc events on it (not by firm or site events), an input event
cuts today's suppliers only, and a shortage that comes from the input's own
requirements (``z >= D (1 - min child availability)``) cannot be fixed by
more capacity of the input. Each scenario's loss is weighted by the longest
event duration / 52 (a year's output).

Examples
--------
>>> r = optimize_capacity({"TW": 92, "KR": 8, "US": 0, "JP": 0, "EU": 0}, 100,
...     {"TW": 0.05, "KR": 0.02, "US": 0.01, "JP": 0.03, "EU": 0.01},
...     costs={"US": 1.0, "JP": 0.9, "EU": 1.1}, budget=20)
>>> round(r.additions["JP"], 4), round(r.objective, 6)
(22.2222, 3.534782)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.concentration import explain
from chiprisk.graph.algorithms.hhi_target import hhi_target
from chiprisk.graph.algorithms.montecarlo import event_set, sample_events
from chiprisk.graph.algorithms.risk import (
    conditional_value_at_risk,
    outage_scenarios,
    single_stage_losses,
)
from chiprisk.graph.algorithms.scenarios import named_scenarios
from chiprisk.graph.algorithms.simulate import WEEKS_PER_YEAR
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_cells import split_list
from chiprisk.graph.model.propagation import SupplyNetwork, build_network, propagate
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = [
    "OptimizeResult",
    "hhi_target",
    "optimize",
    "optimize_capacity",
    "scenario_lp",
]


@dataclass
class OptimizeResult:
    """An optimal capacity plan."""

    additions: dict[str, float]
    objective: float
    objective_kind: str
    eud: float
    cvar: float
    spent: float
    budget: float
    budget_marginal: float
    """Risk reduced per extra unit of budget (``-dual`` of the budget row, >= 0)."""
    status: str
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "entity": k,
                "added": v,
                "objective": self.objective_kind,
                "optimum": self.objective,
                "eud": self.eud,
                "cvar": self.cvar,
                "spent": self.spent,
                "budget": self.budget,
                "budget_marginal": self.budget_marginal,
                "status": self.status,
            }
            for k, v in self.additions.items()
        ]
        return pd.DataFrame(rows)


def scenario_lp(
    b: np.ndarray,
    G: np.ndarray,
    row_scenario: np.ndarray,
    probs: np.ndarray,
    costs: np.ndarray,
    budget: float,
    max_add: np.ndarray,
    *,
    objective: str = "eud",
    beta: float = 0.95,
):
    """Solve ``min risk`` with ``z_w >= b_r - G_r @ x`` for each row r of scenario w.

    Parameters
    ----------
    b : (R,) right-hand sides; G : (R, n) availability of each candidate per row;
    row_scenario : (R,) scenario index of each row; probs : (S,) weights
    (probabilities, possibly times a duration); costs : (n,); budget : float;
    max_add : (n,) upper bounds (inf allowed).

    Returns
    -------
    (x, value, z, dual_of_budget, status_message)

    Notes
    -----
    One HiGHS LP with n + S (+ 1 + S for CVaR) variables and R + S + 1 rows.
    """
    n, S = G.shape[1], probs.size
    cvar = objective == "cvar"
    if objective not in ("eud", "cvar"):
        raise UsageError(f"objective must be eud or cvar, not {objective!r}")
    nv = n + S + (1 + S if cvar else 0)
    c = np.zeros(nv)
    if cvar:
        c[n + S] = 1.0
        c[n + S + 1 :] = probs / (1.0 - beta)
    else:
        c[n : n + S] = probs
    R = len(b)
    A = np.zeros((R + (S if cvar else 0) + 1, nv))
    ub = np.zeros(A.shape[0])
    A[:R, :n] = -G
    A[np.arange(R), n + row_scenario] = -1.0
    ub[:R] = -b
    if cvar:
        for w in range(S):  # z_w - eta - u_w <= 0
            A[R + w, n + w] = 1.0
            A[R + w, n + S] = -1.0
            A[R + w, n + S + 1 + w] = -1.0
    A[-1, :n] = costs
    ub[-1] = budget
    bounds = [(0.0, None if math.isinf(m) else float(m)) for m in max_add]
    bounds += [(0.0, None)] * S
    if cvar:
        bounds += [(None, None)] + [(0.0, None)] * S
    from scipy.optimize import linprog  # 0.15 s to import: only the LP pays it

    res = linprog(c, A_ub=A, b_ub=ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise UsageError(f"the optimisation LP failed: {res.message}")
    dual = float(res.ineqlin.marginals[-1])
    return res.x[:n], float(res.fun), res.x[n : n + S], dual, str(res.message)


def _vec(values, keys, name, default):
    if values is None:
        return np.full(len(keys), default, dtype=float)
    if isinstance(values, Mapping):
        unknown = set(values) - set(keys)
        if unknown:
            raise UsageError(f"{name}: unknown entities {sorted(unknown)}")
        return np.array([float(values.get(k, default)) for k in keys])
    return np.asarray(values, dtype=float)


def optimize_capacity(
    capacities: Mapping[str, float],
    demand: float,
    outage_probs: Mapping[str, float],
    *,
    costs: Mapping[str, float],
    budget: float,
    max_add: Mapping[str, float] | None = None,
    objective: str = "eud",
    beta: float = 0.95,
) -> OptimizeResult:
    """Single-stage LP of methods.md 4.3 with all independent outages enumerated (R4.2).

    Entities without a cost cannot receive capacity.

    Notes
    -----
    O(2**n) scenarios for n entities, one HiGHS LP.
    """
    keys = list(capacities) + [k for k in outage_probs if k not in capacities]
    keys += [k for k in costs if k not in keys]
    cap = _vec(capacities, keys, "capacities", 0.0)
    q = _vec(outage_probs, keys, "outage_probs", 0.0)
    e = _vec(costs, keys, "costs", math.inf)
    mx = _vec(max_add, keys, "max_add", math.inf)
    mx = np.where(np.isinf(e), 0.0, mx)
    e = np.where(np.isinf(e), 0.0, e)
    if budget < 0 or (e < 0).any():
        raise UsageError("budget and costs must be >= 0")
    A, p = outage_scenarios(q)
    b = float(demand) - cap @ A
    x, val, _, dual, msg = scenario_lp(
        b, A.T, np.arange(p.size), p, e, budget, mx, objective=objective, beta=beta
    )
    losses = single_stage_losses(cap, demand, A, x)
    return OptimizeResult(
        additions={k: float(v) for k, v in zip(keys, x, strict=True) if mx[keys.index(k)] > 0},
        objective=val,
        objective_kind=objective,
        eud=float(losses @ p),
        cvar=float(conditional_value_at_risk(losses, p, beta)),
        spent=float(e @ x),
        budget=float(budget),
        budget_marginal=-dual,
        status=msg,
    )


# ------------------------------------------------------------------ network


def _input_entities(net: SupplyNetwork, inp: str) -> tuple[int, dict[str, float], float]:
    if inp not in net.node_index:
        raise UsageError(f"unknown input {inp!r}")
    k = net.node_index[inp]
    if not net.has_suppliers[k]:
        raise UsageError(f"{inp!r} has no market-wide share table to optimise")
    by_country = np.asarray((net.W[k] @ net.L).todense()).ravel()
    shares = {c: 100.0 * float(v) for c, v in zip(net.countries, by_country, strict=True) if v > 0}
    unlocated = 100.0 - sum(shares.values())
    return k, shares, max(unlocated, 0.0)


def _patterns(n_events: int, probs: np.ndarray, seed: int | None, runs: int):
    if n_events <= 12:
        occ, p = outage_scenarios(probs)
        return occ == 0.0, p  # outage_scenarios gives availability; 0 = the event occurs
    occ = sample_events(probs, runs, seed)
    codes = np.left_shift(np.int64(1), np.arange(n_events, dtype=np.int64)) @ occ.astype(np.int64)
    uniq, counts = np.unique(codes, return_counts=True)
    pats = (uniq[None, :] >> np.arange(n_events)[:, None]) & 1 == 1
    return pats, counts / counts.sum()


def _country_hits(tables: Tables, scs, countries: list[str]) -> np.ndarray:
    """(n_countries x n_events) severity with which each event hits new capacity there."""
    blocs = dict(zip(tables["blocs"]["id"], tables["blocs"]["members"], strict=True))
    out = np.zeros((len(countries), len(scs)))
    for e, sc in enumerate(scs):
        hit: set[str] = set()
        for t in sc.targets:
            kind, _, ident = t.partition(":")
            if kind == "country":
                hit.add(ident)
            elif kind == "bloc":
                hit.update(split_list(blocs.get(ident)))
        for j, c in enumerate(countries):
            if c in hit:
                out[j, e] = sc.severity
    return out


def optimize(
    tables: Tables,
    input_id: str,
    *,
    year: int | None = None,
    target_hhi: float | None = None,
    budget: float | None = None,
    costs: Mapping[str, float],
    max_add: Mapping[str, float] | None = None,
    lens: str = "site",
    objective: str = "eud",
    beta: float = 0.95,
    seed: int | None = 0,
    runs: int = 100_000,
    network: SupplyNetwork | None = None,
) -> pd.DataFrame:
    """Cheapest additions for one input: HHI under a target, or least risk for a budget.

    Parameters
    ----------
    tables : Tables
    input_id : str
    year : int, optional
    target_hhi : float, optional
        With this, solve the HHI problem (:func:`hhi_target`) on the input's
        share table under ``lens`` (percent points of today's market, or its
        capacity unit when the table is capacity-based).
    budget : float, optional
        With this, solve the risk LP (:func:`scenario_lp`) over the named
        events; additions are in percent points of today's output.
    costs : mapping candidate -> cost per unit (countries for the risk LP;
        lens entities or new ones for the HHI problem)
    max_add : mapping candidate -> build limit, optional
    lens : str
        Lens for the HHI problem (``site``, ``hq``, ``firm``, ``country``).
    objective : {"eud", "cvar"}; beta : CVaR level.

    Returns
    -------
    pandas.DataFrame
        HHI: the :func:`hhi_target` table. Budget: one row per candidate with
        ``added`` (percent points of today's output), ``before`` and
        ``optimum`` (the EUD or CVaR as a fraction of a year's output of the
        input, the unit of :func:`~chiprisk.graph.algorithms.whatif.whatif`),
        ``spent``, ``budget_marginal`` (risk reduced per unit of money, in
        the same fraction).
        ``df.attrs["assumptions"]`` lists the assumptions.
    """
    if (target_hhi is None) == (budget is None):
        raise UsageError("give exactly one of --target-hhi or --budget")
    if not costs:
        raise UsageError("give at least one candidate with a cost, e.g. --cost JP=1.0")
    if target_hhi is not None:
        if not 0 < target_hhi <= 10_000:
            raise UsageError(f"--target-hhi must be in (0, 10000], got {target_hhi}")
        try:
            ex = explain(tables, input_id, lens=lens, year=year)
        except UsageError:
            if lens not in ("site", "hq"):
                raise
            lens = "country"  # only country totals published: they are the location view
            ex = explain(tables, input_id, lens=lens, year=year)
        pref = {"capacity": 0, "shipments": 1, "units": 2, "revenue": 3}
        best = min(
            set(zip(ex["basis"], ex["year"], strict=True)),
            key=lambda by: (pref.get(by[0], 9), -int(by[1])),
        )
        ex = ex[(ex["basis"] == best[0]) & (ex["year"] == best[1])]
        mid = (ex["share_low"] + ex["share_high"]) / 2.0
        resid = float(mid[ex["entity"] == RESIDUAL_ID].sum())
        q = mid[ex["entity"] != RESIDUAL_ID].groupby(ex["entity"]).sum().to_dict()
        listed = float(sum(q.values()))
        frag = max(100.0, listed + resid) - listed  # the market total of concentration()
        df = hhi_target(q, target_hhi, costs, max_add=max_add, fragmented_residual=frag)
        df.insert(0, "input", input_id)
        df.insert(1, "lens", lens)
        df.insert(2, "table", f"{best[0]} {best[1]}")
        df.attrs["assumptions"] = [
            "quantities are point shares (percent of today's market) under the lens; "
            "the residual is fragmented",
            "one candidate at a time, exact (closed form of methods.md 1.2); combinations "
            "are not searched because HHI is not convex in the additions",
            "HHI is blind to location: a new entity anywhere gives the same HHI",
        ]
        return df
    net = network if network is not None else build_network(tables, year)
    k, shares, unlocated = _input_entities(net, input_id)
    scs = named_scenarios(tables)
    ev = event_set(net, tables, scs)
    pats, p = _patterns(len(scs), ev.probs, seed, runs)
    n_pat = pats.shape[1]
    A = np.ones((net.n_suppliers, n_pat))
    C = np.ones((net.n_nodes, n_pat))
    for e in range(len(scs)):
        A[:, pats[e]] = np.minimum(A[:, pats[e]], ev.A[:, e : e + 1])
        C[:, pats[e]] = np.minimum(C[:, pats[e]], ev.C[:, e : e + 1])
    avail = propagate(net, A)
    direct = np.asarray(net.W[k] @ A).ravel()
    kids = net.R.indices[net.R.indptr[k] : net.R.indptr[k + 1]]
    child = avail[kids].min(axis=0) if len(kids) else np.ones(n_pat)
    cap_k = C[k]
    dur = (
        np.array(
            [
                max((ev.durations[e] for e in np.flatnonzero(pats[:, w])), default=0.0)
                for w in range(n_pat)
            ]
        )
        / WEEKS_PER_YEAR
    )
    weight = p * dur
    cands = list(costs)
    hits = _country_hits(tables, scs, cands)  # cand x events
    G = np.ones((len(cands), n_pat))
    for e in range(len(scs)):
        G[:, pats[e]] = np.minimum(G[:, pats[e]], 1.0 - hits[:, e : e + 1])
    D = 100.0
    # rows: supply shortfall, input-event cap, children shortfall (not fixable)
    b = np.concatenate([D - D * direct, D - D * cap_k, D * (1.0 - child)])
    GG = np.concatenate([G.T, np.ones((n_pat, len(cands))), np.zeros((n_pat, len(cands)))])
    rows = np.concatenate([np.arange(n_pat)] * 3)
    live = weight > 0
    keep = live[rows]
    remap = -np.ones(n_pat, dtype=int)
    remap[live] = np.arange(live.sum())
    e_vec = np.array([float(costs[c]) for c in cands])
    mx = _vec(max_add, cands, "max_add", math.inf)
    x, val, z, dual, msg = scenario_lp(
        b[keep],
        GG[keep],
        remap[rows[keep]],
        weight[live],
        e_vec,
        float(budget),
        mx,
        objective=objective,
        beta=beta,
    )
    x0, val0, _, _, _ = scenario_lp(
        b[keep],
        GG[keep],
        remap[rows[keep]],
        weight[live],
        e_vec,
        0.0,
        mx,
        objective=objective,
        beta=beta,
    )
    df = pd.DataFrame(
        {
            "input": input_id,
            "candidate": cands,
            "share_before": [shares.get(c, 0.0) for c in cands],
            "added": x,
            "cost_per_unit": e_vec,
            "spent": x * e_vec,
            "objective": objective,
            # EUD/CVaR as a fraction of a year's output of the input, as whatif
            # reports them (the LP works in percent points: demand D = 100)
            "before": val0 / D,
            "optimum": val / D,
            "budget": float(budget),
            "budget_marginal": -dual / D,
            "status": msg,
        }
    )
    df.attrs["assumptions"] = [
        "additions in percent points of today's output of the input (demand fixed at 100)",
        f"scenarios: all combinations of {len(scs)} named events "
        + ("(enumerated)" if len(scs) <= 12 else f"(sampled, {runs} runs, seed {seed})"),
        "new capacity in a country is hit by country/bloc events on it; input events cut "
        "today's suppliers only; shortages upstream of the input cannot be fixed",
        "loss weighted by the longest event's duration / 52; objective "
        + ("EUD" if objective == "eud" else f"CVaR at {beta} (Rockafellar-Uryasev)"),
        f"{unlocated:.1f}% of the input's supply has no location (residual)",
        "before and optimum: the objective as a fraction of a year's output of the input "
        "(as whatif's eud and cvar); added: percent points of today's output",
        "budget_marginal = -(dual of the budget row): risk reduced per extra unit of money "
        "(fraction of a year's output)",
    ]
    return df
