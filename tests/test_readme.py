"""The README documents every command, and its quick start matches CI."""

from __future__ import annotations

import re
from pathlib import Path

from chiprisk.cli.main import COMMAND_GROUPS

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_a_readme_section():
    for commands in COMMAND_GROUPS.values():
        for name, _, _ in commands:
            assert re.search(rf"^#### `chiprisk {name}\b", README, re.M), name


def test_every_command_help_has_examples(invoke):
    for commands in COMMAND_GROUPS.values():
        for name, _, _ in commands:
            out = invoke(name, "--help").output
            assert "Examples:" in out and out.count("chiprisk ") >= 2, name


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    command = "pip install -e '.[test]' --config-settings editable_mode=strict && python -m pytest"
    assert command in README
    assert command in ci
