"""A counterfactual of the ledger on a built network: only the ledger's share rows change.

A policy counterfactual (:mod:`chiprisk.graph.algorithms.counterfactual`)
scales the capacity of a few sites in one year. Through
:func:`~chiprisk.graph.model.ledger.tables_as_of` that changes the rows the
ledger writes (the market capacity tables of the capabilities, and buyers'
sourcing from a firm spread over its sites) and nothing else, so the network
of the world with every policy already has every node, supplier, location and
firm of the world without one: only the share rows of the nodes whose table
holds ledger rows differ. :func:`reweighted_network` recomputes those rows
with the same table choice and arithmetic as
:func:`~chiprisk.graph.model.network_build.build_network` and returns the
network with its ``W`` replaced. The tables to recompute are found by
comparing the two worlds' supply rows (:func:`changed_groups`), so a row the
ledger did not write but the scale changed is never missed; where the
counterfactual needs a supplier the network lacks (a capability or a firm
left with no capacity falls back on its market rows) or leaves a node with
no supplier, it returns None and the caller builds the network in full.
The ranking and the outlook so build one network per year instead of one
per policy.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.model.ledger import tables_as_of
>>> from chiprisk.graph.model.network_build import build_network
>>> t = load_tables()
>>> with_all = tables_as_of(t, 2030)
>>> net = build_network(with_all, 2030)
>>> without = tables_as_of(t, 2030, scale={"tsmc-arizona-fab-21": 0.0})
>>> w = reweighted_network(net, with_all, without, 2030)
>>> k, s = net.node_index["logic-5nm-class"], net.supplier_index["tsmc-arizona-fab-21"]
>>> bool(net.W[k, s] > 0), float(w.W[k, s])
(True, 0.0)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import input_nodes, supplier_kind
from chiprisk.graph.model.share_tables import _select_tables
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = ["changed_groups", "reweighted_network"]


def changed_groups(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    """The (input, buyer) of every supply row in one frame and not, identical, in the other.

    ``buyer`` is ``''`` for market rows.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"id": ["r1", "r2"], "input": ["x", "y"], "buyer": [None, "p"],
    ...                   "share": [60.0, 40.0]})
    >>> b = a.assign(share=[60.0, 30.0])
    >>> sorted(changed_groups(a, b))
    [('y', 'p')]
    """
    cols = [c for c in a.columns if c in b.columns]
    both = pd.concat([a[cols], b[cols]], ignore_index=True)
    diff = both[~both.duplicated(keep=False)]
    buyer = diff["buyer"].astype(object).where(diff["buyer"].notna(), "")
    return set(zip(diff["input"], buyer, strict=True))


def reweighted_network(
    net: SupplyNetwork, with_tables: Tables, without_tables: Tables, year: int
) -> SupplyNetwork | None:
    """``net`` (built from ``with_tables``) with the share rows of ``without_tables``.

    Parameters
    ----------
    net : SupplyNetwork
        ``build_network(with_tables, year)``.
    with_tables, without_tables : Tables
        ``tables_as_of`` of the same rows and year, without and with a scale.
    year : int

    Returns
    -------
    SupplyNetwork or None
        None where the scale changes more than the ledger's share rows.

    Notes
    -----
    O(rows of the touched tables): one :func:`_select_tables` over them.
    """
    sw, so = with_tables["supplies"], without_tables["supplies"]
    touched = changed_groups(sw, so)
    if not touched:
        return net
    buyer = so["buyer"].astype(object).where(so["buyer"].notna(), "")
    keys = pd.MultiIndex.from_arrays([so["input"], buyer])
    rows = so[keys.isin(list(touched))]
    market = rows["buyer"].isna()
    chosen = dict(_select_tables(rows[market].assign(buyer=""), year))
    chosen.update(_select_tables(rows[~market], year))
    stage_of = dict(zip(with_tables["inputs"]["id"], with_tables["inputs"]["stage"], strict=True))
    nodes_of = input_nodes(with_tables)
    used = net.tables_used.set_index("node", drop=False)
    W = net.W.tolil(copy=True)
    seen = set()
    for (i, b), tab in chosen.items():
        node = i if not b else f"{i}@{b}"
        k = net.node_index.get(node)
        if k is None:
            if not b:
                return None
            continue  # a buyer table the network does not apply
        if node not in used.index:
            return None  # the full world had no table here
        seen.add((i, b or ""))
        W.rows[k], W.data[k] = [], []
        for s, v in sorted(tab.shares.items()):
            kind = supplier_kind(with_tables, s)
            key = f"{s}@{stage_of[i]}" + (f"[{nodes_of[i]}]" if nodes_of[i] else "")
            j = net.supplier_index.get(key if kind == "organization" else s)
            if j is None:
                return None  # a supplier the network of the full world lacks
            W[k, j] = v
        used.at[node, "basis"] = tab.basis
        used.at[node, "year"] = tab.year
        used.at[node, "values"] = tab.info["values"]
        used.at[node, "implicit_residual"] = tab.info["implicit_residual"]
        used.at[node, "supply_ids"] = sorted(tab.ids)
        used.at[node, "source_ids"] = sorted(set(tab.source_ids))
    applied = {(i, b or "") for i, b in zip(net.node_input, net.node_buyer, strict=True)}
    if (touched & applied) - seen:
        return None  # a table of the full world has no rows left
    W = W.tocsr()
    W.eliminate_zeros()
    W.sort_indices()
    levels = [
        dataclasses.replace(
            lv, w=W[lv.lo : lv.hi], sup_rows=np.flatnonzero(np.diff(W.indptr[lv.lo : lv.hi + 1]))
        )
        for lv in net._levels
    ]
    if any(
        not np.array_equal(a.sup_rows, b.sup_rows) for a, b in zip(levels, net._levels, strict=True)
    ):
        return None  # a node left with no supplier: its gap is the full build's to find
    return dataclasses.replace(net, W=W, _levels=levels, tables_used=used.reset_index(drop=True))
