"""Policy counterfactuals on the capacity ledger: the world with every policy vs without one.

A policy (or one award, a policy's actions on one site) *funds* the sites its
``funds``/``credits``/``lends``/``invests`` actions target. Without it, those
sites' ledger capacity is scaled by ``1 - additionality`` (the share of the
funded capacity that would not exist without the money; default 1, the
upper bound of the effect). Everything else stays as the ledger has it, so
the comparison is "every policy" vs "every policy but this one".

The effect is read three ways, as of one year: the located Taiwan share and
the located-country HHI of every capability the funded sites make, and each
product's expected loss: the sum over the named scenarios of probability x
loss x duration / 52 (a fraction of a year's output; first order in the
scenarios' probabilities, which are small and treated as exclusive).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> sites = funded_sites(t, ["jp-jasm-fab-1-subsidy"])
>>> sorted(set(sites["site"]))
['jasm-fab-1']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenarios import Scenario, named_scenarios
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.frame_memo import memo_many
from chiprisk.graph.model.ledger import capacity_as_of, tables_as_of
from chiprisk.graph.model.network_build import build_network, build_networks
from chiprisk.graph.model.network_reweight import reweighted_network
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = [
    "FUNDING_ACTIONS",
    "country_shares",
    "expected_losses",
    "funded_sites",
    "policy_counterfactual",
    "without_scale",
    "world_as_of",
    "worlds_as_of",
]

FUNDING_ACTIONS = ("funds", "credits", "lends", "invests")
"""Policy actions that fund their target (a site: its ledger rows)."""

WEEKS_PER_YEAR = 52.0

_WORLDS: OrderedDict = OrderedDict()


def funded_sites(tables: Tables, policies: Iterable[str] | None = None) -> pd.DataFrame:
    """The sites funded by the given policies (all when None), one row per action.

    Parameters
    ----------
    tables : Tables
    policies : iterable of str, optional
        Policy ids; None for every policy.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``action_id``, ``site``, ``amount``, ``currency``; only
        funding actions whose target is a site.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = funded_sites(load_tables(), ["us-chips-manufacturing-incentives"])
    >>> "tsmc-arizona-fab-21" in set(df["site"])
    True
    """
    acts = tables["policy_actions"]
    sites = set(tables["sites"]["id"])
    m = acts["action"].isin(FUNDING_ACTIONS) & acts["target"].isin(sites)
    if policies is not None:
        m &= acts["policy"].isin(list(policies))
    out = acts.loc[m, ["policy", "id", "target", "amount", "currency"]]
    out = out.rename(columns={"id": "action_id", "target": "site"})
    return out.sort_values(["policy", "action_id"]).reset_index(drop=True)


def without_scale(sites: Iterable[str], additionality: float = 1.0) -> dict[str, float]:
    """The ledger scale of a world without the funding of ``sites``.

    Examples
    --------
    >>> without_scale(["a", "b"], 0.25)
    {'a': 0.75, 'b': 0.75}
    """
    if not 0.0 <= additionality <= 1.0:
        raise ValueError(f"additionality must be in 0..1, got {additionality}")
    return {s: 1.0 - additionality for s in sorted(set(sites))}


def country_shares(
    tables: Tables,
    year: int,
    *,
    scale: Mapping[str, float] | None = None,
    inputs: Iterable[str] | None = None,
    lens: str = "located",
    ids: bool = False,
    cap: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Capacity and share per (capability, country) as of ``year``.

    Parameters
    ----------
    tables : Tables
    year : int
    scale : mapping, optional
        Site scale of a counterfactual (see :func:`without_scale`).
    inputs : iterable of str, optional
        Capabilities to keep (default: all with ledger rows).
    lens : {"located", "owner"}
        Where the capacity is (the site's country) or who owns it (the
        operator's ultimate parent's headquarters).
    ids : bool, default False
        Add ``ledger_ids``: the ledger rows behind each figure.
    cap : pandas.DataFrame, optional
        :func:`~chiprisk.graph.model.ledger.capacity_as_of` of this year and
        scale, when already computed.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``country``, ``capacity``, ``unit``, ``share`` (percent of
        the capability's total), ``hhi`` (0..10,000, of the capability's
        country shares), ``ledger_ids``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> s = country_shares(load_tables(), 2025, inputs=["cowos-packaging"])
    >>> round(float(s["share"].sum()), 6)
    100.0
    """
    col = {"located": "country", "owner": "owner_country"}[lens]
    if cap is None:
        cap = capacity_as_of(tables, year, scale=scale)
    if inputs is not None:
        cap = cap[cap["input"].isin(list(inputs))]
    g = cap.groupby(["input", col], sort=True)
    # two plain reductions: named aggregation costs 5 ms a call, and the
    # outlook calls this four times a year
    out = pd.DataFrame({"capacity": g["quantity"].sum(), "unit": g["capacity_unit"].first()})
    if ids:
        out["ledger_ids"] = g["ledger_ids"].agg(
            lambda s: ";".join(sorted(set(";".join(s).split(";"))))
        )
    out = out.reset_index().rename(columns={col: "country"})
    total = out.groupby("input")["capacity"].transform("sum")
    out["share"] = np.where(total > 0, 100.0 * out["capacity"] / total.where(total > 0, 1), np.nan)
    out["hhi"] = (out["share"] ** 2).groupby(out["input"]).transform("sum")
    out.loc[total <= 0, "hhi"] = np.nan
    cols = ["input", "country", "capacity", "unit", "share", "hhi"]
    return out[cols + (["ledger_ids"] if ids else [])]


def expected_losses(
    tables: Tables,
    year: int,
    *,
    scale: Mapping[str, float] | None = None,
    scenarios: list[Scenario] | None = None,
    base: tuple[Tables, SupplyNetwork] | None = None,
) -> pd.DataFrame:
    """Each product's loss per named scenario, and expected over them, as of ``year``.

    The ledger of ``year`` (scaled by ``scale``) is the capacity basis
    (:func:`chiprisk.graph.model.ledger.tables_as_of`); demand is the
    capacity operating in ``year`` (utilisation held constant). ``base``,
    the unscaled ``tables_as_of`` of ``year`` and its network, lets a
    counterfactual reweight that network's ledger rows instead of building
    its own (:func:`chiprisk.graph.model.network_reweight.reweighted_network`;
    the same answer).

    Returns
    -------
    pandas.DataFrame
        ``product``, ``scenario``, ``probability``, ``loss`` (share of output
        while the scenario lasts), ``annual_loss`` (loss x weeks / 52) and
        ``expected`` (probability x annual loss); the scenario ``(expected)``
        rows carry the sum over scenarios.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = expected_losses(load_tables(), 2025)
    >>> bool((df["expected"] >= 0).all()), bool((df["annual_loss"].dropna() >= 0).all())
    (True, True)
    """
    if base is not None and not scale:
        t, net = base
    else:
        t = tables_as_of(tables, year, scale=scale)
        net = None
        if base is not None:  # the world with every policy, reweighted
            net = reweighted_network(base[1], base[0], t, year)
        if net is None:
            net = build_network(t, year)
    scs = scenarios if scenarios is not None else named_scenarios(t)
    sim = simulate(t, scs, year=year, network=net, include="products")
    sim = sim[sim["kind"] == "product"]
    prob = {s.id: float(s.probability or 0.0) for s in scs}
    out = pd.DataFrame(
        {
            "product": sim["node"].to_numpy(),
            "scenario": sim["scenario"].to_numpy(),
            "probability": sim["scenario"].map(prob).to_numpy(),
            "loss": sim["loss"].astype(float).to_numpy(),
            "annual_loss": sim["annual_loss"].astype(float).to_numpy(),
        }
    )
    out["expected"] = out["probability"] * out["annual_loss"]
    total = out.groupby("product", sort=True)["expected"].sum().reset_index()
    total["scenario"] = "(expected)"
    total["probability"] = np.nan
    total["loss"] = np.nan
    total["annual_loss"] = np.nan
    out = pd.concat([out, total[out.columns]], ignore_index=True)
    return out.sort_values(["product", "scenario"]).reset_index(drop=True)


def world_as_of(tables: Tables, year: int) -> tuple[Tables, SupplyNetwork]:
    """The rows with the ledger of ``year`` and their network: ``base`` of :func:`expected_losses`.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t, net = world_as_of(load_tables(), 2030)
    >>> net.year
    2030
    """
    return worlds_as_of(tables, [year])[int(year)]


def worlds_as_of(tables: Tables, years: Iterable[int]) -> dict[int, tuple[Tables, SupplyNetwork]]:
    """:func:`world_as_of` of several years, the networks not held yet built together.

    :func:`~chiprisk.graph.model.network_build.build_networks` computes the
    firms' site weights of all the years in one pass. The report's outlook
    and ranking sections both ask for the same year's world: the last two
    worlds are kept (a network can be large).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> worlds = worlds_as_of(load_tables(), [2025, 2030])
    >>> [net.year for _t, net in worlds.values()]
    [2025, 2030]
    """

    def build(missing: list[int]) -> dict[int, tuple[Tables, SupplyNetwork]]:
        rows = [tables_as_of(tables, y) for y in missing]
        nets = build_networks(list(zip(rows, missing, strict=True)))
        return {y: (t, n) for y, t, n in zip(missing, rows, nets, strict=True)}

    frames = (*tables.frames.values(), tables.scenarios)
    return memo_many(frames, [int(y) for y in years], build, store=_WORLDS, limit=2)


def policy_counterfactual(
    tables: Tables, policies: Iterable[str], year: int, *, additionality: float = 1.0
) -> pd.DataFrame:
    """What the world with every policy has that the world without ``policies`` lacks.

    Parameters
    ----------
    tables : Tables
    policies : iterable of str
        Policy ids removed together.
    year : int
    additionality : float, default 1.0

    Returns
    -------
    pandas.DataFrame
        One row per capability the funded sites make (``kind`` ``input``:
        ``capacity_funded`` in its ``unit``, located ``taiwan_share_with`` /
        ``_without`` in percent, ``hhi_with`` / ``_without``) and per product
        (``kind`` ``product``: ``expected_loss_with`` / ``_without`` and
        ``loss_reduced``, fractions of a year's output). Empty when the
        policies fund no site with ledger capacity by ``year``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> cf = policy_counterfactual(load_tables(), ["jp-jasm-fab-1-subsidy"], 2030)
    >>> cf.loc[cf["kind"] == "input", "id"].tolist()
    ['logic-mature']
    >>> float(cf.loc[cf["kind"] == "product", "loss_reduced"].abs().max())
    0.0
    """
    sites = sorted(set(funded_sites(tables, list(policies))["site"]))
    cap = capacity_as_of(tables, year)
    funded = cap[cap["site"].isin(sites) & (cap["quantity"] > 0) & (cap["status"] != "rollup")]
    if funded.empty:
        return pd.DataFrame()
    scale = without_scale(sites, additionality)
    touched = sorted(set(funded["input"]))
    w = country_shares(tables, year, inputs=touched, cap=cap)
    wo = country_shares(tables, year, inputs=touched, scale=scale)

    def tw(df: pd.DataFrame) -> pd.Series:
        return df[df["country"] == "TW"].set_index("input")["share"].reindex(touched).fillna(0.0)

    inputs = pd.DataFrame(
        {
            "kind": "input",
            "id": touched,
            "capacity_funded": funded.groupby("input")["quantity"].sum().reindex(touched).values,
            "unit": funded.groupby("input")["capacity_unit"].first().reindex(touched).values,
            "taiwan_share_with": tw(w).values,
            "taiwan_share_without": tw(wo).values,
            "hhi_with": w.groupby("input")["hhi"].first().reindex(touched).values,
            "hhi_without": wo.groupby("input")["hhi"].first().reindex(touched).values,
        }
    )
    world = world_as_of(tables, year)
    a = expected_losses(tables, year, base=world)
    b = expected_losses(tables, year, scale=scale, base=world)
    a = a[a["scenario"] == "(expected)"].set_index("product")["expected"]
    b = b[b["scenario"] == "(expected)"].set_index("product")["expected"].reindex(a.index)
    products = pd.DataFrame(
        {
            "kind": "product",
            "id": a.index,
            "expected_loss_with": a.values,
            "expected_loss_without": b.values,
            "loss_reduced": (b - a).values,
        }
    )
    out = pd.concat([inputs, products], ignore_index=True)
    out.attrs["assumptions"] = [
        f"counterfactual as of {year}: every policy vs without {', '.join(sorted(policies))}; "
        f"funded sites {', '.join(sites)} x (1 - additionality), additionality = "
        f"{additionality:g}; expected loss over the named scenarios"
    ]
    return out
