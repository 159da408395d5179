"""Shared fixtures: an isolated cache, the tiny data directory, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"

os.environ["CHIPRISK_CACHE_DIR"] = tempfile.mkdtemp(prefix="chiprisk-test-cache-")

# Property tests are deterministic (the same examples every run, whatever the
# machine's load) and have no deadline (a busy machine must not fail them).
# HYPOTHESIS_PROFILE=random draws new examples, as for long fuzzing.
settings.register_profile("chiprisk", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("random", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "chiprisk"))


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
