"""A vectorised SHACL Core engine over integer-coded triples, with pyshacl's findings.

It runs the plan of :mod:`chiprisk.graph.rdf.shacl_plan` over
:class:`~chiprisk.graph.rdf.coded_triples.CodedTriples`: the focus nodes of a
shape are an array of term ids, its value nodes ``(focus, value)`` id pairs
taken from the predicate's slice; counts are ``bincount``, ``sh:class`` is
``isin`` over the class's instances, the per-term parameters
(:mod:`chiprisk.graph.rdf.shacl_terms`) are decided once per distinct value,
nested shapes (``sh:property``, ``sh:or`` ...) once per distinct node, and a
``sh:sparql`` SELECT once over the whole graph (pyshacl parses and runs it
once per focus node). Results are pyshacl's: one per (shape, constraint,
focus, value) with its severity, path and ``sh:message``.

Examples
--------
>>> from rdflib import Graph
>>> from chiprisk.graph.rdf.coded_triples import CodedTriples
>>> from chiprisk.graph.rdf.shacl_plan import read_plan
>>> from chiprisk.graph.rdf.validate import shapes_graph
>>> data = Graph().parse(data="@prefix cr: <https://w3id.org/chiprisk/ontology#> . "
...     "<https://w3id.org/chiprisk/id/fx-eur-2024> a cr:ExchangeRate .", format="turtle")
>>> found = run_plan(read_plan(shapes_graph()), CodedTriples.from_graph(data))
>>> for r in sorted(found, key=lambda r: r.shape.node):
...     print(r.shape.node.fragment, r.message()[:32])
ExchangeRateCurrencyShape An exchange rate needs exactly o
ExchangeRatePerUsdShape An exchange rate needs exactly o
ExchangeRateYearShape An exchange rate needs exactly o
ProvenanceShape Every supply, site, organisation
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rdflib.namespace import SH

from chiprisk.graph.rdf import shacl_terms as T
from chiprisk.graph.rdf.coded_triples import BLANK, IRI, LITERAL, CodedTriples
from chiprisk.graph.rdf.shacl_plan import Plan, ShapeDef

_KIND_CODES = {
    SH.IRI: (IRI,),
    SH.BlankNode: (BLANK,),
    SH.Literal: (LITERAL,),
    SH.BlankNodeOrIRI: (BLANK, IRI),
    SH.BlankNodeOrLiteral: (BLANK, LITERAL),
    SH.IRIOrLiteral: (IRI, LITERAL),
}
_RANGES = (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive)
_GENERIC = {
    SH["class"]: "Value does not have class {}",
    SH.datatype: "Value is not Literal with datatype {}",
    SH.nodeKind: "Value is not of Node Kind {}",
    SH.minCount: "Less than {} values",
    SH.maxCount: "More than {} values",
    SH.minExclusive: "Value is not > {}",
    SH.minInclusive: "Value is not >= {}",
    SH.maxExclusive: "Value is not < {}",
    SH.maxInclusive: "Value is not <= {}",
    SH.minLength: "String length not >= {}",
    SH.maxLength: "String length not <= {}",
    SH.pattern: "Value does not match pattern '{}'",
    SH["in"]: "Value not in list {}",
    SH.lessThan: "Value is not < value of {}",
    SH.lessThanOrEquals: "Value is not <= value of {}",
    SH["or"]: "Node must conform to one or more shapes in {}",
    SH["and"]: "Node must conform to all shapes in {}",
    SH.xone: "Node must conform to exactly one shape in {}",
    SH["not"]: "Node conforms to shape {}",
    SH.node: "Value does not conform to Shape {}",
}


@dataclass
class Found:
    """The results of one constraint of one shape: ``focus`` and ``value`` ids (-1: no value)."""

    shape: ShapeDef
    param: object
    arg: object
    focus: np.ndarray
    value: np.ndarray
    messages: list | None = None

    def message(self) -> str:
        """The ``sh:message`` of the result (the constraint's, then the shape's), else generic."""
        msgs = self.messages or self.shape.messages
        if msgs:
            return str(msgs[0])
        return _GENERIC.get(self.param, "Value does not conform to {}").format(_fmt(self.arg))


def _fmt(arg) -> str:
    """A constraint's parameter as message text (generic messages only)."""
    if hasattr(arg, "pattern"):
        return arg.pattern
    if isinstance(arg, list | tuple | set | frozenset):
        return "(" + ", ".join(sorted(_fmt(a) for a in arg)) + ")"
    return str(arg)


class Engine:
    """Runs the plan's shapes over one coded graph, caching per-term answers across shapes."""

    def __init__(self, plan: Plan, ct: CodedTriples):
        self.plan, self.ct = plan, ct
        self._checks: dict = {}
        self._sparql: dict = {}

    def targets(self, shape: ShapeDef) -> np.ndarray:
        """Sorted ids of a shape's focus nodes (its target declarations)."""
        ct, parts = self.ct, []
        for cls in shape.targets.get(SH.targetClass, ()):
            parts.append(ct.instances(cls))
        for node in shape.targets.get(SH.targetNode, ()):
            parts.append(np.array([ct.ensure(node)], dtype=np.int64))
        for pred in shape.targets.get(SH.targetSubjectsOf, ()):
            parts.append(ct.objects(pred)[0])
        for pred in shape.targets.get(SH.targetObjectsOf, ()):
            parts.append(ct.objects(pred)[1])
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def _per_term(self, key, fn, ids: np.ndarray) -> np.ndarray:
        """``fn(term)`` for each id, computed once per distinct term, remembered under ``key``."""
        if not len(ids):
            return np.zeros(0, dtype=bool)
        uniq, inv = np.unique(ids, return_inverse=True)
        cache = self._checks.setdefault(key, {})
        terms, out = self.ct.terms, np.empty(len(uniq), dtype=bool)
        for j, i in enumerate(uniq.tolist()):
            r = cache.get(i)
            if r is None:
                r = cache[i] = bool(fn(terms[i]))
            out[j] = r
        return out[inv]

    def conforms(self, node, nodes: np.ndarray) -> np.ndarray:
        """Whether each of ``nodes`` (sorted, distinct ids) conforms to the shape ``node``."""
        return ~self.run(self.plan.shapes[node], nodes, None)

    def run(self, shape: ShapeDef, focus: np.ndarray, out: list | None, weight=None) -> np.ndarray:
        """Validate sorted distinct ``focus`` ids against ``shape``; which focus nodes fail.

        With ``out`` a list, the :class:`Found` results of the shape and of the
        property shapes it nests are appended to it, each repeated ``weight``
        times for its focus node (how often pyshacl validates that node).
        """
        if shape.deactivated or not len(focus):
            return np.zeros(len(focus), dtype=bool)
        if shape.is_property:
            f, v = self.ct.objects_of(shape.path, focus)
        else:
            f = v = focus
        ctx = _Ctx(shape, focus, f, v, np.searchsorted(focus, f), out, weight)
        for param, arg in shape.constraints:
            if param in (SH.minCount, SH.maxCount):
                if param == SH.minCount and arg == 0:
                    continue
                n = np.bincount(ctx.fpos, minlength=len(focus))
                ctx.fail_focus(param, arg, n < arg if param == SH.minCount else n > arg)
            elif param == SH["class"]:
                for cls in arg:
                    ok = np.isin(v, self.ct.instances(cls)) & (self.ct.kinds[v] != LITERAL)
                    ctx.fail_pairs(param, cls, ok)
            elif param == SH.nodeKind:
                ctx.fail_pairs(param, arg, np.isin(self.ct.kinds[v], _KIND_CODES[arg]))
            elif param in (SH.lessThan, SH.lessThanOrEquals):
                for other in arg:
                    self._less(ctx, param, other)
            elif param == SH.sparql:
                for check in arg:
                    self._sparql_run(ctx, check)
            elif param in (SH.property, SH.node, SH["not"], SH["and"], SH["or"], SH.xone):
                self._nested(ctx, param, arg)
            else:
                for key, fn in _value_checks(param, arg):
                    ctx.fail_pairs(param, key[1], self._per_term(key, fn, v))
        return ctx.bad

    def _less(self, ctx: _Ctx, param, other) -> None:
        f, v = ctx.f, ctx.v
        f2, w = self.ct.objects_of(other, ctx.focus)
        lo, hi = np.searchsorted(f2, f, "left"), np.searchsorted(f2, f, "right")
        reps = hi - lo
        if not reps.any():
            return
        left = np.repeat(np.arange(len(f)), reps)
        right = np.repeat(lo, reps) + np.arange(len(left)) - np.repeat(np.cumsum(reps) - reps, reps)
        terms, cache = self.ct.terms, self._checks.setdefault((param, other), {})
        ok = np.empty(len(left), dtype=bool)
        for k, (i, j) in enumerate(zip(v[left].tolist(), w[right].tolist(), strict=True)):
            r = cache.get((i, j))
            if r is None:
                r = cache[(i, j)] = T.less_ok(terms[i], terms[j], param)
            ok[k] = r
        ctx.fail_pairs(param, other, ok, left)

    def _nested(self, ctx: _Ctx, param, groups) -> None:
        uniq, inv = np.unique(ctx.v, return_inverse=True)
        if param == SH.property:
            # pyshacl validates a value node once for each focus node that holds it
            w = np.bincount(inv, weights=ctx.weights[ctx.fpos], minlength=len(uniq))
            for node in groups[0]:
                sub_bad = self.run(self.plan.shapes[node], uniq, ctx.out, w.astype(np.int64))
                ctx.bad[ctx.fpos[sub_bad[inv]]] = True
            return
        for members in groups:
            if param == SH.node:
                # pyshacl keeps the node shape's own results as sh:detail of each failing
                # (focus, value) pair: they are results of the report too
                w = np.bincount(inv, weights=ctx.weights[ctx.fpos], minlength=len(uniq))
                for node in members:
                    ok = ~self.run(self.plan.shapes[node], uniq, ctx.out, w.astype(np.int64))
                    ctx.fail_pairs(param, node, ok[inv])
                continue
            if param == SH["not"]:
                for node in members:
                    ctx.fail_pairs(param, node, ~self.conforms(node, uniq)[inv])
                continue
            hits = sum(self.conforms(n, uniq).astype(np.int64) for n in members)
            ok = {SH["or"]: hits >= 1, SH["and"]: hits == len(members), SH.xone: hits == 1}[param]
            ctx.fail_pairs(param, members, ok[inv])

    def _sparql_run(self, ctx: _Ctx, check) -> None:
        hits = self._sparql.get(check.node)
        if hits is None:
            hits = self._sparql[check.node] = self._sparql_rows(check)
        this, value = hits
        keep = np.isin(this, ctx.focus)
        if keep.any():
            pos = np.searchsorted(ctx.focus, this[keep])
            ctx.bad[pos] = True
            if ctx.out is not None:
                val = np.where(value[keep] < 0, this[keep], value[keep])
                reps = ctx.weights[pos]
                ctx.out.append(
                    Found(
                        ctx.shape,
                        SH.sparql,
                        check.node,
                        np.repeat(this[keep], reps),
                        np.repeat(val, reps),
                        check.messages or None,
                    )
                )

    def _sparql_rows(self, check) -> tuple[np.ndarray, np.ndarray]:
        """The SELECT run once over the triples of its predicates: ``(this, value)`` ids.

        Rows are deduplicated per focus node on their bound variables, as pyshacl does.
        """
        graph = self.ct.to_graph(check.predicates)
        seen, this, value = set(), [], []
        for row in graph.query(check.query):
            d = row.asdict()
            t, val = d.pop("this", None), d.pop("value", None)
            if t is None:
                continue
            key = (t, val, tuple(sorted(d.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            this.append(self.ct.ensure(t))
            value.append(-1 if val is None else self.ct.ensure(val))
        return np.array(this, dtype=np.int64), np.array(value, dtype=np.int64)


class _Ctx:
    """One shape's run over one set of focus nodes: value pairs, failures, results."""

    def __init__(self, shape, focus, f, v, fpos, out, weight):
        self.shape, self.focus, self.f, self.v, self.fpos, self.out = shape, focus, f, v, fpos, out
        self.weights = np.ones(len(focus), dtype=np.int64) if weight is None else weight
        self.bad = np.zeros(len(focus), dtype=bool)

    def fail_pairs(self, param, arg, ok: np.ndarray, index: np.ndarray | None = None) -> None:
        """Results for the value pairs (or ``index`` into them) where ``ok`` is False."""
        miss = np.flatnonzero(~ok)
        if not len(miss):
            return
        k = miss if index is None else index[miss]
        self.bad[self.fpos[k]] = True
        if self.out is not None:
            reps = self.weights[self.fpos[k]]
            self.out.append(
                Found(
                    self.shape, param, arg, np.repeat(self.f[k], reps), np.repeat(self.v[k], reps)
                )
            )

    def fail_focus(self, param, arg, miss: np.ndarray) -> None:
        """Results without a value for the focus nodes where ``miss`` is True (the counts)."""
        if not miss.any():
            return
        self.bad |= miss
        if self.out is not None:
            reps = self.weights[miss]
            ids = np.repeat(self.focus[miss], reps)
            self.out.append(
                Found(self.shape, param, arg, ids, np.full(len(ids), -1, dtype=np.int64))
            )


def _value_checks(param, arg) -> list:
    """``(cache key, per-term function)`` for the parameters decided term by term."""
    if param == SH.datatype:
        return [((param, arg), lambda t: T.datatype_ok(t, arg))]
    if param in _RANGES:
        return [((param, b), lambda t, b=b: T.range_ok(t, param, b)) for b in arg]
    if param in (SH.minLength, SH.maxLength):
        return [((param, arg), lambda t: T.length_ok(t, param, arg))]
    if param == SH.pattern:
        return [((param, rx), lambda t, rx=rx: T.pattern_ok(t, rx)) for rx in arg]
    if param == SH["in"]:
        allowed = frozenset(arg)
        return [((param, allowed), lambda t: t in allowed)]
    raise ValueError(f"the plan has a parameter the engine does not know: {param}")


def run_plan(plan: Plan, ct: CodedTriples) -> list[Found]:
    """Validate a coded graph against every top-level shape the engine runs.

    Returns the :class:`Found` results; the shapes of ``plan.fallback`` are
    left for pyshacl (the caller runs them).
    """
    engine = Engine(plan, ct)
    out: list[Found] = []
    for shape in plan.top:
        focus = engine.targets(shape)
        if len(focus):
            engine.run(shape, focus, out)
    return out
