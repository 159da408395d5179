"""A read-only SPARQL 1.1 Protocol endpoint over the knowledge graph.

Design
------
A thin HTTP front (stdlib ``ThreadingHTTPServer``) checks every request and
hands accepted queries to a small pool of worker *processes*, each answering
from the same on-disk Oxigraph store opened read-only (``pyoxigraph``, the
engine of the Oxigraph server).

Why not front ``oxigraph serve-read-only`` itself: measured with oxigraph
0.5.13, its ``--timeout-s 2`` did not stop a three-way cross join (the query
was still running, and burning CPU, 30 s later), it has no result cap, and it
runs ``SERVICE`` calls (it tried to fetch a URL given in the query). An
in-process ``pyoxigraph.Store`` has no timeout either. A worker process can be
killed, so here a query that overruns its time is really stopped: the front
kills that worker and starts a fresh one.

What the front enforces:

- **Read-only**: only SELECT, ASK, CONSTRUCT and DESCRIBE; any update request
  (``update=`` or ``application/sparql-update``) or update keyword is refused
  with HTTP 400, and the store is opened read-only anyway.
- **No SERVICE**: a federated call would let a client make the server fetch any
  URL. The query text is tokenised (strings, IRIs and comments skipped) and any
  ``SERVICE`` keyword is refused with HTTP 400, before the engine sees it.
  Codepoint escapes (``\\uXXXX``), which SPARQL expands before parsing and so
  could hide a keyword, are refused too.
- **Timeout**: a query that has not answered after ``timeout`` seconds gets
  HTTP 503 and its worker is killed.
- **Result cap**: a result with more than ``max_results`` solutions (or
  triples) gets HTTP 400 ("add LIMIT"), never a silently truncated answer.
- **Loopback by default**; request bodies over 64 KiB get HTTP 413.
- ``default-graph-uri``/``named-graph-uri`` protocol parameters are refused
  (HTTP 400): the endpoint serves one default graph.

The project's prefixes (``cr:``, ``crid:``, ``prov:`` ...) are predeclared.
Results: SPARQL JSON (default), XML, CSV or TSV for SELECT/ASK; N-Triples
(default) or Turtle for CONSTRUCT/DESCRIBE, chosen by the ``Accept`` header.

Limits: one default graph, no named graphs; results are built in memory (the
cap bounds them); a query waits at most ``timeout`` seconds for a free worker.

Examples
--------
>>> check_query("SELECT * WHERE { ?s ?p ?o }")
'SELECT'
>>> check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
chiprisk.graph.rdf.serve.QueryRefused: SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import queue
import re
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from chiprisk.graph.errors import ChipriskError, UsageError

MAX_BODY = 64 * 1024
STARTUP_TIMEOUT = 60.0
"""Seconds a worker process may take to start and open the store."""
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


class QueryRefused(ChipriskError):
    """A query the endpoint will not run (update, SERVICE, unsupported form)."""


# ------------------------------------------------------------ query checks

_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def keywords(text: str) -> list[str]:
    """The bare words of a query in order, upper-cased: strings, IRIs, comments,
    variables, prefixed names, blank node labels and language tags skipped.

    Examples
    --------
    >>> keywords('SELECT ?service { ?s <urn:SERVICE> "service" . ex:service ?p ?o } # SERVICE')
    ['SELECT']
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            quote3 = text[i : i + 3]
            if quote3 in ('"""', "'''"):
                j = i + 3
                while j < n and text[j : j + 3] != quote3:
                    j += 2 if text[j] == "\\" else 1
                i = j + 3
            else:
                j = i + 1
                while j < n and text[j] != c and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
        elif c == "<":
            m = _IRI.match(text, i)
            i = m.end() if m else i + 1
        elif c in "?$@":
            m = _WORD.match(text, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            end = m.end() if m else i + 1
            # A prefixed name (ex:x) or blank node label (_:x) is not a keyword.
            while end < n and (text[end].isalnum() or text[end] in "_-.:%"):
                end += 1
            word = text[i:end]
            if ":" not in word:
                out.append(word.upper())
            i = end
        elif c == ":":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-.:%"):
                j += 1
            i = j
        else:
            i += 1
    return out


def check_query(text: str) -> str:
    """Check a query for the endpoint and return its form (SELECT, ASK, ...).

    Raises
    ------
    QueryRefused
        For an update, a SERVICE call, codepoint escapes, or no query form.
    """
    if "\\u" in text or "\\U" in text:
        raise QueryRefused(
            "codepoint escapes (\\uXXXX) are not accepted by this endpoint; "
            "write the characters themselves"
        )
    words = keywords(text)
    if "SERVICE" in words:
        raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint")
    form = next((w for w in words if w in _FORMS), None)
    update = next((w for w in words if w in _UPDATE_WORDS), None)
    if update is not None:
        raise QueryRefused(f"the endpoint is read-only: {update} (SPARQL Update) is refused")
    if form is None:
        raise QueryRefused("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


# ------------------------------------------------------------- serializers


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
    """SPARQL SELECT results (pyoxigraph terms, None for unbound) in one format."""
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
    """An ASK answer (JSON for every format but XML)."""
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


# ------------------------------------------------------------------ workers


def _worker_main(store_path: str, conn, prefixes: dict[str, str]) -> None:  # pragma: no cover
    """Body of a worker process: answer jobs from the read-only store until None."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        text, fmt, cap = job
        try:
            ctype, body = execute(store, text, fmt, cap, prefixes)
            conn.send(("ok", ctype, body))
        except ResultTooLarge:
            conn.send(
                (
                    "error",
                    400,
                    f"the result has more than {cap} rows; add LIMIT (or OFFSET) to page",
                )
            )
        except SyntaxError as exc:
            conn.send(("error", 400, f"invalid SPARQL: {exc}"))
        except Exception as exc:
            conn.send(("error", 500, f"query failed: {exc}"))


class _Worker:
    def __init__(self, ctx, store_path: str, prefixes: dict[str, str]):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(store_path, child, prefixes), daemon=True
        )
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the worker to have opened the store; False if it did not."""
        try:
            return self.conn.poll(timeout) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class QueryPool:
    """Worker processes answering queries from one read-only Oxigraph store.

    Parameters
    ----------
    store_path : str
        An on-disk pyoxigraph store, closed by its writer.
    workers : int
        How many queries run at once.
    """

    def __init__(self, store_path: str, workers: int, prefixes: dict[str, str]):
        self._ctx = multiprocessing.get_context("spawn")
        self._path, self._prefixes = store_path, prefixes
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        started = [self._spawn() for _ in range(workers)]
        for w in started:
            if not w.wait_ready(STARTUP_TIMEOUT):
                self.close()
                raise ChipriskError("a query worker did not start (cannot open the store)")
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, self._path, self._prefixes)
        with self._lock:
            self._all.append(w)
        return w

    def _add(self) -> None:
        """Start a replacement worker; it joins the idle queue once it is ready, so
        its start-up (about a second) never counts against a query's timeout."""
        w = self._spawn()

        def join_when_ready() -> None:
            if w.wait_ready(STARTUP_TIMEOUT) and not self._closed:
                self._idle.put(w)
                return
            with self._lock:
                if w in self._all:
                    self._all.remove(w)
            w.stop(kill=True)

        threading.Thread(target=join_when_ready, daemon=True).start()

    def run(self, text: str, fmt: str, cap: int, timeout: float) -> tuple[int, str, bytes]:
        """Run one checked query: (HTTP status, content type, body)."""
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            return 503, "text/plain", b"the server is busy; try again\n"
        try:
            w.conn.send((text, fmt, cap))
            if not w.conn.poll(timeout):
                raise TimeoutError
            reply = w.conn.recv()
        except (TimeoutError, EOFError, OSError) as exc:
            with self._lock:
                self._all.remove(w)
            w.stop(kill=True)
            if not self._closed:
                self._add()
            if isinstance(exc, TimeoutError):
                msg = f"the query timed out after {timeout:g} s and was stopped\n"
                return 503, "text/plain", msg.encode()
            return 500, "text/plain", b"the query worker failed\n"
        self._idle.put(w)
        if reply[0] == "ok":
            return 200, reply[1], reply[2]
        return reply[1], "text/plain", (reply[2] + "\n").encode()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), []
        for w in workers:
            w.stop()


# ------------------------------------------------------------------- server


def _negotiate(accept: str, form: str) -> str:
    types = SELECT_TYPES if form in ("SELECT", "ASK") else GRAPH_TYPES
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in types:
            return types[media]
    return "json" if form in ("SELECT", "ASK") else "nt"


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib name
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode())

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path in ("", "/"):
            self._text(
                200,
                "chiprisk read-only SPARQL endpoint: GET or POST /sparql with query=...\n"
                f"{self.server.n_triples} triples; timeout {self.server.timeout_s:g} s; "
                f"at most {self.server.max_results} results per query.",
            )
            return
        if url.path not in ("/sparql", "/query"):
            self._text(404, f"no such path {url.path!r}; the endpoint is /sparql")
            return
        self._answer(parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path not in ("/sparql", "/query", "/update"):
            self._text(404, f"no such path {url.path!r}; the endpoint is /sparql")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._text(400, "bad Content-Length")
            return
        if length > MAX_BODY:
            self._text(413, f"request body over {MAX_BODY} bytes")
            self.close_connection = True
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/update" or ctype == "application/sparql-update":
            self._text(400, "the endpoint is read-only: SPARQL Update is refused")
            return
        if ctype == "application/sparql-query":
            params["query"] = [body]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            for k, v in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        else:
            self._text(415, f"unsupported Content-Type {ctype!r}")
            return
        self._answer(params)

    def _answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._text(400, "the endpoint is read-only: SPARQL Update is refused")
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._text(400, "default-graph-uri and named-graph-uri are not supported here")
            return
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            self._text(400, "give exactly one query parameter")
            return
        text = queries[0]
        if len(text.encode()) > MAX_BODY:
            self._text(413, f"query over {MAX_BODY} bytes")
            return
        try:
            form = check_query(text)
        except QueryRefused as exc:
            self._text(400, str(exc))
            return
        fmt = _negotiate(self.headers.get("Accept", ""), form)
        status, ctype, body = self.server.pool.run(
            text, fmt, self.server.max_results, self.server.timeout_s
        )
        self._send(status, ctype, body)


class SparqlServer(ThreadingHTTPServer):
    """The read-only endpoint: an HTTP front plus a :class:`QueryPool`.

    Use :func:`make_server`; call :meth:`serve_forever` (or run it in a
    thread), then :meth:`close` (stops the workers, removes the store).
    """

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflowed under 32 concurrent
    # clients (dropped connections, retries after 1 s, some reset); 128 is the
    # usual kernel somaxconn default.
    request_queue_size = 128

    def __init__(self, address, pool: QueryPool, store_dir: str, **opts):
        super().__init__(address, _Handler)
        self.pool, self.store_dir = pool, store_dir
        self.timeout_s: float = opts["timeout"]
        self.max_results: int = opts["max_results"]
        self.n_triples: int = opts["n_triples"]
        self.verbose: bool = opts.get("verbose", False)

    @property
    def url(self) -> str:
        """The endpoint URL (``http://HOST:PORT/sparql``)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def close(self) -> None:
        """Stop serving, stop the workers and delete the temporary store."""
        if getattr(self, "_serving", False):
            self.shutdown()
        self.server_close()
        self.pool.close()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False


def load_store(ntriples: bytes, folder: str | Path) -> int:
    """Bulk-load N-Triples into a new on-disk Oxigraph store; returns its size."""
    import gc

    import pyoxigraph as ox

    store = ox.Store(str(folder))
    store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
    store.flush()
    n = len(store)
    del store
    gc.collect()
    return n


def make_server(
    graph,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 10.0,
    max_results: int = 10_000,
    workers: int = 2,
    verbose: bool = False,
) -> SparqlServer:
    """Load ``graph`` into a read-only store and bind the endpoint (not yet serving).

    Parameters
    ----------
    graph : rdflib.Graph
        What to serve (the default graph).
    host, port : str, int
        Where to listen; loopback by default; port 0 picks a free port.
    timeout : float
        Seconds a query may run before it is stopped (HTTP 503).
    max_results : int
        Most solutions (or triples) a query may return (else HTTP 400).
    workers : int
        Queries answered at once (one process each).

    Raises
    ------
    UsageError
        For bad limits, a port in use, or pyoxigraph missing.

    Examples
    --------
    >>> import threading
    >>> from rdflib import Graph
    >>> srv = make_server(Graph().parse(data='<urn:a> <urn:b> "1" .', format="nt"), port=0)
    >>> t = threading.Thread(target=srv.serve_forever, daemon=True); t.start()
    >>> from urllib.request import urlopen
    >>> from urllib.parse import quote
    >>> b'"1"' in urlopen(srv.url + "?query=" + quote("SELECT ?o { ?s ?p ?o }")).read()
    True
    >>> srv.close()

    Notes
    -----
    Loading is O(triples) (Oxigraph bulk load); each worker opens the store
    read-only, so memory does not grow with the number of workers.
    """
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        raise UsageError(
            "chiprisk serve needs pyoxigraph: pip install 'chiprisk[sparql]'"
        ) from None
    if timeout <= 0 or max_results < 1 or workers < 1:
        raise UsageError("--timeout, --max-results and --workers must be positive")
    from chiprisk.ontology.namespaces import PREFIXES

    store_dir = tempfile.mkdtemp(prefix="chiprisk-serve-")
    try:
        nt = graph.serialize(format="nt", encoding="utf-8")
        n = load_store(nt, Path(store_dir) / "store")
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        pool = QueryPool(str(Path(store_dir) / "store"), workers, prefixes)
    except BaseException:
        shutil.rmtree(store_dir, ignore_errors=True)
        raise
    try:
        return SparqlServer(
            (host, port),
            pool,
            store_dir,
            timeout=timeout,
            max_results=max_results,
            n_triples=n,
            verbose=verbose,
        )
    except OSError as exc:
        pool.close()
        shutil.rmtree(store_dir, ignore_errors=True)
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


__all__ = ["QueryRefused", "SparqlServer", "check_query", "keywords", "make_server"]
