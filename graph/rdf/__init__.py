"""The rdf wing: rows -> RDF triples, and everything that speaks RDF or SPARQL.

It owns the triples built from the checked rows, safe reading of RDF files,
exports (Turtle, JSON-LD, TriG, GraphML, CSV folders), SPARQL queries with
bound parameters, the read-only endpoint, pushes to SPARQL 1.1 stores, SHACL
validation and the derived scores as RDF. It may import the io and model
wings (and errors, ontology), never algorithms or report.

The module ``chiprisk.graph.rdf`` was once a single file; its names still
resolve here, from :mod:`chiprisk.graph.rdf.triples`, with a
``DeprecationWarning`` (they go in the next release).
"""

from __future__ import annotations

import warnings
from importlib import import_module


def __getattr__(name: str) -> object:
    if name.startswith("__"):
        raise AttributeError(name)
    module = import_module("chiprisk.graph.rdf.triples")
    if not hasattr(module, name):
        raise AttributeError(f"module 'chiprisk.graph.rdf' has no attribute {name!r}")
    warnings.warn(
        f"chiprisk.graph.rdf.{name} moved to chiprisk.graph.rdf.triples.{name}; "
        "the old path goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(module, name)
