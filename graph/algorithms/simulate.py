"""Disruption simulation: what a scenario does to every input and product.

A scenario (a named one from ``scenarios/*.yaml``, or ad hoc targets with a
severity) cuts the capacity of its targets; the available supply propagates
through the AND/OR network (:func:`chiprisk.graph.model.propagation.propagate`);
the result is, per input and per product, the fraction of normal output still
made, the loss, and the lost volume where a volume is known.

Model (assumptions, also printed by the CLI)
--------------------------------------------
* **Targets.** ``country:C`` hits the share of every supplier located in C
  (``net.L``: site rows, firm rows spread over the group's sites of that
  stage, country totals); ``bloc:B`` hits its member countries; ``org:O``
  hits the whole group when O is an ultimate parent (``net.F``), else the
  rows and sites of O and its subsidiaries; ``site:X`` hits the site's share
  of every supplier (``net.S``: site rows, and a group's capacity spread over
  its producing sites); ``input:I`` caps the availability of I and of its
  subtypes (``is_type_of``) at ``1 - severity`` (``propagate``'s
  ``input_cap``). Several targets of one scenario hit a supplier by the
  largest of its site-, location- and firm-level hits (the exact union for
  suppliers resolved to sites; a lower bound for country totals).
* **Severity** ``s``: a hit fraction ``h`` of a supplier leaves ``1 - s h``
  of its output.
* **Substitution**: surviving capacity of an input's other suppliers can run
  up to ``spare_capacity`` (a fraction, default 0: the chain runs full, as
  CoWoS and HBM are reported to) above its normal output, up to making up the
  loss: ``direct(i) = min(1, (1 + spare) W[i] @ a)``. Spare capacity is per
  share table (a supplier's spare in one input does not compete with its
  spare in another). Buyer-specific sourcing (a product's own suppliers)
  substitutes only within those suppliers.
* **Output** is relative to today's normal output (demand is fixed).
  ``output_fraction`` is the flow-only figure while the cause lasts (no
  stocks, no installed base).
* **Weeks** (:mod:`~chiprisk.graph.algorithms.weekly`): every node's weekly
  curve over ``weeks`` (default 104) with the inputs' buffers, lead, restart
  and installed-base decay; ``tts_weeks``, ``trough``, ``trough_week``,
  ``ttr_weeks`` and ``lost_weeks_of_output`` sum it up, and ``annual_loss``
  is its mean shortfall over the first 52 weeks (the fraction of a year's
  output lost; ``loss x duration_weeks / 52`` where there are no buffers,
  lead or restart times and the disruption fits in the year).
* **Lost volume** needs a volume: it is given where the input's share
  table is capacity-based (``capacity`` and ``capacity_unit`` on every
  row), as a rate in that unit and over the duration for ``/month``,
  ``/week`` and ``/year`` units; otherwise the volume is unknown and the
  fraction is all there is.
* **Time-to-survive / time-to-recover** come from the weekly curve;
  ``inventory_weeks`` (scenario or option) is the products' finished stock
  and ``recovery_weeks`` the restart of the inputs the scenario hits (a
  linear ramp back), as in the one-node TTS/TTR LPs of
  :mod:`chiprisk.graph.algorithms.lp`, which give the same numbers on one
  node; the multi-tier LP (:class:`~chiprisk.graph.algorithms.lp.FlowModel`)
  stays available for analysts with per-tier volumes.

Scenarios themselves (:class:`Scenario`, :func:`named_scenarios`,
:func:`adhoc_scenario`, :func:`load_scenario_file`) live in
:mod:`~chiprisk.graph.algorithms.scenarios` and the resolution of their
targets (:func:`target_effects`, :func:`scenario_effects`) in
:mod:`~chiprisk.graph.algorithms.scenario_effects`; both are re-exported here.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> sc = adhoc_scenario(["org:asml"], severity=1.0, tables=t)
>>> df = simulate(t, sc)
>>> float(df.query("node == 'nvidia-h100'")["output_fraction"].item())
0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace as _replace

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenario_effects import Effects, scenario_effects, target_effects
from chiprisk.graph.algorithms.scenarios import (
    Scenario,
    adhoc_scenario,
    load_scenario_file,
    named_scenarios,
)
from chiprisk.graph.algorithms.weekly import DEFAULT_WEEKS
from chiprisk.graph.algorithms.weekly_scenarios import curve_frame, run_weekly, summarize
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork, build_network, propagate

__all__ = [
    "COLUMNS",
    "Effects",
    "Scenario",
    "adhoc_scenario",
    "assumptions",
    "load_scenario_file",
    "named_scenarios",
    "node_volumes",
    "scenario_effects",
    "simulate",
    "target_effects",
]

COLUMNS = [
    "scenario",
    "scenario_name",
    "node",
    "input",
    "input_name",
    "buyer",
    "kind",
    "output_fraction",
    "loss",
    "duration_weeks",
    "annual_loss",
    "normal_volume",
    "volume_unit",
    "lost_volume",
    "lost_volume_over_duration",
    "inventory_weeks",
    "tts_weeks",
    "trough",
    "trough_week",
    "ttr_weeks",
    "lost_weeks_of_output",
    "ttr_lost_weeks",
    "note",
]
"""Columns of :func:`simulate`, in order."""

WEEKS_PER_YEAR = 52.0
_PER = {"/week": 1.0, "/month": 12.0 / WEEKS_PER_YEAR, "/year": 1.0 / WEEKS_PER_YEAR}
"""Unit suffix -> periods per week (a ``wafers/month`` rate times weeks x 12/52)."""


# ----------------------------------------------------------------------- volumes


def node_volumes(net: SupplyNetwork, tables: Tables) -> dict[str, tuple[float, str]]:
    """Normal volume and unit of every node whose share table is capacity-based.

    Notes
    -----
    O(rows of the capacity tables).
    """
    sup = tables["supplies"]
    capacity = dict(zip(sup["id"], sup["capacity"].to_numpy(dtype=float), strict=True))
    unit = dict(zip(sup["id"], sup["capacity_unit"], strict=True))
    used = net.tables_used
    out: dict[str, tuple[float, str]] = {}
    for node, values, ids in zip(used["node"], used["values"], used["supply_ids"], strict=True):
        if values != "capacity":
            continue
        caps = np.array([capacity[i] for i in ids], dtype=float)
        units = {unit[i] for i in ids if isinstance(unit[i], str)}
        if len(units) == 1 and not np.isnan(caps).any():
            out[node] = (float(caps.sum()), units.pop())  # numpy's sum, as pandas sums
    return out


def _over_duration(rate: float, unit: str, weeks: float | None) -> float:
    if weeks is None:
        return math.nan
    for suffix, per_week in _PER.items():
        if unit.endswith(suffix):
            return rate * per_week * weeks
    return math.nan


# ---------------------------------------------------------------------- simulate


def assumptions(spare_capacity: float = 0.0) -> list[str]:
    """The modelling assumptions in force, one sentence each (printed by the CLI)."""
    return [
        "severity s cuts a hit supplier to 1 - s x (its share located at / owned by the target)",
        "input targets cap that input and its subtypes at 1 - s",
        f"surviving suppliers may run {spare_capacity:.0%} above normal output to make up a loss "
        "(per share table)",
        "output is relative to today's normal output; output_fraction is the flow-only figure "
        "while the cause lasts",
        "lost volume only where the share table is capacity-based (otherwise: volume unknown)",
        "weekly curve: consumable shortfalls bite after the buffers downstream run out; installed "
        "inputs (tools) lose no output at once but decay at their service rate; output returns "
        "after the cause ends plus restart and lead time (docs/methods.md)",
        "annual_loss = mean shortfall of the weekly curve over the first 52 weeks",
    ]


def simulate(
    tables: Tables,
    scenarios: Scenario | Sequence[Scenario],
    *,
    year: int | None = None,
    network: SupplyNetwork | None = None,
    spare_capacity: float = 0.0,
    include: str = "affected",
    inventory_weeks: float | None = None,
    recovery_weeks: float | None = None,
    baseline_availability: np.ndarray | None = None,
    headroom: np.ndarray | None = None,
    weeks: int = DEFAULT_WEEKS,
    curve: bool = False,
) -> pd.DataFrame:
    """Output per input and product under one or more scenarios.

    Parameters
    ----------
    tables : Tables
    scenarios : Scenario or sequence of Scenario
        From :func:`named_scenarios`, :func:`adhoc_scenario` or
        :func:`load_scenario_file`.
    year : int, optional
        As of this year (share tables and sites; see ``build_network``).
    network : SupplyNetwork, optional
        A prebuilt network for ``year`` (else built).
    spare_capacity : float, default 0.0
        Fraction above normal output surviving suppliers can add (>= 0).
    include : {"affected", "products", "all"}
        Rows: products and every node with a loss (default), products only, or
        every node.
    inventory_weeks, recovery_weeks : float, optional
        Override the scenarios' values: the products' finished stock and the
        restart of the inputs the scenario hits (weekly model).
    baseline_availability : array_like, optional
        Supplier availability outside the scenario (an export control in a
        what-if); multiplies the scenario's availability.
    headroom : array_like, optional
        Capacity added per node as a fraction of today's output (a what-if;
        see :func:`scenario_effects`).
    weeks : int, default 104
        Horizon of the weekly curve.
    curve : bool, default False
        Return the products' weekly curves instead: one row per (scenario,
        product, week) with ``output`` (1 = normal;
        :func:`~chiprisk.graph.algorithms.weekly_scenarios.curve_frame`).

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, node); columns :data:`COLUMNS`:
        ``output_fraction`` (1 = normal), ``loss`` (1 - output_fraction),
        ``duration_weeks``, ``annual_loss`` (fraction of a year's output),
        ``normal_volume``/``volume_unit``/``lost_volume`` (a rate, where the
        table is capacity-based), ``lost_volume_over_duration``,
        ``inventory_weeks``, and from the weekly curve ``tts_weeks`` (``inf``
        = never falls), ``trough``, ``trough_week``, ``ttr_weeks`` (``inf`` =
        not back within the horizon), ``lost_weeks_of_output`` (also as
        ``ttr_lost_weeks``, its old name) and ``annual_loss``; ``note``. Sorted by
        scenario, products first, then by loss. ``df.attrs["assumptions"]``
        lists the assumptions, ``df.attrs["notes"]`` targets that hit nothing.

    Notes
    -----
    One :func:`~chiprisk.graph.model.propagation.propagate` call for all scenarios:
    O((nnz(W) + nnz(R)) x n_scenarios), plus one weekly propagation
    (:func:`~chiprisk.graph.algorithms.weekly.propagate_weekly`) over nodes x
    scenarios x weeks.
    """
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    if not scenarios:
        raise UsageError("no scenario to simulate")
    if include not in ("affected", "products", "all"):
        raise UsageError(f"include must be affected, products or all, not {include!r}")
    if not (spare_capacity >= 0):
        raise UsageError(f"spare capacity must be >= 0, got {spare_capacity!r}")
    net = network if network is not None else build_network(tables, year)
    n = len(scenarios)
    A = np.ones((net.n_suppliers, n))
    C = np.ones((net.n_nodes, n))
    notes: list[str] = []
    for k, sc in enumerate(scenarios):
        a, cap, nt = scenario_effects(net, tables, sc, headroom)
        A[:, k], C[:, k] = a, cap
        notes += [f"{sc.id}: {x}" for x in nt]
    if baseline_availability is not None:
        A *= np.asarray(baseline_availability, dtype=float)[:, None]
    out = propagate(net, A * (1.0 + spare_capacity), C)
    if inventory_weeks is not None or recovery_weeks is not None:
        scenarios = [
            _replace(
                sc,
                inventory_weeks=inventory_weeks
                if inventory_weeks is not None
                else sc.inventory_weeks,
                recovery_weeks=recovery_weeks if recovery_weeks is not None else sc.recovery_weeks,
            )
            for sc in scenarios
        ]
    run = run_weekly(
        tables,
        scenarios,
        network=net,
        weeks=weeks,
        spare_capacity=spare_capacity,
        effects=(A, C),
    )
    if curve:
        return curve_frame(run)
    wk = summarize(run.loss, run.start)
    names = dict(zip(tables["inputs"]["id"], tables["inputs"]["name"], strict=True))
    vols = node_volumes(net, tables)
    products = set(net.products)
    rows = []
    for k, sc in enumerate(scenarios):
        inv = sc.inventory_weeks
        for i, node in enumerate(net.nodes):
            frac = float(out[i, k])
            is_product = net.node_input[i] in products and net.node_buyer[i] is None
            if include == "products" and not is_product:
                continue
            if include == "affected" and not is_product and frac >= 1.0:
                continue
            loss = 1.0 - frac
            dur = sc.duration_weeks
            vol, unit = vols.get(node, (math.nan, None))
            lost = loss * vol if unit else math.nan
            note = None if unit or not loss else "volume unknown (no capacity table)"
            if node in net.gaps:
                note = "no supply data: assumed unaffected"
            rows.append(
                (
                    sc.id,
                    sc.name,
                    node,
                    net.node_input[i],
                    names.get(net.node_input[i]),
                    net.node_buyer[i],
                    "product" if is_product else "input",
                    frac,
                    loss,
                    dur,
                    float(wk["annual_loss"][i, k]),
                    vol,
                    unit,
                    lost,
                    _over_duration(lost, unit, dur) if unit else math.nan,
                    inv,
                    float(wk["tts_weeks"][i, k]),
                    float(wk["trough"][i, k]),
                    float(wk["trough_week"][i, k]),
                    float(wk["ttr_weeks"][i, k]),
                    float(wk["lost_weeks_of_output"][i, k]),
                    float(wk["lost_weeks_of_output"][i, k]),
                    note,
                )
            )
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["_p"] = df["kind"] != "product"
    df = df.sort_values(["scenario", "_p", "loss", "node"], ascending=[True, True, False, True])
    df = df.drop(columns="_p").reset_index(drop=True)
    order = {sc.id: k for k, sc in enumerate(scenarios)}
    df = df.iloc[np.argsort(df["scenario"].map(order).to_numpy(), kind="stable")]
    df = df.reset_index(drop=True)
    df.attrs["assumptions"] = assumptions(spare_capacity)
    df.attrs["notes"] = notes
    return df
