"""Per-term SHACL checks with pyshacl's semantics; the fast engine applies them once per term.

Each function decides one constraint for one RDF term exactly as pyshacl
0.30+ does (``pyshacl/constraints/core/*.py``: the datatype, node-kind,
string, range and property-pair components), so that the vectorised engine
(:mod:`chiprisk.graph.rdf.shacl_fast`), which calls them once per distinct
value and spreads the answer over the value nodes, reports what pyshacl
reports. ``tests/graph/test_validate_engines.py`` compares the two engines.

Examples
--------
>>> from rdflib import Literal, URIRef
>>> from rdflib.namespace import SH, XSD
>>> datatype_ok(Literal("a"), XSD.string)
True
>>> datatype_ok(Literal("x", datatype=XSD.integer), XSD.integer)
False
>>> range_ok(Literal(5), SH.maxInclusive, Literal(4)), node_kind_ok(URIRef("urn:a"), SH.IRI)
(False, True)
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

_ACTUAL = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: datetime.date,
    XSD.time: datetime.time,
    XSD.dateTime: datetime.datetime,
}
_FORCE_COMPARE = (datetime.datetime, datetime.time)
_KINDS = {
    BNode: (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI),
    Literal: (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral),
    URIRef: (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI),
}


def _actual(v: Literal, dt) -> bool:
    kind = _ACTUAL.get(dt)
    return True if kind is None else isinstance(v.value, kind)


def datatype_ok(v, dt) -> bool:
    """``sh:datatype``: a literal of that datatype, well typed (plain literals are xsd:string)."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        return False if getattr(v, "ill_typed", None) is True else _actual(v, dt)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return _actual(v, dt)
    if dt == RDF.langString and v.language:
        return _actual(v, dt)
    return False


def node_kind_ok(v, rule) -> bool:
    """``sh:nodeKind``."""
    for cls, ok in _KINDS.items():
        if isinstance(v, cls):
            return rule in ok
    return False


def value_string(v) -> str:
    """The string a string-based constraint (``sh:pattern``, lengths) looks at."""
    if (
        isinstance(v, Literal)
        and v.value is not None
        and v.datatype in (None, RDF.langString, XSD.string)
    ):
        return str(v.value)
    return str(v)


def pattern_ok(v, regex) -> bool:
    """``sh:pattern`` (blank nodes never match)."""
    if isinstance(v, BNode):
        return False
    text = value_string(v)
    return bool(regex.match(text) or regex.search(text))


def length_ok(v, param, n: int) -> bool:
    """``sh:minLength`` / ``sh:maxLength`` (blank nodes fail, except a minimum of 0)."""
    if param == SH.minLength:
        if n == 0:
            return True
        return not isinstance(v, BNode) and len(value_string(v)) >= n
    return not isinstance(v, BNode) and len(value_string(v)) <= n


def compare_literal(l1: Literal, l2: Literal) -> int:
    """pyshacl's ``rdfutil.compare.compare_literal``: -1, 0 or 1 (may raise TypeError)."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in _FORCE_COMPARE:
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


_RANGE_PASS = {
    SH.minExclusive: lambda c: c > 0,
    SH.minInclusive: lambda c: c >= 0,
    SH.maxExclusive: lambda c: c < 0,
    SH.maxInclusive: lambda c: c <= 0,
}


def range_ok(v, param, bound: Literal) -> bool:
    """``sh:minExclusive`` / ``sh:minInclusive`` / ``sh:maxExclusive`` / ``sh:maxInclusive``."""
    if not isinstance(v, Literal):
        if isinstance(v, URIRef | BNode):
            return False
        raise RuntimeError("Not sure how to compare anything else.")
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return _RANGE_PASS[param](compare_literal(v, bound))
    except (TypeError, NotImplementedError):
        return False


def _comparable(node, name: str):
    if isinstance(node, BNode):
        raise RuntimeError(f"Cannot use {name} to compare a BlankNode.")
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False


def less_ok(v, w, param) -> bool:
    """``sh:lessThan`` / ``sh:lessThanOrEquals`` for one value ``v`` and one compared ``w``."""
    name = "sh:lessThan" if param == SH.lessThan else "sh:lessThanOrEquals"
    a, a_str = _comparable(v, name)
    b, b_str = _comparable(w, name)
    if a_str != b_str:
        return False
    return bool(a < b) if param == SH.lessThan else bool(a <= b)
