"""What the capacity ledger cannot answer: late first rows and firms missing from a capability.

Two findings for :func:`chiprisk.graph.model.coverage.coverage`:

``ledger-late-start``
    a site's first ledger row for a capability is already ``operating`` or
    ``ramping`` with capacity after the capability's first ledger year: the
    ledger counts nothing there before that row, so earlier years understate
    the capability (a step in the outlook, not a ramp).
``ledger-missing-firms``
    firms holding a market-wide share of a capability (its supplies rows)
    whose group has no ledger site for it: located and owner shares from the
    ledger leave them out.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> rows = list(ledger_findings(load_tables()))
>>> {r["check"] for r in rows} <= {"ledger-late-start", "ledger-missing-firms"}
True
"""

from __future__ import annotations

from collections.abc import Iterable

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import ultimate_parents

__all__ = ["LEDGER_CHECKS", "ledger_findings"]

LEDGER_CHECKS = {
    "ledger-late-start": "sites whose first ledger row is already operating after the "
    "capability's first ledger year: earlier years understate the capability",
    "ledger-missing-firms": "firms with a market share of a ledger capability but no ledger "
    "site for it: ledger shares leave them out",
}
"""The ledger checks, by name (added to :data:`chiprisk.graph.model.coverage.CHECKS`)."""


def ledger_findings(tables: Tables) -> Iterable[dict]:
    """Yield the ledger's coverage findings as coverage rows.

    Parameters
    ----------
    tables : Tables

    Yields
    ------
    dict
        ``check``, ``severity`` (``warning``), ``entity`` (the capability),
        ``detail``, ``count``.
    """
    cap = tables.frames.get("capacity")
    if cap is None or not len(cap):
        return
    cap = cap.sort_values(["input", "site", "year"])
    first_year = cap.groupby("input")["year"].min()
    first = cap.drop_duplicates(["input", "site"], keep="first")
    late = first[
        first["status"].isin(["operating", "ramping"])
        & (first["quantity"] > 0)
        & (first["year"] > first["input"].map(first_year))
    ]
    for inp, g in late.groupby("input", sort=True):
        sites = ", ".join(f"{s} ({y})" for s, y in zip(g["site"], g["year"], strict=True))
        yield {
            "check": "ledger-late-start",
            "severity": "warning",
            "entity": inp,
            "detail": f"first ledger rows already operating: {sites}; years before them "
            "count no capacity there",
            "count": len(g),
        }
    roots = ultimate_parents(tables["organizations"])
    operator = dict(zip(tables["sites"]["id"], tables["sites"]["operator"], strict=True))
    owners = cap.assign(owner=cap["site"].map(operator).map(lambda o: roots.get(o, o)))
    held = owners.groupby("input")["owner"].agg(set).to_dict()
    sup = tables["supplies"]
    market = sup["buyer"].isna() | (sup["buyer"] == "")
    orgs = set(tables["organizations"]["id"])
    rows = sup[market & sup["input"].isin(held) & sup["supplier"].isin(orgs)]
    for inp, g in rows.groupby("input", sort=True):
        missing = sorted({roots.get(s, s) for s in g["supplier"]} - held[inp])
        if missing:
            yield {
                "check": "ledger-missing-firms",
                "severity": "warning",
                "entity": inp,
                "detail": f"firms with a market share but no ledger site: {', '.join(missing)}",
                "count": len(missing),
            }
