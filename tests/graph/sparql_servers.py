"""Helpers for tests that start real servers on loopback (no mocks)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextmanager
def chiprisk_endpoint(
    rdf, *, timeout: float, workers: int = 2, max_results: int = 500
) -> Iterator[object]:
    """Start ``chiprisk serve``'s server over ``rdf`` on a free loopback port; yield; close."""
    from chiprisk.graph.rdf.serve import make_server

    srv = make_server(rdf, port=0, timeout=timeout, max_results=max_results, workers=workers)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.close()
        thread.join(10)
    assert not Path(srv.store_dir).exists()  # closing removes the server's store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block runs: it
    is bound (so no other process, e.g. another test worker, can take it) but
    never listens, so a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def oxigraph_binary() -> str | None:
    """The `oxigraph` server binary of the PyPI package, if installed."""
    near = Path(sys.executable).parent / "oxigraph"
    if near.is_file():
        return str(near)
    return shutil.which("oxigraph")


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """Start `oxigraph serve` on a free loopback port; yield its base URL; stop it.

    The port is free when picked but not held, so another process (a parallel
    test worker) may take it first: then oxigraph exits at once and it is
    started again on another port."""
    binary = oxigraph_binary()
    assert binary is not None
    for attempt in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        if _wait_until_answering(proc, base):
            break
        err = proc.stderr.read().decode()[:500]
        if attempt == 4 or "in use" not in err.lower():
            raise RuntimeError(f"oxigraph did not start: {err}")
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait_until_answering(proc: subprocess.Popen, base: str, limit: float = 60) -> bool:
    """True once the server at ``base`` answers; False if ``proc`` exits first."""
    deadline = time.monotonic() + limit
    while True:
        try:
            body = urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=5).read()
            # an answer from another process on the port counts only if ours still runs
            return proc.poll() is None and b"boolean" in body
        except OSError:
            if proc.poll() is not None:
                return False
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait(10)
                return False
            time.sleep(0.02)


class RecordingServer:
    """A loopback HTTP server that records every request path it receives: GET
    and POST get a JSON-LD context back, PUT (a graph store push) HTTP 501."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                outer.requests.append(self.path)
                # Read the whole body before answering: a reply while the client
                # is still sending makes it fail on a broken pipe, or not, by timing.
                self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):  # noqa: N802
                self._record()
                body = b'{"@context": {"x": "urn:evil#"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def do_PUT(self):  # noqa: N802
                self._record()
                self.send_error(501, "Unsupported method ('PUT')")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        # shutdown() returns once serve_forever notices it, which it checks every
        # poll_interval: 0.5 s by default, a fixed wait in every test's teardown.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
