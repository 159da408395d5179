"""Readable names of entity ids, taken from the checked rows (and ISO country names).

Organisations, sites, inputs, blocs and policies are named by their ``name``
column, sources by their ``title``, scenarios by their ``name``; an ISO 3166-1
code not used as an id is named by :func:`chiprisk.graph.io.countries.country_label`.
The facade's ``kg.label`` and the report's frames both use these functions,
so an id reads the same everywhere.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> labels = entity_labels(load_tables())
>>> label_of(labels, "tsmc"), label_of(labels, "KR"), label_of(labels, "nope")
('Taiwan Semiconductor Manufacturing Company', 'South Korea', None)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from chiprisk.graph.io.countries import ISO_COUNTRIES, country_label
from chiprisk.graph.io.loader import Tables

__all__ = ["NAME_COLUMNS", "entity_labels", "label_of", "named_rows"]

NAME_COLUMNS: dict[str, str] = {
    "organizations": "name",
    "sites": "name",
    "inputs": "name",
    "blocs": "name",
    "policies": "name",
    "sources": "title",
}
"""The column that names the rows of each table with an ``id``."""


def named_rows(tables: Tables) -> Iterator[tuple[str, str, object]]:
    """Every named entity of the rows as ``(table, id, name)``, scenarios last.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).

    Returns
    -------
    iterator of tuple
        ``(table, id, name)`` in :data:`NAME_COLUMNS` order, then ``scenarios``.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> next(named_rows(load_tables()))[0]
    'organizations'
    """
    for table, col in NAME_COLUMNS.items():
        df = tables[table]
        for ident, name in zip(df["id"], df[col], strict=True):
            yield table, ident, name
    sc = tables.scenarios
    for ident, name in zip(sc["id"], sc["name"], strict=True):
        yield "scenarios", ident, name


def entity_labels(tables: Tables) -> dict[str, str]:
    """Entity id -> readable name, for every named row (countries aside).

    Parameters
    ----------
    tables : Tables
        Checked rows.

    Returns
    -------
    dict of str to str
        One entry per id of the tables in :data:`NAME_COLUMNS` and per scenario.

    Notes
    -----
    O(rows); callers that label many ids build this once and keep it.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> entity_labels(load_tables())["euv-lithography"]
    'EUV lithography scanners'
    """
    return {ident: name for _table, ident, name in named_rows(tables)}


def label_of(labels: Mapping[str, str], entity_id: str) -> str | None:
    """The readable name of an entity id (None when unknown).

    Parameters
    ----------
    labels : mapping
        From :func:`entity_labels`.
    entity_id : str
        Any id of the rows, or an ISO 3166-1 alpha-2 country code.

    Returns
    -------
    str or None
        The row's name; else the country's name for an ISO code; else None.

    Examples
    --------
    >>> label_of({"x": "The X"}, "x"), label_of({}, "TW")
    ('The X', 'Taiwan')
    """
    return labels.get(entity_id) or (
        country_label(entity_id) if entity_id in ISO_COUNTRIES else None
    )
