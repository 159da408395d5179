"""Multi-tier exposure: how much of a product is lost if one country or firm goes offline.

For every entity (a country, or a firm after roll-up to its ultimate parent)
one scenario: each supplier node keeps ``1 - L[s, e]`` of its output (its
share located in country ``e``), or 0 if it belongs to firm ``e``. All
entities are propagated at once through the AND/OR network as sparse losses
(:func:`chiprisk.graph.model.sparse_propagation.propagate_loss`, the model of
:func:`chiprisk.graph.model.propagation.propagate`; methods.md 3.1 "hypothetical
extraction" on the AND/OR structure, 3.2(c)), with **no substitution**: the
loss is the fraction of the product's output that cannot be made.

Columns of the result
---------------------
product : the product (input id) analysed.
entity : country code (``by="country"``) or firm id (``by="firm"``).
entity_name : readable name.
lens : ``site`` (country of the capacity's location: site rows, firm rows
    spread over the group's sites of that stage, country-total rows) or ``firm``.
input : an input of the product's bill-of-materials closure, or ``(total)``.
input_name : its name (``(all required inputs)`` for the total row).
depth : tier below the product (1 = required directly; 0 = the product's own
    suppliers; missing for the total row).
direct_share : the fraction of that input (as sourced for this product)
    coming from the entity, ``W[i] @ L[:, e]``; missing on the total row.
product_loss : ``1 - avail(product)`` with the entity offline, the same on
    every row of one (product, entity).
sourcing : ``buyer-specific`` (the product's own sourcing rows) or ``market``.
basis, year : of the share table used for that input.

Rows are sorted by product, then product loss (largest first), ties broken by
breadth (the sum of the entity's direct shares over the closure), then the
total row first and the inputs by tier. Only entities with a positive share
somewhere in the closure appear, and only inputs with a positive direct share
from the entity get a row besides the total. Inputs of the closure with no data at all are listed in
``df.attrs["coverage_gaps"]`` (they count as never failing).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> df = exposure(load_tables(), "nvidia-h100", by="firm")
>>> top = df.query("input == '(total)'").iloc[0]
>>> top["entity"], float(top["product_loss"])
('asml', 1.0)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.propagation import SupplyNetwork, build_network
from chiprisk.graph.model.sparse_propagation import propagate_loss

__all__ = ["COLUMNS", "TOTAL", "exposure", "exposure_all"]

TOTAL = "(total)"
COLUMNS = [
    "product",
    "entity",
    "entity_name",
    "lens",
    "input",
    "input_name",
    "depth",
    "direct_share",
    "product_loss",
    "sourcing",
    "basis",
    "year",
]
_EPS = 1e-12


def _check_by(by: str) -> None:
    if by not in ("country", "firm"):
        raise UsageError(f"by must be 'country' or 'firm', not {by!r}")


def _check_product(tables: Tables, product: str) -> None:
    ids = list(tables["inputs"]["id"])
    if product in ids:
        _refuse_market(tables, product)
        return
    close = difflib.get_close_matches(product, ids, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    products = sorted(tables["inputs"].loc[tables["inputs"]["kind"] == "product", "id"])
    raise UsageError(
        f"unknown product {product!r}{hint}; products: {', '.join(products) or 'none'}"
    )


def _refuse_market(tables: Tables, product: str) -> None:
    """A market's exposure is its members' weighted by volume: say why it cannot be computed.

    The file contract has no unit volumes per member product, so the
    weighting is not possible; the members are named so each can be asked.
    """
    inputs = tables["inputs"]
    kind = inputs.loc[inputs["id"] == product, "kind"]
    if kind.empty or kind.iloc[0] != "market":
        return
    members = sorted(inputs.loc[inputs["is_type_of"] == product, "id"])
    raise UsageError(
        f"{product!r} is a market: its exposure is its members' weighted by their volumes, "
        "and the data has no unit volumes per member, so it is not computable; ask for a "
        f"member instead ({', '.join(members) or 'it has no members'})"
    )


def _entity_matrix(net: SupplyNetwork, by: str):
    """suppliers x entities weights, entity ids."""
    if by == "country":
        return net.L, list(net.countries)
    return net.F, list(net.firms)


def _names(tables: Tables, by: str, entities: list[str]) -> list[str]:
    if by == "firm":
        names = dict(
            zip(tables["organizations"]["id"], tables["organizations"]["name"], strict=True)
        )
        return [names.get(e, e) for e in entities]
    from chiprisk.graph.io.countries import country_label

    return [country_label(e) for e in entities]


def _frame(tables: Tables, net: SupplyNetwork, products: Iterable[str], by: str) -> pd.DataFrame:
    products = list(products)
    E, entities = _entity_matrix(net, by)
    E = E.tocsc()
    ent_names = np.array(_names(tables, by, entities), dtype=object)
    product_node = np.array([net.node_index[p] for p in products], dtype=np.int64)
    # one scenario per entity, as sparse losses: only the nodes below each entity
    lost = propagate_loss(net, E.tocsr())[product_node].toarray()  # products x entities
    direct = (net.W @ E).tocsr()  # node x entity, sparse (dense is nodes x firms)
    direct_vals = []
    names = dict(zip(tables["inputs"]["id"], tables["inputs"]["name"], strict=True))
    used = net.tables_used
    used_row = pd.Index(used["node"]).get_indexer(net.nodes)  # each node's share table
    node_input = np.array(net.node_input, dtype=object)
    has_sup = net.has_suppliers
    lens = "site" if by == "country" else "firm"
    # rows as parallel arrays, one frame at the end: per product its total rows, then
    # one row per (closure input, entity) with a direct share
    prod, ent, node, depth_of, is_total = [], [], [], [], []
    gaps_all: dict[str, list[str]] = {}
    gaps = set(net.gaps)
    for j, p in enumerate(products):
        depth = net.closure(p)
        nodes = np.array(sorted(depth, key=lambda k: (depth[k], net.nodes[k])), dtype=np.int64)
        gaps_all[p] = sorted({net.node_input[k] for k in nodes if net.node_input[k] in gaps})
        nodes = nodes[has_sup[nodes]]
        loss = lost[j]
        d = direct[nodes].tocoo()  # closure nodes x entities
        big = d.data > _EPS
        dr, dc, dv = d.row[big], d.col[big], d.data[big]
        keep = loss > _EPS
        keep[dc] = True
        ents = np.flatnonzero(keep)
        if not len(ents):
            continue
        order = np.lexsort((dc, dr))  # row-major, as numpy.nonzero of the dense block
        r, c = dr[order], np.searchsorted(ents, dc[order])
        direct_vals += [np.full(ents.size, np.nan), dv[order]]
        k = nodes[r]
        prod.append(np.full(ents.size + k.size, j, dtype=np.int64))
        ent += [ents, ents[c]]
        node += [np.full(ents.size, -1, dtype=np.int64), k]
        depth_of += [
            np.full(ents.size, -1, dtype=np.int64),
            np.array([depth[int(x)] for x in k], dtype=np.int64),
        ]
        is_total += [np.ones(ents.size, dtype=bool), np.zeros(k.size, dtype=bool)]
    if prod:
        product_ids = np.array(list(products), dtype=object)
        prod_i, e, k = np.concatenate(prod), np.concatenate(ent), np.concatenate(node)
        tot, dep = np.concatenate(is_total), np.concatenate(depth_of)
        inp = np.where(tot, TOTAL, node_input[k])
        row = used_row[k]
        cols = {
            "product": product_ids[prod_i],
            "entity": np.array(entities, dtype=object)[e],
            "entity_name": ent_names[e],
            "lens": np.full(e.size, lens, dtype=object),
            "input": inp,
            "input_name": np.where(
                tot, "(all required inputs)", [names.get(x) for x in node_input[k]]
            ),
        }
        df = pd.DataFrame(cols)
        df["depth"] = pd.arrays.IntegerArray(np.where(tot, 0, dep), tot)
        df["direct_share"] = np.where(tot, np.nan, np.concatenate(direct_vals))
        df["product_loss"] = lost[prod_i, e]
        for col in ("sourcing", "basis", "year"):
            values = used[col].to_numpy(dtype=object)[row]
            df[col] = pd.Series(np.where(tot, None, values), dtype=object)
    else:
        df = pd.DataFrame(columns=COLUMNS)
    df["depth"] = df["depth"].astype("Int64")
    df["year"] = df["year"].astype("Int64")
    df["direct_share"] = df["direct_share"].astype(float)
    df["product_loss"] = df["product_loss"].astype(float)
    df["_total"] = df["input"] != TOTAL
    df["_breadth"] = df.groupby(["product", "entity"])["direct_share"].transform("sum")
    df = df.sort_values(
        ["product", "product_loss", "_breadth", "entity", "_total", "depth", "input"],
        ascending=[True, False, False, True, True, True, True],
        kind="mergesort",
    )
    df = df.drop(columns=["_total", "_breadth"]).reset_index(drop=True)[COLUMNS]
    df.attrs["coverage_gaps"] = gaps_all
    df.attrs["year"] = net.year
    return df


def exposure(
    tables: Tables,
    product: str,
    *,
    by: str = "country",
    year: int | None = None,
    network: SupplyNetwork | None = None,
) -> pd.DataFrame:
    """Loss of one product's output if each country (or firm) alone goes offline.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    product : str
        An input id, usually of kind ``product`` (``nvidia-h100``).
    by : {"country", "firm"}
        Countries by capacity location, or firms after roll-up.
    year : int, optional
        As-of year for share tables and sites (None: the latest data).
    network : SupplyNetwork, optional
        A network already built for ``year`` (skips the build).

    Returns
    -------
    pandas.DataFrame
        The columns of the module docstring, sorted by product loss (largest
        first), entity, then the total row and the inputs by tier.

    Raises
    ------
    UsageError
        For an unknown product or ``by``.

    Notes
    -----
    One :func:`~chiprisk.graph.model.sparse_propagation.propagate_loss` call with
    one scenario per entity: work proportional to the (node, entity) pairs with a
    loss, never a dense nodes x entities matrix, plus a breadth-first closure of
    the product. No substitution between suppliers.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = exposure(load_tables(), "nvidia-h100", by="country")
    >>> tot = df[df["input"] == "(total)"]
    >>> tot.iloc[0]["entity"], float(tot.iloc[0]["product_loss"])
    ('TW', 1.0)
    """
    _check_by(by)
    _check_product(tables, product)
    net = network if network is not None else build_network(tables, year)
    return _frame(tables, net, [product], by)


def exposure_all(
    tables: Tables,
    by: str = "country",
    year: int | None = None,
    *,
    network: SupplyNetwork | None = None,
) -> pd.DataFrame:
    """:func:`exposure` for every input of kind ``product`` at once.

    Notes
    -----
    One network build and one propagation for all products (the scenarios do
    not depend on the product); then a closure per product.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = exposure_all(load_tables(), "country")
    >>> "nvidia-h100" in set(df["product"])
    True
    """
    _check_by(by)
    net = network if network is not None else build_network(tables, year)
    return _frame(tables, net, net.products, by)
