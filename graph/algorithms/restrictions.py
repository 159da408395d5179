"""Export controls: the supply a restriction in force cuts, as supplier availability.

The rows of ``restrictions.csv`` say who may not sell what to whom, from when
(``from_country``, ``item_input``, ``to_country``, ``effective_date``,
``end_date``) and above what (``threshold*``, ``restricts_service``). Their
modelled effect as of the end of a year ``Y`` (``docs/methods.md``, "Export
controls"):

* The restricted country C (``to_country``) loses **new** supply of the item X from the effective
  date. What C makes that needs X (the inputs that require X or one of its
  subtypes) is cut on C's share of their suppliers (location weights ``L``);
  production elsewhere, and C's own production of X, are untouched.
* An ``installed`` X (tools, design resources) keeps running and decays at its
  ``service_decay_per_year`` ``d`` once its ``buffer_weeks`` ``b`` of spares
  are used: C keeps ``(1 - d) ** max(0, t - b / 52)`` of that capacity, ``t``
  the years from the effective date to the end of ``Y``. ``d`` is the rate
  without new units, parts and service, so a rule on new units alone
  (``restricts_service`` blank) is read at that rate too: an upper bound
  where service goes on.
* A ``consumable`` X is cut fully once its ``buffer_weeks`` of stock are used
  (``t > b / 52``).
* A rule with a blank ``to_country`` (a licence for every destination, such
  as China's 2023 gallium and germanium licences) is listed, not modelled: a
  licence regime for all buyers is not a ban on any, and cutting every
  country's supply would stop all production that needs the item.
* Nothing compounds: per (item, country) only the strongest rule in force
  counts (the least capacity left; ties: the earliest), and a supplier that
  needs several restricted items keeps the least of what each leaves (an AND
  is as short as its scarcest input), never their product.

Products have no location in the data, so a product's own access (a chip
sold to C) is not modelled: a control on exports to China cuts no
Taiwan-made GPU.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> r = restrictions_in_force(load_tables(), 2026)
>>> sorted(set(r["to_country"].dropna()))
['CN', 'US']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenario_effects import _subtypes
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_restrictions import padded_date
from chiprisk.graph.model.propagation import SupplyNetwork

__all__ = ["COLUMNS", "restriction_availability", "restrictions_in_force"]

COLUMNS = [
    "restriction_id",
    "policy",
    "item",
    "from_country",
    "to_country",
    "effective_date",
    "restricts_service",
    "flow",
    "years_in_force",
    "capacity_left",
    "strongest",
    "source_id",
]
"""Columns of :func:`restrictions_in_force`."""


def _years_between(start: str, year: int) -> float:
    """Years from a date to the end of ``year``; the date's own year counts by its days."""
    d0 = date.fromisoformat(start)
    length = (date(d0.year + 1, 1, 1) - date(d0.year, 1, 1)).days
    return (year + 1 - d0.year) - (d0 - date(d0.year, 1, 1)).days / length


def _num(value: object, default: float = 0.0) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if math.isnan(f) else f


def capacity_left(flow: str, decay: float, buffer_weeks: float, years: float) -> float:
    """Share of the restricted country's capacity left ``years`` after a rule took effect.

    Parameters
    ----------
    flow : {"installed", "consumable"}
        How the restricted item is used (``inputs.csv`` column ``flow``).
    decay : float
        ``service_decay_per_year`` of an installed item (share lost per year).
    buffer_weeks : float
        Weeks of spares (installed) or stock (consumable) on hand.
    years : float
        Years from the effective date to the as-of point (``<= 0``: not yet).

    Returns
    -------
    float
        1 = untouched, 0 = all of it stops.

    Examples
    --------
    >>> capacity_left("installed", 0.2, 0, 2.0)  # two years without new tools
    0.64
    >>> capacity_left("installed", 0.2, 26, 1.0)  # half a year of spares first
    0.894427191
    >>> capacity_left("consumable", 0.0, 13, 0.2), capacity_left("consumable", 0.0, 13, 1.0)
    (1.0, 0.0)
    """
    run = years - buffer_weeks / 52.0
    if years <= 0 or run <= 0:
        return 1.0
    if flow == "installed":
        return round((1.0 - decay) ** run, 12)
    return 0.0


def restrictions_in_force(
    tables: Tables, year: int, policies: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """The export controls in force at the end of ``year``, and what each leaves.

    Parameters
    ----------
    tables : Tables
        The checked rows (``restrictions`` and ``inputs``).
    year : int
        As of the end of this year: in force when the effective date is on or
        before it and the end date (if any) after it.
    policies : str or iterable of str, optional
        Only the rows of these policies (None: all).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: one row per rule with an item, its flow, the
        ``years_in_force`` and the ``capacity_left`` of what the restricted
        country makes with it; ``strongest`` marks the one rule that counts per
        (item, to_country). A blank ``to_country`` (every destination) is kept
        blank here; :func:`restriction_availability` does not model it.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> r = restrictions_in_force(load_tables(), 2024, "nl-duv-export-licence-2024")
    >>> r[["restriction_id", "flow", "strongest"]].values.tolist()
    [['rx-nl-2024-duv', 'installed', False], ['rx-nl-2024-duv-service', 'installed', True]]
    """
    rx = tables.frames.get("restrictions")
    if rx is None or rx.empty:
        return pd.DataFrame(columns=COLUMNS)
    if policies is not None:
        wanted = [policies] if isinstance(policies, str) else list(policies)
        rx = rx[rx["policy"].isin(wanted)]
    end_of_year = f"{year}-12-31"
    rows = []
    inputs = tables["inputs"].set_index("id")
    for r in rx.itertuples(index=False):
        item = r.item_input
        if not isinstance(item, str) or not item:
            continue
        start, end = padded_date(r.effective_date), padded_date(r.end_date)
        if start > end_of_year or (end and end <= end_of_year):
            continue
        inp = inputs.loc[item] if item in inputs.index else None
        flow = (inp.get("flow") if inp is not None else None) or "consumable"
        if not isinstance(flow, str):
            flow = "consumable"
        decay = _num(inp.get("service_decay_per_year")) if inp is not None else 0.0
        buf = _num(inp.get("buffer_weeks")) if inp is not None else 0.0
        t = _years_between(start, year)
        rows.append(
            {
                "restriction_id": r.id,
                "policy": r.policy,
                "item": item,
                "from_country": r.from_country,
                "to_country": r.to_country if isinstance(r.to_country, str) else None,
                "effective_date": start,
                "restricts_service": r.restricts_service == "yes",
                "flow": flow,
                "years_in_force": t,
                "capacity_left": capacity_left(flow, decay, buf, t),
                "source_id": r.source_id,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "strongest"])
    if out.empty:
        return out.reindex(columns=COLUMNS)
    key = (
        out["to_country"].fillna("*")
        + "|"
        + out["from_country"].where(out["to_country"].isna(), "")
    )
    order = out.assign(_k=key).sort_values(["_k", "item", "capacity_left", "effective_date"])
    first = ~order.duplicated(["_k", "item"])
    out["strongest"] = first.reindex(out.index)
    return out.sort_values("restriction_id").reset_index(drop=True)[COLUMNS]


def restriction_availability(
    net: SupplyNetwork,
    tables: Tables,
    year: int,
    policies: str | Iterable[str] | None = None,
) -> tuple[np.ndarray | None, list[str]]:
    """Supplier availability left by the export controls in force at the end of ``year``.

    Parameters
    ----------
    net : SupplyNetwork
        The network the availability applies to.
    tables : Tables
        Its rows (``restrictions``, ``inputs`` and ``requirements``).
    year : int
        As of the end of this year.
    policies : str or iterable of str, optional
        Only the rules of these policies (None: all).

    Returns
    -------
    (numpy.ndarray or None, list of str)
        Availability per supplier node (None: no rule cuts anything) and one
        note per rule in force.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> t = load_tables()
    >>> jp = "jp-sme-export-controls-2023"
    >>> a, notes = restriction_availability(build_network(t, 2026), t, 2026, jp)
    >>> bool((a < 1).any()), notes[0].split(":")[0]
    (True, 'rx-jp-2023-sme-deposition')
    """
    rx = restrictions_in_force(tables, year, policies)
    if rx.empty:
        return None, []
    notes: list[str] = []
    reqs = tables["requirements"]
    node_input = np.array(net.node_input, dtype=object)
    # left[c][s]: the least capacity any rule leaves supplier s in country column c
    left: dict[int, np.ndarray] = {}
    for r in rx.itertuples(index=False):
        if not r.strongest:
            notes.append(f"{r.restriction_id}: not counted, a stronger rule on the same pair")
            continue
        types = _subtypes(tables["inputs"], r.item)
        needing = sorted(set(reqs.loc[reqs["input"].isin(types), "product"]))
        nodes = np.flatnonzero(np.isin(node_input, needing)) if needing else []
        sup = np.unique(net.W[nodes].indices) if len(nodes) else np.array([], dtype=int)
        to = r.to_country if isinstance(r.to_country, str) else None
        if not to:
            notes.append(
                f"{r.restriction_id}: a licence for every destination, listed, not modelled"
            )
            continue
        dest = [to]
        cols = [net.countries.index(c) for c in dest if c in net.countries]
        hit = int((net.L[sup][:, cols].sum(axis=1) > 0).sum()) if len(sup) and cols else 0
        where = to
        if not hit:
            notes.append(
                f"{r.restriction_id}: no supplier in {where} makes an input needing {r.item}"
            )
            continue
        for c in cols:
            kept = left.setdefault(c, np.ones(net.n_suppliers))
            kept[sup] = np.minimum(kept[sup], r.capacity_left)
        notes.append(
            f"{r.restriction_id}: {where} keeps {r.capacity_left:.0%} of what it makes with "
            f"{r.item} ({r.flow}, {r.years_in_force:.2f} years in force; {hit} supplier node(s))"
        )
    a = np.ones(net.n_suppliers)
    L = net.L.tocsc()
    for c, kept in left.items():
        a -= L[:, c].toarray().ravel() * (1.0 - kept)
    if not (a < 1).any():
        return None, notes
    return np.clip(a, 0.0, 1.0), notes
