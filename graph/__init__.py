"""chiprisk.graph: the library analysts import.

Names are re-exported lazily (PEP 562), so importing a light submodule such as
``chiprisk.graph.io.datadir`` does not pull in pandas or rdflib.

>>> import chiprisk.graph as cg
>>> kg = cg.load()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from chiprisk.graph import _moved

_moved.install()  # old module paths (chiprisk.graph.loader, ...) for one release

_EXPORTS = {
    "ChipriskError": "chiprisk.graph.errors",
    "DataError": "chiprisk.graph.errors",
    "DataErrors": "chiprisk.graph.errors",
    "QueryError": "chiprisk.graph.errors",
    "UsageError": "chiprisk.graph.errors",
    "KnowledgeGraph": "chiprisk.graph.knowledge_graph",
    "load": "chiprisk.graph.knowledge_graph",
    "Tables": "chiprisk.graph.io.loader",
    "load_tables": "chiprisk.graph.io.loader",
    "ValidationReport": "chiprisk.graph.rdf.validate",
    "validate_graph": "chiprisk.graph.rdf.validate",
    "CR": "chiprisk.ontology.namespaces",
    "CRID": "chiprisk.ontology.namespaces",
    "iri_for": "chiprisk.ontology.namespaces",
    "iri": "chiprisk.ontology.namespaces",
}

__all__ = [
    "CR",
    "CRID",
    "ChipriskError",
    "DataError",
    "DataErrors",
    "KnowledgeGraph",
    "QueryError",
    "Tables",
    "UsageError",
    "ValidationReport",
    "iri",
    "iri_for",
    "load",
    "load_tables",
    "validate_graph",
]

if TYPE_CHECKING:
    from chiprisk.graph.errors import ChipriskError, DataError, DataErrors, QueryError, UsageError
    from chiprisk.graph.io.loader import Tables, load_tables
    from chiprisk.graph.knowledge_graph import KnowledgeGraph, load
    from chiprisk.graph.rdf.validate import ValidationReport, validate_graph
    from chiprisk.ontology.namespaces import CR, CRID, iri_for

    iri = iri_for


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'chiprisk.graph' has no attribute {name!r}")
    attr = "iri_for" if name == "iri" else name
    value = getattr(import_module(_EXPORTS[name]), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
