"""Read a SHACL shapes graph into a plan the fast engine runs, and say which shapes it cannot.

The shapes stay the single source of truth: every target, path, constraint
parameter and message is read from the shapes graph. A shape uses only what
:mod:`chiprisk.graph.rdf.shacl_fast` evaluates (SHACL Core: targets, simple
predicate paths, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
``sh:minCount``/``sh:maxCount``, the four range parameters,
``sh:minLength``/``sh:maxLength``, ``sh:pattern``/``sh:flags``, ``sh:in``,
``sh:lessThan``/``sh:lessThanOrEquals``, ``sh:property``, ``sh:node``,
``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, and ``sh:sparql`` SELECT
constraints that filter a basic graph pattern around ``$this``), or it is
*unsupported*: then the top-level shape that reaches it runs through pyshacl,
never skipped. Any other ``sh:`` parameter, a complex path, a recursive shape,
a parameter given more often than pyshacl accepts, or a custom constraint
component makes a shape unsupported.

Examples
--------
>>> from chiprisk.graph.rdf.validate import shapes_graph
>>> plan = read_plan(shapes_graph())
>>> len(plan.top), len(plan.shapes), plan.fallback
(20, 158, [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# sh: predicates on a shape that are no constraint (pyshacl ignores them when validating)
NOT_CONSTRAINTS = {
    SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.message, SH.severity,
    SH.deactivated, SH.path, SH.flags, *TARGETS,
}  # fmt: skip
SINGLE = {
    SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH["in"],
}  # fmt: skip
MULTI = {
    SH["class"], SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive, SH.pattern,
    SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone, SH.node,
    SH.property, SH.sparql,
}  # fmt: skip
LISTS = {SH["and"], SH["or"], SH.xone}
SHAPE_VALUED = {SH["not"], SH.node, SH.property}
NODE_KINDS = {
    SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral,
}  # fmt: skip


@dataclass
class SparqlCheck:
    """One ``sh:sparql`` SELECT constraint, run once over the whole graph."""

    node: object
    query: object
    predicates: list
    messages: list


@dataclass
class ShapeDef:
    """One shape of the shapes graph, as the engine needs it."""

    node: object
    path: URIRef | None = None
    is_property: bool = False
    targets: dict = field(default_factory=dict)
    constraints: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    severity: URIRef = SH.Violation
    deactivated: bool = False
    problems: list = field(default_factory=list)
    children: list = field(default_factory=list)


@dataclass
class Plan:
    """The shapes, the top-level (targeted) ones the engine runs, and those pyshacl runs.

    ``fallback``: the top-level shapes pyshacl runs; ``fallback_shapes``: the
    IRIs to give pyshacl's ``use_shapes`` for them (empty with
    ``fallback_all``: then pyshacl runs every shape); ``reasons``: why, by
    unsupported top-level shape.
    """

    shapes: dict
    top: list
    fallback: list
    fallback_shapes: list
    fallback_all: bool = False
    reasons: dict = field(default_factory=dict)


def _int(v) -> int | None:
    return v.value if isinstance(v, Literal) and isinstance(v.value, int) and v.value >= 0 else None


def _sparql_check(g: Graph, shape: ShapeDef, c) -> SparqlCheck | str:
    """A ``sh:sparql`` constraint the engine can run over the whole graph, or why not."""
    if shape.is_property:
        return "sh:sparql on a property shape"
    if (c, SH.deactivated, Literal(True)) in g:
        return "a deactivated sh:sparql constraint"
    texts = list(g.objects(c, SH.select))
    if len(texts) != 1 or not isinstance(texts[0], Literal):
        return "sh:sparql without one sh:select"
    if list(g.objects(c, SH.prefixes)) or list(g.objects(shape.node, SH.prefixes)):
        return "sh:sparql with sh:prefixes"
    text = str(texts[0])
    if re.search(r"[$?](PATH|currentShape|shapesGraph|failure|path)\b", text):
        return "sh:sparql using $PATH, $currentShape, $shapesGraph, ?failure or ?path"
    messages = list(g.objects(c, SH.message))
    if any("{" in str(m) for m in messages):
        return "sh:sparql message with {?var} placeholders"
    from rdflib.plugins.sparql import prepareQuery

    try:
        query = prepareQuery(text)
    except Exception as e:  # noqa: BLE001 - any parse error: pyshacl reports it its way
        return f"sh:sparql that does not parse ({type(e).__name__})"
    preds = _bgp_predicates(query.algebra)
    if isinstance(preds, str):
        return preds
    return SparqlCheck(c, query, preds, messages)


def _bgp_predicates(algebra) -> list | str:
    """The predicates of a SELECT that is a filtered basic graph pattern around ``?this``."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if algebra.name != "SelectQuery":
        return "sh:sparql that is no SELECT"
    allowed = {"SelectQuery", "Project", "Filter", "BGP", "Join"}
    preds: list = []
    this_in_bgp = False
    todo = [algebra]
    while todo:
        node = todo.pop()
        if node.name not in allowed:
            return f"sh:sparql with {node.name}"
        for key, value in node.items():
            if key == "expr":
                if _has_exists(value):
                    return "sh:sparql with EXISTS"
            elif key == "triples":
                for s, p, o in value:
                    if not isinstance(p, URIRef):
                        return "sh:sparql with a variable or path predicate"
                    preds.append(p)
                    this_in_bgp |= Variable("this") in (s, o)
            elif isinstance(value, CompValue):
                todo.append(value)
    if not this_in_bgp:
        return "sh:sparql whose pattern does not bind $this"
    return list(dict.fromkeys(preds))


def _has_exists(expr) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            return True
        return any(_has_exists(v) for v in expr.values())
    if isinstance(expr, list | tuple):
        return any(_has_exists(v) for v in expr)
    return False


def _read_shape(g: Graph, node, shapes: dict) -> ShapeDef:
    shape = ShapeDef(node)
    shapes[node] = shape
    paths = list(g.objects(node, SH.path))
    if paths:
        shape.is_property = True
        if len(paths) > 1 or not isinstance(paths[0], URIRef):
            shape.problems.append("a complex or repeated sh:path")
        else:
            shape.path = paths[0]
    for t in TARGETS:
        vals = list(g.objects(node, t))
        if vals:
            shape.targets[t] = vals
    class_types = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
    if any(t in class_types for t in g.objects(node, RDF.type)):  # an implicit class target
        shape.targets.setdefault(SH.targetClass, []).append(node)
    shape.messages = list(g.objects(node, SH.message))
    sev = list(g.objects(node, SH.severity))
    shape.severity = sev[0] if sev else SH.Violation
    deactivated = list(g.objects(node, SH.deactivated))
    if len(sev) > 1 or len(deactivated) > 1 or not all(isinstance(d, Literal) for d in deactivated):
        shape.problems.append("more than one sh:severity or sh:deactivated, or not a literal")
    shape.deactivated = bool(deactivated and deactivated[0].value)
    params: dict = {}
    for p, o in g.predicate_objects(node):
        if str(p).startswith(str(SH)) and p not in NOT_CONSTRAINTS:
            params.setdefault(p, []).append(o)
    for p, vals in params.items():
        if p not in SINGLE and p not in MULTI:
            shape.problems.append(f"{p.n3(g.namespace_manager)} is not supported")
        elif p in SINGLE and len(vals) > 1:
            shape.problems.append(f"{p.n3(g.namespace_manager)} given more than once")
        else:
            _read_param(g, shape, p, vals, shapes)
    return shape


def _read_param(g: Graph, shape: ShapeDef, p, vals: list, shapes: dict) -> None:
    name = p.n3(g.namespace_manager)
    if p in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
        n = _int(vals[0])
        if n is None:
            shape.problems.append(f"{name} that is not a non-negative integer")
        shape.constraints.append((p, n))
    elif p in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
        if not all(isinstance(v, Literal) for v in vals):
            shape.problems.append(f"{name} that is not a literal")
        shape.constraints.append((p, vals))
    elif p == SH.nodeKind:
        if vals[0] not in NODE_KINDS:
            shape.problems.append(f"an unknown {name}")
        shape.constraints.append((p, vals[0]))
    elif p == SH.pattern:
        flags = [str(f.value).lower() for f in g.objects(shape.node, SH.flags)]
        re_flags = (re.I if flags and "i" in flags[0] else 0) | (
            re.M if flags and "m" in flags[0] else 0
        )
        if not all(isinstance(v, Literal) for v in vals):
            shape.problems.append(f"{name} that is not a literal")
            return
        compiled = [
            re.compile(
                str(v.value) if v.value is not None and len(v.value) > 1 else str(v), re_flags
            )
            for v in vals
        ]
        shape.constraints.append((p, compiled))
    elif p == SH["in"]:
        shape.constraints.append((p, set(g.items(vals[0]))))
    elif p in (SH.lessThan, SH.lessThanOrEquals):
        if not all(isinstance(v, URIRef) for v in vals):
            shape.problems.append(f"{name} that is not an IRI")
        shape.constraints.append((p, vals))
    elif p in SHAPE_VALUED or p in LISTS:
        groups = [list(g.items(v)) for v in vals] if p in LISTS else [vals]
        for members in groups:
            for m in members:
                if m not in shapes:
                    _read_shape(g, m, shapes)
                shape.children.append(m)
        if p in LISTS and not all(groups):
            shape.problems.append(f"an empty {name} list")
        if p == SH.property and not all(shapes[m].is_property for m in vals):
            shape.problems.append("sh:property pointing to a shape without sh:path")
        shape.constraints.append((p, [list(dict.fromkeys(m)) for m in groups]))
    elif p == SH.sparql:
        checks = [_sparql_check(g, shape, c) for c in vals]
        for c in checks:
            if isinstance(c, str):
                shape.problems.append(c)
        shape.constraints.append((p, checks))
    else:  # sh:class, sh:datatype
        shape.constraints.append((p, vals if p == SH["class"] else vals[0]))


def _reach(shapes: dict, node) -> list:
    """Every shape reachable from ``node`` through shape-valued parameters (``node`` first)."""
    seen, todo = [node], [node]
    while todo:
        for child in shapes[todo.pop()].children:
            if child not in seen:
                seen.append(child)
                todo.append(child)
    return seen


def _recursive(shapes: dict, node) -> bool:
    stack, on_path = [(node, iter(shapes[node].children))], {node}
    while stack:
        cur, it = stack[-1]
        child = next(it, None)
        if child is None:
            stack.pop()
            on_path.discard(cur)
        elif child in on_path:
            return True
        else:
            on_path.add(child)
            stack.append((child, iter(shapes[child].children)))
    return False


def read_plan(g: Graph) -> Plan:
    """Read every shape of a shapes graph; split the targeted ones into engine and pyshacl.

    A top-level shape goes to pyshacl when it, or a shape it reaches, is
    unsupported (the reasons are kept in ``Plan.reasons``); every shape goes
    there when the graph declares custom constraint components.
    """
    candidates = set()
    for t in (SH.NodeShape, SH.PropertyShape):
        candidates.update(g.subjects(RDF.type, t))
    for t in TARGETS:
        candidates.update(g.subjects(t, None))
    shapes: dict = {}
    for node in sorted(candidates, key=lambda n: (isinstance(n, BNode), str(n))):
        if node not in shapes:
            _read_shape(g, node, shapes)
    top = [s for s in shapes.values() if s.targets]
    reasons: dict = {}
    custom = any(True for _ in g.subjects(RDF.type, SH.ConstraintComponent))
    for s in top:
        found = [f"{x}: {p}" for x in _reach(shapes, s.node) for p in shapes[x].problems]
        if _recursive(shapes, s.node):
            found.append("the shape is recursive")
        if custom:
            found.append("the shapes graph declares custom constraint components")
        if found:
            reasons[s.node] = found
    fallback_all = custom or any(isinstance(n, BNode) for n in reasons)
    # pyshacl's use_shapes drops the IRI shapes a listed shape references unless they are
    # listed too: pass the closure; a top-level shape in it runs in pyshacl, not here
    reach = [n for s in top if s.node in reasons for n in _reach(shapes, s.node)]
    closure = list(dict.fromkeys(reach))
    fallback = [s.node for s in top if fallback_all or s.node in closure]
    engine = [s for s in top if s.node not in fallback]
    uris = [n for n in closure if isinstance(n, URIRef)]
    return Plan(shapes, engine, fallback, [] if fallback_all else uris, fallback_all, reasons)
