"""Worker processes that answer queries from one read-only Oxigraph store, with a hard timeout.

Each worker opens the on-disk store read-only and answers one query at a
time; a query that overruns its time is really stopped, because the pool
kills that worker and starts a fresh one (an in-process ``pyoxigraph.Store``
query cannot be interrupted). Used by :mod:`chiprisk.graph.rdf.serve`.

Each worker is also fenced in, before it reads its first query:

- **No network** (Linux): the worker moves itself into fresh user and network
  namespaces (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``), where no interface
  but a down loopback exists, so even a query the policy failed to refuse
  cannot reach any host. Where the kernel refuses, the pool says so
  (:attr:`QueryPool.isolated` is False) and the policy alone stands.
- **Bounded memory**: the address space is limited (``RLIMIT_AS``) to what
  the worker uses once started plus ``memory_mb``; a query that needs more
  fails inside its worker, which is replaced, and the client gets HTTP 503.
- **The policy runs here**: :func:`~chiprisk.graph.rdf.query_policy.check_query`
  parses each query in the worker, under the same time and memory limits.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
import threading

from chiprisk.graph.errors import ChipriskError
from chiprisk.graph.rdf.sparql_results import ResultTooLarge, execute, negotiate

__all__ = ["DEFAULT_MEMORY_MB", "STARTUP_TIMEOUT", "QueryPool", "isolate_network", "limit_memory"]

STARTUP_TIMEOUT = 60.0
"""Seconds a worker process may take to start and open the store."""

DEFAULT_MEMORY_MB = 1024
"""Address space a worker may grow by beyond its start-up size, in MiB."""

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> bool:
    """Cut the calling process off every network (Linux namespaces); True if it worked.

    Examples
    --------
    >>> isinstance(isolate_network, object)  # run in a worker only: it is irreversible
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def limit_memory(extra_mb: int) -> int | None:
    """Limit the calling process's address space to its current size plus ``extra_mb``.

    Returns the limit in bytes, or None where ``resource`` is missing.

    Examples
    --------
    >>> callable(limit_memory)  # run in a worker only: a limit cannot be raised again
    True
    """
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):
        return None
    limit = current + int(extra_mb) * 2**20
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        return None
    return limit


def _worker_main(  # pragma: no cover
    store_path: str, conn, prefixes: dict[str, str], memory_mb: int, isolate: bool
) -> None:
    """Body of a worker process: answer jobs from the read-only store until None."""
    sys.setrecursionlimit(50_000)  # rdflib's grammar recurses per triple pattern
    isolated = isolate_network() if isolate else False
    import pyoxigraph as ox
    from rdflib.plugins.sparql.parser import parseQuery

    from chiprisk.graph.rdf.query_policy import QueryRefused, check_query

    store = ox.Store.read_only(store_path)
    parseQuery("ASK {}")  # build the grammar before the limit
    limit = limit_memory(memory_mb) if memory_mb else None
    conn.send(("ready", isolated, limit))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        text, accept, cap = job
        try:
            form = check_query(text)
            fmt = negotiate(accept, form)
            ctype, body = execute(store, text, fmt, cap, prefixes)
            conn.send(("ok", ctype, body))
        except QueryRefused as exc:
            conn.send(("error", 400, str(exc)))
        except MemoryError:
            conn.send(("error", 503, f"the query needs more than {memory_mb} MiB and was stopped"))
            return  # a fresh worker replaces this one
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
    def __init__(self, ctx, store_path: str, prefixes: dict, memory_mb: int, isolate: bool):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main,
            args=(store_path, child, prefixes, memory_mb, isolate),
            daemon=True,
        )
        self.proc.start()
        child.close()
        self.isolated = False

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the worker to have opened the store; False if it did not."""
        try:
            if not self.conn.poll(timeout):
                return False
            reply = self.conn.recv()
        except (EOFError, OSError):
            return False
        if not (isinstance(reply, tuple) and reply and reply[0] == "ready"):
            return False
        self.isolated = bool(reply[1])
        return True

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
    prefixes : dict
        Prefix -> namespace, predeclared for every query.
    memory_mb : int
        Address space each worker may grow by while answering (0: no limit).
    isolate : bool
        Start workers without network access where the platform allows it.
        Tests turn it off to show the query policy alone refuses SERVICE.

    Attributes
    ----------
    isolated : bool
        True when every worker started without network access.

    Examples
    --------
    >>> import tempfile, pyoxigraph as ox
    >>> folder = tempfile.mkdtemp()
    >>> store = ox.Store(folder)
    >>> store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("1")))
    >>> store.flush(); del store
    >>> pool = QueryPool(folder, 1, {})
    >>> pool.run("ASK { ?s ?p ?o }", "application/json", 10, 30.0)
    (200, 'application/sparql-results+json', b'{"head": {}, "boolean": true}')
    >>> pool.close()
    """

    def __init__(
        self,
        store_path: str,
        workers: int,
        prefixes: dict[str, str],
        memory_mb: int = DEFAULT_MEMORY_MB,
        isolate: bool = True,
    ):
        self._ctx = multiprocessing.get_context("spawn")
        self._path, self._prefixes, self._memory_mb = store_path, prefixes, memory_mb
        self._isolate = isolate
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
        self.isolated = all(w.isolated for w in started)

    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, self._path, self._prefixes, self._memory_mb, self._isolate)
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

    def run(self, text: str, accept: str, cap: int, timeout: float) -> tuple[int, str, bytes]:
        """Check and run one query: (HTTP status, content type, body).

        ``accept`` is the client's ``Accept`` header; the worker picks the
        format once it knows the query's form.
        """
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            return 503, "text/plain", b"the server is busy; try again\n"
        try:
            w.conn.send((text, accept, cap))
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
            msg = (
                f"the query worker stopped (the query needed more than its "
                f"{self._memory_mb} MiB, or crashed the engine); it was replaced\n"
            )
            return 503, "text/plain", msg.encode()
        if reply[0] == "error" and reply[1] == 503:  # out of memory: the worker quits
            with self._lock:
                if w in self._all:
                    self._all.remove(w)
            w.stop(kill=True)
            if not self._closed:
                self._add()
            return 503, "text/plain", (reply[2] + "\n").encode()
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
