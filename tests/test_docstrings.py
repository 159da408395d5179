"""Every docstring example in the package runs (numpydoc examples must not rot)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import chiprisk.cli
import chiprisk.data
import chiprisk.graph
import chiprisk.ontology

MODULES = sorted(
    info.name
    for pkg in (chiprisk.graph, chiprisk.ontology, chiprisk.data, chiprisk.cli)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
