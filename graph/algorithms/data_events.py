"""Failure probabilities as data: the rows of ``events.csv`` as Monte Carlo events.

An analyst's supplier list often carries each supplier's own chance of a
disruption in a year (a fire, a flood, an insolvency) and how long one lasts.
``events.csv`` (optional; :mod:`chiprisk.graph.io.contract`) holds one row
per organisation or site: ``probability`` (annual), ``duration_weeks``
(blank: 52) and ``severity`` (the share of output lost, blank: 1). Each row
becomes one :class:`~chiprisk.graph.algorithms.scenarios.Scenario` targeting
``org:<id>`` or ``site:<id>``, so it hits exactly what a named scenario with
that target hits; :func:`~chiprisk.graph.algorithms.montecarlo.montecarlo`
draws them alongside the named scenarios, each independently.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> data_events(load_tables())  # the built-in data has no events.csv
[]
"""

from __future__ import annotations

from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.io.loader import Tables

__all__ = ["data_events"]


def _num(v: object, default: float) -> float:
    return default if v is None or v != v else float(v)


def data_events(tables: Tables) -> list[Scenario]:
    """One Monte Carlo event per row of ``events.csv`` (none without the file).

    Parameters
    ----------
    tables : Tables
        Checked rows.

    Returns
    -------
    list of Scenario
        ``id`` the row's id, ``targets`` ``("org:<target>",)`` or
        ``("site:<target>",)``, ``severity`` (default 1), ``duration_weeks``
        (default 52), ``probability``, ``source_id``; in file order.
    """
    df = tables.frames.get("events")
    if df is None or df.empty:
        return []
    out = []
    cols = ("id", "target", "probability", "duration_weeks", "severity", "source_id")
    for eid, target, p, dur, sev, src in zip(*(df[c].tolist() for c in cols), strict=True):
        kind = "site" if tables.kind_of(target) == "sites" else "org"
        out.append(
            Scenario(
                eid,
                f"{target} event",
                (f"{kind}:{target}",),
                _num(sev, 1.0),
                duration_weeks=_num(dur, 52.0),
                probability=float(p),
                rationale="events.csv",
                source_id=src,
            )
        )
    return out
