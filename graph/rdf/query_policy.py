"""Decide which SPARQL queries the read-only endpoint accepts (no update, no SERVICE).

The decision is made on the *parsed* query, never on its text: the query is
parsed with rdflib's SPARQL 1.1 grammar (which expands ``\\uXXXX`` escapes,
skips comments, strings and IRIs exactly as the language says) and the parse
tree is walked, iteratively, for the forms the endpoint refuses. A query that
rdflib cannot parse as a SPARQL *query* (an update, or a syntax error) is
refused too, so a text that one parser reads as a harmless query and another
reads as a federated one can only go wrong in the safe direction: refused.

What is refused:

- every SPARQL Update form (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR`` ...):
  the query grammar has none of them, so such a text does not parse;
- ``SERVICE`` (federated query) anywhere, at any depth: it would make the
  server fetch a URL of the client's choosing;
- anything that is not SELECT, ASK, CONSTRUCT or DESCRIBE.

The workers of :mod:`chiprisk.graph.rdf.query_pool` run this check in their
own (time- and memory-limited) process, so a slow parse cannot stall the
HTTP front; they also run without network access where the platform allows
it (see ``docs/security.md``).

Examples
--------
>>> check_query("ASK { ?s ?p ?o }")
'ASK'
>>> try:
...     check_query("SELECT * { FILTER(1<2)SERVICE#>\\n<http://127.0.0.1:1/> { ?x ?y ?z } }")
... except QueryRefused as exc:
...     print(exc)
SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import functools
import re
import unicodedata

from chiprisk.graph.errors import ChipriskError

__all__ = ["FORMS", "QueryRefused", "check_query", "escaped_service", "parsed_names"]


class QueryRefused(ChipriskError):
    """A query the endpoint will not run (update, SERVICE, unsupported form)."""


FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
"""Parse-tree node of each query form -> the form's keyword."""

_REFUSED = {
    "ServiceGraphPattern": "SERVICE (federated query) is not allowed on this endpoint",
}
_UPDATES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "DELETE/INSERT",
}
"""Parse-tree node of each SPARQL Update operation -> its keyword."""


_NO_FORM = "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"


def _update_refused(names: list[str]) -> QueryRefused:
    word = next((_UPDATES[n] for n in names if n in _UPDATES), "SPARQL Update")
    return QueryRefused(f"the endpoint is read-only: {word} (SPARQL Update) is refused")


def parsed_names(tree: object) -> list[str]:
    """The names of every node of a parsed query, walked iteratively (no recursion).

    Parameters
    ----------
    tree : object
        What :func:`rdflib.plugins.sparql.parser.parseQuery` returns.

    Returns
    -------
    list of str
        Node names (``SelectQuery``, ``ServiceGraphPattern``, ...), in walk order.

    Examples
    --------
    >>> from rdflib.plugins.sparql.parser import parseQuery
    >>> names = parsed_names(parseQuery("SELECT * { SERVICE <urn:x> { ?s ?p ?o } }"))
    >>> "SelectQuery" in names and "ServiceGraphPattern" in names
    True
    """
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names: list[str] = []
    stack: list[object] = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            names.append(str(node.name))
            stack.extend(node.values())
        elif isinstance(node, ParseResults):
            stack.extend(list(node))
            stack.extend(value for _, value in node.items())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return names


def check_query(text: str) -> str:
    """Check a query for the endpoint and return its form (SELECT, ASK, ...).

    Parameters
    ----------
    text : str
        The query as the client sent it.

    Returns
    -------
    str
        ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Raises
    ------
    QueryRefused
        For an update, a SERVICE call, a syntax error, or a query too deep to parse.

    Notes
    -----
    The verdicts of the last 512 distinct texts are remembered (a parse costs
    15-100 ms; clients repeat their queries).

    Examples
    --------
    >>> check_query("PREFIX ex: <urn:x#> SELECT ?s { ?s ex:service 'SERVICE' } # SERVICE")
    'SELECT'
    >>> try:
    ...     check_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    ... except QueryRefused as exc:
    ...     print(exc)
    the endpoint is read-only: INSERT (SPARQL Update) is refused
    """
    verdict = _verdict(text)
    if isinstance(verdict, QueryRefused):
        raise QueryRefused(str(verdict))
    return verdict


@functools.lru_cache(maxsize=512)
def _verdict(text: str) -> str | QueryRefused:
    try:
        return _check(text)
    except QueryRefused as exc:
        return exc


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ESCAPED_SERVICE = (
    "SERVICE (federated query) is not allowed on this endpoint, and a query with \\u "
    "escapes may not spell 'service' anywhere: SPARQL engines read escapes differently"
)


def escaped_service(text: str) -> bool:
    """True when ``text`` has codepoint escapes and spells ``service`` in some reading.

    SPARQL expands ``\\uXXXX`` escapes before parsing (rdflib does); Oxigraph,
    which the endpoint's workers run, reads them only inside strings and IRIs.
    So an escaped quote can hide a SERVICE call inside what rdflib parses as a
    string, while Oxigraph runs it: with escapes in the text, the letters
    ``service`` anywhere (case folded, NFKC, before or after expansion) refuse it.

    Examples
    --------
    >>> escaped_service('SELECT * { BIND("\\\\u0022" AS ?x) SERVICE <http://h/> {} }')
    True
    >>> escaped_service("SELECT ?d { ?x cr:serviceDecayPerYear ?d }")
    False
    """

    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group()

    expanded = _CODEPOINT.sub(one, text)
    if expanded == text:
        return False
    readings = (text, expanded)
    return any(
        "service" in v
        for t in readings
        for v in (t.casefold(), unicodedata.normalize("NFKC", t).casefold())
    )


def _check(text: str) -> str:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if escaped_service(text):
        raise QueryRefused(_ESCAPED_SERVICE)
    try:
        tree = parseQuery(text)
    except RecursionError:
        raise QueryRefused("the query is nested too deeply (or too long) to check") from None
    except (ParseBaseException, ValueError, TypeError) as exc:
        try:
            update = parseUpdate(text)
        except Exception:
            pass
        else:
            raise _update_refused(parsed_names(update)) from None
        if getattr(exc, "loc", None) == 0:
            raise QueryRefused(_NO_FORM) from None
        raise QueryRefused(f"invalid SPARQL: {_syntax_error(exc)}") from None
    names = parsed_names(tree)
    for name in names:
        if name in _REFUSED:
            raise QueryRefused(_REFUSED[name])
        if name in _UPDATES:
            raise _update_refused(names)
    form = next((FORMS[n] for n in names if n in FORMS), None)
    if form is None:
        raise QueryRefused(_NO_FORM)
    return form


def _syntax_error(exc: BaseException) -> str:
    """``error at LINE:COL: what`` for a parse error (one line, at most 200 characters)."""
    where = ""
    if getattr(exc, "lineno", None) is not None and getattr(exc, "col", None) is not None:
        where = f"error at {exc.lineno}:{exc.col}: "
    what = getattr(exc, "msg", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    return (where + str(what))[:200]
