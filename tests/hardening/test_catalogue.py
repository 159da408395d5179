"""The hardening catalogue: every case names a test that exists, and there are enough."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "hardening"
_ROW = re.compile(r"^\|\s*([DRP]\d{2,})\b[^|]*\|")  # an id, maybe marked (D07 †)
_NODE = re.compile(r"`((?:T|tests/[\w/]+\.py)::\w+)(?:\[[^`]*\])?`")
_ALIAS = {"T": "tests/hardening/test_rdf_sparql_files.py"}


def _case_rows(doc: Path) -> list[tuple[str, str]]:
    """(case id, row text) of the rows of every table whose last column is ``test``."""
    rows, in_cases = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_cases = False
        elif line.startswith("| id |"):
            in_cases = line.rstrip(" |").rsplit("|", 1)[-1].strip() == "test"
        elif in_cases and (m := _ROW.match(line)):
            rows.append((m.group(1), line))
    return rows


def _cases() -> list[tuple[str, str, str]]:
    """(doc, case id, pytest node id) for every catalogue row."""
    out = []
    for doc in sorted(DOCS.glob("*.md")):
        for case, line in _case_rows(doc):
            nodes = _NODE.findall(line)
            assert nodes, f"{doc.name}: case {case} names no test"
            out.extend((doc.name, case, n) for n in nodes)
    return out


@functools.cache  # a file is named by many cases: parse it once
def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_catalogue_has_at_least_40_bad_input_cases_with_unique_ids():
    cases = _cases()
    ids = {c for _, c, _ in cases}
    assert len([c for c in ids if c[0] in "DR"]) >= 40
    for doc in DOCS.glob("*.md"):
        rows = [case for case, _ in _case_rows(doc)]
        assert len(rows) == len(set(rows)), f"{doc.name}: duplicate case ids"


def test_every_case_names_an_existing_test_function():
    missing = []
    for doc, case, node in _cases():
        path, name = node.split("::")
        file = ROOT / _ALIAS.get(path, path)
        if not file.exists() or name.split("[")[0] not in _functions(file):
            missing.append(f"{doc} {case}: {node}")
    assert not missing, missing
