"""Worker processes that answer queries from one read-only Oxigraph store, with a hard timeout.

Each worker opens the on-disk store read-only and answers one query at a
time; a query that overruns its time is really stopped, because the pool
kills that worker and starts a fresh one (an in-process ``pyoxigraph.Store``
query cannot be interrupted). Used by :mod:`chiprisk.graph.rdf.serve`.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading

from chiprisk.graph.errors import ChipriskError
from chiprisk.graph.rdf.sparql_results import ResultTooLarge, execute

__all__ = ["STARTUP_TIMEOUT", "QueryPool"]

STARTUP_TIMEOUT = 60.0
"""Seconds a worker process may take to start and open the store."""


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
    prefixes : dict
        Prefix -> namespace, predeclared for every query.

    Examples
    --------
    >>> import tempfile, pyoxigraph as ox
    >>> folder = tempfile.mkdtemp()
    >>> store = ox.Store(folder)
    >>> store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("1")))
    >>> store.flush(); del store
    >>> pool = QueryPool(folder, 1, {})
    >>> pool.run("ASK { ?s ?p ?o }", "json", 10, 30.0)
    (200, 'application/sparql-results+json', b'{"head": {}, "boolean": true}')
    >>> pool.close()
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
