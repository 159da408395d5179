"""Rows -> the supply network (networkx view).

The network is built straight from the checked rows, never by walking RDF
triples. Material flows from supplier to input to product: a ``supplies``
edge goes supplier -> input (one per supply row, keyed by its id), a
``requires`` edge goes input -> the product that needs it.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> g = to_networkx(load_tables())
>>> g.nodes["euv-lithography"]["kind"]
'input'
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd

from chiprisk.graph.io.countries import ISO_COUNTRIES, country_label
from chiprisk.graph.io.loader import Tables
from chiprisk.ontology.namespaces import RESIDUAL_ID


def _clean(d: dict) -> dict:
    return {
        k: (int(v) if isinstance(v, float) and v.is_integer() and k == "year" else v)
        for k, v in d.items()
        if v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))
    }


def to_networkx(tables: Tables) -> nx.MultiDiGraph:
    """Build the networkx view of the supply network.

    Nodes carry ``kind`` (``organization``, ``site``, ``input``, ``country``,
    ``residual``) and ``label``; inputs also ``stage`` and ``input_kind``;
    sites ``country``, ``status``; organisations ``country``.
    Edges carry ``relation``: ``supplies`` (supplier -> input; attributes of
    the supply row, key = supply id), ``requires`` (input -> product),
    ``operated_by`` (site -> organisation), ``subsidiary_of`` (organisation ->
    parent), ``located_in`` (site -> country), ``headquartered_in``.

    Notes
    -----
    O(rows). A MultiDiGraph, because one supplier can have several supply
    rows (years, bases) for one input.
    """
    g = nx.MultiDiGraph()
    for r in tables["organizations"].itertuples(index=False):
        g.add_node(r.id, kind="organization", label=r.name, country=r.hq_country)
    for r in tables["sites"].itertuples(index=False):
        g.add_node(
            r.id, kind="site", label=r.name, country=r.country, status=r.status, site_kind=r.kind
        )
    for r in tables["inputs"].itertuples(index=False):
        g.add_node(r.id, kind="input", label=r.name, stage=r.stage, input_kind=r.kind)
    countries = set(tables["organizations"]["hq_country"]) | set(tables["sites"]["country"])
    countries |= {s for s in tables["supplies"]["supplier"] if s in ISO_COUNTRIES}
    for c in sorted(countries):
        g.add_node(c, kind="country", label=country_label(c))
    if (tables["supplies"]["supplier"] == RESIDUAL_ID).any():
        g.add_node(RESIDUAL_ID, kind="residual", label="Others")
    for r in tables["organizations"].itertuples(index=False):
        g.add_edge(r.id, r.hq_country, relation="headquartered_in")
        if r.parent is not None:
            g.add_edge(r.id, r.parent, relation="subsidiary_of")
    for r in tables["sites"].itertuples(index=False):
        g.add_edge(r.id, r.operator, relation="operated_by")
        g.add_edge(r.id, r.country, relation="located_in")
    for r in tables["requirements"].itertuples(index=False):
        g.add_edge(r.input, r.product, relation="requires", source_id=r.source_id)
    cols = [c for c in tables["supplies"].columns if c not in ("supplier", "input")]
    for rec in tables["supplies"].to_dict("records"):
        attrs = _clean({c: rec[c] for c in cols})
        g.add_edge(rec["supplier"], rec["input"], key=rec["id"], relation="supplies", **attrs)
    return g
