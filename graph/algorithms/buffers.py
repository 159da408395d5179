"""What a buffer buys: where extra weeks of stock cut the lost output most (greedy).

The weekly model (:mod:`~chiprisk.graph.algorithms.weekly`) says how many
weeks of output each product loses under a scenario. Extra stock of an input
(``buffer_weeks``: its output held downstream) delays and shortens the
shortfall. :func:`buffer_plan` spends a budget of ``budget_weeks`` weeks of
stock, ``step`` weeks at a time, **greedily**: at each step it tries one more
step of stock on every candidate input at once (one weekly run with one
column per candidate and scenario) and keeps the input that cuts the total
lost weeks of output most (summed over the products and the scenarios).

Greedy, not an LP: the weekly model has ``min``/``max`` and a cumulative sum,
so lost output is piecewise linear in the buffers; a buffer helps only where
its input is the binding shortage, so two inputs that bind together (both
cut by one blockade) each gain nothing alone. The greedy step therefore
stops early where no single input helps, and says so in its notes; raise
several inputs together with scenario ``overrides`` to test such pairs.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.algorithms.scenarios import named_scenarios
>>> t = load_tables()
>>> plan = buffer_plan(t, named_scenarios(t, "korea-hbm-outage"), budget_weeks=2)
>>> list(plan.columns)[:4]
['step', 'input', 'added_weeks', 'buffer_weeks']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenario_effects import scenario_effects
from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.algorithms.weekly import (
    DEFAULT_WEEKS,
    WeeklyParams,
    active_weeks,
    node_params,
    own_availability,
    propagate_weekly,
)
from chiprisk.graph.algorithms.weekly_scenarios import product_rows
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork, build_network

__all__ = ["COLUMNS", "buffer_plan"]

COLUMNS = [
    "step",
    "input",
    "added_weeks",
    "buffer_weeks",
    "lost_weeks_before",
    "lost_weeks_after",
    "reduction",
]
"""Columns of :func:`buffer_plan`."""


def buffer_plan(
    tables: Tables,
    scenarios: Scenario | Sequence[Scenario],
    budget_weeks: float,
    *,
    step: float = 1.0,
    weeks: int = DEFAULT_WEEKS,
    year: int | None = None,
    network: SupplyNetwork | None = None,
    candidates: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Spend ``budget_weeks`` of extra stock where it cuts lost output most (greedy).

    Parameters
    ----------
    tables : Tables
    scenarios : Scenario or sequence of Scenario
    budget_weeks : float
        Total extra weeks of stock to place (> 0).
    step : float, default 1.0
        Weeks added per greedy step.
    weeks : int, default 104
        Horizon of the weekly model.
    year : int, optional
    network : SupplyNetwork, optional
    candidates : sequence of str, optional
        Input ids that may hold more stock (default: every consumable input
        whose curve loses output in a scenario; installed inputs hold spares,
        which the model also reads from ``buffer_weeks``).

    Returns
    -------
    pandas.DataFrame
        One row per step: :data:`COLUMNS` (``lost_weeks_*`` summed over the
        products and scenarios). ``df.attrs["notes"]`` says why it stopped
        early, if it did.

    Notes
    -----
    Each step is one :func:`~chiprisk.graph.algorithms.weekly.propagate_weekly`
    over (candidates x scenarios) columns: O(steps x candidates x scenarios x
    nodes x weeks).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.algorithms.scenarios import adhoc_scenario
    >>> t = load_tables()
    >>> sc = adhoc_scenario(["input:hbm"], 1.0, duration_weeks=6)
    >>> plan = buffer_plan(t, sc, budget_weeks=3, weeks=40)
    >>> bool((plan["reduction"] > 0).all())
    True
    """
    scs = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    if not scs:
        raise UsageError("no scenario: give a scenario id or file")
    if not (budget_weeks > 0 and step > 0):
        raise UsageError(f"--budget-weeks and --step must be > 0, got {budget_weeks}, {step}")
    net = network if network is not None else build_network(tables, year)
    n_s = len(scs)
    A = np.ones((net.n_suppliers, n_s))
    C = np.ones((net.n_nodes, n_s))
    for k, sc in enumerate(scs):
        A[:, k], C[:, k], _ = scenario_effects(net, tables, sc)
    direct = own_availability(net, A, C)
    start = np.array([sc.start_week or 0.0 for sc in scs])
    dur = np.array([np.inf if sc.duration_weeks is None else sc.duration_weeks for sc in scs])
    cause = (1.0 - direct)[:, :, None] * active_weeks(start, dur, int(weeks))[None]
    base = node_params(net, tables, scs, direct)
    prods = product_rows(net)
    node_input = np.array(net.node_input, dtype=object)

    def lost(p: WeeklyParams, c: np.ndarray) -> np.ndarray:
        L = propagate_weekly(net, c, p)
        return L[prods].sum(axis=(0, 2))

    L0 = propagate_weekly(net, cause, base)
    if candidates is None:
        hurt = L0.reshape(net.n_nodes, -1).max(axis=1) > 0
        consumable = ~base.installed.any(axis=1)
        cand = sorted({node_input[i] for i in np.flatnonzero(hurt & consumable)})
    else:
        known = set(tables["inputs"]["id"])
        bad = [c for c in candidates if c not in known]
        if bad:
            raise UsageError(f"unknown input(s): {', '.join(bad)}")
        cand = list(dict.fromkeys(candidates))
    notes: list[str] = []
    rows = []
    total = float(L0[prods].sum())
    spent, k = 0.0, 0
    added = dict.fromkeys(cand, 0.0)
    while cand and spent + step <= budget_weeks + 1e-9:
        n_c = len(cand)
        cols = np.tile(np.arange(n_s), n_c)  # candidate-major: (c0 s0, c0 s1, c1 s0 ...)
        p = base.columns(cols)
        for j, inp in enumerate(cand):
            rows_i = node_input == inp
            p.buffer[np.ix_(rows_i, np.arange(j * n_s, (j + 1) * n_s))] += step
        per_col = lost(p, cause[:, cols])
        per_cand = per_col.reshape(n_c, n_s).sum(axis=1)
        best = int(np.argmin(per_cand))
        if per_cand[best] >= total - 1e-9:
            notes.append(
                f"stopped after {spent:g} of {budget_weeks:g} weeks: no single input's extra "
                "stock cuts the lost output further (shortages bind together)"
            )
            break
        inp = cand[best]
        k += 1
        spent += step
        added[inp] += step
        rows_i = node_input == inp
        base.buffer[rows_i] += step
        rows.append(
            (
                k,
                inp,
                step,
                float(base.buffer[rows_i].max()),
                total,
                float(per_cand[best]),
                total - float(per_cand[best]),
            )
        )
        total = float(per_cand[best])
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["notes"] = notes + [
        "greedy: each step adds stock to the one input that cuts lost weeks of output most "
        "(summed over products and scenarios); not an LP optimum"
    ]
    return df
