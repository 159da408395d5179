"""Talk to a remote SPARQL 1.1 store: push the graph, run queries there.

Push uses the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT`` of the whole
graph (N-Triples) to the store's graph-store URL, with ``?graph=IRI`` for a
named graph or ``?default`` for the default graph. A PUT *replaces* the
graph in one request, and Oxigraph, Fuseki and GraphDB apply a request as
one transaction, so a failed push leaves the store as it was; there is never
a half-loaded graph from chiprisk's side (no batches, no DELETE-then-INSERT).

Graph-store URLs: Oxigraph ``http://HOST:7878/store``; Fuseki
``http://HOST:3030/DATASET/data``; GraphDB
``http://HOST:7200/repositories/REPO/rdf-graphs/service``.

Queries to a remote endpoint bind user values through a ``VALUES`` block
built from terms that rdflib serialises (``Term.n3()``), inserted at the start
of the query's outermost group, never by pasting text into the query.

Examples
--------
>>> from rdflib import URIRef
>>> with_values("SELECT ?n WHERE { ?s ?p ?n }", {"s": URIRef("urn:x")})
'SELECT ?n WHERE { VALUES (?s) { (<urn:x>) }\\n ?s ?p ?n }'
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
from rdflib import BNode, Graph, Literal, URIRef

from chiprisk.graph.errors import ChipriskError, QueryError, UsageError
from chiprisk.graph.rdf.query import _py, solutions_frame, to_term
from chiprisk.ontology.namespaces import PREFIXES

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RemoteError(ChipriskError):
    """A remote store refused a request or could not be reached."""


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{url!r} is not an http(s) URL")


def _request(req: urllib.request.Request, timeout: float, what: str) -> bytes:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            return resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()[:500].decode("utf-8", errors="replace").strip()
        raise RemoteError(
            f"{what} failed: {req.full_url} answered HTTP {exc.code} {exc.reason}"
            + (f": {body}" if body else "")
        ) from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"{what} failed: cannot reach {req.full_url}: {exc.reason}") from None
    except TimeoutError:
        raise RemoteError(
            f"{what} failed: {req.full_url} did not answer in {timeout:g} s"
        ) from None


def graph_store_url(url: str, graph: str | None) -> str:
    """The Graph Store Protocol URL for the default graph or a named one.

    Examples
    --------
    >>> graph_store_url("http://localhost:7878/store", None)
    'http://localhost:7878/store?default'
    >>> graph_store_url("http://localhost:7878/store", "urn:g")
    'http://localhost:7878/store?graph=urn%3Ag'
    """
    _check_url(url)
    parts = urlsplit(url)
    if parts.query:
        raise UsageError(f"give the graph store URL without a query string (got {url!r})")
    query = "default" if graph is None else urlencode({"graph": graph})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def push_graph(
    graph: Graph,
    url: str,
    *,
    graph_iri: str | None = None,
    timeout: float = 300.0,
    headers: dict[str, str] | None = None,
) -> int:
    """Replace a graph in a remote store with ``graph`` (one Graph Store PUT).

    Parameters
    ----------
    graph : rdflib.Graph
    url : str
        The store's graph-store endpoint (see the module docstring).
    graph_iri : str, optional
        The named graph to replace; None replaces the default graph.
    timeout : float
        Seconds to wait for the store.
    headers : dict, optional
        Extra HTTP headers (for example ``Authorization``).

    Returns
    -------
    int
        The number of triples sent.

    Raises
    ------
    UsageError
        For a malformed URL or graph IRI.
    RemoteError
        When the store answers with an error or cannot be reached; the
        message has the status and the start of the store's answer.

    Notes
    -----
    O(triples): serialisation plus one request.
    """
    if graph_iri is not None:
        to_term(graph_iri, "iri")  # refuses malformed IRIs
        if "://" not in graph_iri and not graph_iri.startswith("urn:"):
            raise UsageError(f"--graph needs an absolute IRI (got {graph_iri!r})")
    target = graph_store_url(url, graph_iri)
    payload = graph.serialize(format="nt", encoding="utf-8")
    req = urllib.request.Request(target, data=payload, method="PUT")
    req.add_header("Content-Type", "application/n-triples")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    _request(req, timeout, "push")
    return len(graph)


# ------------------------------------------------------------ remote query


def _top_group_start(text: str) -> int:
    """Index just after the '{' that opens the outermost WHERE group."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            q3 = text[i : i + 3]
            if q3 in ('"""', "'''"):
                j = text.find(q3, i + 3)
                i = n if j < 0 else j + 3
            else:
                j = i + 1
                while j < n and text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
            continue
        if c == "<":
            m = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>').match(text, i)
            i = m.end() if m else i + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0:
            return i + 1
        i += 1
    raise QueryError("cannot find the query's WHERE group to bind parameters into")


def with_values(text: str, bindings: dict[str, object]) -> str:
    """Bind values into a SELECT/ASK query as a VALUES block of serialised terms.

    The block goes first in the outermost group, so every pattern of the
    query sees the bound values (as rdflib's ``initBindings`` do).
    """
    if not bindings:
        return text
    names, terms = [], []
    for name, value in bindings.items():
        if not _VAR.match(name):
            raise UsageError(f"{name!r} is not a SPARQL variable name")
        term = to_term(value)
        if isinstance(term, BNode):
            raise UsageError("blank nodes cannot be bound")
        names.append(f"?{name}")
        terms.append(term.n3())
    at = _top_group_start(text)
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"
    return text[:at] + block + text[at:]


def with_prefixes(text: str) -> str:
    """Declare the project's prefixes a query uses but does not declare."""
    lines = []
    for prefix, ns in PREFIXES.items():
        declared = re.search(rf"(?i)\bPREFIX\s+{prefix}:", text)
        if not declared and re.search(rf"(?<![\w?$]){prefix}:", text):
            lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines) + ("\n" if lines else "") + text


def _term(d: dict) -> URIRef | Literal | BNode:
    t = d.get("type")
    if t == "uri":
        return URIRef(d["value"])
    if t == "bnode":
        return BNode(d["value"])
    lang = d.get("xml:lang")
    dt = d.get("datatype")
    return Literal(d["value"], lang=lang, datatype=URIRef(dt) if dt and not lang else None)


def results_frame(doc: dict) -> pd.DataFrame:
    """SPARQL JSON results -> a DataFrame with :func:`chiprisk.graph.rdf.query.run_query`'s
    conventions (crid: IRIs as ids, literals as Python values, None unbound)."""
    if "boolean" in doc:
        return pd.DataFrame({"ask": [bool(doc["boolean"])]})
    names = list(doc["head"]["vars"])
    rows = [
        [_py(_term(b[n])) if n in b else None for n in names] for b in doc["results"]["bindings"]
    ]
    return solutions_frame(names, rows)


def remote_query(
    endpoint: str,
    text: str,
    bindings: dict[str, object] | None = None,
    *,
    timeout: float = 60.0,
) -> pd.DataFrame:
    """Run a SELECT/ASK on a remote SPARQL 1.1 endpoint; a DataFrame like run_query's.

    The project's prefixes are declared where the query uses them; values
    are bound with :func:`with_values`.

    Raises
    ------
    RemoteError
        When the endpoint answers with an error or cannot be reached.
    """
    _check_url(endpoint)
    text = with_prefixes(with_values(text, bindings or {}))
    req = urllib.request.Request(endpoint, data=text.encode("utf-8"), method="POST")
    req.add_header("Content-Type", "application/sparql-query")
    req.add_header("Accept", "application/sparql-results+json")
    body = _request(req, timeout, "query")
    try:
        doc = json.loads(body)
    except json.JSONDecodeError:
        raise RemoteError(f"query failed: {endpoint} did not answer SPARQL JSON") from None
    return results_frame(doc)


__all__ = [
    "RemoteError",
    "graph_store_url",
    "push_graph",
    "remote_query",
    "results_frame",
    "with_prefixes",
    "with_values",
]
