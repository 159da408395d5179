"""Typed access to the built-in dataset (seed tables, scenarios, manifest).

Examples
--------
>>> from chiprisk.data import resources
>>> resources.seed_dir().joinpath("sources.csv").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

_PACKAGE = "chiprisk.data"


def root() -> Traversable:
    """Return the package folder of the built-in data."""
    return files(_PACKAGE)


def seed_dir() -> Traversable:
    """Return the folder of the seed CSV tables."""
    return root().joinpath("seed")


def scenarios_dir() -> Traversable:
    """Return the folder of the named scenario files."""
    return root().joinpath("scenarios")


def manifest_text() -> str:
    """Return ``datapackage.json`` (the manifest of the seed tables)."""
    return root().joinpath("datapackage.json").read_text(encoding="utf-8")
