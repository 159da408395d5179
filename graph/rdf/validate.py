"""SHACL validation plus whole-graph rules, in one report.

Two engines give the same findings. ``fast`` (the default) codes the triples
as integer columns (:mod:`~chiprisk.graph.rdf.coded_triples`), runs the
shapes of ``ontology/shapes`` with the vectorised SHACL engine
(:mod:`~chiprisk.graph.rdf.shacl_fast`; a shape it does not support runs
through pyshacl) and the cross-entity rules (share sums per level,
requirement cycles) with pandas (:mod:`~chiprisk.graph.rdf.validate_rules`).
``pyshacl`` is the reference: pyshacl for the shapes and the rules' SPARQL
texts of ``ontology/rules``. ``tests/graph/test_validate_engines.py``
compares the two.

Examples
--------
>>> from chiprisk.graph.rdf.validate import validate_graph
>>> from rdflib import Graph
>>> validate_graph(Graph()).conforms, validate_graph(Graph(), engine="pyshacl").conforms
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from chiprisk.graph.rdf.coded_triples import CodedTriples
from chiprisk.graph.rdf.validate_rules import requirement_cycle_nodes, share_sum_groups
from chiprisk.ontology import resources
from chiprisk.ontology.namespaces import CR, id_for

RESULT_COLUMNS = ["kind", "rule", "severity", "focus", "path", "value", "message"]
SHARE_LOW, SHARE_HIGH = 98.0, 102.0
ENGINES = ("fast", "pyshacl")
"""``fast``: the vectorised engine and pandas rules; ``pyshacl``: pyshacl and the SPARQL rules."""

__all__ = [
    "ENGINES",
    "ValidationReport",
    "requirement_cycle_nodes",
    "shapes_graph",
    "shapes_plan",
    "validate_graph",
    "validate_tables",
]


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


@cache
def shapes_plan():
    """The shapes, read once into the fast engine's plan (see :mod:`.shacl_plan`)."""
    from chiprisk.graph.rdf.shacl_plan import read_plan

    return read_plan(shapes_graph())


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


def _shape_row(shape, severity, focus, path, value, message: str) -> dict:
    return {
        "kind": "shape",
        "rule": _short(shape).removeprefix("cr:") if isinstance(shape, URIRef) else "shape",
        "severity": _short(severity).rsplit("#", 1)[-1],
        "focus": _short(focus),
        "path": _short(path),
        "value": _short(value),
        "message": message,
    }


def _shacl(data: Graph, use_shapes: list | None = None, shapes: Graph | None = None) -> list[dict]:
    """pyshacl's results (of ``use_shapes`` only, when given)."""
    from pyshacl import validate

    _, report, _ = validate(
        data,
        shacl_graph=shapes_graph() if shapes is None else shapes,
        inference="none",
        advanced=False,
        meta_shacl=False,
        use_shapes=use_shapes,
    )
    rows = []
    for res in report.subjects(RDF.type, SH.ValidationResult):
        rows.append(
            _shape_row(
                report.value(res, SH.sourceShape),
                report.value(res, SH.resultSeverity),
                report.value(res, SH.focusNode),
                report.value(res, SH.resultPath),
                report.value(res, SH.value),
                str(report.value(res, SH.resultMessage) or ""),
            )
        )
    return rows


def _fast_shacl(ct: CodedTriples, graph, shapes: Graph | None = None) -> list[dict]:
    """The fast engine's results, plus pyshacl's for the shapes the engine leaves to it."""
    from chiprisk.graph.rdf.shacl_fast import run_plan
    from chiprisk.graph.rdf.shacl_plan import read_plan

    plan = shapes_plan() if shapes is None else read_plan(shapes)
    terms, rows = ct.terms, []
    for r in run_plan(plan, ct):
        shape, message = r.shape, r.message()
        path = shape.path if shape.is_property else None
        for f, v in zip(r.focus.tolist(), r.value.tolist(), strict=True):
            value = terms[v] if v >= 0 else None
            rows.append(_shape_row(shape.node, shape.severity, terms[f], path, value, message))
    if plan.fallback:
        use = None if plan.fallback_all else [str(n) for n in plan.fallback_shapes]
        rows += _shacl(graph(), use, shapes)
    return rows


def shape_results(
    data: Graph, shapes: Graph | None = None, *, engine: str = "fast"
) -> pd.DataFrame:
    """The SHACL results alone (no whole-graph rules), for any shapes graph.

    Parameters
    ----------
    data : rdflib.Graph
        The instance data.
    shapes : rdflib.Graph, optional
        The shapes (default: the ontology's, :func:`shapes_graph`).
    engine : {"fast", "pyshacl"}

    Returns
    -------
    pandas.DataFrame
        The report's columns, one row per result, sorted.
    """
    _check_engine(engine)
    if engine == "pyshacl":
        rows = _shacl(data, None, shapes)
    else:
        rows = _fast_shacl(CodedTriples.from_graph(data), lambda: data, shapes)
    return _report(rows).results


def _message(text: str) -> str:
    m = re.search(r"^#\s*message:\s*(.*)$", text, re.M)
    return m.group(1).strip() if m else ""


def _rule_row(rule: str, focus: str | None, message: str, value: object = None) -> dict:
    return {
        "kind": "rule",
        "rule": rule,
        "severity": "Violation",
        "focus": focus,
        "path": None,
        "value": None if value is None else str(value),
        "message": message,
    }


def _share_rows(groups: Iterable[tuple]) -> list[dict]:
    """Findings of the share-sum rule from its groups ``(input, buyer, basis, year, level,
    total, mins, opens)`` (terms; None for an unbound buyer or sum)."""
    out = []
    for inp, buyer, basis, year, level, total, mins, opens in groups:
        total = float(total) if total is not None else 0.0
        mins = float(mins) if mins is not None else 0.0
        opens = int(opens) if opens is not None else 0
        b = f", buyer {_short(buyer)}" if buyer is not None else ""
        lv = ", country totals" if str(level) == "country" else ""
        focus = f"{_short(inp)} ({basis}, {year}{b}{lv})"
        if total + mins > SHARE_HIGH + 1e-9:
            out.append(
                _rule_row(
                    "share-sum",
                    focus,
                    f"shares sum to {total + mins:g}, above {SHARE_HIGH:g}",
                    f"{total + mins:g}",
                )
            )
        elif opens == 0 and total < SHARE_LOW - 1e-9:
            out.append(
                _rule_row(
                    "share-sum",
                    focus,
                    f"shares sum to {total:g}, below {SHARE_LOW:g}: "
                    "add an 'other' row for the residual",
                    f"{total:g}",
                )
            )
    return out


def _sparql_share_groups(data: Graph) -> list[tuple]:
    """The share-sum groups from the rule's SPARQL text (the reference)."""
    out = []
    for row in data.query(resources.rule_texts()["share-sum"]):
        out.append(
            (
                row.input,
                row.buyer,
                row.basis,
                row.year,
                row.level,
                row.total.toPython() if row.total is not None else None,
                row.mins.toPython() if row.mins is not None else None,
                row.opens.toPython() if row.opens is not None else None,
            )
        )
    return out


def _cycle_rows(nodes: list) -> list[dict]:
    # ``?s cr:requires+ ?s`` as a graph computation: rdflib evaluates a property
    # path recursively, and a 1,000-level acyclic chain overflowed the stack
    message = _message(resources.rule_texts()["requirement-cycle"])
    return [_rule_row("requirement-cycle", _short(n), message) for n in nodes]


def _rules(data: Graph) -> list[dict]:
    """The whole-graph rules as their SPARQL texts run them (the reference)."""
    return _share_rows(_sparql_share_groups(data)) + _cycle_rows(requirement_cycle_nodes(data))


def _fast_rules(ct: CodedTriples, graph) -> list[dict]:
    """The whole-graph rules with pandas over the coded triples."""
    groups = share_sum_groups(ct)
    if groups is None:  # data the pandas sums cannot match exactly: the SPARQL text decides
        share = _sparql_share_groups(graph())
    else:
        t = ct.terms
        share = [
            (t[r.input], t[r.buyer] if r.buyer >= 0 else None, t[r.basis], t[r.year], r.level,
             r.total, r.mins, r.opens)
            for r in groups.itertuples(index=False)
        ]  # fmt: skip
    return _share_rows(share) + _cycle_rows(requirement_cycle_nodes(ct))


def _report(rows: list[dict]) -> ValidationReport:
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    results = results.sort_values(
        ["rule", "focus", "path", "value", "message"], kind="stable", na_position="last"
    )
    return ValidationReport(conforms=results.empty, results=results.reset_index(drop=True))


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}: use one of {', '.join(ENGINES)}")


def validate_graph(data: Graph, *, engine: str = "fast") -> ValidationReport:
    """Validate an RDF graph against the shapes and the whole-graph rules.

    Parameters
    ----------
    data : rdflib.Graph
        The instance data (ABox).
    engine : {"fast", "pyshacl"}
        ``fast``: the vectorised SHACL engine and the pandas rules;
        ``pyshacl``: pyshacl and the rules' SPARQL texts. Same findings.

    Returns
    -------
    ValidationReport

    Notes
    -----
    ``fast`` is O(triples) numpy work plus Python per distinct value checked;
    pyshacl's cost is roughly linear in focus nodes per shape, with a SPARQL
    parse per focus node for ``sh:sparql`` shapes.
    """
    _check_engine(engine)
    if engine == "pyshacl":
        return _report(_shacl(data) + _rules(data))
    return _validate_coded(CodedTriples.from_graph(data), lambda: data)


def _validate_coded(ct: CodedTriples, graph) -> ValidationReport:
    made: list = []

    def once() -> Graph:  # an rdflib graph only if a fallback needs one
        if not made:
            made.append(graph())
        return made[0]

    return _report(_fast_shacl(ct, once) + _fast_rules(ct, once))


def validate_tables(tables, *, engine: str = "fast") -> ValidationReport:
    """Validate checked rows (:class:`~chiprisk.graph.io.loader.Tables`) as their RDF graph.

    The same report as ``validate_graph(build_graph(tables))``; the ``fast``
    engine codes the triples straight from the rows without building an
    rdflib graph.
    """
    from chiprisk.graph.rdf.triples import build_graph, triples

    _check_engine(engine)
    if engine == "pyshacl":
        return validate_graph(build_graph(tables), engine=engine)
    ct = CodedTriples.from_triples(t for t, _ in triples(tables))
    return _validate_coded(ct, ct.to_graph)
