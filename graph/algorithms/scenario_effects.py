"""Scenario effects: resolve a scenario's targets to supplier hits and input caps.

Targets are resolved on a built network (see
:mod:`~chiprisk.graph.algorithms.simulate` for the model): ``country:C`` and
``bloc:B`` hit the share of every supplier located there (``net.L``);
``org:O`` the whole group of an ultimate parent (``net.F``) or else the rows
and sites of O and its subsidiaries; ``site:X`` the site's share of every
supplier (``net.S``); ``input:I`` caps I and its subtypes. Several targets hit
a supplier by the largest of their hits.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.propagation import build_network
>>> t = load_tables()
>>> bool(target_effects(build_network(t), t, ["input:hbm"]).input_mask.any())
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_cells import split_list
from chiprisk.graph.io.loader_scenarios import check_target
from chiprisk.graph.model.lenses import ultimate_parents
from chiprisk.graph.model.propagation import SupplyNetwork

__all__ = ["Effects", "scenario_effects", "target_effects"]


@dataclass
@dataclass
class Effects:
    """What a scenario's targets hit, before severity.

    ``hit`` (n_suppliers,) fraction of each supplier node hit; ``input_mask``
    (n_nodes,) nodes capped by an input target; ``notes`` targets that hit
    nothing in this network.

    Examples
    --------
    >>> import numpy as np
    >>> Effects(np.zeros(2), np.zeros(3, dtype=bool)).notes
    []
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

    Parameters
    ----------
    net : SupplyNetwork
        From :func:`~chiprisk.graph.model.propagation.build_network`.
    tables : Tables
        The rows ``net`` was built from.
    targets : iterable of str
        ``kind:id`` targets.

    Returns
    -------
    Effects
        The hit fraction per supplier node (before severity), the nodes capped
        by input targets, and notes on targets that hit nothing.

    Raises
    ------
    UsageError
        A malformed or unknown target.

    Notes
    -----
    O(targets x sites) to build masks, then three sparse mat-vecs.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> t = load_tables()
    >>> eff = target_effects(build_network(t), t, ["country:KR"])
    >>> float(eff.hit.max()), bool(eff.input_mask.any()), eff.notes
    (1.0, False, [])
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

    Parameters
    ----------
    net : SupplyNetwork
    tables : Tables
    scenario : Scenario
    headroom : numpy.ndarray, optional

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, list of str)
        Availability per supplier node, availability cap per node, notes.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.propagation import build_network
    >>> from chiprisk.graph.algorithms.scenarios import named_scenarios
    >>> t = load_tables()
    >>> sc = named_scenarios(t, "korea-hbm-outage")[0]
    >>> a, cap, notes = scenario_effects(build_network(t), t, sc)
    >>> float(a.min()), round(float(cap.min()), 2)
    (1.0, 0.21)
    """
    eff = target_effects(net, tables, scenario.targets)
    a = 1.0 - scenario.severity * eff.hit
    extra = 0.0 if headroom is None else np.asarray(headroom, dtype=float)
    cap = np.where(eff.input_mask, np.minimum(1.0, 1.0 - scenario.severity + extra), 1.0)
    return a, cap, eff.notes
