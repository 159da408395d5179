"""Old module paths that moved into the wings, kept for one release.

An import of an old path (``chiprisk.graph.loader``, or a submodule of a
moved package such as ``chiprisk.graph.importers.eto``) is answered by
:class:`MovedFinder` with the module at its new path, after a
``DeprecationWarning``; ``chiprisk.graph`` installs the finder. No file is
left at the old paths, so the wings stay the only folders. The list is in
docs/architecture.md.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     import chiprisk.graph.loader as old
>>> import chiprisk.graph.io.loader as new
>>> old is new, w[0].category.__name__
(True, 'DeprecationWarning')
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import warnings
from importlib import import_module
from types import ModuleType

MOVED = {
    "chiprisk.graph.atomic": "chiprisk.graph.io.atomic",
    "chiprisk.graph.cache": "chiprisk.graph.io.cache",
    "chiprisk.graph.contract": "chiprisk.graph.io.contract",
    "chiprisk.graph.datadir": "chiprisk.graph.io.datadir",
    "chiprisk.graph.loader": "chiprisk.graph.io.loader",
    "chiprisk.graph.manifest": "chiprisk.graph.io.manifest",
    "chiprisk.graph.synthetic": "chiprisk.graph.io.synthetic",
    "chiprisk.graph.importers": "chiprisk.graph.io.importers",
    "chiprisk.graph.coverage": "chiprisk.graph.model.coverage",
    "chiprisk.graph.fx": "chiprisk.graph.model.fx",
    "chiprisk.graph.lenses": "chiprisk.graph.model.lenses",
    "chiprisk.graph.network": "chiprisk.graph.model.network",
    "chiprisk.graph.propagation": "chiprisk.graph.model.propagation",
    "chiprisk.graph.derived": "chiprisk.graph.rdf.derived",
    "chiprisk.graph.export": "chiprisk.graph.rdf.export",
    "chiprisk.graph.push": "chiprisk.graph.rdf.push",
    "chiprisk.graph.query": "chiprisk.graph.rdf.query",
    "chiprisk.graph.rdf_files": "chiprisk.graph.rdf.files",
    "chiprisk.graph.serve": "chiprisk.graph.rdf.serve",
    "chiprisk.graph.validate": "chiprisk.graph.rdf.validate",
    "chiprisk.graph.plot": "chiprisk.graph.report.plot",
    "chiprisk.graph.worldmap": "chiprisk.graph.report.worldmap",
}
"""Old module path -> new module path."""


def new_path(old: str) -> str | None:
    """The new dotted path of ``old``, or None if it did not move.

    Parameters
    ----------
    old : str
        A dotted module path.

    Returns
    -------
    str or None

    Examples
    --------
    >>> new_path("chiprisk.graph.importers.eto")
    'chiprisk.graph.io.importers.eto'
    >>> new_path("chiprisk.graph.io.loader") is None
    True
    """
    if old in MOVED:
        return MOVED[old]
    package, _, tail = old.rpartition(".")
    if package in MOVED:
        return f"{MOVED[package]}.{tail}"
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, new: str):
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.new}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """The module at the new path is already executed."""


class MovedFinder(importlib.abc.MetaPathFinder):
    """Find old module paths and answer with the modules at their new paths."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: D102
        new = new_path(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    """Put one :class:`MovedFinder` on ``sys.meta_path`` (idempotent)."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
