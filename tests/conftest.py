"""Shared fixtures: an isolated cache, the tiny data directory, a CLI runner.

The suite runs on every core (``-n auto`` in ``pyproject.toml``, pytest-xdist):
each worker process imports this file, so each has its own cache directory.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"

CACHE_DIR = tempfile.mkdtemp(prefix="chiprisk-test-cache-")
os.environ["CHIPRISK_CACHE_DIR"] = CACHE_DIR
atexit.register(shutil.rmtree, CACHE_DIR, ignore_errors=True)

# Each worker holds the knowledge graph and starts endpoint processes of its own.
MAX_WORKERS = 8

# Property tests are deterministic (the same examples every run, whatever the
# machine's load) and have no deadline (a busy machine must not fail them).
# HYPOTHESIS_PROFILE=random draws new examples, as for long fuzzing.
settings.register_profile("chiprisk", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("random", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "chiprisk"))


def pytest_xdist_auto_num_workers(config) -> int:
    """Workers for ``-n auto``: none when the arguments name one test file (or
    tests in it), else one per core the process may use, at most MAX_WORKERS
    (PYTEST_XDIST_AUTO_NUM_WORKERS wins)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    files = {a.split("::")[0] for a in config.option.file_or_dir or []}
    if len(files) == 1 and files.pop().endswith(".py"):
        return 0  # one file runs on one worker anyway (--dist loadfile)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


@pytest.fixture(scope="session", autouse=True)
def terminal_width():
    """Every test sees an 120-column terminal (tests that need another width set
    COLUMNS themselves): CLI tables wrap at the width, and pytest-xdist's workers
    would otherwise see 80 while a plain run sees the real terminal's."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "120"
    yield
    if old is None:
        os.environ.pop("COLUMNS", None)
    else:
        os.environ["COLUMNS"] = old


@pytest.fixture(autouse=True)
def close_figures():
    """The plotting API returns pyplot figures (a notebook shows them), which
    pyplot keeps until closed; close those a test opened once it ends, so a
    worker does not pile up dozens (matplotlib warns past 20). Figures of a
    wider-scoped fixture, opened before this one starts, stay open."""
    before = _figure_numbers()
    yield
    opened = _figure_numbers() - before
    if opened:
        plt = sys.modules["matplotlib.pyplot"]
        for number in opened:
            plt.close(number)


def _figure_numbers() -> set[int]:
    plt = sys.modules.get("matplotlib.pyplot")
    return set(plt.get_fignums()) if plt is not None else set()


@pytest.fixture
def in_fresh_thread():
    """Run ``fn(*args, **kw)`` in a new thread and return its result (or raise its
    error). pyshacl ran 4-5x slower in pytest's main thread than in a plain
    process (the same calls); in a fresh thread it runs at the plain speed."""

    def run(fn, *args, **kw):
        box: dict = {}

        def target():
            try:
                box["value"] = fn(*args, **kw)
            except BaseException as exc:  # re-raised in the test's thread
                box["error"] = exc

        t = threading.Thread(target=target)
        t.start()
        t.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return run


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny, hand-checked data directory."""
    dest = tmp_path / "tiny"
    shutil.copytree(TINY, dest)
    return dest


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the chiprisk CLI in-process; returns click's Result."""
    from chiprisk.cli.main import cli

    def run(*args: str, **kw):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kw)

    return run
