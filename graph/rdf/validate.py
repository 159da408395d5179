"""SHACL validation plus whole-graph rules, in one report.

pyshacl checks the per-node shapes of ``ontology/shapes``; the cross-entity
rules of ``ontology/rules`` (share sums per level, requirement cycles) run as
whole-graph SPARQL queries, which is orders of magnitude faster than
``sh:sparql`` shapes (see DESIGN.md section 4).

Examples
--------
>>> from chiprisk.graph.rdf.validate import validate_graph
>>> from rdflib import Graph
>>> validate_graph(Graph()).conforms
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from chiprisk.ontology import resources
from chiprisk.ontology.namespaces import CR, id_for

RESULT_COLUMNS = ["kind", "rule", "severity", "focus", "path", "value", "message"]
SHARE_LOW, SHARE_HIGH = 98.0, 102.0


@dataclass
class ValidationReport:
    """The outcome of validating a graph.

    Attributes
    ----------
    conforms : bool
        True when no shape or rule reports a violation.
    results : pandas.DataFrame
        One row per finding, columns ``kind`` (``shape`` for SHACL, ``rule``
        for a whole-graph rule), ``rule`` (the shape IRI's local name or the
        rule name), ``severity``, ``focus`` (the offending node), ``path``,
        ``value`` and ``message``.
    """

    conforms: bool
    results: pd.DataFrame

    def text(self) -> str:
        """A readable report."""
        if self.conforms:
            return "conforms: no violations"
        lines = [f"{len(self.results)} violation(s):"]
        for r in self.results.itertuples(index=False):
            where = f" {r.path}" if isinstance(r.path, str) else ""
            value = f" = {r.value}" if isinstance(r.value, str) and r.value else ""
            lines.append(f"  [{r.rule}] {r.focus}{where}{value}: {r.message}")
        return "\n".join(lines)


@cache
def shapes_graph() -> Graph:
    """All SHACL shapes of the ontology, merged into one graph."""
    g = Graph()
    for text in resources.shapes_texts().values():
        g.parse(data=text, format="turtle")
    return g


def _short(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        s = str(term)
        if s.startswith(str(CR)):
            return "cr:" + s[len(str(CR)) :]
        return id_for(s)
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _shacl(data: Graph) -> list[dict]:
    from pyshacl import validate

    _, report, _ = validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=False, meta_shacl=False
    )
    rows = []
    for res in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(res, SH.sourceShape)
        rows.append(
            {
                "kind": "shape",
                "rule": _short(shape).removeprefix("cr:") if isinstance(shape, URIRef) else "shape",
                "severity": _short(report.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
                "focus": _short(report.value(res, SH.focusNode)),
                "path": _short(report.value(res, SH.resultPath)),
                "value": _short(report.value(res, SH.value)),
                "message": str(report.value(res, SH.resultMessage) or ""),
            }
        )
    return rows


def _message(text: str) -> str:
    m = re.search(r"^#\s*message:\s*(.*)$", text, re.M)
    return m.group(1).strip() if m else ""


def _group(row) -> str:
    buyer = f", buyer {_short(row.buyer)}" if row.buyer is not None else ""
    level = ", country totals" if str(row.level) == "country" else ""
    return f"{_short(row.input)} ({row.basis}, {row.year}{buyer}{level})"


def _rules(data: Graph) -> list[dict]:
    out: list[dict] = []
    texts = resources.rule_texts()

    def add(rule: str, focus: str | None, message: str, value: object = None) -> None:
        out.append(
            {
                "kind": "rule",
                "rule": rule,
                "severity": "Violation",
                "focus": focus,
                "path": None,
                "value": None if value is None else str(value),
                "message": message,
            }
        )

    for row in data.query(texts["share-sum"]):
        total = float(row.total.toPython()) if row.total is not None else 0.0
        mins = float(row.mins.toPython()) if row.mins is not None else 0.0
        opens = int(row.opens.toPython()) if row.opens is not None else 0
        if total + mins > SHARE_HIGH + 1e-9:
            add(
                "share-sum",
                _group(row),
                f"shares sum to {total + mins:g}, above {SHARE_HIGH:g}",
                f"{total + mins:g}",
            )
        elif opens == 0 and total < SHARE_LOW - 1e-9:
            add(
                "share-sum",
                _group(row),
                f"shares sum to {total:g}, below {SHARE_LOW:g}: "
                "add an 'other' row for the residual",
                f"{total:g}",
            )
    # ``?s cr:requires+ ?s`` as a graph computation: rdflib evaluates a property
    # path recursively, and a 1,000-level acyclic chain overflowed the stack
    for node in requirement_cycle_nodes(data):
        add("requirement-cycle", _short(node), _message(texts["requirement-cycle"]))
    return out


def requirement_cycle_nodes(data: Graph) -> list:
    """Nodes that require themselves through ``cr:requires`` (``?s cr:requires+ ?s``).

    Strongly connected components (scipy, no recursion), so any depth is fine.

    Examples
    --------
    >>> g = Graph()
    >>> for a, b in [("a", "b"), ("b", "a"), ("b", "c")]:
    ...     _ = g.add((URIRef("urn:" + a), CR.requires, URIRef("urn:" + b)))
    >>> sorted(str(n) for n in requirement_cycle_nodes(g))
    ['urn:a', 'urn:b']
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    edges = list(data.subject_objects(CR.requires))
    if not edges:
        return []
    index: dict = {}
    for s, o in edges:
        index.setdefault(s, len(index))
        index.setdefault(o, len(index))
    rows = np.fromiter((index[s] for s, _ in edges), dtype=np.int64, count=len(edges))
    cols = np.fromiter((index[o] for _, o in edges), dtype=np.int64, count=len(edges))
    n = len(index)
    adj = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels)
    on_cycle = sizes[labels] > 1
    on_cycle[rows[rows == cols]] = True
    nodes = list(index)
    return [nodes[i] for i in np.flatnonzero(on_cycle)]


def validate_graph(data: Graph) -> ValidationReport:
    """Validate an RDF graph against the shapes and the whole-graph rules.

    Parameters
    ----------
    data : rdflib.Graph
        The instance data (ABox).

    Returns
    -------
    ValidationReport

    Notes
    -----
    pyshacl's cost is roughly linear in focus nodes per shape; each rule is
    one SPARQL query over the graph.
    """
    rows = _shacl(data) + _rules(data)
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    results = results.sort_values(["rule", "focus"], kind="stable", na_position="last")
    return ValidationReport(conforms=results.empty, results=results.reset_index(drop=True))
