"""Policy what-if: apply policies (and ad hoc capacity) as of a year; report before/after.

A policy's rows in ``policy_actions.csv`` act on the graph as of a year:

* **Capacity** (``adds_capacity`` + ``capacity_unit`` + ``input``): counted
  when its start year (``effective_year``, else the target site's
  ``start_year``) is on or before the year; an action with neither is listed
  but not counted. The capacity goes to the target site (a site), the group's
  rows (an organisation) or a new entity in that country (a country).
* It changes the input's share table only where that table (the latest
  ``capacity``-basis table as of the year) gives **capacities in the same
  unit** on every row: a supply row is added. A ``wafers/month`` addition
  cannot become a revenue share without a market total, so otherwise the
  capacity is reported and the indices are marked ``not comparable (no
  capacity table in <unit>)``; :func:`missing_capacity_tables` lists those
  inputs. Ad hoc additions (``site-or-country:input:amount``) use the unit
  of the input's capacity table, or else percentage points of today's market
  (the share table is renormalised).
* **Concentration** before/after: :func:`~chiprisk.graph.algorithms.concentration.concentration`
  rerun on the modified rows (:func:`apply_additions`), per lens.
* **Losses** before/after: demand stays at today's output, so added capacity
  is headroom: the input's shares are rescaled by ``new total / old total``
  (availability is capped at 1), and the named scenarios and the Monte Carlo
  (same seed and draws: common random numbers) are rerun. Added capacity
  never increases a loss; HHI, by contrast, is not monotone in added capacity
  and is blind to location (methods.md 1.2, R1.10, R4.1): both are shown.
* **Export controls**: the selected policies' rows of ``restrictions.csv``
  in force at the end of the year (:mod:`~chiprisk.graph.algorithms.restrictions`).
  The restricted country loses new supply of the item: what it makes that
  needs an installed item (a tool) decays at the item's service rate since
  the effective date, what needs a consumable stops; production elsewhere is
  untouched; one rule per (item, country), the strongest, and nothing
  compounds. Products have no location in the data, so a product's own
  access is not modelled. (``restricts`` rows of ``policy_actions.csv`` are
  listed with the actions; they no longer cut supply themselves.)
* **Conditions** (text, e.g. domestic priority in a shortage) are listed, not
  modelled (the network has no buyer locations).
* **Money**: amounts are converted with :mod:`chiprisk.graph.model.fx` at the
  policy's enactment year (else the as-of year); the rate used is printed.

This module runs the before/after (:func:`whatif`). Its parts live beside it
and are re-exported here: the actions as of a year
(:mod:`~chiprisk.graph.algorithms.policy_actions`), the capacity additions
(:mod:`~chiprisk.graph.algorithms.additions`), the export controls
(:mod:`~chiprisk.graph.algorithms.restrictions`) and the policy ranking
(:mod:`~chiprisk.graph.algorithms.policy_ranking`).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> r = whatif(t, ["jp-jasm-fab-1-subsidy"], year=2030, runs=2_000)
>>> float(r.inputs.query("input == 'logic-foundry'")["capacity_added"].iloc[0])
55000.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from chiprisk.graph.algorithms.additions import (
    Addition,
    _rescaled_network,
    apply_additions,
    parse_addition,
)
from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.algorithms.montecarlo import (
    event_set,
    loss_statistics,
    sample_events,
    sample_losses,
)
from chiprisk.graph.algorithms.policy_actions import (
    _policy_ids,
    _year_of,
    missing_capacity_tables,
    policy_actions,
)
from chiprisk.graph.algorithms.policy_ranking import policies
from chiprisk.graph.algorithms.restrictions import restriction_availability
from chiprisk.graph.algorithms.scenarios import Scenario, named_scenarios
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import build_network

__all__ = [
    "Addition",
    "WhatIfResult",
    "apply_additions",
    "missing_capacity_tables",
    "parse_addition",
    "policies",
    "policy_actions",
    "whatif",
]

LENSES = ("firm", "hq", "site", "country")


@dataclass
class WhatIfResult:
    """Before/after tables of a what-if (see :func:`whatif`)."""

    year: int
    actions: pd.DataFrame
    additions: pd.DataFrame
    inputs: pd.DataFrame
    products: pd.DataFrame
    conditions: pd.DataFrame
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counterfactual: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The ledger counterfactual of the policies (see
    :func:`~chiprisk.graph.algorithms.counterfactual.policy_counterfactual`)."""

    def to_frame(self) -> pd.DataFrame:
        """All sections in one long table with a ``section`` column (for CSV/JSON)."""
        parts = []
        for name in ("inputs", "products", "actions", "conditions", "counterfactual"):
            df = getattr(self, name)
            if not df.empty:
                parts.append(df.assign(section=name))
        if not parts:
            return pd.DataFrame({"section": []})
        out = pd.concat(parts, ignore_index=True)
        return out[["section", *[c for c in out.columns if c != "section"]]]


def _conc(tables: Tables, inputs: list[str], year: int) -> pd.DataFrame:
    if not inputs:
        return pd.DataFrame()
    try:
        return concentration(tables, inputs=inputs, year=year)
    except UsageError:
        return pd.DataFrame()


def whatif(
    tables: Tables,
    policy_ids: str | Iterable[str] | None = None,
    *,
    year: int,
    additions: Sequence[Addition] = (),
    scenarios: Sequence[Scenario] | None = None,
    runs: int = 20_000,
    seed: int | None = 0,
    level: float = 0.95,
    spare_capacity: float = 0.0,
    currency: str = "USD",
    progress: bool = False,
) -> WhatIfResult:
    """Apply policies (and ad hoc additions) as of ``year``; report before/after.

    Parameters
    ----------
    tables : Tables
    policy_ids : str or iterable of str, optional
        Policies to apply (None with ``additions`` only: none).
    year : int
        The as-of year (capacity counts from its start year).
    additions : sequence of Addition
        Ad hoc capacity (:func:`parse_addition`).
    scenarios : sequence of Scenario, optional
        Scenarios for the loss view and the Monte Carlo (default: all named).
    runs, seed, level : Monte Carlo settings (common random numbers).
    spare_capacity : float
        Substitution headroom (see simulate).
    currency : {"USD", "EUR", ...}
        Money is converted to this currency with the sourced rates.

    Returns
    -------
    WhatIfResult
        ``inputs``: per input, unit and lens: ``capacity_added`` (sum of
        counted additions), ``capacity_applied``, ``table``, ``comparable``,
        ``hhi_before``/``hhi_after``/``delta_hhi``, ``cr1_before``/``cr1_after``,
        ``top_before``/``top_after``, the input's own Monte Carlo
        ``eud_before``/``eud_after`` and ``cvar_before``/``cvar_after``,
        ``policies``, ``source_ids``. ``products``: per product and scenario
        (each named one, ``(no disruption)`` and ``(monte carlo)``): output
        or losses before and after. ``actions``, ``additions``, ``conditions``,
        ``assumptions``, ``notes``.

    Notes
    -----
    Two network builds, two ``concentration()`` runs on the touched inputs,
    and two Monte Carlo runs on the same draws.
    """
    if policy_ids is None and not additions:
        raise UsageError("give at least one --policy or --add-capacity")
    acts = (
        policy_actions(tables, policy_ids, year, currency)
        if policy_ids is not None
        else policy_actions(tables, [], year, currency)
    )
    adds = list(additions)
    for _, a in acts[acts["counted"] & acts["adds_capacity"].notna()].iterrows():
        adds.append(
            Addition(
                a["target"],
                a["input"],
                float(a["adds_capacity"]),
                a["capacity_unit"],
                source=a["action_id"],
                source_id=a["source_id"],
                start_year=_year_of(a["start_year"]),
            )
        )
    new_tables, applied = apply_additions(tables, adds, year)
    before = build_network(tables, year)
    after, headroom = _rescaled_network(new_tables, applied, year)
    pols = _policy_ids(tables, policy_ids) if policy_ids is not None else []
    restrict, notes = restriction_availability(after, new_tables, year, pols)

    scs = list(scenarios) if scenarios is not None else named_scenarios(tables)
    ev_b = event_set(before, tables, scs) if scs else None
    L_b = L_a = None
    if ev_b is not None:
        ev_a = event_set(after, new_tables, scs, headroom)
        occ = sample_events(ev_b.probs, runs, seed)
        L_b = sample_losses(before, ev_b, occ, spare_capacity=spare_capacity, progress=progress)
        L_a = sample_losses(
            after,
            ev_a,
            occ,
            spare_capacity=spare_capacity,
            baseline_availability=restrict,
            progress=progress,
        )
        st_b, st_a = loss_statistics(L_b, level), loss_statistics(L_a, level)

    # ------------------------------------------------------------- inputs
    touched = sorted(set(applied["input"]))
    c_b = _conc(tables, touched, year)
    c_a = _conc(new_tables, touched, year)
    rows = []
    for (inp, unit), g in applied.groupby(["input", "unit"], sort=True, dropna=False):
        counted = float(g["amount"].sum())
        app = g[g["applied"]]
        pols = ";".join(sorted(set(acts.loc[acts["action_id"].isin(g["source"]), "policy"])))
        srcs = set(g["source_id"].dropna())
        base = {
            "input": inp,
            "capacity_unit": unit,
            "capacity_added": counted,
            "capacity_applied": float(app["amount"].sum()),
            "policies": pols or "ad hoc",
        }
        k = before.node_index.get(inp)
        risk = {}
        if L_b is not None and k is not None:
            risk = {
                "eud_before": st_b["eud"][k],
                "eud_after": st_a["eud"][k],
                "cvar_before": st_b["cvar"][k],
                "cvar_after": st_a["cvar"][k],
            }
        if app.empty:
            rows.append(
                {
                    **base,
                    "lens": None,
                    "table": None,
                    "comparable": False,
                    "note": g["note"].dropna().iloc[0] if g["note"].notna().any() else None,
                    **risk,
                    "source_ids": sorted(srcs),
                }
            )
            continue
        basis, tyear = app["table_basis"].iloc[0], int(app["table_year"].iloc[0])
        for lens in LENSES:

            def sel(df, lens=lens, inp=inp, basis=basis, tyear=tyear):
                if not len(df):
                    return df
                m = (df["input"] == inp) & (df["lens"] == lens) & (df["basis"] == basis)
                return df[m & (df["year"] == tyear)]

            b, a = sel(c_b), sel(c_a)
            if b.empty and a.empty:
                continue
            b0 = b.iloc[0] if len(b) else None
            a0 = a.iloc[0] if len(a) else None
            rows.append(
                {
                    **base,
                    "lens": lens,
                    "table": f"{basis} {tyear}",
                    "comparable": True,
                    "note": None,
                    "hhi_before": b0["hhi"] if b0 is not None else math.nan,
                    "hhi_after": a0["hhi"] if a0 is not None else math.nan,
                    "delta_hhi": (a0["hhi"] - b0["hhi"])
                    if a0 is not None and b0 is not None
                    else math.nan,
                    "cr1_before": b0["cr1"] if b0 is not None else math.nan,
                    "cr1_after": a0["cr1"] if a0 is not None else math.nan,
                    "top_before": b0["top_entity"] if b0 is not None else None,
                    "top_after": a0["top_entity"] if a0 is not None else None,
                    **risk,
                    "source_ids": sorted(srcs | set(b0["source_ids"] if b0 is not None else [])),
                }
            )
    in_cols = [
        "input",
        "capacity_unit",
        "capacity_added",
        "capacity_applied",
        "lens",
        "table",
        "comparable",
        "hhi_before",
        "hhi_after",
        "delta_hhi",
        "cr1_before",
        "cr1_after",
        "top_before",
        "top_after",
        "eud_before",
        "eud_after",
        "cvar_before",
        "cvar_after",
        "policies",
        "note",
        "source_ids",
    ]
    inputs_df = pd.DataFrame(rows).reindex(columns=in_cols)

    # ----------------------------------------------------------- products
    prod_rows = []
    idx = [k for k, n in enumerate(before.nodes) if n in set(before.products)]
    none = Scenario("(no disruption)", "no disruption", (), 0.0)
    for sc in [none, *scs]:
        sb = simulate(tables, sc, network=before, spare_capacity=spare_capacity, include="products")
        sa = simulate(
            new_tables,
            sc,
            network=after,
            spare_capacity=spare_capacity,
            include="products",
            baseline_availability=restrict,
            headroom=headroom,
        )
        m = sb.merge(sa, on="node", suffixes=("_before", "_after"))
        for _, r in m.iterrows():
            prod_rows.append(
                {
                    "product": r["node"],
                    "scenario": sc.id,
                    "output_before": r["output_fraction_before"],
                    "output_after": r["output_fraction_after"],
                    "annual_loss_before": r["annual_loss_before"],
                    "annual_loss_after": r["annual_loss_after"],
                }
            )
    if L_b is not None:
        for k in idx:
            prod_rows.append(
                {
                    "product": before.nodes[k],
                    "scenario": "(monte carlo)",
                    "eud_before": st_b["eud"][k],
                    "eud_after": st_a["eud"][k],
                    "eud_se": st_b["eud_se"][k],
                    "cvar_before": st_b["cvar"][k],
                    "cvar_after": st_a["cvar"][k],
                    "p_shortfall_before": st_b["p_shortfall"][k],
                    "p_shortfall_after": st_a["p_shortfall"][k],
                }
            )
    pr_cols = [
        "product",
        "scenario",
        "output_before",
        "output_after",
        "annual_loss_before",
        "annual_loss_after",
        "eud_before",
        "eud_after",
        "eud_se",
        "cvar_before",
        "cvar_after",
        "p_shortfall_before",
        "p_shortfall_after",
    ]
    products_df = pd.DataFrame(prod_rows).reindex(columns=pr_cols)

    cond = acts[acts["condition"].notna()][
        ["policy", "action_id", "action", "target", "condition", "source_id"]
    ].reset_index(drop=True)
    money_col = f"amount_{currency.lower()}"
    fx_notes = sorted(set(acts["fx"].dropna()))
    assumptions = [
        f"as of {year}: capacity counts from its effective_year, else the site's start_year",
        "capacity changes a share table only where it is capacity-based in the same unit",
        "capacity that started on or before the year of the table it changes is already in it",
        "losses hold demand at today's output: added capacity is headroom (never adds loss)",
        "HHI is not monotone in added capacity and is blind to location: read it beside losses",
        "export controls (restrictions.csv): the restricted country loses new supply of the "
        "item from the effective date; installed tools decay at their service rate, "
        "consumables stop; one rule per (item, country), nothing compounds",
        "conditions (e.g. domestic priority) are listed, not modelled",
        f"Monte Carlo: {runs} runs, seed {seed}, level {level}, same draws before and after",
        f"money in {currency}: " + ("; ".join(fx_notes) if fx_notes else "no conversion needed"),
    ]
    del money_col
    return WhatIfResult(year, acts, applied, inputs_df, products_df, cond, assumptions, notes)
