"""Typed access to the ontology's package data (Turtle, shapes, named queries).

Examples
--------
>>> from chiprisk.ontology import resources
>>> "fabs-funded-by-policy" in resources.query_names()
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

_PACKAGE = "chiprisk.ontology"


def _root() -> Traversable:
    return files(_PACKAGE)


def ontology_text() -> str:
    """Return the OWL ontology (Turtle)."""
    return _root().joinpath("chiprisk.ttl").read_text(encoding="utf-8")


def shapes_texts() -> dict[str, str]:
    """Return every SHACL shapes file, by file name, in name order."""
    folder = _root().joinpath("shapes")
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".shapes.ttl")
    }


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A named competency query and its documented parameters."""

    name: str
    question: str
    text: str
    params: tuple[QueryParam, ...] = field(default_factory=tuple)


_HEADER = re.compile(r"^#\s*(name|question|param):\s*(.*)$")


def parse_named_query(text: str, fallback_name: str) -> NamedQuery:
    """Parse the ``# name:`` / ``# question:`` / ``# param:`` header of a query.

    Examples
    --------
    >>> text = "# name: x\\n# question: Why?\\n# param: n integer 3\\nSELECT * {}"
    >>> q = parse_named_query(text, "f")
    >>> (q.name, q.params[0].type, q.params[0].default)
    ('x', 'integer', '3')
    """
    name, question, params = fallback_name, "", []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "name":
            name = value
        elif key == "question":
            question = value
        else:
            parts = value.split(maxsplit=2)
            params.append(
                QueryParam(parts[0], parts[1] if len(parts) > 1 else "string", *parts[2:3])
            )
    return NamedQuery(name=name, question=question, text=text, params=tuple(params))


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Return the named competency queries, by name."""
    folder = _root().joinpath("queries")
    out: dict[str, NamedQuery] = {}
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.endswith(".rq"):
            q = parse_named_query(p.read_text(encoding="utf-8"), p.name[: -len(".rq")])
            out[q.name] = q
    return out


def query_names() -> list[str]:
    """Return the names of the named queries, sorted."""
    return sorted(named_queries())


def rule_texts() -> dict[str, str]:
    """Return the whole-graph validation rules (SPARQL), by rule name."""
    folder = _root().joinpath("rules")
    return {
        p.name[: -len(".rq")]: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".rq")
    }


def jsonld_context_text() -> str:
    """Return the published JSON-LD ``@context`` (``context.jsonld``) of chiprisk exports."""
    return _root().joinpath("context.jsonld").read_text(encoding="utf-8")
