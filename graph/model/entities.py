"""Find entities in the checked rows by id or name, and gather every fact about one.

The facade's ``kg.search`` and ``kg.show`` are these functions over its
tables; each fact of :func:`entity_facts` keeps its ``source_id`` and a
one-line description of the row it comes from.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> search_entities(load_tables(), "EUV").iloc[0]["id"]
'euv-lithography'
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pandas as pd

from chiprisk.graph.io.contract import COUNTRIES, TABLES
from chiprisk.graph.io.countries import ISO_COUNTRIES, country_label
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.labels import named_rows

__all__ = ["describe_row", "entity_facts", "search_entities"]


def search_entities(tables: Tables, text: str) -> pd.DataFrame:
    """Entities whose id or name contains ``text`` (case-insensitive).

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    text : str
        What to look for.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (table), ``id``, ``name``; exact id matches first,
        then prefix matches, then the rest; close spellings when nothing
        contains the text.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> search_entities(load_tables(), "nvidia-h100").iloc[0].tolist()[:2]
    ['inputs', 'nvidia-h100']
    """
    needle = text.strip().lower()
    rows = list(named_rows(tables))
    rows += [(COUNTRIES, c, country_label(c)) for c in sorted(ISO_COUNTRIES)]
    hits = []
    for kind, ident, name in rows:
        i, n = ident.lower(), str(name).lower()
        if needle == i:
            rank = 0
        elif i.startswith(needle) or n.startswith(needle):
            rank = 1
        elif needle in i or needle in n:
            rank = 2
        else:
            continue
        hits.append((rank, kind, ident, name))
    if not hits and needle:
        by_id = {r[1].lower(): r for r in rows}
        for m in difflib.get_close_matches(needle, list(by_id), n=5, cutoff=0.6):
            kind, ident, name = by_id[m]
            hits.append((3, kind, ident, name))
    hits.sort(key=lambda h: (h[0], h[1] == COUNTRIES, h[2]))
    return pd.DataFrame([h[1:] for h in hits], columns=["kind", "id", "name"])


def entity_facts(
    tables: Tables, entity_id: str, label: Callable[[str], str | None]
) -> pd.DataFrame:
    """Everything known about one (known) entity, each fact with its source.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    entity_id : str
        An id of the rows or an ISO country code (checked by the caller).
    label : callable
        Entity id -> readable name or None (the facade's ``kg.label``).

    Returns
    -------
    pandas.DataFrame
        Columns ``section`` (``attribute`` for the entity's own row, else
        ``<table>.<column>`` of a row that refers to it), ``field``,
        ``value``, ``label`` (readable name where ``value`` is an id) and
        ``source_id``.

    Notes
    -----
    One pass over every reference column of every table: O(rows).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> from chiprisk.graph.model.labels import entity_labels
    >>> t = load_tables()
    >>> facts = entity_facts(t, "asml", entity_labels(t).get)
    >>> facts.iloc[0][["section", "field"]].tolist()
    ['attribute', 'id']
    """

    def label_of(value: object) -> str | None:
        return label(value) if isinstance(value, str) else None

    kind = tables.kind_of(entity_id)
    out = []
    if kind in TABLES:
        df = tables[kind]
        row = df[df["id"] == entity_id].iloc[0]
        src = row.get("source_id")
        for col in df.columns:
            v = row[col]
            if col == "source_id" or not _has(v):
                continue
            out.append(("attribute", col, _plain(v), label_of(v), src))
    elif kind == "scenarios":
        sc = tables.scenarios
        row = sc[sc["id"] == entity_id].iloc[0]
        for col in ("name", "severity", "duration_weeks", "probability", "rationale"):
            if row[col] is not None:
                out.append(("attribute", col, row[col], None, row["source_id"]))
        for t in row["targets"]:
            ident = t.partition(":")[2]
            out.append(("attribute", "target", t, label(ident), row["source_id"]))
    elif kind == COUNTRIES:
        out.append(("attribute", "name", country_label(entity_id), None, None))
    for table in TABLES.values():
        df = tables[table.name]
        if df.empty:
            continue
        for col in table.columns:
            if col.kind not in ("ref", "countries", "country") or col.name == "source_id":
                continue
            s = df[col.name]
            mask = (
                s.str.split(";").apply(lambda xs: entity_id in xs if xs else False)
                if (col.kind == "countries")
                else (s == entity_id)
            )
            for _, r in df[mask.fillna(False).astype(bool)].iterrows():
                ref_id = r["id"] if "id" in r else r.get("product")
                if table.name == "requirements":
                    ref_id = r["product"] if col.name == "input" else r["input"]
                if table.name == "fx_rates":
                    continue
                out.append(
                    (
                        f"{table.name}.{col.name}",
                        describe_row(table.name, r),
                        ref_id,
                        label_of(ref_id),
                        r.get("source_id"),
                    )
                )
    return pd.DataFrame(out, columns=["section", "field", "value", "label", "source_id"])


def describe_row(table: str, r: pd.Series) -> str:
    """A one-line description of a row of ``table``, as :func:`entity_facts` shows it.

    Parameters
    ----------
    table : str
        The contract table the row comes from.
    r : pandas.Series
        The row.

    Returns
    -------
    str
        Supplies: supplier, input, buyer, amount, basis and year;
        requirements and policy actions: what they say; else the kind and name.

    Examples
    --------
    >>> describe_row("requirements", pd.Series({"product": "p", "input": "i"}))
    'p requires i'
    >>> describe_row("sites", pd.Series({"name": "Fab 18"}))
    'site: Fab 18'
    """
    if table == "supplies":
        if _has(r["share"]):
            amount = f"{r['share']:g}%"
        elif _has(r["share_min"]) or _has(r["share_max"]):
            lo = f"{r['share_min']:g}" if _has(r["share_min"]) else "?"
            hi = f"{r['share_max']:g}" if _has(r["share_max"]) else "?"
            amount = f"{lo}-{hi}%"
        elif _has(r["share_qual"]):
            amount = str(r["share_qual"])
        else:
            amount = f"{r['capacity']:g} {r['capacity_unit']}"
        buyer = f" for {r['buyer']}" if _has(r["buyer"]) else ""
        return f"{r['supplier']} -> {r['input']}{buyer}: {amount} ({r['basis']}, {r['year']})"
    if table == "requirements":
        return f"{r['product']} requires {r['input']}"
    if table == "policy_actions":
        money = f" {r['amount']:,.0f} {r['currency']}" if _has(r["amount"]) else ""
        return f"{r['policy']} {r['action']} {r['target']}{money}"
    name = r.get("name") if _has(r.get("name")) else r.get("title")
    return f"{table.removesuffix('s')}: {name or ''}"


def _plain(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _has(v: object) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v)
