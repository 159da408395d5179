"""Shared fixtures: an isolated cache, the tiny data directory, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"

os.environ["CHIPRISK_CACHE_DIR"] = tempfile.mkdtemp(prefix="chiprisk-test-cache-")


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
