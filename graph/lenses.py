"""Who a supplier is under each lens: firm, owner's country, site country.

- ``firm``: a site rolls up to its operator, an organisation to its ultimate
  parent (JASM and ESMC count as TSMC).
- ``hq``: the ultimate parent's headquarters country (the owner's country).
- ``site``: where the capacity physically is. A site row is its own country;
  a firm row is spread over the group's sites of the kind that makes that
  input's stage (fabs for fabrication, packaging sites for packaging ...),
  by capacity where every such site states one in the same unit, else equally
  per site; with no such site known, the owner's country stands in and the
  ``site_basis`` says so.
- ``country``: rows a source published as country totals (kept apart).

Examples
--------
>>> from chiprisk.graph.load import load_tables
>>> t = load_tables()
>>> ultimate_parents(t["organizations"])["jasm"]
'tsmc'
"""

from __future__ import annotations

import pandas as pd
from chiprisk.graph.load import ISO_COUNTRIES, Tables
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


def ultimate_parents(orgs: pd.DataFrame) -> dict[str, str]:
    """Map every organisation to its ultimate parent (itself when it has none).

    Notes
    -----
    O(n · depth); parent cycles are impossible after loading (checked ids) but
    are cut defensively at the first repeat.
    """
    parent = {
        o: p for o, p in zip(orgs["id"], orgs["parent"], strict=True) if isinstance(p, str) and p
    }
    out: dict[str, str] = {}
    for org in orgs["id"]:
        seen = {org}
        cur = org
        while cur in parent and parent[cur] not in seen:
            cur = parent[cur]
            seen.add(cur)
        out[org] = cur
    return out


def supplier_kind(tables: Tables, supplier: str) -> str:
    """``organization``, ``site``, ``country`` or ``residual``."""
    if supplier == RESIDUAL_ID:
        return "residual"
    if supplier in ISO_COUNTRIES:
        return "country"
    kind = tables.kind_of(supplier)
    return {"organizations": "organization", "sites": "site"}.get(kind, "unknown")


def supplier_lenses(tables: Tables, suppliers: pd.Series) -> pd.DataFrame:
    """Firm and owner's country of each supplier (None where not applicable).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``suppliers``, columns ``supplier_kind``, ``firm``, ``hq``,
        ``site_country`` (for site rows only).
    """
    roots = ultimate_parents(tables["organizations"])
    hq = dict(
        zip(tables["organizations"]["id"], tables["organizations"]["hq_country"], strict=True)
    )
    sites = tables["sites"]
    operator = dict(zip(sites["id"], sites["operator"], strict=True))
    site_country = dict(zip(sites["id"], sites["country"], strict=True))
    rows = []
    for s in suppliers:
        kind = supplier_kind(tables, s)
        if kind == "organization":
            firm = roots[s]
            rows.append((kind, firm, hq[firm], None))
        elif kind == "site":
            firm = roots[operator[s]]
            rows.append((kind, firm, hq[firm], site_country[s]))
        else:
            rows.append((kind, None, None, None))
    return pd.DataFrame(
        rows, index=suppliers.index, columns=["supplier_kind", "firm", "hq", "site_country"]
    )


def group_site_weights(
    tables: Tables, firm: str, stage: str, year: int | None
) -> tuple[dict[str, float], str]:
    """Where a firm group's capacity for a stage is, as country weights summing to 1.

    Returns
    -------
    (weights, basis)
        ``basis`` is ``capacity`` (weighted by stated capacity), ``site count``
        (equal per producing site), or ``hq`` (no producing site known: the
        owner's country stands in).

    Examples
    --------
    >>> from chiprisk.graph.load import load_tables
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
    caps = chosen["capacity"]
    units = chosen["capacity_unit"].dropna().unique()
    if caps.notna().all() and len(units) == 1 and caps.sum() > 0:
        w = caps.groupby(chosen["country"]).sum() / caps.sum()
        return {c: float(v) for c, v in w.items()}, "capacity"
    w = chosen.groupby("country").size() / len(chosen)
    return {c: float(v) for c, v in w.items()}, "site count"
