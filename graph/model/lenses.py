"""Who a supplier is under each lens: firm, owner's country, site country.

- ``firm``: a site rolls up to its operator, an organisation to its ultimate
  parent (JASM and ESMC count as TSMC).
- ``hq``: the ultimate parent's headquarters country (the owner's country).
- ``site``: where the capacity physically is. A site row is its own country;
  a firm row is spread over the group's sites of the kind that makes that
  input's stage (fabs for fabrication, packaging sites for packaging ...),
  narrowed to the sites whose ``process_node`` lists one of the input's
  ``process_nodes`` where any does (TSMC's 5 nm share goes to the fabs that
  run N5/N4, not to Nanjing or Kumamoto), by capacity where every such site
  states one in the same unit, else equally per site; with no such site
  known, the owner's country stands in and the ``site_basis`` says so.
- ``country``: rows a source published as country totals (kept apart).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> ultimate_parents(t["organizations"])["jasm"]
'tsmc'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader import Tables
from chiprisk.ontology.namespaces import RESIDUAL_ID

LENSES = ("firm", "hq", "site", "country")

STAGE_SITE_KINDS: dict[str, tuple[str, ...]] = {
    "fabrication": ("fab",),
    "memory": ("memory-fab",),
    "packaging": ("packaging", "assembly-test"),
    "equipment": ("equipment",),
    "materials": ("materials",),
}
"""Which site kinds make the inputs of a stage (design and products have none)."""

PRODUCING = ("operating", "ramping")
"""Site statuses that count as producing (as of a year also needs start_year <= year)."""


def node_set(text: object) -> frozenset[str]:
    """The process nodes of a ``;``-separated cell, case-folded (None -> empty).

    Examples
    --------
    >>> sorted(node_set("N5; n4;"))
    ['n4', 'n5']
    """
    if not isinstance(text, str):
        return frozenset()
    return frozenset(x.strip().casefold() for x in text.split(";") if x.strip())


def _node_sets(cells: pd.Series) -> np.ndarray:
    """:func:`node_set` of each cell, parsed once per distinct cell."""
    codes, uniq = pd.factorize(cells.to_numpy(dtype=object))
    sets = np.empty(len(uniq) + 1, dtype=object)
    sets[:] = [node_set(x) for x in uniq] + [frozenset()]
    return sets[codes]


def canonical_nodes(text: object) -> str:
    """One spelling of a process-node list, for keys: sorted, case-folded, ``;``-joined.

    Examples
    --------
    >>> canonical_nodes("N5;N4"), canonical_nodes(None)
    ('n4;n5', '')
    """
    return ";".join(sorted(node_set(text)))


def input_nodes(tables: Tables) -> dict[str, str]:
    """Each input's :func:`canonical_nodes` (``''`` where it names none)."""
    inputs = tables["inputs"]
    if "process_nodes" not in inputs:
        return dict.fromkeys(inputs["id"], "")
    return {
        i: canonical_nodes(n) for i, n in zip(inputs["id"], inputs["process_nodes"], strict=True)
    }


def ultimate_parents(orgs: pd.DataFrame) -> dict[str, str]:
    """Map every organisation to its ultimate parent (itself when it has none).

    A parent that is not an organisation id (never after loading) is the
    root of its chain.

    Notes
    -----
    O(n log depth) by pointer jumping over integer positions. Parent cycles
    are impossible after loading (checked ids); should one exist, its members
    are resolved one by one and the walk is cut at the first repeat.

    Examples
    --------
    >>> orgs = pd.DataFrame({"id": ["a", "b", "c"], "parent": [None, "a", "b"]})
    >>> ultimate_parents(orgs)
    {'a': 'a', 'b': 'a', 'c': 'a'}
    """
    ids = orgs["id"].to_numpy(dtype=object)
    n = ids.size
    named = orgs["parent"].to_numpy(dtype=object)
    index, pos = pd.Index(ids), np.arange(n)
    if not index.is_unique:  # never after loading: a repeated id's last row is used
        last = ~index.duplicated(keep="last")
        index, pos = pd.Index(ids[last]), pos[last]
    hit = index.get_indexer(named)
    parent = np.where(hit >= 0, pos[hit], -1)
    outside = (parent < 0) & pd.notna(named) & (named != "")
    up = np.where(parent >= 0, parent, np.arange(n))
    for _ in range(max(n, 1).bit_length() + 1):
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    root = up
    moving = np.flatnonzero(parent[up] >= 0)  # on or below a cycle (never after loading)
    if moving.size:
        root = up.copy()
        for i in moving:
            seen, cur = {int(i)}, int(i)
            while parent[cur] >= 0 and int(parent[cur]) not in seen:
                cur = int(parent[cur])
                seen.add(cur)
            root[i] = cur
    names = np.where(outside, named, ids)
    return dict(zip(ids.tolist(), names[root].tolist(), strict=True))


def supplier_kind(tables: Tables, supplier: str) -> str:
    """``organization``, ``site``, ``country`` or ``residual``."""
    if supplier == RESIDUAL_ID:
        return "residual"
    if supplier in ISO_COUNTRIES:
        return "country"
    kind = tables.kind_of(supplier)
    return {"organizations": "organization", "sites": "site"}.get(kind, "unknown")


def supplier_lenses(
    tables: Tables, suppliers: pd.Series, roots: dict[str, str] | None = None
) -> pd.DataFrame:
    """Firm and owner's country of each supplier (None where not applicable).

    ``roots`` is :func:`ultimate_parents` of the organisations, when already
    computed.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``suppliers``, columns ``supplier_kind``, ``firm``, ``hq``,
        ``site_country`` (for site rows only).
    """
    orgs, sites = tables["organizations"], tables["sites"]
    roots = pd.Series(ultimate_parents(orgs) if roots is None else roots, dtype=object)
    hq = pd.Series(orgs["hq_country"].to_numpy(dtype=object), index=orgs["id"])
    operator = pd.Series(sites["operator"].to_numpy(dtype=object), index=sites["id"])
    country = pd.Series(sites["country"].to_numpy(dtype=object), index=sites["id"])
    ids = pd.Series(suppliers.to_numpy(dtype=object), index=suppliers.index)
    # the precedence of supplier_kind: residual, country code, then the tables
    is_resid = (ids == RESIDUAL_ID).to_numpy()
    is_country = ids.isin(list(ISO_COUNTRIES)).to_numpy() & ~is_resid
    is_org = ids.isin(orgs["id"]).to_numpy() & ~is_resid & ~is_country
    is_site = ids.isin(sites["id"]).to_numpy() & ~is_resid & ~is_country & ~is_org
    kind = np.select(
        [is_resid, is_country, is_org, is_site],
        ["residual", "country", "organization", "site"],
        "unknown",
    ).astype(object)
    org_of = ids.where(is_org, ids.map(operator).where(is_site))
    firm = org_of.map(roots).where(is_org | is_site)
    return pd.DataFrame(
        {
            "supplier_kind": kind,
            "firm": firm.astype(object).where(firm.notna(), None),
            "hq": firm.map(hq).astype(object).where(firm.notna(), None),
            "site_country": ids.map(country).astype(object).where(is_site, None),
        },
        index=suppliers.index,
    )


def group_site_weights(
    tables: Tables, firm: str, stage: str, year: int | None, nodes: str = ""
) -> tuple[dict[str, float], str]:
    """Where a firm group's capacity for a stage is, as country weights summing to 1.

    ``nodes`` (an input's process nodes, ``;``-separated) narrows the sites to
    those whose ``process_node`` lists one of them, when at least one does.

    Returns
    -------
    (weights, basis)
        ``basis`` is ``capacity`` (weighted by stated capacity), ``site count``
        (equal per producing site), or ``hq`` (no producing site known: the
        owner's country stands in); `` (node)`` is appended when the sites
        were narrowed to the input's nodes.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> w, basis = group_site_weights(load_tables(), "asml", "equipment", 2025)
    >>> w, basis
    ({'NL': 1.0}, 'site count')
    """
    orgs = tables["organizations"]
    roots = ultimate_parents(orgs)
    members = {o for o, r in roots.items() if r == firm}
    sites = tables["sites"]
    kinds = STAGE_SITE_KINDS.get(stage, ())
    mask = sites["operator"].isin(members) & sites["kind"].isin(kinds)
    mask &= sites["status"].isin(PRODUCING)
    if year is not None:
        start = sites["start_year"]
        mask &= start.isna() | (start <= year)
    chosen = sites[mask.fillna(False).astype(bool)]
    if chosen.empty:
        hq = orgs.loc[orgs["id"] == firm, "hq_country"]
        return ({hq.iloc[0]: 1.0} if len(hq) else {}), "hq"
    suffix = ""
    wanted = node_set(nodes)
    if wanted:
        match = chosen["process_node"].map(lambda x: bool(node_set(x) & wanted))
        if match.any():
            chosen, suffix = chosen[match.to_numpy(dtype=bool)], " (node)"
    caps = chosen["capacity"]
    units = chosen["capacity_unit"].dropna().unique()
    if caps.notna().all() and len(units) == 1 and caps.sum() > 0:
        w = caps.groupby(chosen["country"]).sum() / caps.sum()
        return {c: float(v) for c, v in w.items()}, "capacity" + suffix
    w = chosen.groupby("country").size() / len(chosen)
    return {c: float(v) for c, v in w.items()}, "site count" + suffix


SITE_WEIGHT_COLUMNS = [
    "firm",
    "stage",
    "year",
    "nodes",
    "site",
    "country",
    "weight",
    "site_basis",
]
"""Columns of :func:`site_weights`."""


def site_weights(
    tables: Tables, keys: pd.DataFrame, roots: dict[str, str] | None = None
) -> pd.DataFrame:
    """:func:`group_site_weights` for many (firm, stage, year) at once, per site.

    Parameters
    ----------
    tables : Tables
    keys : pandas.DataFrame
        Columns ``firm`` (an ultimate parent), ``stage`` and ``year`` (an int,
        or missing for "any year"), and optionally ``nodes`` (an input's
        :func:`canonical_nodes`; ``''`` for none); duplicates are ignored.
    roots : dict, optional
        :func:`ultimate_parents` of the organisations, when already computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SITE_WEIGHT_COLUMNS`: one row per (key, producing
        site) with the site's ``weight`` (by capacity where every chosen site
        states one in one unit, else equal per site) and ``site_basis``
        (``capacity`` or ``site count``); a key with no producing site gets
        one row with ``site`` missing, its owner's headquarters as
        ``country``, weight 1 and basis ``hq``. Weights of one key sum to 1.
        Summed per (key, country) the weights are exactly those of
        :func:`group_site_weights` (same arithmetic: capacity sums divided by
        the total, or site counts divided by the number of sites).

    Notes
    -----
    O(keys x sites per group + sites) with one merge and group-by
    transforms, instead of a full scan of the sites table per key
    (:func:`group_site_weights` costs about 5 ms a call, this about 1 us a row).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> keys = pd.DataFrame({"firm": ["asml"], "stage": ["equipment"], "year": [2025]})
    >>> w = site_weights(load_tables(), keys)
    >>> w[["firm", "country", "weight", "site_basis"]].values.tolist()
    [['asml', 'NL', 1.0, 'site count']]
    """
    orgs = tables["organizations"]
    if roots is None:
        roots = ultimate_parents(orgs)
    if "nodes" not in keys:
        keys = keys.assign(nodes="")
    k = keys[["firm", "stage", "year", "nodes"]].drop_duplicates().reset_index(drop=True)
    k["year"] = pd.array(k["year"], dtype="Float64").astype(float)
    k["_key"] = np.arange(len(k))
    sites = tables["sites"]
    kind_stage = [(kind, st) for st, kinds in STAGE_SITE_KINDS.items() for kind in kinds]
    ks = pd.DataFrame(kind_stage, columns=["kind", "stage"])
    s = sites[sites["status"].isin(PRODUCING)]
    s = pd.DataFrame(
        {
            "site": s["id"].to_numpy(dtype=object),
            "firm": s["operator"].map(roots).to_numpy(dtype=object),
            "kind": s["kind"].to_numpy(dtype=object),
            "country": s["country"].to_numpy(dtype=object),
            "start": pd.array(s["start_year"], dtype="Float64").astype(float),
            "capacity": s["capacity"].to_numpy(dtype=float),
            "capacity_unit": s["capacity_unit"].to_numpy(dtype=object),
            "site_nodes": _node_sets(s["process_node"]),
        }
    ).merge(ks, on="kind", how="inner")
    m = k.merge(s, on=["firm", "stage"], how="inner")
    start, year = m["start"].to_numpy(), m["year"].to_numpy()
    m = m[np.isnan(year) | np.isnan(start) | (start <= year)]
    narrowed = np.zeros(len(m), dtype=bool)
    if (m["nodes"] != "").any():  # keep a key's node sites where it has any
        match = np.fromiter(
            (
                bool(w) and bool(set(w.split(";")) & have)
                for w, have in zip(m["nodes"], m["site_nodes"], strict=True)
            ),
            dtype=bool,
            count=len(m),
        )
        narrowed = pd.Series(match).groupby(m["_key"].to_numpy()).transform("any").to_numpy()
        m, narrowed = m[~narrowed | match], narrowed[~narrowed | match]
    g = m.groupby("_key", sort=False)
    n = g["site"].transform("size").to_numpy(dtype=float)
    cap = m["capacity"].to_numpy(dtype=float)
    cap_missing = pd.Series(np.isnan(cap), index=m.index).groupby(m["_key"]).transform("any")
    units = g["capacity_unit"].transform("nunique").to_numpy()
    cap_sum = g["capacity"].transform("sum").to_numpy(dtype=float)
    use_cap = ~cap_missing.to_numpy(dtype=bool) & (units == 1) & (cap_sum > 0)
    num = np.where(use_cap, cap, 1.0)
    den = np.where(use_cap, cap_sum, n)
    found = pd.DataFrame(
        {
            "_key": m["_key"].to_numpy(),
            "site": m["site"].to_numpy(dtype=object),
            "country": m["country"].to_numpy(dtype=object),
            "num": num,
            "den": den,
            "site_basis": np.char.add(
                np.where(use_cap, "capacity", "site count"), np.where(narrowed, " (node)", "")
            ).astype(object),
        }
    )
    found["weight"] = found["num"] / found["den"]
    missing = k[~k["_key"].isin(found["_key"])]
    hq = pd.Series(orgs["hq_country"].to_numpy(dtype=object), index=orgs["id"].to_numpy(object))
    fallback = pd.DataFrame(
        {
            "_key": missing["_key"].to_numpy(),
            "site": None,
            "country": missing["firm"].map(hq).to_numpy(dtype=object),
            "num": 1.0,
            "den": 1.0,
            "site_basis": "hq",
            "weight": 1.0,
        }
    )
    fallback = fallback[fallback["country"].notna()]
    out = pd.concat([found, fallback], ignore_index=True)
    # by key, then site id (the hq fallback, without a site, first)
    site_code, _ = pd.factorize(out["site"].to_numpy(dtype=object), sort=True)
    out = out.iloc[np.lexsort((site_code, out["_key"].to_numpy()))].reset_index(drop=True)
    of_key = k.iloc[out["_key"].to_numpy()].reset_index(drop=True)  # _key is k's position
    for col in ("firm", "stage", "year", "nodes"):
        out[col] = of_key[col]
    return out[[*SITE_WEIGHT_COLUMNS, "num", "den", "_key"]]


def country_site_weights(weights: pd.DataFrame) -> pd.DataFrame:
    """Per (firm, stage, year, country) weights from :func:`site_weights` rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``firm``, ``stage``, ``year``, ``nodes``, ``country``,
        ``weight``, ``site_basis``, ``_key``; equal to
        :func:`group_site_weights` per key.
    """
    if weights.empty:
        return weights.drop(columns=["site", "num", "den"], errors="ignore").assign(weight=1.0)
    g = weights.groupby(["_key", "country"], sort=True)
    out = g.agg(
        num=("num", "sum"),
        den=("den", "first"),
        firm=("firm", "first"),
        stage=("stage", "first"),
        year=("year", "first"),
        nodes=("nodes", "first"),
        site_basis=("site_basis", "first"),
    ).reset_index()
    out["weight"] = out["num"] / out["den"]
    return out[["firm", "stage", "year", "nodes", "country", "weight", "site_basis", "_key"]]
