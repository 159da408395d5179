"""SPARQL over the knowledge graph, with user values bound as RDF terms.

Values never reach the query text: they are turned into RDF terms and passed
as ``initBindings``, so a value cannot change what the query does.

Examples
--------
>>> from rdflib import Graph
>>> from chiprisk.graph.rdf.query import run_query
>>> int(run_query(Graph(), "SELECT ?x WHERE { BIND(?n + 1 AS ?x) }", {"n": 41}).iloc[0, 0])
42
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from chiprisk.graph.errors import QueryError, UsageError
from chiprisk.ontology import resources
from chiprisk.ontology.namespaces import CRID, PREFIXES, id_for, iri_for


def to_term(value: object, kind: str = "auto") -> URIRef | Literal:
    """Turn a user value into an RDF term.

    Parameters
    ----------
    value : object
        A Python value or the string a user typed.
    kind : {"auto", "iri", "string", "integer", "decimal"}
        ``iri`` accepts an entity id (``tsmc``, ``TW``), a prefixed name with
        one of the predeclared prefixes (``crid:tsmc``) or an absolute IRI;
        any other prefix is a :class:`UsageError`.

    Examples
    --------
    >>> to_term("tsmc", "iri")
    rdflib.term.URIRef('https://w3id.org/chiprisk/id/tsmc')
    >>> to_term("crid:tsmc", "iri") == to_term("tsmc", "iri")
    True
    >>> to_term("65", "decimal")
    rdflib.term.Literal('65', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    if isinstance(value, URIRef | Literal):
        return value
    if kind == "iri":
        text = str(value)
        if "://" in text or text.startswith("urn:"):
            if any(c in text for c in '<>"{}|\\^` \n'):
                raise UsageError(f"{text!r} is not a valid IRI")
            return URIRef(text)
        prefix, sep, local = text.partition(":")
        if sep:  # a prefixed name: ids never hold ":"
            if prefix not in PREFIXES:
                known = ", ".join(f"{p}:" for p in PREFIXES)
                raise UsageError(
                    f"{text!r}: unknown prefix {prefix + ':'!r} (give an id such as "
                    f"'tsmc', an absolute IRI, or one of the prefixes {known})"
                )
            if prefix == "crid":
                return iri_for(local)
            return URIRef(PREFIXES[prefix][local])
        return iri_for(text)
    if kind == "integer":
        try:
            return Literal(int(str(value)), datatype=XSD.integer)
        except ValueError:
            raise UsageError(f"{value!r} is not an integer") from None
    if kind == "decimal":
        try:
            return Literal(Decimal(str(value)), datatype=XSD.decimal)
        except InvalidOperation:
            raise UsageError(f"{value!r} is not a number") from None
    if kind == "string":
        return Literal(str(value))
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int | float | Decimal):
        return Literal(value)
    return Literal(str(value))


def _py(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, URIRef):
        s = str(term)
        return id_for(s) if s.startswith(str(CRID)) else s
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        v = term.toPython()
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, Literal):  # ill-typed literal: keep its text
            return str(v)
        return v
    return str(term)


def prepare_query(text: str) -> tuple[object, str]:
    """Parse a query with rdflib's SPARQL grammar and check that it may run here.

    Parameters
    ----------
    text : str
        The query; the project's prefixes are predeclared.

    Returns
    -------
    tuple
        The prepared query and its form (``SelectQuery`` or ``AskQuery``).

    Raises
    ------
    QueryError
        When the query does not parse, is not a SELECT/ASK, or uses SERVICE.

    Examples
    --------
    >>> prepare_query("ASK { ?s ?p ?o }")[1]
    'AskQuery'
    """
    from rdflib.plugins.sparql import prepareQuery  # 120 ms: only when rdflib answers

    try:
        prepared = prepareQuery(text, initNs={p: ns for p, ns in PREFIXES.items()})
    except Exception as exc:  # rdflib raises pyparsing errors of several kinds
        raise QueryError(f"invalid SPARQL: {exc}") from None
    form = prepared.algebra.name
    if form not in ("SelectQuery", "AskQuery"):
        raise QueryError(f"only SELECT and ASK queries are supported here (got {form})")
    if _uses_service(prepared.algebra):
        raise QueryError(
            "SERVICE (federated query) is not allowed: chiprisk never fetches remote "
            "data; run the query on the remote endpoint (chiprisk.graph.rdf.push.remote_query)"
        )
    return prepared, form


def run_prepared(
    graph: Graph, prepared: object, form: str, bindings: dict[str, object] | None = None
) -> pd.DataFrame:
    """Evaluate a query from :func:`prepare_query` on an rdflib graph (see :func:`run_query`).

    Examples
    --------
    >>> prepared, form = prepare_query("SELECT ?x WHERE { BIND(2 AS ?x) }")
    >>> int(run_prepared(Graph(), prepared, form).iloc[0, 0])
    2
    """
    init = {k: to_term(v) for k, v in (bindings or {}).items()}
    try:
        result = graph.query(prepared, initBindings=init)
        if form == "AskQuery":
            return pd.DataFrame({"ask": [bool(result.askAnswer)]})
        names = [str(v) for v in result.vars]
        # rdflib evaluates lazily: errors surface while iterating, so inside the try.
        rows = [[_py(row[i]) for i in range(len(names))] for row in result]
    except Exception as exc:
        raise QueryError(f"query failed: {exc}") from None
    return solutions_frame(names, rows)


def run_query(graph: Graph, text: str, bindings: dict[str, object] | None = None) -> pd.DataFrame:
    """Run a SPARQL SELECT or ASK on ``graph`` and return a DataFrame.

    The project's prefixes (``cr:``, ``crid:``, ``prov:`` ...) are predeclared.
    IRIs in the ``crid:`` namespace come back as plain ids, literals as Python
    values, unbound values as None. This is rdflib's engine; the knowledge
    graph answers from Oxigraph (:func:`chiprisk.graph.rdf.ox_store.run_query_store`).

    Parameters
    ----------
    graph : rdflib.Graph
    text : str
        The query. UPDATE requests are refused.
    bindings : dict, optional
        Variable name (without ``?``) -> value, bound as RDF terms.

    Raises
    ------
    QueryError
        When the query does not parse or is not a SELECT/ASK.
    """
    prepared, form = prepare_query(text)
    return run_prepared(graph, prepared, form, bindings)


def _uses_service(algebra: object) -> bool:
    """True when a prepared query's algebra has a SERVICE pattern (at any depth)."""
    stack = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if getattr(node, "name", None) == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


def solutions_frame(names: list[str], rows: list[list[object]]) -> pd.DataFrame:
    """Query solutions (Python values) as a DataFrame; all-integer columns become Int64.

    Examples
    --------
    >>> solutions_frame(["y"], [[2024], [None]])["y"].dtype.name
    'Int64'
    """
    columns = {}
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        present = [v for v in values if v is not None]
        if present and all(type(v) is int for v in present):
            columns[name] = pd.array(values, dtype="Int64")
        else:
            columns[name] = pd.array(values, dtype=object)
    return pd.DataFrame(columns, columns=names)


def named_bindings(name: str, params: dict[str, str]) -> tuple[str, dict[str, object]]:
    """Resolve a named query and type its parameters (defaults filled in).

    Raises
    ------
    UsageError
        For an unknown query name or parameter, or a value of the wrong type.
    """
    queries = resources.named_queries()
    if name not in queries:
        from difflib import get_close_matches

        close = get_close_matches(name, list(queries), n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise UsageError(f"unknown named query {name!r}{hint}")
    q = queries[name]
    declared = {p.name: p for p in q.params}
    for key in params:
        if key not in declared:
            allowed = ", ".join(declared) or "none"
            raise UsageError(f"query {name!r} has no parameter {key!r} (parameters: {allowed})")
    bindings: dict[str, object] = {}
    for p in q.params:
        value = params.get(p.name, p.default)
        if value is None:
            continue
        bindings[p.name] = to_term(value, p.type)
    return q.text, bindings


def read_query_arg(arg: str) -> str:
    """A query given on the command line: a file path if one exists, else the text."""
    path = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and path.suffix in (".rq", ".sparql") and path.is_file():
        return path.read_text(encoding="utf-8")
    if path.suffix in (".rq", ".sparql") and "{" not in arg:
        raise UsageError(f"query file {arg!r} does not exist")
    return arg


__all__ = [
    "named_bindings",
    "prepare_query",
    "read_query_arg",
    "run_prepared",
    "run_query",
    "to_term",
]
