"""The tables behind the report's charts, computed from the checked rows.

Each ``*_frame`` function takes the checked rows (:class:`~chiprisk.graph.io.loader.Tables`)
and, where it propagates through the supply network, the network, and
returns a DataFrame with documented columns, readable names beside ids and
the ``source_ids`` behind each row. The algorithms are called directly;
nothing here needs the :class:`~chiprisk.graph.knowledge_graph.KnowledgeGraph`.

A *network* argument is a :class:`~chiprisk.graph.model.supply_network.SupplyNetwork`
(used as given), a callable ``network(year)`` returning one (the facade's
cached ``kg.network``), or None (built from the rows when needed).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> sites_frame(load_tables()).columns[:3].tolist()
['site', 'name', 'operator']
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.labels import entity_labels, label_of
from chiprisk.graph.model.supply_network import SupplyNetwork

__all__ = [
    "BASIS_PREFERENCE",
    "NetworkSource",
    "chokepoints_frame",
    "concentration_frame",
    "exposure_frame",
    "network_at",
    "sites_frame",
]

NetworkSource = SupplyNetwork | Callable[[int | None], SupplyNetwork] | None
"""A network as the frames take it: the network, ``network(year)``, or None."""

BASIS_PREFERENCE = ("capacity", "revenue", "shipments", "units")
"""When an input has share tables of several bases in its latest year, the first of these."""

_STAGE_ORDER = (
    "design",
    "equipment",
    "materials",
    "fabrication",
    "memory",
    "packaging",
    "product",
)


def network_at(network: NetworkSource, year: int | None) -> SupplyNetwork | None:
    """The network as of ``year`` from a :data:`NetworkSource` (None stays None).

    Parameters
    ----------
    network : SupplyNetwork, callable or None
        A network (returned as is), ``network(year)`` (called), or None.
    year : int or None
        The as-of year passed to a callable.

    Returns
    -------
    SupplyNetwork or None

    Examples
    --------
    >>> network_at(None, 2024) is None
    True
    >>> network_at(lambda year: f"net {year}", 2024)
    'net 2024'
    """
    if network is None or isinstance(network, SupplyNetwork):
        return network
    return network(year)


def _ids(values) -> list[str]:
    out: set[str] = set()
    for v in values:
        if isinstance(v, list | tuple | set | np.ndarray):
            out.update(str(x) for x in v if x)
        elif isinstance(v, str) and v:
            out.update(x for x in v.split(";") if x)
    return sorted(out)


def _stage_rank(stage: object) -> int:
    return _STAGE_ORDER.index(stage) if stage in _STAGE_ORDER else len(_STAGE_ORDER)


def concentration_frame(
    tables: Tables, *, year: int | None = None, stage: str | None = None
) -> pd.DataFrame:
    """One firm-lens share table per input: the latest year, then :data:`BASIS_PREFERENCE`.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    year : int, optional
        As of this year (default: the latest data).
    stage : str, optional
        Only the inputs of this stage.

    Returns
    -------
    pandas.DataFrame
        Sorted by stage then HHI (highest first). Columns: ``input``,
        ``input_name``, ``stage``, ``basis``, ``year``, ``n_entities``,
        ``hhi``, ``hhi_low``, ``hhi_high`` (0..10,000), ``cr1``, ``cr3``,
        ``top_share`` (percent), ``top_entity``, ``top_entity_name``,
        ``band_2023``, ``over_65``, ``source_ids`` (``;``-joined).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = concentration_frame(load_tables(), stage="equipment")
    >>> int(df.set_index("input").loc["euv-lithography", "hhi"])
    10000
    """
    from chiprisk.graph.algorithms.concentration import concentration

    df = concentration(tables, lens="firm", year=year, stage=stage)
    df = df[df["basis"] != "sourcing"].copy()
    df["_basis_rank"] = [
        BASIS_PREFERENCE.index(b) if b in BASIS_PREFERENCE else 99 for b in df["basis"]
    ]
    df = df.sort_values(["input", "year", "_basis_rank"], ascending=[True, False, True])
    df = df.drop_duplicates("input")
    df["_stage_rank"] = df["stage"].map(_stage_rank)
    df = df.sort_values(["_stage_rank", "hhi", "input"], ascending=[True, False, True])
    df["source_ids"] = df["source_ids"].map(lambda v: ";".join(_ids([v])))
    cols = [
        "input",
        "input_name",
        "stage",
        "basis",
        "year",
        "n_entities",
        "hhi",
        "hhi_low",
        "hhi_high",
        "cr1",
        "cr3",
        "top_share",
        "top_entity",
        "top_entity_name",
        "band_2023",
        "over_65",
        "source_ids",
    ]
    return df[cols].reset_index(drop=True)


def sites_frame(tables: Tables) -> pd.DataFrame:
    """Every site with coordinates, status and capacity (per month).

    Parameters
    ----------
    tables : Tables
        Checked rows.

    Returns
    -------
    pandas.DataFrame
        Columns: ``site``, ``name``, ``operator``, ``operator_name``,
        ``country``, ``lat``, ``lon``, ``kind``, ``status``, ``start_year``,
        ``capacity_per_month`` (wafers/month; wafers/year divided by 12;
        missing when not published), ``capacity``, ``capacity_unit`` (as
        published), ``source_ids``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = sites_frame(load_tables()).set_index("site")
    >>> df.loc["tsmc-fab-18", "operator_name"]
    'Taiwan Semiconductor Manufacturing Company'
    """
    s = tables["sites"]
    labels = entity_labels(tables)
    cap = pd.to_numeric(s["capacity"], errors="coerce")
    per_month = np.where(s["capacity_unit"].astype(str).str.endswith("/year"), cap / 12.0, cap)
    out = pd.DataFrame(
        {
            "site": s["id"],
            "name": s["name"],
            "operator": s["operator"],
            "operator_name": [
                label_of(labels, o) if isinstance(o, str) else None for o in s["operator"]
            ],
            "country": s["country"],
            "lat": pd.to_numeric(s["lat"], errors="coerce"),
            "lon": pd.to_numeric(s["lon"], errors="coerce"),
            "kind": s["kind"],
            "status": s["status"],
            "start_year": s["start_year"],
            "capacity_per_month": per_month,
            "capacity": cap,
            "capacity_unit": s["capacity_unit"],
            "source_ids": s["source_id"],
        }
    )
    return out.sort_values("site").reset_index(drop=True)


def _supply_sources(
    sup: pd.DataFrame,
) -> tuple[dict[tuple, set[str]], dict[tuple, set[str]]]:
    """Source ids of the supply rows per (input, basis, year), and per (input, basis,
    year, buyer) for a buyer's own rows."""
    market: dict[tuple, set[str]] = {}
    own: dict[tuple, set[str]] = {}
    cols = ("input", "basis", "year", "buyer", "source_id")
    for inp, basis, year, buyer, sid in zip(
        *(sup[c].to_numpy(dtype=object) for c in cols), strict=True
    ):
        if pd.isna(sid) or pd.isna(inp) or pd.isna(basis) or pd.isna(year):
            continue
        key = (inp, basis, int(year))
        market.setdefault(key, set()).add(sid)
        if pd.notna(buyer):
            own.setdefault((*key, buyer), set()).add(sid)
    return market, own


def exposure_frame(
    tables: Tables, network: NetworkSource = None, *, year: int | None = None
) -> pd.DataFrame:
    """Each product's loss if one country goes offline (no substitution).

    Parameters
    ----------
    tables : Tables
        Checked rows.
    network : SupplyNetwork, callable or None
        The network as of ``year`` (see :data:`NetworkSource`).
    year : int, optional
        As of this year (default: the latest data).

    Returns
    -------
    pandas.DataFrame
        One row per (product, country) with a positive loss. Columns:
        ``product``, ``product_name``, ``country``, ``country_name``,
        ``product_loss`` (fraction 0..1), ``via`` (the input with the largest
        direct share from that country), ``source_ids`` (the supply rows of
        the inputs, basis and year used, and the product's requirements).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = exposure_frame(load_tables()).set_index(["product", "country"])
    >>> float(df.loc[("nvidia-h100", "TW"), "product_loss"])
    1.0
    """
    from chiprisk.graph.algorithms.exposure import exposure_all

    exp = exposure_all(tables, by="country", year=year, network=network_at(network, year))
    labels = entity_labels(tables)
    market, own = _supply_sources(tables["supplies"])
    req_src: dict[str, set[str]] = {}
    req = tables["requirements"]
    for product, sid in zip(req["product"], req["source_id"], strict=True):
        if pd.notna(sid):
            req_src.setdefault(product, set()).add(sid)
    col = {c: exp[c].to_numpy(dtype=object) for c in ("product", "input", "basis", "sourcing")}
    entity_name = exp["entity_name"].to_numpy(dtype=object)
    loss = exp["product_loss"].to_numpy(dtype=float)
    share = exp["direct_share"].to_numpy(dtype=float)
    year_of = exp["year"].to_numpy(dtype=object)
    # groups in the order of groupby(["product", "entity"], sort=True), rows in frame order
    gb = exp.groupby(["product", "entity"], sort=True)
    code = gb.ngroup().to_numpy()
    keys = list(gb.groups)
    order = np.argsort(code, kind="stable")
    order = order[code[order] >= 0]
    bounds = np.flatnonzero(np.diff(code[order])) + 1
    rows = []
    for p in np.split(order, bounds) if order.size else []:
        product, country = keys[code[p[0]]]
        is_total = col["input"][p] == "(total)"
        if not is_total.any() or float(loss[p[is_total][0]]) <= 0:
            continue
        detail = p[~is_total]
        src = set(req_src.get(product, ()))
        for i in detail:
            if pd.isna(year_of[i]):
                continue
            key = (col["input"][i], col["basis"][i], int(year_of[i]))
            if col["sourcing"][i] == "buyer-specific":
                src.update(own.get((*key, product), ()))
            else:
                src.update(market.get(key, ()))
        via = None
        if detail.size:  # the largest direct share, the first of equals; missing last
            s = share[detail]
            known = ~np.isnan(s)
            via = col["input"][detail[np.argmax(s == s[known].max()) if known.any() else 0]]
        first = p[is_total][0]
        rows.append(
            (
                product,
                label_of(labels, product),
                country,
                entity_name[first],
                float(loss[first]),
                via,
                ";".join(sorted(src)),
            )
        )
    cols = [
        "product",
        "product_name",
        "country",
        "country_name",
        "product_loss",
        "via",
        "source_ids",
    ]
    return pd.DataFrame(rows, columns=cols)


def chokepoints_frame(
    tables: Tables, network: NetworkSource = None, *, year: int | None = None, top: int = 15
) -> pd.DataFrame:
    """The top single points of failure with the sources behind each.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    network : SupplyNetwork, callable or None
        The network as of ``year`` (see :data:`NetworkSource`).
    year : int, optional
        As of this year (default: the latest data).
    top : int
        How many chokepoints.

    Returns
    -------
    pandas.DataFrame
        Columns: ``rank``, ``kind`` (input, firm, site), ``id``, ``name``,
        ``products_affected``, ``hhi`` (0..10,000), ``score``, ``reason``,
        ``source_ids`` (input: the sources of its share tables under every
        lens; firm or site: its supply rows and site record).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> df = chokepoints_frame(load_tables(), top=3)
    >>> df["rank"].tolist(), bool(df["source_ids"].str.len().gt(0).all())
    ([1, 2, 3], True)
    """
    from chiprisk.graph.algorithms.chokepoints import chokepoints
    from chiprisk.graph.algorithms.concentration import concentration

    net = network_at(network, year)
    ch = chokepoints(tables, year=year, network=net, betweenness=False).head(top)
    conc = concentration(tables, lens=None, year=year)
    conc_src = conc.groupby("input")["source_ids"].agg(lambda s: _ids(s)).to_dict()
    sup, sites = tables["supplies"], tables["sites"]
    src = []
    for r in ch.itertuples(index=False):
        if r.kind == "input":
            ids = conc_src.get(r.id, [])
        else:
            m = sup["supplier"] == r.id
            sole = list(r.sole_supplier_of) if isinstance(r.sole_supplier_of, list) else []
            if sole:
                m &= sup["input"].isin(sole)
            ids = set(sup.loc[m, "source_id"].dropna())
            ids.update(sites.loc[sites["id"] == r.id, "source_id"].dropna())
            if r.kind == "firm" and sole:
                ops = sites["operator"] == r.id
                ids.update(sites.loc[ops, "source_id"].dropna())
            ids = sorted(ids)
        src.append(";".join(ids))
    out = ch[["rank", "kind", "id", "name", "products_affected", "hhi", "score", "reason"]].copy()
    out["source_ids"] = src
    return out.reset_index(drop=True)
