"""SPARQL on the knowledge graph with Oxigraph: rdflib's answers, without rdflib's engine.

:func:`run_query_store` answers a SELECT or ASK from an in-memory Oxigraph
store (:func:`chiprisk.graph.rdf.ox_store.build_store`, ~0.04 s to build
where rdflib's graph takes 0.17 s; the named queries take milliseconds where
rdflib's engine, 0.12 s to import, takes 20-450 ms). It keeps every guarantee
of :func:`chiprisk.graph.rdf.query.run_query`:

- **Nothing is fetched.** Oxigraph would call a ``SERVICE`` endpoint over
  HTTP, and rdflib's parse of a text is no proof of Oxigraph's: they read
  ``\\u`` escapes differently, so a SERVICE can hide, for rdflib, inside what
  it takes for one long string. Oxigraph therefore only runs a text in which
  the letters ``service`` occur nowhere, in any case, before or after ``\\u``
  escapes are expanded (:func:`rdflib_only`): no reading of such a text holds
  the keyword. Any other text is answered by rdflib, which checks and runs
  one and the same parse (SERVICE refused). ``FROM`` and ``FROM NAMED`` fetch
  nothing in Oxigraph and are ignored here, as rdflib ignores them on a graph.
- **SELECT and ASK only**, the project's prefixes predeclared, values bound
  as RDF terms (Oxigraph's ``substitutions``), never pasted into the text.
- **The same frame**: columns in the SELECT's order, crid IRIs as ids,
  literals as the Python values rdflib's ``toPython`` gives (decimals as
  floats), unbound as None.
- **The same errors**: what Oxigraph will not run (a syntax error, an
  update, a CONSTRUCT or DESCRIBE, a binding of a variable the SELECT does not
  project) and a ``GRAPH`` pattern (an error on a graph without named graphs)
  go to rdflib, which answers or fails exactly as before.

Where the engines differ: rdflib leaves out of
``ORDER BY`` a GROUP BY key the SELECT does not project, Oxigraph sorts by
it (SPARQL 1.1 says so); ``SELECT *`` lists variables alphabetically here, in
an order that changed from run to run with rdflib; the store keeps numbers,
booleans and dates as values, so ``STR()`` of ``"0.0"^^xsd:decimal`` is
``"0"``; SUM/AVG/MIN/MAX over a group where the value is unbound in some
rows is unbound here (SPARQL 1.1 section 18.5: an error), rdflib sums the
rest (the named queries guard with COALESCE); an alternative path ``a|b``
reaching a node both ways gives it once here, twice in rdflib (rdflib is
right); ``ROUND`` of a decimal is a float here, an int in rdflib; a BIND
onto a bound parameter gives no rows here, rdflib lets the BIND win.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.rdf.ox_store import build_store
>>> from chiprisk.ontology.namespaces import iri_for
>>> store = build_store(load_tables())
>>> q = "SELECT ?name WHERE { ?o rdfs:label ?name ; cr:headquarteredIn ?c }"
>>> "ASML Holding" in set(run_query_store(store, q, {"c": iri_for("NL")})["name"])
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from chiprisk.graph.errors import QueryError
from chiprisk.graph.rdf.ox_store import XSD, build_store
from chiprisk.ontology.namespaces import CRID_IRI

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

__all__ = [
    "kg_named_query",
    "kg_query",
    "ox_term",
    "py_value",
    "rdflib_only",
    "run_query_store",
    "store_property",
]

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_GRAPH = re.compile(r"(?<![\w:?$\-])graph(?![\w\-])")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _kg_store(kg) -> ox.Store:
    """The knowledge graph's triples in an in-memory Oxigraph store, built on first use."""
    return build_store(kg.tables)


store_property = cached_property(_kg_store)
"""``KnowledgeGraph.ox_store``: the store of :func:`build_store`, built once per graph."""


# ------------------------------------------------------------------- terms


def ox_term(term: object) -> object:
    """An rdflib term as a pyoxigraph term.

    Examples
    --------
    >>> from rdflib import Literal
    >>> ox_term(Literal(3)).datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        dt = term.datatype
        return ox.Literal(str(term), datatype=None if dt is None else ox.NamedNode(str(dt)))
    raise TypeError(f"not an RDF term: {term!r}")


def _rdflib_value(term) -> object:
    """What rdflib's result conversion gives for a pyoxigraph literal (the slow, exact way)."""
    from rdflib import Literal, URIRef

    from chiprisk.graph.rdf.query import _py

    if term.language:
        return _py(Literal(term.value, lang=term.language))
    dt = term.datatype.value
    return _py(Literal(term.value, datatype=None if dt == XSD + "string" else URIRef(dt)))


def py_value(term: object) -> object:
    """A pyoxigraph term as the Python value rdflib's path gives (see :func:`run_query_store`).

    crid IRIs become ids, other IRIs strings, blank nodes ``_:label``,
    literals what rdflib's ``toPython`` gives (decimals as floats), None stays None.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> dec = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    >>> py_value(ox.NamedNode(CRID_IRI + "tsmc")), py_value(ox.Literal("2.50", datatype=dec))
    ('tsmc', 2.5)
    """
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return iri[len(CRID_IRI) :] if iri.startswith(CRID_IRI) else iri
    if isinstance(term, ox.Literal):
        if not term.language:
            value, dt = term.value, term.datatype.value
            # the common datatypes in their plain lexical forms; the rest as rdflib does
            if dt == XSD + "string":
                return value
            if dt == XSD + "integer" and _INTEGER.fullmatch(value):
                return int(value)
            if dt in (XSD + "decimal", XSD + "double") and _NUMBER.fullmatch(value):
                return float(value)
            if dt == XSD + "boolean" and value in ("true", "false"):
                return value == "true"
        return _rdflib_value(term)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# ------------------------------------------------------------------- query


def _codepoints(text: str) -> str:
    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group()

    return _CODEPOINT.sub(one, text)


def rdflib_only(text: str) -> bool:
    """True when a query text must be answered by rdflib, not Oxigraph.

    That is when the letters ``service`` occur anywhere in it (case folded,
    NFKC-normalised, before or after ``\\u`` escapes are expanded), so that
    no reading of the text by Oxigraph can hold a SERVICE call; or when it
    may hold a ``GRAPH`` pattern (rdflib's error on a graph without named
    graphs is kept).

    Examples
    --------
    >>> rdflib_only("SELECT ?x { ?x cr:serviceDecayPerYear ?d }")
    True
    >>> rdflib_only("SELECT ?x { ?x prov:wasDerivedFrom ?s }  # no graph patterns here")
    False
    """
    for variant in {text, _codepoints(text)}:
        for folded in (variant.casefold(), unicodedata.normalize("NFKC", variant).casefold()):
            if "service" in folded:
                return True
            if _GRAPH.search(_without_comments(folded)):
                return True
    return False


def _without_comments(text: str) -> str:
    """``text`` without the comments that are sure to be comments.

    With no long string in the text, no line starts inside a string or an IRI,
    so a ``#`` opens a comment when it starts a line, or when its line has no
    quote, ``<`` or backslash before it. (Kept whole if it has long strings.)
    """
    if '"""' in text or "'''" in text:
        return text
    lines = []
    for line in re.split(r"[\r\n]", text):
        head, sep, _ = line.partition("#")
        if sep and (not head.strip(" \t") or not any(c in head for c in "\"'<\\")):
            line = head
        lines.append(line)
    return "\n".join(lines)


def _rdflib_answer(text: str, bindings: dict | None, graph: Callable[[], Graph]) -> pd.DataFrame:
    from chiprisk.graph.rdf.query import prepare_query, run_prepared

    prepared, form = prepare_query(text)  # refuses SERVICE, updates, other forms
    return run_prepared(graph(), prepared, form, bindings)


def _graph_getter(store: ox.Store, graph: Graph | Callable[[], Graph] | None) -> Callable:
    import pyoxigraph as ox
    from rdflib import Graph

    if isinstance(graph, Graph):
        return lambda: graph
    if graph is not None:
        return graph

    def from_store() -> Graph:
        nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return Graph().parse(data=nt, format="nt")

    return from_store


def run_query_store(
    store: ox.Store,
    text: str,
    bindings: dict[str, object] | None = None,
    graph: Graph | Callable[[], Graph] | None = None,
) -> pd.DataFrame:
    """Run a SPARQL SELECT or ASK on an Oxigraph store; the frame rdflib's path gives.

    Parameters
    ----------
    store : pyoxigraph.Store
        The data, in the default graph (:func:`build_store`).
    text : str
        The query; the project's prefixes are predeclared.
    bindings : dict, optional
        Variable name (without ``?``) -> value, bound as RDF terms.
    graph : rdflib.Graph or callable, optional
        The same triples for rdflib, or a function that makes them, for the
        texts rdflib answers (see :func:`rdflib_only`); by default read back
        from the store.

    Returns
    -------
    pandas.DataFrame
        One column per projected variable (``ask`` for an ASK query).

    Raises
    ------
    QueryError
        As :func:`chiprisk.graph.rdf.query.run_query` does.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> q = "SELECT ?x WHERE { BIND(?n + 1 AS ?x) }"
    >>> int(run_query_store(ox.Store(), q, {"n": 41}).iloc[0, 0])
    42
    """
    import pyoxigraph as ox

    from chiprisk.graph.rdf.query import solutions_frame, to_term
    from chiprisk.ontology.namespaces import PREFIXES

    get_graph = _graph_getter(store, graph)
    if rdflib_only(text):
        return _rdflib_answer(text, bindings, get_graph)
    subs = {ox.Variable(k): ox_term(to_term(v)) for k, v in (bindings or {}).items()}
    try:
        result = store.query(
            text,
            prefixes={p: str(ns) for p, ns in PREFIXES.items()},
            substitutions=subs or None,
            default_graph=ox.DefaultGraph(),  # FROM and FROM NAMED are ignored, as rdflib does
            named_graphs=[],
        )
    except SyntaxError:  # rdflib's message (or its answer, where its grammar is wider)
        return _rdflib_answer(text, bindings, get_graph)
    except RuntimeError as exc:
        if subs:  # a binding of a variable the SELECT does not project: rdflib binds it
            return _rdflib_answer(text, bindings, get_graph)
        raise QueryError(f"query failed: {exc}") from None
    except Exception as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return pd.DataFrame({"ask": [bool(result)]})
    if not isinstance(result, ox.QuerySolutions):  # CONSTRUCT, DESCRIBE: rdflib's refusal
        return _rdflib_answer(text, bindings, get_graph)
    names = [v.value for v in result.variables]
    try:
        rows = [[py_value(t) for t in solution] for solution in result]
    except Exception as exc:  # evaluation is lazy: errors surface while iterating
        raise QueryError(f"query failed: {exc}") from None
    return solutions_frame(names, rows)


def kg_query(kg, text: str, bindings: dict[str, object] | None = None) -> pd.DataFrame:
    """Run a SPARQL SELECT/ASK on a knowledge graph's store (``kg.ox_store``).

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> kg_query(cg.load(), "ASK { crid:tsmc a cr:Foundry }")["ask"].item()
    True
    """
    return run_query_store(kg.ox_store, text, bindings, lambda: kg.rdf)


def kg_named_query(kg, name: str, params: dict[str, str]) -> pd.DataFrame:
    """Run a named query (:func:`~chiprisk.graph.rdf.query.named_bindings`) on a knowledge graph.

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> "nvidia-h100" in set(kg_named_query(cg.load(), "bill-of-materials", {})["product"])
    True
    """
    from chiprisk.graph.rdf.query import named_bindings

    text, bindings = named_bindings(name, params)
    return kg_query(kg, text, bindings)
