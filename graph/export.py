"""Serialise the knowledge graph to RDF files.

Examples
--------
>>> from rdflib import Graph
>>> from chiprisk.graph.export import serialize
>>> serialize(Graph(), "nt")
b''
"""

from __future__ import annotations

from pathlib import Path

from chiprisk.graph.atomic import atomic_write
from chiprisk.graph.errors import UsageError
from chiprisk.ontology.namespaces import PREFIXES
from rdflib import Dataset, Graph

RDF_FORMATS = {
    "turtle": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".rdf"),
}
"""User-facing format name -> (rdflib serializer, file suffix)."""

JSONLD_CONTEXT = {p: str(ns) for p, ns in PREFIXES.items()}


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise a graph in one of :data:`RDF_FORMATS`.

    JSON-LD is compacted with the project's prefixes as ``@context`` (inline,
    so no reader needs to fetch anything).
    """
    if fmt not in RDF_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
    name = RDF_FORMATS[fmt][0]
    if name == "json-ld":
        return graph.serialize(format=name, context=JSONLD_CONTEXT, auto_compact=True).encode()
    out = graph.serialize(format=name, encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()


def serialize_trig(dataset: Dataset) -> bytes:
    """Serialise a dataset with named graphs as TriG."""
    out = dataset.serialize(format="trig", encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()


def write_rdf(graph: Graph, fmt: str, path: str | Path) -> Path:
    """Serialise ``graph`` and write it atomically to ``path``."""
    payload = serialize(graph, fmt)
    atomic_write(path, payload)
    return Path(path)
