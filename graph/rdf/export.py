"""Write the knowledge graph out: RDF files, TriG by source, GraphML, CSV tables.

Every writer is atomic: a file is written to a temporary name and renamed, and
a CSV export is written to a temporary folder that is renamed into place, so
a reader never sees half an export.

Formats (:data:`FORMATS`): ``turtle``, ``nt``, ``jsonld`` (compacted with the
project's published ``@context``, inlined so no reader fetches anything),
``xml`` (RDF/XML), ``trig`` (one named graph per source: the graph IRI is the
source's IRI, so provenance survives a round trip), ``graphml`` (the supply
network of :mod:`chiprisk.graph.model.network`) and ``csv`` (a data directory in the
file contract, loadable with ``chiprisk --data DIR``).

Turtle and N-Triples are written by Oxigraph
(:func:`chiprisk.graph.rdf.ox_store.serialize_triples`: the same triples as
rdflib's graph, in a tenth of the time); the other RDF formats by rdflib.

Examples
--------
>>> from rdflib import Graph
>>> from chiprisk.graph.rdf.export import serialize
>>> serialize(Graph(), "nt")
b''
"""

from __future__ import annotations

import io
import json
import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rdflib import Dataset, Graph, URIRef

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.atomic import atomic_write
from chiprisk.graph.io.datadir_write import write_csv_tables
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.rdf.ox_store import OX_FORMATS, serialize_triples
from chiprisk.ontology import resources
from chiprisk.ontology.namespaces import PREFIXES, iri_for

if TYPE_CHECKING:  # networkx (50 ms) loads for GraphML only
    import networkx as nx

RDF_FORMATS = {
    "turtle": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".rdf"),
}
"""User-facing RDF graph format name -> (rdflib serializer, file suffix)."""

FORMATS = (*RDF_FORMATS, "trig", "graphml", "csv")
"""Every export format, in the order the CLI lists them."""

DEFAULT_GRAPH_NOTE = (
    "triples with no source (country labels, the residual) stay in the default graph"
)


@cache
def jsonld_context() -> dict:
    """The published JSON-LD ``@context`` (``ontology/context.jsonld``) as a dict.

    Examples
    --------
    >>> jsonld_context()["cr"]
    'https://w3id.org/chiprisk/ontology#'
    """
    return json.loads(resources.jsonld_context_text())["@context"]


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise a graph in one of :data:`RDF_FORMATS`.

    JSON-LD is compacted with the published ``@context``, inlined in the
    document (so no reader needs to fetch anything).

    Raises
    ------
    UsageError
        For a format that is not an RDF graph format.
    """
    if fmt not in RDF_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
    name = RDF_FORMATS[fmt][0]
    if name == "json-ld":
        out = graph.serialize(format=name, context=jsonld_context(), auto_compact=True)
        return out.encode("utf-8")
    out = graph.serialize(format=name, encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()


def dataset_by_source(tables: Tables, extra: Graph | None = None, extra_iri: str = "") -> Dataset:
    """The ABox as a dataset with one named graph per source.

    Each triple goes into the graph named by the IRI of the source it derives
    from (:func:`chiprisk.graph.rdf.triples`); triples with no source (country
    labels, the residual supplier) stay in the default graph. ``extra`` (for
    example derived scores) becomes the named graph ``extra_iri``.

    Notes
    -----
    O(triples).
    """
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
    from rdflib.namespace import NamespaceManager

    from chiprisk.graph.rdf.triples import triples

    ds = Dataset(default_union=False)
    ds.namespace_manager = NamespaceManager(ds, bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    graphs: dict[str | None, Graph] = {}
    for triple, src in triples(tables):
        g = graphs.get(src)
        if g is None:
            g = ds.get_context(DATASET_DEFAULT_GRAPH_ID) if src is None else ds.graph(iri_for(src))
            graphs[src] = g
        g.add(triple)
    if extra is not None and len(extra):
        g = ds.graph(URIRef(extra_iri))
        for t in extra:
            g.add(t)
    return ds


def serialize_trig(dataset: Dataset) -> bytes:
    """Serialise a dataset with named graphs as TriG."""
    out = dataset.serialize(format="trig", encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()


def write_rdf(graph: Graph, fmt: str, path: str | Path) -> Path:
    """Serialise ``graph`` and write it atomically to ``path``."""
    payload = serialize(graph, fmt)
    atomic_write(path, payload)
    return Path(path)


# ------------------------------------------------------------------ GraphML


def _graphml_value(value: object) -> object | None:
    """A GraphML-safe scalar: lists joined with ';', None/NaN dropped."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple | set):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def graphml_safe(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` whose attributes are GraphML scalars.

    Lists become ``;``-joined strings and missing values are dropped. Decimal
    attributes are floats everywhere, so every GraphML key has one type. A
    node whose id is missing (NaN, as an empty ``parent`` cell can produce)
    is dropped with its edges.
    """
    import networkx as nx

    floats = {"share", "share_min", "share_max", "capacity"}

    def clean(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            v = _graphml_value(v)
            if v is None:
                continue
            if k in floats and isinstance(v, int | float) and not isinstance(v, bool):
                v = float(v)
            out[k] = v
        return out

    def missing(n: object) -> bool:
        return _graphml_value(n) is None

    h = nx.MultiDiGraph()
    h.add_nodes_from((n, clean(d)) for n, d in g.nodes(data=True) if not missing(n))
    h.add_edges_from(
        (u, v, k, clean(d))
        for u, v, k, d in g.edges(keys=True, data=True)
        if not (missing(u) or missing(v))
    )
    return h


def serialize_graphml(g: nx.MultiDiGraph) -> bytes:
    """The supply network as GraphML (edge keys kept as GraphML edge ids)."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(graphml_safe(g), buf, encoding="utf-8", edge_id_from_attribute=None)
    return buf.getvalue()


# ------------------------------------------------------------------ facade


def export(
    kg,
    fmt: str,
    path: str | Path | None,
    *,
    with_ontology: bool = False,
    include_derived: bool = False,
    force: bool = False,
) -> bytes | Path:
    """Export a knowledge graph in one of :data:`FORMATS`.

    Parameters
    ----------
    kg : KnowledgeGraph
    fmt : str
        One of :data:`FORMATS`.
    path : str or Path or None
        Where to write (atomically). None returns the bytes instead (not for
        ``csv``, which is a folder).
    with_ontology : bool
        Add the ontology (TBox) to RDF formats (TriG: in the default graph).
    include_derived : bool
        Add computed concentration scores (:mod:`chiprisk.graph.rdf.derived`) as
        RDF (TriG: in the named graph :data:`~chiprisk.graph.rdf.derived.DERIVED_GRAPH`).

    Returns
    -------
    bytes or Path

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> b"crid:tsmc" in export(cg.load(), "turtle", None)
    True
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "csv":
        if path is None or str(path) == "-":
            raise UsageError("--format csv writes a folder: give -o DIR")
        return write_csv_tables(kg.tables, path, force=force)
    if fmt == "graphml":
        payload = serialize_graphml(kg.to_networkx())
    else:
        derived = None
        if include_derived:
            from chiprisk.graph.rdf.derived import concentration_graph

            derived = concentration_graph(kg)
        if fmt == "trig":
            from chiprisk.graph.rdf.derived import DERIVED_GRAPH

            ds = dataset_by_source(kg.tables, derived, str(DERIVED_GRAPH))
            if with_ontology:
                ds.default_context.parse(data=resources.ontology_text(), format="turtle")
            payload = serialize_trig(ds)
        elif fmt in OX_FORMATS:  # Oxigraph writes the same triples 10x faster than rdflib
            payload = serialize_triples(
                kg.tables,
                fmt,
                extra=derived if derived is not None else (),
                turtle=[resources.ontology_text()] if with_ontology else (),
            )
        else:
            graph = kg.rdf
            if with_ontology or derived is not None:
                merged = Graph(bind_namespaces="none")
                for prefix, ns in graph.namespaces():
                    merged.bind(prefix, ns)
                for t in graph:
                    merged.add(t)
                if derived is not None:
                    for t in derived:
                        merged.add(t)
                if with_ontology:
                    merged.parse(data=resources.ontology_text(), format="turtle")
                graph = merged
            payload = serialize(graph, fmt)
    if path is None or str(path) == "-":
        return payload
    atomic_write(path, payload)
    return Path(path)
