"""Weekly curves of scenarios: when output falls, how deep, when it is back.

Runs the weekly model of :mod:`~chiprisk.graph.algorithms.weekly` for one or
more scenarios and sums each node's curve up: ``tts_weeks`` (weeks from the
disruption's start until output first falls; ``inf``: it never does),
``trough`` (lowest weekly output, 1 = normal), ``trough_week`` (week of the
curve), ``ttr_weeks`` (weeks from the start until output is back at 100% for
good; 0 if it never fell, ``inf`` if not back within the horizon),
``lost_weeks_of_output`` (area under the shortfall, in weeks of normal
output) and ``annual_loss`` (the mean shortfall over the first 52 weeks: the
annual figure of :func:`~chiprisk.graph.algorithms.simulate.simulate`,
Monte Carlo and the what-if).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.algorithms.scenarios import named_scenarios
>>> t = load_tables()
>>> df = weekly_summary(t, named_scenarios(t, "korea-hbm-outage"))
>>> bool((df["trough"] <= 1).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenario_effects import scenario_effects
from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.algorithms.weekly import (
    DEFAULT_WEEKS,
    WEEKS_PER_YEAR,
    WeeklyParams,
    active_weeks,
    node_params,
    own_availability,
    propagate_weekly,
)
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork, build_network

__all__ = [
    "CURVE_COLUMNS",
    "SUMMARY_COLUMNS",
    "WeeklyRun",
    "curve_frame",
    "product_rows",
    "run_weekly",
    "summarize",
    "weekly_summary",
]

SUMMARY_COLUMNS = [
    "tts_weeks",
    "trough",
    "trough_week",
    "ttr_weeks",
    "lost_weeks_of_output",
    "annual_loss",
]
"""The per-node summary of a weekly curve (see the module notes)."""
CURVE_COLUMNS = ["scenario", "product", "week", "output"]
"""Columns of :func:`curve_frame`."""
_EPS = 1e-9


@dataclass
class WeeklyRun:
    """Weekly losses of every node under some scenarios (see :func:`run_weekly`)."""

    net: SupplyNetwork
    scenarios: list[Scenario]
    loss: np.ndarray  # (n_nodes, n_scenarios, weeks)
    start: np.ndarray  # (n_scenarios,) start week
    params: WeeklyParams


def run_weekly(
    tables: Tables,
    scenarios: Scenario | Sequence[Scenario],
    *,
    year: int | None = None,
    network: SupplyNetwork | None = None,
    weeks: int = DEFAULT_WEEKS,
    spare_capacity: float = 0.0,
    baseline_availability: np.ndarray | None = None,
    headroom: np.ndarray | None = None,
    effects: tuple[np.ndarray, np.ndarray] | None = None,
    params: WeeklyParams | None = None,
) -> WeeklyRun:
    """The weekly loss of every node under each scenario.

    Parameters
    ----------
    tables : Tables
    scenarios : Scenario or sequence of Scenario
    year : int, optional
    network : SupplyNetwork, optional
        Prebuilt for ``year``.
    weeks : int, default 104
        The horizon.
    spare_capacity : float, default 0.0
    baseline_availability, headroom : numpy.ndarray, optional
        As in :func:`~chiprisk.graph.algorithms.simulate.simulate` (applied
        while the cause lasts).
    effects : (numpy.ndarray, numpy.ndarray), optional
        Precomputed supplier availability (n_suppliers, n) and caps (n_nodes, n).
    params : WeeklyParams, optional
        Stock-and-flow values (default :func:`~chiprisk.graph.algorithms.weekly.node_params`).

    Returns
    -------
    WeeklyRun

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.algorithms.scenarios import adhoc_scenario
    >>> t = load_tables()
    >>> run = run_weekly(t, adhoc_scenario(["input:hbm"], 1.0, duration_weeks=4), weeks=10)
    >>> run.loss.shape[1:]
    (1, 10)
    """
    scs = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    if not scs:
        raise UsageError("no scenario to simulate")
    if not (isinstance(weeks, int | np.integer) and 1 <= weeks <= 5200):
        raise UsageError(f"weeks must be a whole number in 1..5200, got {weeks!r}")
    net = network if network is not None else build_network(tables, year)
    if effects is None:
        A = np.ones((net.n_suppliers, len(scs)))
        C = np.ones((net.n_nodes, len(scs)))
        for k, sc in enumerate(scs):
            A[:, k], C[:, k], _ = scenario_effects(net, tables, sc, headroom)
        if baseline_availability is not None:
            A *= np.asarray(baseline_availability, dtype=float)[:, None]
    else:
        A, C = effects
    direct = own_availability(net, A, C, spare_capacity)
    start = np.array([sc.start_week or 0.0 for sc in scs])
    dur = np.array([np.inf if sc.duration_weeks is None else sc.duration_weeks for sc in scs])
    act = active_weeks(start, dur, int(weeks))
    cause = (1.0 - direct)[:, :, None] * act[None, :, :]
    p = params if params is not None else node_params(net, tables, scs, direct)
    return WeeklyRun(net, scs, propagate_weekly(net, cause, p), start, p)


def summarize(loss: np.ndarray, start: np.ndarray) -> dict[str, np.ndarray]:
    """Summaries of weekly losses (..., n_scenarios, weeks): :data:`SUMMARY_COLUMNS`.

    Examples
    --------
    >>> s = summarize(np.array([[0.0, 0.5, 1.0, 0.25, 0.0]]), np.array([0.0]))
    >>> [float(s[k][0]) for k in ("tts_weeks", "trough", "trough_week", "ttr_weeks")]
    [1.0, 0.0, 2.0, 4.0]
    >>> float(s["lost_weeks_of_output"][0])
    1.75
    """
    T = loss.shape[-1]
    short = loss > _EPS
    any_short = short.any(axis=-1)
    first = np.where(any_short, short.argmax(axis=-1), 0)
    last = np.where(any_short, T - 1 - short[..., ::-1].argmax(axis=-1), 0)
    back = ~short[..., -1]
    s = np.broadcast_to(start, any_short.shape)
    tts = np.where(any_short, np.maximum(first - s, 0.0), np.inf)
    ttr = np.where(any_short, np.where(back, np.maximum(last + 1 - s, 0.0), np.inf), 0.0)
    year = min(T, int(WEEKS_PER_YEAR))
    return {
        "tts_weeks": tts,
        "trough": 1.0 - loss.max(axis=-1),
        "trough_week": loss.argmax(axis=-1).astype(float),
        "ttr_weeks": ttr,
        "lost_weeks_of_output": loss.sum(axis=-1),
        "annual_loss": loss[..., :year].sum(axis=-1) / WEEKS_PER_YEAR,
    }


def product_rows(net: SupplyNetwork) -> np.ndarray:
    """Indices of the product nodes (market-wide, not ``i@P``)."""
    products = set(net.products)
    return np.array(
        [
            k
            for k, (i, b) in enumerate(zip(net.node_input, net.node_buyer, strict=True))
            if i in products and b is None
        ],
        dtype=int,
    )


def weekly_summary(
    tables: Tables, scenarios: Scenario | Sequence[Scenario], **options
) -> pd.DataFrame:
    """Per scenario and product: :data:`SUMMARY_COLUMNS` of its weekly curve.

    Parameters
    ----------
    tables : Tables
    scenarios : Scenario or sequence of Scenario
    **options
        Passed to :func:`run_weekly` (``weeks``, ``year``, ``network``,
        ``spare_capacity``).

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``product``, then :data:`SUMMARY_COLUMNS`; sorted by
        scenario (in the given order) and lost weeks, largest first.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.algorithms.scenarios import adhoc_scenario
    >>> t = load_tables()
    >>> sc = adhoc_scenario(["input:hbm"], 1.0, duration_weeks=4)
    >>> df = weekly_summary(t, sc, weeks=30)
    >>> float(df["trough"].min())
    0.0
    """
    run = run_weekly(tables, scenarios, **options)
    rows = product_rows(run.net)
    s = summarize(run.loss[rows], run.start)
    frames = []
    for k, sc in enumerate(run.scenarios):
        df = pd.DataFrame({"scenario": sc.id, "product": [run.net.nodes[i] for i in rows]})
        for c in SUMMARY_COLUMNS:
            df[c] = s[c][:, k]
        frames.append(df.sort_values(["lost_weeks_of_output", "product"], ascending=[False, True]))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["weeks"] = run.loss.shape[-1]
    return out


def curve_frame(run: WeeklyRun, products_only: bool = True) -> pd.DataFrame:
    """Long rows ``scenario, product, week, output`` of a :class:`WeeklyRun`.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.algorithms.scenarios import adhoc_scenario
    >>> t = load_tables()
    >>> run = run_weekly(t, adhoc_scenario(["input:hbm"], 1.0, duration_weeks=2), weeks=3)
    >>> list(curve_frame(run).columns)
    ['scenario', 'product', 'week', 'output']
    """
    net = run.net
    rows = product_rows(net) if products_only else np.arange(net.n_nodes)
    n_s, T = run.loss.shape[1], run.loss.shape[2]
    out = 1.0 - run.loss[rows]  # (rows, scenarios, weeks)
    return pd.DataFrame(
        {
            "scenario": np.tile(np.repeat([sc.id for sc in run.scenarios], T), len(rows)),
            "product": np.repeat([net.nodes[i] for i in rows], n_s * T),
            "week": np.tile(np.arange(T), len(rows) * n_s),
            "output": out.reshape(-1),
        },
        columns=CURVE_COLUMNS,
    ).sort_values(["scenario", "product", "week"], kind="stable", ignore_index=True)
