"""Serve the knowledge graph as a read-only SPARQL 1.1 Protocol endpoint over HTTP.

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
- **No SERVICE, no network**: a federated call would let a client make the
  server fetch any URL. Each query is *parsed* (rdflib's SPARQL grammar, in
  the worker) and refused with HTTP 400 if its parse tree holds a SERVICE
  pattern (:mod:`~chiprisk.graph.rdf.query_policy`); the workers themselves
  run without network access where Linux allows it, so a parser gap cannot
  reach a host either.
- **Timeout**: a query that has not answered after ``timeout`` seconds gets
  HTTP 503 and its worker is killed.
- **Memory**: each worker's address space is limited to its start-up size plus
  ``memory_mb``; a query that needs more gets HTTP 503 and a fresh worker.
- **Result cap**: a result with more than ``max_results`` solutions (or
  triples) gets HTTP 400 ("add LIMIT"), never a silently truncated answer.
- **Request limits**: loopback by default; a body must announce its size
  (``Content-Length``, 0..64 KiB, else HTTP 400/411/413) and exactly that many
  bytes are read; the request line, headers and body must arrive within
  ``read_timeout`` seconds (else the connection is closed), and at most
  ``max_connections`` connections are served at once (else HTTP 503).
- ``default-graph-uri``/``named-graph-uri`` protocol parameters are refused
  (HTTP 400): the endpoint serves one default graph.

The project's prefixes (``cr:``, ``crid:``, ``prov:`` ...) are predeclared.
Results: SPARQL JSON (default), XML, CSV or TSV for SELECT/ASK; N-Triples
(default) or Turtle for CONSTRUCT/DESCRIBE, chosen by the ``Accept`` header.

The pieces: :mod:`chiprisk.graph.rdf.query_policy` decides what is accepted,
:mod:`chiprisk.graph.rdf.query_pool` runs queries in killable worker
processes, :mod:`chiprisk.graph.rdf.sparql_results` serialises the answers;
this module is the HTTP front and the server's lifecycle.

Limits: one default graph, no named graphs; results are built in memory (the
cap bounds them); a query waits at most ``timeout`` seconds for a free worker.

Examples
--------
>>> check_query("SELECT * WHERE { ?s ?p ?o }")
'SELECT'
>>> try:
...     check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
... except QueryRefused as exc:
...     print(f"{type(exc).__name__}: {exc}")
QueryRefused: SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from chiprisk.graph.errors import UsageError
from chiprisk.graph.rdf.query_policy import QueryRefused, check_query
from chiprisk.graph.rdf.query_pool import DEFAULT_MEMORY_MB, QueryPool

MAX_BODY = 64 * 1024
READ_TIMEOUT = 10.0
"""Seconds a client has to send a request's line, headers and body."""
MAX_CONNECTIONS = 64
"""Connections served at once; more get HTTP 503 and are closed."""


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # every socket read and write
        super().setup()

    def _cut(self) -> None:
        """The read deadline passed with the request still unread: drop the connection."""
        if self._reading:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def handle_one_request(self) -> None:
        # one deadline for the request line, the headers and the body together:
        # a client trickling one byte per socket timeout is cut off all the same
        self._reading = True
        timer = threading.Timer(self.server.read_timeout, self._cut)
        timer.daemon = True
        timer.start()
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        finally:
            timer.cancel()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib name
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 503:  # busy, timed out or over memory: the client may retry
            self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode())

    def _read_body(self) -> str | None:
        """The request body, exactly ``Content-Length`` bytes; None (answered) if bad."""
        self.close_connection = True  # on any refusal: the rest of the stream is unknown
        if self.headers.get("Transfer-Encoding"):
            self._text(411, "send the body with a Content-Length, not chunked")
            return None
        raw = self.headers.get_all("Content-Length") or []
        if not raw:
            self._text(411, "a POST needs a Content-Length header")
            return None
        if len(set(raw)) != 1 or not raw[0].strip().isdigit():
            self._text(400, "bad Content-Length: it must be one non-negative integer")
            return None
        length = int(raw[0].strip())
        if length > MAX_BODY:
            self._text(413, f"request body over {MAX_BODY} bytes")
            return None
        chunks, got = [], 0
        while got < length:
            chunk = self.rfile.read(min(length - got, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got != length:
            self._text(400, f"the body ended after {got} of {length} bytes")
            return None
        self.close_connection = False
        return b"".join(chunks).decode("utf-8", errors="replace")

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._reading = False
        url = urlsplit(self.path)
        if url.path in ("", "/"):
            self._text(
                200,
                "chiprisk read-only SPARQL endpoint: GET or POST /sparql with query=...\n"
                f"{self.server.n_triples} triples; timeout {self.server.timeout_s:g} s; "
                f"at most {self.server.max_results} results per query; "
                f"workers {'without' if self.server.pool.isolated else 'WITH'} network access.",
            )
            return
        if url.path not in ("/sparql", "/query"):
            self._text(404, f"no such path {url.path!r}; the endpoint is /sparql")
            return
        self._answer(parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path not in ("/sparql", "/query", "/update"):
            self.close_connection = True
            self._text(404, f"no such path {url.path!r}; the endpoint is /sparql")
            return
        body = self._read_body()
        self._reading = False
        if body is None:
            return
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
        # the policy (check_query) runs in the worker, under its time and memory limits
        status, ctype, body = self.server.pool.run(
            text, self.headers.get("Accept", ""), self.server.max_results, self.server.timeout_s
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
        self.read_timeout: float = opts.get("read_timeout", READ_TIMEOUT)
        self._slots = threading.BoundedSemaphore(opts.get("max_connections", MAX_CONNECTIONS))

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                    b"Retry-After: 1\r\nContent-Length: 25\r\nConnection: close\r\n\r\n"
                    b"too many connections now\n"
                )
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

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
    memory_mb: int = DEFAULT_MEMORY_MB,
    read_timeout: float = READ_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
    isolate: bool = True,
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
    memory_mb : int
        Address space a worker may grow by while answering one query (MiB).
    read_timeout : float
        Seconds a client has to send the request line, headers and body.
    max_connections : int
        Connections served at once.
    isolate : bool
        Run the query workers without network access where Linux allows it
        (see :func:`~chiprisk.graph.rdf.query_pool.isolate_network`).

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
    if timeout <= 0 or max_results < 1 or workers < 1 or memory_mb < 64:
        raise UsageError(
            "--timeout, --max-results and --workers must be positive, --memory-mb at least 64"
        )
    if read_timeout <= 0 or max_connections < 1:
        raise UsageError("read_timeout and max_connections must be positive")
    from chiprisk.ontology.namespaces import PREFIXES

    store_dir = tempfile.mkdtemp(prefix="chiprisk-serve-")
    try:
        nt = graph.serialize(format="nt", encoding="utf-8")
        n = load_store(nt, Path(store_dir) / "store")
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        pool = QueryPool(
            str(Path(store_dir) / "store"), workers, prefixes, memory_mb, isolate=isolate
        )
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
            read_timeout=read_timeout,
            max_connections=max_connections,
        )
    except OSError as exc:
        pool.close()
        shutil.rmtree(store_dir, ignore_errors=True)
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


__all__ = ["QueryRefused", "SparqlServer", "check_query", "make_server"]
