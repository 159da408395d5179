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
  ``annual_loss`` = loss x ``duration_weeks`` / 52 (the fraction of a
  year's output lost). **Lost volume** needs a volume: it is given where the
  input's share table is capacity-based (``capacity`` and ``capacity_unit``
  on every row), as a rate in that unit and over the duration for ``/month``,
  ``/week`` and ``/year`` units; otherwise the volume is unknown and the
  fraction is all there is.
* **Time-to-survive / time-to-recover** (where ``inventory_weeks`` is given,
  in the scenario or as an option): the product is reduced to one node making
  ``output_fraction`` of demand with ``inventory_weeks`` of finished stock,
  and the TTS/TTR LPs of :mod:`chiprisk.graph.algorithms.lp` are solved
  (HiGHS); TTR uses ``duration_weeks + recovery_weeks / 2`` (a linear ramp
  back over the recovery). The data hold no per-tier inventories or volumes,
  so the multi-tier LP is available through :class:`~chiprisk.graph.algorithms.lp.FlowModel`
  for analysts who have them.

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

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.lp import FlowModel, time_to_recover, time_to_survive
from chiprisk.graph.errors import DataError, DataErrors, UsageError
from chiprisk.graph.io.loader import Tables, check_target, parse_scenario, split_list
from chiprisk.graph.model.lenses import ultimate_parents
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
    "ttr_lost_weeks",
    "note",
]
"""Columns of :func:`simulate`, in order."""

WEEKS_PER_YEAR = 52.0
_PER = {"/week": 1.0, "/month": 12.0 / WEEKS_PER_YEAR, "/year": 1.0 / WEEKS_PER_YEAR}
"""Unit suffix -> periods per week (a ``wafers/month`` rate times weeks x 12/52)."""


@dataclass(frozen=True)
class Scenario:
    """A disruption: targets (``kind:id``), severity and optional timing.

    ``probability`` is annual (Monte Carlo); ``inventory_weeks`` and
    ``recovery_weeks`` feed the TTS/TTR LPs.
    """

    id: str
    name: str
    targets: tuple[str, ...]
    severity: float
    duration_weeks: float | None = None
    probability: float | None = None
    inventory_weeks: float | None = None
    recovery_weeks: float | None = None
    rationale: str | None = None
    source_id: str | None = None

    @classmethod
    def from_row(cls, row: dict | pd.Series) -> Scenario:
        def num(v):
            return None if v is None or (isinstance(v, float) and v != v) else float(v)

        return cls(
            id=row["id"],
            name=row["name"],
            targets=tuple(row["targets"]),
            severity=float(row["severity"]),
            duration_weeks=num(row.get("duration_weeks")),
            probability=num(row.get("probability")),
            inventory_weeks=num(row.get("inventory_weeks")),
            recovery_weeks=num(row.get("recovery_weeks")),
            rationale=row.get("rationale"),
            source_id=row.get("source_id"),
        )


def named_scenarios(tables: Tables, ids: str | Iterable[str] | None = None) -> list[Scenario]:
    """The named scenarios of the data (all, or the given ids in that order).

    Raises
    ------
    UsageError
        An unknown id (with the closest known ids).
    """
    sc = tables.scenarios
    by_id = {r["id"]: Scenario.from_row(r) for _, r in sc.iterrows()}
    if ids is None:
        return [by_id[k] for k in sorted(by_id)]
    wanted = [ids] if isinstance(ids, str) else list(ids)
    out = []
    for i in wanted:
        if i not in by_id and i.endswith((".yaml", ".yml")):
            raise UsageError(f"scenario file {i!r} does not exist")
        if i not in by_id:
            close = difflib.get_close_matches(i, list(by_id), n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(by_id)) or "none"
            raise UsageError(f"unknown scenario {i!r}.{hint} (scenarios: {known})")
        out.append(by_id[i])
    return out


def adhoc_scenario(
    targets: Sequence[str],
    severity: float = 1.0,
    *,
    duration_weeks: float | None = None,
    probability: float | None = None,
    inventory_weeks: float | None = None,
    recovery_weeks: float | None = None,
    tables: Tables | None = None,
    id: str = "ad-hoc",  # noqa: A002
) -> Scenario:
    """A scenario from ``kind:id`` targets (``country:TW``, ``site:tsmc-fab-18`` ...).

    Raises
    ------
    UsageError
        A malformed or (with ``tables``) unknown target, or a value out of range.
    """
    if not targets:
        raise UsageError("a scenario needs at least one target, e.g. --disrupt country:TW")
    for t in targets:
        problem = check_target(t, tables)
        if problem:
            raise UsageError(f"--disrupt {problem}")
    for name, v, hi in (
        ("severity", severity, 1.0),
        ("probability", probability, 1.0),
        ("duration_weeks", duration_weeks, None),
        ("inventory_weeks", inventory_weeks, None),
        ("recovery_weeks", recovery_weeks, None),
    ):
        if v is not None and (v != v or v < 0 or (hi is not None and v > hi)):
            rng = "0..1" if hi else ">= 0"
            raise UsageError(f"{name} must be in {rng}, got {v!r}")
    return Scenario(
        id=id,
        name="ad hoc: " + ", ".join(targets),
        targets=tuple(targets),
        severity=float(severity),
        duration_weeks=duration_weeks,
        probability=probability,
        inventory_weeks=inventory_weeks,
        recovery_weeks=recovery_weeks,
    )


def load_scenario_file(path: str | Path, tables: Tables) -> Scenario:
    """Read and check one scenario YAML file (the file contract's fields).

    Raises
    ------
    DataErrors
        Every problem found, naming the file and the key.
    """
    p = Path(path)
    errors: list[DataError] = []
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataErrors([DataError(str(p), None, None, f"cannot be read: {exc}")]) from None
    row = parse_scenario(text, str(p), errors, tables)
    if row is not None and row["source_id"] not in set(tables["sources"]["id"]):
        errors.append(
            DataError(str(p), None, "source_id", f"unknown source id {row['source_id']!r}")
        )
    if errors:
        raise DataErrors(errors)
    return Scenario.from_row(row)


# ---------------------------------------------------------------- target effects


@dataclass
class Effects:
    """What a scenario's targets hit, before severity.

    ``hit`` (n_suppliers,) fraction of each supplier node hit; ``input_mask``
    (n_nodes,) nodes capped by an input target; ``notes`` targets that hit
    nothing in this network.
    """

    hit: np.ndarray
    input_mask: np.ndarray
    notes: list[str] = field(default_factory=list)


def _descendants(orgs: pd.DataFrame, org: str) -> set[str]:
    parent = dict(zip(orgs["id"], orgs["parent"], strict=True))
    out = {org}
    for o in orgs["id"]:
        cur, seen = o, {o}
        while isinstance(parent.get(cur), str) and parent[cur] not in seen:
            cur = parent[cur]
            seen.add(cur)
            if cur == org:
                out.add(o)
                break
    return out


def _subtypes(inputs: pd.DataFrame, root: str) -> set[str]:
    kids: dict[str, list[str]] = {}
    for i, p in zip(inputs["id"], inputs["is_type_of"], strict=True):
        if isinstance(p, str):
            kids.setdefault(p, []).append(i)
    out, stack = {root}, [root]
    while stack:
        for k in kids.get(stack.pop(), []):
            if k not in out:
                out.add(k)
                stack.append(k)
    return out


def target_effects(net: SupplyNetwork, tables: Tables, targets: Iterable[str]) -> Effects:
    """Resolve ``kind:id`` targets to supplier hits and input caps (see the module notes).

    Notes
    -----
    O(targets x sites) to build masks, then three sparse mat-vecs.
    """
    sites = tables["sites"]
    site_country = dict(zip(sites["id"], sites["country"], strict=True))
    site_op = dict(zip(sites["id"], sites["operator"], strict=True))
    roots = ultimate_parents(tables["organizations"])
    s_idx = {s: k for k, s in enumerate(net.sites)}
    c_idx = {c: k for k, c in enumerate(net.countries)}
    f_idx = {f: k for k, f in enumerate(net.firms)}
    site_mask = np.zeros(len(net.sites))
    country_mask = np.zeros(len(net.countries))
    firm_mask = np.zeros(len(net.firms))
    direct = np.zeros(net.n_suppliers)
    input_mask = np.zeros(net.n_nodes, dtype=bool)
    notes: list[str] = []
    sup_id = np.array(net.supplier_id, dtype=object)
    for t in targets:
        problem = check_target(t, tables)
        if problem:
            raise UsageError(problem)
        kind, _, ident = t.partition(":")
        countries: list[str] = []
        if kind == "country":
            countries = [ident]
        elif kind == "bloc":
            blocs = tables["blocs"]
            countries = split_list(blocs.loc[blocs["id"] == ident, "members"].iloc[0])
        if countries:
            hit_any = False
            for c in countries:
                if c in c_idx:
                    country_mask[c_idx[c]] = 1.0
                    hit_any = True
                for s, sc in site_country.items():
                    if sc == c and s in s_idx:
                        site_mask[s_idx[s]] = 1.0
            if not hit_any:
                notes.append(f"{t}: no supplier is located there")
        elif kind == "org":
            if roots.get(ident) == ident and ident in f_idx:
                firm_mask[f_idx[ident]] = 1.0
            else:
                members = _descendants(tables["organizations"], ident)
                direct[np.isin(sup_id, list(members))] = 1.0
                hit_sites = [s for s, op in site_op.items() if op in members and s in s_idx]
                for s in hit_sites:
                    site_mask[s_idx[s]] = 1.0
                if not hit_sites and not np.isin(sup_id, list(members)).any():
                    notes.append(f"{t}: supplies nothing in this network")
        elif kind == "site":
            if ident in s_idx:
                site_mask[s_idx[ident]] = 1.0
            direct[sup_id == ident] = 1.0
            if ident not in s_idx and not (sup_id == ident).any():
                notes.append(f"{t}: the site carries no supply as of this year")
        elif kind == "input":
            types = _subtypes(tables["inputs"], ident)
            input_mask |= np.isin(np.array(net.node_input, dtype=object), list(types))
    hit = np.maximum.reduce(
        [
            net.S @ site_mask if net.S.shape[1] else np.zeros(net.n_suppliers),
            net.L @ country_mask if net.L.shape[1] else np.zeros(net.n_suppliers),
            net.F @ firm_mask if len(net.firms) else np.zeros(net.n_suppliers),
            direct,
        ]
    )
    return Effects(np.clip(hit, 0.0, 1.0), input_mask, notes)


def scenario_effects(
    net: SupplyNetwork, tables: Tables, scenario: Scenario, headroom: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Supplier availability ``1 - s h`` (n_suppliers,) and input cap (n_nodes,).

    ``headroom`` (n_nodes,): capacity added to a node since today, as a
    fraction of today's output (a what-if); an input target cuts today's
    suppliers, so the cap becomes ``min(1, 1 - s + headroom)`` (new capacity
    is assumed not hit by an input-level event).
    """
    eff = target_effects(net, tables, scenario.targets)
    a = 1.0 - scenario.severity * eff.hit
    extra = 0.0 if headroom is None else np.asarray(headroom, dtype=float)
    cap = np.where(eff.input_mask, np.minimum(1.0, 1.0 - scenario.severity + extra), 1.0)
    return a, cap, eff.notes


# ----------------------------------------------------------------------- volumes


def node_volumes(net: SupplyNetwork, tables: Tables) -> dict[str, tuple[float, str]]:
    """Normal volume and unit of every node whose share table is capacity-based.

    Notes
    -----
    O(rows of the capacity tables).
    """
    sup = tables["supplies"].set_index("id")
    out: dict[str, tuple[float, str]] = {}
    for _, r in net.tables_used.iterrows():
        if r["values"] != "capacity":
            continue
        rows = sup.loc[r["supply_ids"]]
        units = rows["capacity_unit"].dropna().unique()
        if len(units) == 1 and rows["capacity"].notna().all():
            out[r["node"]] = (float(rows["capacity"].sum()), str(units[0]))
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
        "output is relative to today's normal output; annual_loss = loss x duration_weeks / 52",
        "lost volume only where the share table is capacity-based (otherwise: volume unknown)",
        "TTS/TTR: the product as one node at output_fraction of demand with inventory_weeks of "
        "stock; TTR over duration + recovery/2 weeks",
    ]


def _lp_columns(frac: float, sc: Scenario, inventory: float | None, recovery: float | None):
    if inventory is None:
        return math.nan, math.nan
    m = FlowModel(capacity={"P": frac}, demand={"P": 1.0}, requires={}, inventory={"P": inventory})
    tts = time_to_survive(m, []).weeks
    ttr = math.nan
    if sc.duration_weeks is not None:
        weeks = sc.duration_weeks + (recovery or 0.0) / 2.0
        ttr = time_to_recover(m, [], weeks).lost
    return tts, ttr


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
        Override the scenarios' values for the TTS/TTR LPs.
    baseline_availability : array_like, optional
        Supplier availability outside the scenario (an export control in a
        what-if); multiplies the scenario's availability.
    headroom : array_like, optional
        Capacity added per node as a fraction of today's output (a what-if;
        see :func:`scenario_effects`).

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, node); columns :data:`COLUMNS`:
        ``output_fraction`` (1 = normal), ``loss`` (1 - output_fraction),
        ``duration_weeks``, ``annual_loss`` (fraction of a year's output),
        ``normal_volume``/``volume_unit``/``lost_volume`` (a rate, where the
        table is capacity-based), ``lost_volume_over_duration``,
        ``inventory_weeks``, ``tts_weeks`` (``inf`` = survives indefinitely),
        ``ttr_lost_weeks`` (weeks of output lost), ``note``. Sorted by
        scenario, products first, then by loss. ``df.attrs["assumptions"]``
        lists the assumptions, ``df.attrs["notes"]`` targets that hit nothing.

    Notes
    -----
    One :func:`~chiprisk.graph.model.propagation.propagate` call for all scenarios:
    O((nnz(W) + nnz(R)) x n_scenarios), plus one small LP per product with an
    inventory.
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
    names = dict(zip(tables["inputs"]["id"], tables["inputs"]["name"], strict=True))
    vols = node_volumes(net, tables)
    products = set(net.products)
    rows = []
    for k, sc in enumerate(scenarios):
        inv = inventory_weeks if inventory_weeks is not None else sc.inventory_weeks
        rec = recovery_weeks if recovery_weeks is not None else sc.recovery_weeks
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
            tts, ttr = _lp_columns(frac, sc, inv, rec) if is_product else (math.nan, math.nan)
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
                    loss * dur / WEEKS_PER_YEAR if dur is not None else math.nan,
                    vol,
                    unit,
                    lost,
                    _over_duration(lost, unit, dur) if unit else math.nan,
                    inv,
                    tts,
                    ttr,
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
