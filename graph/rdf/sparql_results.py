"""Run a checked query on a pyoxigraph store and serialise its results for HTTP.

SELECT and ASK results as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and
DESCRIBE as N-Triples or Turtle; a result over the cap raises
:class:`ResultTooLarge` rather than being truncated. The worker processes of
:mod:`chiprisk.graph.rdf.query_pool` call :func:`execute`.

Examples
--------
>>> serialize_boolean(True, "json")
b'{"head": {}, "boolean": true}'
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "CONTENT_TYPES",
    "GRAPH_TYPES",
    "SELECT_TYPES",
    "ResultTooLarge",
    "execute",
    "negotiate",
    "serialize_boolean",
    "serialize_solutions",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "application/n-triples": "nt",
    "text/turtle": "ttl",
    "text/plain": "nt",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "nt": "application/n-triples",
    "ttl": "text/turtle",
}


def negotiate(accept: str, form: str) -> str:
    """The result format for an ``Accept`` header and a query form.

    Examples
    --------
    >>> negotiate("text/csv, */*", "SELECT"), negotiate("", "CONSTRUCT")
    ('csv', 'nt')
    """
    types = SELECT_TYPES if form in ("SELECT", "ASK") else GRAPH_TYPES
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in types:
            return types[media]
    return "json" if form in ("SELECT", "ASK") else "nt"


def _term_json(t) -> dict:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _term_xml(t) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def _term_csv(t) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    return t.value if hasattr(t, "value") else str(t)


def serialize_solutions(variables: list[str], rows: list[list], fmt: str) -> bytes:
    """SPARQL SELECT results (pyoxigraph terms, None for unbound) in one format.

    Parameters
    ----------
    variables : list of str
        The projected variables, in order.
    rows : list of list
        One list of pyoxigraph terms (None when unbound) per solution.
    fmt : str
        ``json``, ``xml``, ``csv`` or ``tsv``.

    Returns
    -------
    bytes
        The UTF-8 encoded document.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> serialize_solutions(["x", "y"], [[ox.Literal("1"), None]], "csv")
    b'x,y\\r\\n1,\\r\\n'
    """
    if fmt == "json":
        bindings = [
            {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>",
            "<results>",
        ]
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            parts.append(f"<result>{cells}</result>")
        parts.append("</results></sparql>\n")
        return "\n".join(parts).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow(["" if t is None else _term_csv(t) for t in row])
        return buf.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer (JSON for every format but XML).

    Examples
    --------
    >>> serialize_boolean(False, "xml").endswith(b"<boolean>false</boolean></sparql>\\n")
    True
    """
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n"
        ).encode()
    return json.dumps({"head": {}, "boolean": bool(value)}).encode()


class ResultTooLarge(Exception):
    """More solutions than the cap."""


def execute(store, text: str, fmt: str, cap: int, prefixes: dict[str, str]) -> tuple[str, bytes]:
    """Run a checked query on a pyoxigraph store; (content type, body).

    Raises
    ------
    ResultTooLarge
        When the result has more than ``cap`` solutions or triples.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("1")))
    >>> execute(store, "SELECT ?o { ?s ?p ?o }", "tsv", 10, {})
    ('text/tab-separated-values; charset=utf-8', b'?o\\n"1"\\n')
    >>> try:
    ...     execute(store, "SELECT ?o { ?s ?p ?o }", "json", 0, {})
    ... except ResultTooLarge:
    ...     print("over the cap")
    over the cap
    """
    import pyoxigraph as ox

    result = store.query(text, prefixes=prefixes)
    if isinstance(result, ox.QueryBoolean):
        fmt = "xml" if fmt == "xml" else "json"
        return CONTENT_TYPES[fmt], serialize_boolean(bool(result), fmt)
    if isinstance(result, ox.QuerySolutions):
        if fmt not in ("json", "xml", "csv", "tsv"):
            fmt = "json"
        variables = [v.value for v in result.variables]
        rows = []
        for sol in result:
            if len(rows) >= cap:
                raise ResultTooLarge(cap)
            rows.append([sol[v] for v in variables])
        return CONTENT_TYPES[fmt], serialize_solutions(variables, rows, fmt)
    if fmt not in ("nt", "ttl"):
        fmt = "nt"
    triples = []
    for t in result:
        if len(triples) >= cap:
            raise ResultTooLarge(cap)
        triples.append(t)
    rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
    body = ox.serialize(triples, format=rdf_format, prefixes=prefixes if fmt == "ttl" else None)
    return CONTENT_TYPES[fmt], body or b""
