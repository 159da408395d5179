"""Policy what-if: apply policies (and ad hoc capacity) as of a year; before/after.

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
* **Export controls** (``restricts`` input X, target country C, effective
  year on or before the year): the C-located share of the suppliers of X, of
  X's subtypes and of the inputs that directly require them is unavailable
  all year (C's production that needs X stops). Products have no location in
  the data, so a product's own access is not modelled.
* **Conditions** (text, e.g. domestic priority in a shortage) are listed, not
  modelled (the network has no buyer locations).
* **Money**: amounts are converted with :mod:`chiprisk.graph.model.fx` at the
  policy's enactment year (else the as-of year); the rate used is printed.

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
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.algorithms.montecarlo import (
    event_set,
    loss_statistics,
    sample_events,
    sample_losses,
)
from chiprisk.graph.algorithms.simulate import Scenario, _subtypes, named_scenarios, simulate
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.fx import convert, rate
from chiprisk.graph.model.lenses import supplier_kind
from chiprisk.graph.model.propagation import SupplyNetwork, build_network

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


@dataclass(frozen=True)
class Addition:
    """Capacity ``amount`` (in ``unit``; None = the table's unit or percent points)
    added for ``input`` at ``target`` (a site, organisation or country)."""

    target: str
    input: str
    amount: float
    unit: str | None = None
    source: str = "ad hoc"
    source_id: str | None = None
    start_year: int | None = None
    """When the capacity starts (policy actions); an addition that started on or
    before the year of the table it would change is already counted there."""


def parse_addition(text: str, tables: Tables) -> Addition:
    """Parse ``site-or-country:input:amount`` (e.g. ``JP:logic-foundry:20000``).

    Raises
    ------
    UsageError
        Wrong shape, unknown target or input, or a negative amount.
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise UsageError(f"--add-capacity {text!r}: expected SITE-OR-COUNTRY:INPUT:AMOUNT")
    target, inp, amount = parts
    if target not in ISO_COUNTRIES and tables.kind_of(target) not in ("sites", "organizations"):
        raise UsageError(f"--add-capacity {text!r}: {target!r} is not a site, org or country code")
    if tables.kind_of(inp) != "inputs":
        raise UsageError(f"--add-capacity {text!r}: unknown input {inp!r}")
    try:
        value = float(amount)
    except ValueError:
        raise UsageError(f"--add-capacity {text!r}: {amount!r} is not a number") from None
    if not (value >= 0) or math.isinf(value):
        raise UsageError(f"--add-capacity {text!r}: the amount must be >= 0")
    return Addition(target, inp, value)


# ------------------------------------------------------------------ actions


def _policy_ids(tables: Tables, ids: str | Iterable[str] | None) -> list[str]:
    known = list(tables["policies"]["id"])
    if ids is None:
        return known
    wanted = [ids] if isinstance(ids, str) else list(ids)
    import difflib

    for p in wanted:
        if p not in known:
            close = difflib.get_close_matches(p, known, n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UsageError(f"unknown policy {p!r}.{hint} (see `chiprisk policies`)")
    return wanted


def _year_of(value: object) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


def check_currency(tables: Tables, currency: str) -> None:
    """Raise a UsageError unless money can be converted into ``currency``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> check_currency(load_tables(), "EUR") is None
    True
    """
    try:
        rate(tables, currency, None)
    except UsageError as exc:
        raise UsageError(f"--currency {currency!r}: {exc}") from None


def _money(tables: Tables, amount, currency, year, to: str) -> tuple[float, str | None]:
    if amount is None or amount != amount or not isinstance(currency, str):
        return math.nan, None
    try:
        c = convert(tables, float(amount), currency, to, year)
    except UsageError as exc:
        return math.nan, str(exc)
    return c.amount, c.note


def policy_actions(
    tables: Tables, policy_ids: str | Iterable[str] | None, year: int, currency: str = "USD"
) -> pd.DataFrame:
    """The selected policies' actions as of ``year``, each with what it does.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``policy_name``, ``action_id``, ``action``, ``target``,
        ``target_kind``, ``country`` (of a site target), ``input``,
        ``adds_capacity``, ``capacity_unit``, ``start_year``, ``start_from``
        (``effective_year``, ``site start_year`` or None), ``counted``
        (capacity with start year <= year; restrictions in effect),
        ``amount``, ``currency``, ``amount_<to>``, ``fx``, ``condition``,
        ``source_id``.
    """
    check_currency(tables, currency)
    ids = _policy_ids(tables, policy_ids)
    pol = tables["policies"].set_index("id")
    acts = tables["policy_actions"]
    acts = acts[acts["policy"].isin(ids)]
    sites = tables["sites"].set_index("id")
    rows = []
    for _, a in acts.iterrows():
        target = a["target"]
        kind = tables.kind_of(target)
        eff = _year_of(a["effective_year"])
        start, how = eff, "effective_year" if eff is not None else None
        if start is None and kind == "sites":
            start = _year_of(sites.loc[target, "start_year"])
            how = "site start_year" if start is not None else None
        adds = a["adds_capacity"]
        has_cap = adds == adds and adds is not None and isinstance(a["input"], str)
        if has_cap:
            counted = start is not None and start <= year
        elif a["action"] == "restricts":
            counted = eff is None or eff <= year
        else:
            counted = False
        fx_year = _year_of(pol.loc[a["policy"], "enacted"]) or year
        money, note = _money(tables, a["amount"], a["currency"], fx_year, currency)
        rows.append(
            {
                "policy": a["policy"],
                "policy_name": pol.loc[a["policy"], "name"],
                "action_id": a["id"],
                "action": a["action"],
                "target": target,
                "target_kind": kind,
                "country": sites.loc[target, "country"] if kind == "sites" else None,
                "input": a["input"],
                "adds_capacity": adds if has_cap else math.nan,
                "capacity_unit": a["capacity_unit"] if has_cap else None,
                "start_year": start,
                "start_from": how,
                "counted": bool(counted),
                "amount": a["amount"],
                "currency": a["currency"],
                f"amount_{currency.lower()}": money,
                "fx": note,
                "condition": a["condition"],
                "source_id": a["source_id"],
            }
        )
    cols = [
        "policy",
        "policy_name",
        "action_id",
        "action",
        "target",
        "target_kind",
        "country",
        "input",
        "adds_capacity",
        "capacity_unit",
        "start_year",
        "start_from",
        "counted",
        "amount",
        "currency",
        f"amount_{currency.lower()}",
        "fx",
        "condition",
        "source_id",
    ]
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------- table edits


def _table_rows(tables: Tables, inp: str, year: int | None, basis: str | None) -> pd.DataFrame:
    s = tables["supplies"]
    s = s[(s["input"] == inp) & s["buyer"].isna()]
    if basis is not None:
        s = s[s["basis"] == basis]
    if year is not None:
        s = s[s["year"] <= year]
    if s.empty:
        return s
    return s[s["year"] == s["year"].max()]


def _capacity_table(tables: Tables, inp: str, year: int | None) -> pd.DataFrame | None:
    """The latest capacity-basis market table as of ``year`` if it is all capacities."""
    rows = _table_rows(tables, inp, year, "capacity")
    if rows.empty:
        return None
    only_cap = (
        rows["share"].isna()
        & rows["share_min"].isna()
        & rows["share_max"].isna()
        & rows["share_qual"].isna()
        & rows["capacity"].notna()
    )
    if not only_cap.all() or rows["capacity_unit"].nunique() != 1:
        return None
    return rows


def missing_capacity_tables(tables: Tables, year: int) -> pd.DataFrame:
    """Inputs whose policies add capacity but that have no capacity table in that unit.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``capacity_unit``, ``policies`` (;-joined), ``capacity_added``.
    """
    acts = policy_actions(tables, None, year)
    acts = acts[acts["adds_capacity"].notna()]
    out = []
    for (inp, unit), g in acts.groupby(["input", "capacity_unit"], sort=True):
        tab = _capacity_table(tables, inp, year)
        if tab is None or tab["capacity_unit"].iloc[0] != unit:
            out.append(
                (inp, unit, ";".join(sorted(set(g["policy"]))), float(g["adds_capacity"].sum()))
            )
    return pd.DataFrame(out, columns=["input", "capacity_unit", "policies", "capacity_added"])


def _synthetic(tables: Tables, frames: dict, kinds: dict, country: str) -> str:
    """A new organisation and site in ``country`` standing for new, unnamed capacity."""
    org = f"new-capacity-{country.lower()}"
    if org in kinds:
        return f"{org}-site"
    src = tables["sources"]["id"].iloc[0]
    frames["organizations"] = pd.concat(
        [
            frames["organizations"],
            pd.DataFrame(
                [
                    {
                        "id": org,
                        "name": f"New capacity in {country}",
                        "hq_country": country,
                        "source_id": src,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    frames["sites"] = pd.concat(
        [
            frames["sites"],
            pd.DataFrame(
                [
                    {
                        "id": f"{org}-site",
                        "name": f"New capacity in {country}",
                        "operator": org,
                        "country": country,
                        "status": "announced",
                        "kind": "fab",
                        "source_id": src,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    kinds[org] = "organizations"
    kinds[f"{org}-site"] = "sites"
    return f"{org}-site"


def apply_additions(
    tables: Tables, additions: Sequence[Addition], year: int | None
) -> tuple[Tables, pd.DataFrame]:
    """Rows with the capacity additions applied, and what was applied where.

    Returns
    -------
    (Tables, pandas.DataFrame)
        The modified rows (rerun ``concentration()`` on them) and one row per
        addition: ``target``, ``input``, ``amount``, ``unit``, ``applied``
        (bool), ``table_basis``, ``table_year``, ``old_total``, ``new_total``
        (in the table's unit; percent for share tables), ``note``,
        ``source``, ``source_id``.

    Notes
    -----
    O(rows of the touched tables) per addition.
    """
    frames = {k: v.copy() for k, v in tables.frames.items()}
    kinds = dict(tables.kinds)
    new_rows: list[dict] = []
    report = []
    totals: dict[str, tuple[float, float]] = {}
    net: SupplyNetwork | None = None
    for k, add in enumerate(additions):
        cap_tab = _capacity_table(tables, add.input, year)
        base = dict(
            target=add.target,
            input=add.input,
            amount=add.amount,
            unit=add.unit,
            source=add.source,
            source_id=add.source_id,
        )

        def skipped(note: str, basis=None, year=None, base=base) -> dict:
            return {
                **base,
                "applied": False,
                "table_basis": basis,
                "table_year": year,
                "old_total": math.nan,
                "new_total": math.nan,
                "note": note,
            }

        tab = cap_tab
        share_mode = False
        if cap_tab is None or (
            add.unit is not None and cap_tab["capacity_unit"].iloc[0] != add.unit
        ):
            if add.unit is not None:
                report.append(skipped(f"not comparable (no capacity table in {add.unit})"))
                continue
            if net is None:  # the share tables in use, found once for every addition
                net = build_network(tables, year)
            used = net.tables_used[net.tables_used["node"] == add.input]
            if used.empty:
                report.append(skipped("no market-wide share table"))
                continue
            tab = frames["supplies"][frames["supplies"]["id"].isin(used["supply_ids"].iloc[0])]
            if tab["share_qual"].notna().any() or tab["share"].isna().all():
                report.append(
                    skipped(
                        "not comparable (qualitative shares cannot be rescaled)",
                        tab["basis"].iloc[0],
                        int(tab["year"].iloc[0]),
                    )
                )
                continue
            share_mode = True
        table_year = int(tab["year"].iloc[0])
        if add.start_year is not None and add.start_year <= table_year:
            report.append(
                skipped(
                    f"already in the {table_year} table (capacity from {add.start_year})",
                    tab["basis"].iloc[0],
                    table_year,
                )
            )
            continue
        level_country = (tab["supplier"].map(lambda s: supplier_kind(tables, s)) == "country").any()
        target = add.target
        if level_country:
            if tables.kind_of(target) == "sites":
                target = tables["sites"].set_index("id").loc[target, "country"]
            elif tables.kind_of(target) == "organizations":
                target = tables["organizations"].set_index("id").loc[target, "hq_country"]
        elif target in ISO_COUNTRIES:
            target = _synthetic(tables, frames, kinds, target)
        key = add.input
        if share_mode:
            old = totals.get(key, (100.0, 100.0))[1]
            factor = old / (old + add.amount)
            sup = frames["supplies"]
            m = sup["id"].isin(tab["id"]) | sup["id"].isin(
                [r["id"] for r in new_rows if r["input"] == add.input]
            )
            for col in ("share", "share_min", "share_max"):
                sup.loc[m, col] = sup.loc[m, col] * factor
            for r in new_rows:
                if r["input"] == add.input and r.get("share") is not None:
                    r["share"] *= factor
            row = {"share": add.amount * factor}
            new_total, old_total = old + add.amount, totals.get(key, (100.0, 100.0))[0]
            unit = "percent points"
        else:
            old_total = float(tab["capacity"].sum())
            old = totals.get(key, (old_total, old_total))[1]
            row = {"capacity": add.amount, "capacity_unit": tab["capacity_unit"].iloc[0]}
            new_total = old + add.amount
            unit = tab["capacity_unit"].iloc[0]
        totals[key] = (old_total, new_total)
        row.update(
            id=f"whatif-{k}-{add.input}",
            supplier=target,
            input=add.input,
            basis=tab["basis"].iloc[0],
            year=int(tab["year"].iloc[0]),
            confidence="estimate",
            source_id=add.source_id or tab["source_id"].iloc[0],
        )
        new_rows.append(row)
        kinds[row["id"]] = "supplies"
        report.append(
            {
                **base,
                "unit": unit,
                "applied": True,
                "table_basis": row["basis"],
                "table_year": row["year"],
                "old_total": old_total,
                "new_total": new_total,
                "note": None,
            }
        )
    if new_rows:
        frames["supplies"] = pd.concat(
            [frames["supplies"], pd.DataFrame(new_rows)], ignore_index=True
        )
    out = Tables(frames, tables.scenarios, tables.origin, tables.data_hash + "+whatif", kinds)
    cols = [
        "target",
        "input",
        "amount",
        "unit",
        "applied",
        "table_basis",
        "table_year",
        "old_total",
        "new_total",
        "note",
        "source",
        "source_id",
    ]
    return out, pd.DataFrame(report, columns=cols)


def _rescaled_network(
    tables: Tables, applied: pd.DataFrame, year: int | None
) -> tuple[SupplyNetwork, np.ndarray]:
    """The network of the modified rows with demand held at today's output, and the
    headroom per node (added capacity / today's)."""
    net = build_network(tables, year)
    ok = applied[applied["applied"]]
    if ok.empty:
        return net, np.zeros(net.n_nodes)
    factors = np.ones(net.n_nodes)
    for inp, g in ok.groupby("input"):
        if inp in net.node_index:
            factors[net.node_index[inp]] = g["new_total"].max() / g["old_total"].iloc[0]
    W = sp.diags(factors) @ net.W
    W = sp.csr_matrix(W)
    W.sort_indices()
    levels = [replace(lv, w=W[lv.lo : lv.hi]) for lv in net._levels]
    return replace(net, W=W, _levels=levels), factors - 1.0


def _restriction_availability(
    net: SupplyNetwork, tables: Tables, acts: pd.DataFrame
) -> tuple[np.ndarray | None, list[str]]:
    rest = acts[(acts["action"] == "restricts") & acts["counted"] & acts["input"].notna()]
    rest = rest[rest["target"].isin(list(net.countries)) | rest["target"].isin(ISO_COUNTRIES)]
    if rest.empty:
        return None, []
    a = np.ones(net.n_suppliers)
    notes = []
    reqs = tables["requirements"]
    node_input = np.array(net.node_input, dtype=object)
    for _, r in rest.iterrows():
        types = _subtypes(tables["inputs"], r["input"])
        parents = set(reqs.loc[reqs["input"].isin(types), "product"])
        nodes = np.flatnonzero(np.isin(node_input, list(types | parents)))
        sup = np.unique(net.W[nodes].indices) if len(nodes) else np.array([], dtype=int)
        if r["target"] not in net.countries or not len(sup):
            notes.append(f"{r['action_id']}: no {r['target']}-located supplier needs {r['input']}")
            continue
        c = net.countries.index(r["target"])
        loc = net.L[:, c].toarray().ravel()
        cut = np.zeros(net.n_suppliers)
        cut[sup] = loc[sup]
        a *= 1.0 - cut
        notes.append(
            f"{r['action_id']}: {r['target']}-located supply of {r['input']} and of inputs "
            f"needing it cut ({int((cut > 0).sum())} supplier node(s))"
        )
    return a, notes


# ------------------------------------------------------------------- whatif


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

    def to_frame(self) -> pd.DataFrame:
        """All sections in one long table with a ``section`` column (for CSV/JSON)."""
        parts = []
        for name in ("inputs", "products", "actions", "conditions"):
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
    restrict, notes = _restriction_availability(after, new_tables, acts)

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
        "export controls cut the restricted country's supply of inputs needing the item",
        "conditions (e.g. domestic priority) are listed, not modelled",
        f"Monte Carlo: {runs} runs, seed {seed}, level {level}, same draws before and after",
        f"money in {currency}: " + ("; ".join(fx_notes) if fx_notes else "no conversion needed"),
    ]
    del money_col
    return WhatIfResult(year, acts, applied, inputs_df, products_df, cond, assumptions, notes)


# ----------------------------------------------------------------- policies


def policies(
    tables: Tables,
    *,
    rank: bool = False,
    year: int | None = None,
    runs: int = 20_000,
    seed: int | None = 0,
    level: float = 0.95,
    currency: str = "USD",
    spare_capacity: float = 0.0,
    progress: bool = False,
) -> pd.DataFrame:
    """Every policy with its money and actions; with ``rank``, risk reduced per money.

    Ranking: each policy alone is applied as of ``year`` (default: the latest
    start year of any capacity action in the data, so every addition counts)
    and the Monte Carlo of the named scenarios is rerun on the same draws.
    ``delta_eud`` and ``delta_cvar`` are the reductions of the mean over
    products of the annual loss (EUD) and of the CVaR of that mean;
    ``eud_per_bn``/``cvar_per_bn`` divide them by the public money in billions
    of ``currency`` (the policy's budget, else the sum of its action amounts),
    converted at the enactment year's rate. Policies without money, or
    without an effect on the model, get NaN and a ``reason``; none is dropped.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``name``, ``jurisdiction``, ``kind``, ``status``,
        ``budget``, ``currency``, ``money_<cur>``, ``fx``, ``actions``,
        ``capacity_actions``, ``restricts``, ``conditions`` and, ranked,
        ``year``, ``delta_eud``, ``delta_cvar``, ``eud_per_bn``,
        ``cvar_per_bn``, ``reason``, ``rank``.
    """
    pol = tables["policies"]
    acts_all = tables["policy_actions"]
    if year is None:
        acts0 = policy_actions(tables, None, 9999, currency)
        ys = acts0.loc[acts0["adds_capacity"].notna(), "start_year"].dropna()
        year = int(ys.max()) if len(ys) else int(tables["supplies"]["year"].max())
    acts = policy_actions(tables, None, year, currency)
    mcol = f"money_{currency.lower()}"
    rows = []
    for _, p in pol.iterrows():
        a = acts[acts["policy"] == p["id"]]
        fy = _year_of(p["enacted"]) or year
        money, note = _money(tables, p["budget"], p["currency"], fy, currency)
        if money != money:
            amt = a[f"amount_{currency.lower()}"].dropna()
            money = float(amt.sum()) if len(amt) else math.nan
            note = "; ".join(sorted(set(a["fx"].dropna()))) or note
        rows.append(
            {
                "policy": p["id"],
                "name": p["name"],
                "jurisdiction": p["jurisdiction"],
                "kind": p["kind"],
                "status": p["status"],
                "budget": p["budget"],
                "currency": p["currency"],
                mcol: money,
                "fx": note,
                "actions": int((acts_all["policy"] == p["id"]).sum()),
                "capacity_actions": int(a["adds_capacity"].notna().sum()),
                "restricts": int((a["action"] == "restricts").sum()),
                "conditions": int(a["condition"].notna().sum()),
            }
        )
    df = pd.DataFrame(rows)
    if not rank:
        return df
    scs = named_scenarios(tables)
    before = build_network(tables, year)
    ev = event_set(before, tables, scs)
    occ = sample_events(ev.probs, runs, seed)
    prod = [k for k, n in enumerate(before.nodes) if n in set(before.products)]
    L0 = sample_losses(before, ev, occ, spare_capacity=spare_capacity)[prod].mean(axis=0)
    s0 = loss_statistics(L0[None, :], level)
    out = []
    for _, r in df.iterrows():
        res = {
            "year": year,
            "delta_eud": math.nan,
            "delta_cvar": math.nan,
            "eud_per_bn": math.nan,
            "cvar_per_bn": math.nan,
            "reason": None,
        }
        a = acts[acts["policy"] == r["policy"]]
        adds = [
            Addition(
                x["target"],
                x["input"],
                float(x["adds_capacity"]),
                x["capacity_unit"],
                source=x["action_id"],
                source_id=x["source_id"],
                start_year=_year_of(x["start_year"]),
            )
            for _, x in a[a["counted"] & a["adds_capacity"].notna()].iterrows()
        ]
        new_tables, applied = apply_additions(tables, adds, year)
        after, headroom = _rescaled_network(new_tables, applied, year)
        restrict, _ = _restriction_availability(after, new_tables, a)
        if not applied["applied"].any() and restrict is None:
            reasons = sorted(set(applied["note"].dropna()))
            res["reason"] = (
                "; ".join(reasons)
                if reasons
                else ("no capacity addition counted by this year and no export control")
            )
            out.append(res)
            continue
        ev_a = event_set(after, new_tables, scs, headroom)
        L1 = sample_losses(
            after, ev_a, occ, spare_capacity=spare_capacity, baseline_availability=restrict
        )[prod].mean(axis=0)
        s1 = loss_statistics(L1[None, :], level)
        res["delta_eud"] = float(s0["eud"][0] - s1["eud"][0])
        res["delta_cvar"] = float(s0["cvar"][0] - s1["cvar"][0])
        money = r[mcol]
        if money == money and money > 0:
            res["eud_per_bn"] = res["delta_eud"] / (money / 1e9)
            res["cvar_per_bn"] = res["delta_cvar"] / (money / 1e9)
        else:
            res["reason"] = "no budget or amount in the data"
        out.append(res)
    ranked = pd.concat([df, pd.DataFrame(out)], axis=1)
    ranked = ranked.sort_values(
        ["eud_per_bn", "cvar_per_bn", "policy"], ascending=[False, False, True], na_position="last"
    )
    ranked["rank"] = pd.array(
        [k + 1 if v == v else None for k, v in enumerate(ranked["eud_per_bn"])], dtype="Int64"
    )
    ranked = ranked.reset_index(drop=True)
    ranked.attrs["assumptions"] = [
        f"as of {year}; each policy applied alone; Monte Carlo {runs} runs, seed {seed}, "
        f"common random numbers; level {level}",
        "risk = mean over products of the annual loss (fraction of a year's output)",
        f"money = budget, else the sum of action amounts, in billions of {currency} at the "
        "enactment year's rate (see the fx column)",
    ]
    return ranked
