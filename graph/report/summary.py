"""Assemble the headline tables: most concentrated inputs, top chokepoints, worst exposures.

``kg.summary()`` and ``chiprisk summary`` are this function over the graph's
rows and its cached network.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> sorted(headline(load_tables(), top=3))
['chokepoints', 'concentrated', 'exposure', 'markets', 'outlook']
"""

from __future__ import annotations

import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.labels import entity_labels, label_of
from chiprisk.graph.report.frames import NetworkSource, network_at

__all__ = ["headline"]


def headline(
    tables: Tables,
    network: NetworkSource = None,
    *,
    year: int | None = None,
    top: int = 10,
    ledger: Tables | None = None,
) -> dict[str, pd.DataFrame]:
    """The headline: most concentrated inputs (markets apart), top chokepoints,
    each product's largest country exposure.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    network : SupplyNetwork, callable or None
        The network as of ``year``: one network, ``network(year)``, or None
        (built from the rows); see :data:`chiprisk.graph.report.frames.NetworkSource`.
    year : int, optional
        As of this year (default: the latest data).
    top : int
        Rows of the concentration and chokepoint tables.
    ledger : Tables, optional
        The rows with every ledger year (forecasts included) for the
        outlook lines' last year; default ``tables``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``concentrated`` (input, input_name, stage, basis, year, hhi,
        top_entity_name, top_share, band_2023; inputs of the supply chain,
        markets left out), ``markets`` (the same columns for the markets:
        ``inputs.kind`` ``market``), ``chokepoints`` (rank,
        kind, id, name, products_affected, score), ``exposure`` (product,
        product_name, country, country_name, product_loss, via: the input
        with the largest direct share from that country), ``outlook`` (one
        line per leading capability: the top located country's share now
        and in the last ledger year, with and without policies; see
        :func:`chiprisk.graph.algorithms.outlook.leading_outlook`).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> h = headline(load_tables(), top=3)
    >>> len(h["concentrated"]), int(h["concentrated"]["hhi"].iloc[0])
    (3, 10000)
    """
    from chiprisk.graph.algorithms.chokepoints import chokepoints
    from chiprisk.graph.algorithms.concentration import concentration
    from chiprisk.graph.algorithms.exposure import exposure_all

    net = network_at(network, year)
    conc = concentration(tables, lens="firm", year=year)
    conc = conc[conc["basis"] != "sourcing"] if "basis" in conc else conc
    conc = conc.sort_values(["hhi", "input"], ascending=[False, True]).drop_duplicates("input")
    inputs = tables["inputs"]
    markets = set(inputs.loc[inputs["kind"] == "market", "id"])
    cols = ["input", "input_name", "stage", "basis", "year", "hhi", "top_entity_name"]
    cols += ["top_share", "band_2023"]
    is_market = conc["input"].isin(markets)
    concentrated = conc.loc[~is_market, cols].head(top).reset_index(drop=True)
    market_conc = conc.loc[is_market, cols].reset_index(drop=True)
    chokes = chokepoints(tables, year=year, network=net, betweenness=False)
    chokes = chokes[["rank", "kind", "id", "name", "products_affected", "score"]].head(top)
    exp = exposure_all(tables, by="country", year=year, network=net)
    labels = entity_labels(tables)
    # per product: the first "(total)" row (the largest), and via it the input
    # with the largest direct share from that entity (ties: the first listed)
    is_total = (exp["input"] == "(total)").to_numpy()
    best = exp[is_total].drop_duplicates("product").sort_values("product", kind="stable")
    detail = exp[~is_total].merge(best[["product", "entity"]], on=["product", "entity"])
    detail = detail.sort_values(
        ["product", "direct_share"], ascending=[True, False], kind="stable"
    ).drop_duplicates("product")
    via = dict(zip(detail["product"], detail["input"], strict=True))
    rows = [
        (p, label_of(labels, p), e, name, float(loss), via.get(p))
        for p, e, name, loss in zip(
            best["product"], best["entity"], best["entity_name"], best["product_loss"], strict=True
        )
    ]
    exposure = pd.DataFrame(
        rows,
        columns=["product", "product_name", "country", "country_name", "product_loss", "via"],
    )
    from chiprisk.graph.algorithms.outlook import leading_outlook
    from chiprisk.graph.model.ledger import ledger_year

    return {
        "concentrated": concentrated,
        "markets": market_conc,
        "chokepoints": chokes.reset_index(drop=True),
        "exposure": exposure,
        "outlook": leading_outlook(
            ledger if ledger is not None else tables, ledger_year(year), now=tables
        ),
    }
