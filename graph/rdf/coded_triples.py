"""Triples as integer codes: numpy columns over one table of RDF terms, for whole-graph checks.

Every distinct term (IRI, blank node or literal, with rdflib's own term
equality, the one a ``Graph`` uses) gets an integer id; the triples are three
``int64`` columns, without duplicates, sorted by predicate and subject, so the
values of one property for a set of subjects are a slice and a mask. The fast
SHACL engine (:mod:`chiprisk.graph.rdf.shacl_fast`) and the whole-graph rules
(:mod:`chiprisk.graph.rdf.validate_rules`) read the graph this way.

Examples
--------
>>> from rdflib import Literal, URIRef
>>> a, p = URIRef("urn:a"), URIRef("urn:p")
>>> ct = CodedTriples.from_triples([(a, p, Literal(1)), (a, p, Literal(1)), (a, p, Literal(2))])
>>> len(ct), sorted(ct.terms[i].toPython() for i in ct.objects(p)[1])
(2, [1, 2])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

IRI, BLANK, LITERAL = 0, 1, 2
"""Node kinds, as coded by :attr:`CodedTriples.kinds`."""


class CodedTriples:
    """A graph's triples as integer-coded columns.

    Attributes
    ----------
    terms : list
        The rdflib term of each id.
    ids : dict
        Term -> id.
    s, p, o : numpy.ndarray
        Subject, predicate and object ids of each distinct triple, sorted by
        ``(p, s, o)``.
    """

    def __init__(self, terms: list, ids: dict, s: np.ndarray, p: np.ndarray, o: np.ndarray):
        self.terms, self.ids = terms, ids
        order = np.lexsort((o, s, p))
        s, p, o = s[order], p[order], o[order]
        if len(s) > 1:
            keep = np.ones(len(s), dtype=bool)
            keep[1:] = (np.diff(p) != 0) | (np.diff(s) != 0) | (np.diff(o) != 0)
            s, p, o = s[keep], p[keep], o[keep]
        self.s, self.p, self.o = s, p, o
        preds, starts = np.unique(p, return_index=True)
        stops = np.append(starts[1:], len(p)) if len(p) else starts
        self._slices = {
            int(k): (int(a), int(b)) for k, a, b in zip(preds, starts, stops, strict=True)
        }
        self._kinds: np.ndarray | None = None
        self._instances: dict = {}

    @classmethod
    def from_triples(cls, triples: Iterable[tuple]) -> CodedTriples:
        """Code an iterable of ``(s, p, o)`` rdflib terms (duplicates are dropped)."""
        ids: dict = {}
        terms: list = []
        ss: list[int] = []
        ps: list[int] = []
        os_: list[int] = []
        get = ids.get
        for s, p, o in triples:
            for term, out in ((s, ss), (p, ps), (o, os_)):
                i = get(term)
                if i is None:
                    i = ids[term] = len(terms)
                    terms.append(term)
                out.append(i)
        return cls(
            terms,
            ids,
            np.array(ss, dtype=np.int64),
            np.array(ps, dtype=np.int64),
            np.array(os_, dtype=np.int64),
        )

    @classmethod
    def from_graph(cls, graph: Graph) -> CodedTriples:
        """Code the triples of an rdflib graph."""
        return cls.from_triples(graph.triples((None, None, None)))

    def __len__(self) -> int:
        return len(self.s)

    @property
    def n_terms(self) -> int:
        """How many terms have an id (terms only looked up by :meth:`ensure` included)."""
        return len(self.terms)

    def id_of(self, term) -> int | None:
        """The id of a term, None when the graph does not mention it."""
        return self.ids.get(term)

    def ensure(self, term) -> int:
        """The id of a term, given a new one when the graph does not mention it."""
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self._kinds = None
        return i

    def objects(self, pred) -> tuple[np.ndarray, np.ndarray]:
        """``(subjects, objects)`` of every triple with predicate ``pred`` (sorted by subject)."""
        k = self.ids.get(pred)
        a, b = self._slices.get(k, (0, 0)) if k is not None else (0, 0)
        return self.s[a:b], self.o[a:b]

    def objects_of(self, pred, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(focus, value)`` pairs: the values of ``pred`` for the subjects in ``focus``."""
        s, o = self.objects(pred)
        if not len(s) or not len(focus):
            return s[:0], o[:0]
        mark = np.zeros(self.n_terms, dtype=bool)
        mark[focus] = True
        keep = mark[s]
        return s[keep], o[keep]

    @property
    def kinds(self) -> np.ndarray:
        """The node kind of each id: :data:`IRI`, :data:`BLANK` or :data:`LITERAL`."""
        if self._kinds is None or len(self._kinds) != self.n_terms:
            code = {URIRef: IRI, BNode: BLANK, Literal: LITERAL}
            kinds = np.empty(self.n_terms, dtype=np.int8)
            for i, t in enumerate(self.terms):
                k = code.get(type(t))
                if k is None:
                    k = (
                        LITERAL
                        if isinstance(t, Literal)
                        else BLANK
                        if isinstance(t, BNode)
                        else IRI
                    )
                kinds[i] = k
            self._kinds = kinds
        return self._kinds

    def subclasses(self, cls_term) -> list:
        """``cls_term`` and every class below it through ``rdfs:subClassOf`` in this graph."""
        s, o = self.objects(RDFS.subClassOf)
        found = [cls_term]
        k = self.ids.get(cls_term)
        if k is None or not len(s):
            return found
        seen, todo = {k}, [k]
        while todo:
            nxt = np.unique(s[np.isin(o, todo)])
            todo = [int(x) for x in nxt if int(x) not in seen]
            seen.update(todo)
            found.extend(self.terms[x] for x in todo)
        return found

    def instances(self, cls_term) -> np.ndarray:
        """Sorted ids of the SHACL instances of a class (``rdf:type/rdfs:subClassOf*``)."""
        hit = self._instances.get(cls_term)
        if hit is None:
            s, o = self.objects(RDF.type)
            classes = [self.ids[c] for c in self.subclasses(cls_term) if c in self.ids]
            hit = np.unique(s[np.isin(o, classes)]) if classes else s[:0]
            self._instances[cls_term] = hit
        return hit

    def to_graph(self, predicates: Iterable | None = None) -> Graph:
        """An rdflib graph of these triples (only those of ``predicates`` when given)."""
        g = Graph()
        terms = self.terms
        if predicates is None:
            rows = zip(self.s.tolist(), self.p.tolist(), self.o.tolist(), strict=True)
            for s, p, o in rows:
                g.add((terms[s], terms[p], terms[o]))
            return g
        for pred in predicates:
            ss, oo = self.objects(pred)
            for s, o in zip(ss.tolist(), oo.tolist(), strict=True):
                g.add((terms[s], pred, terms[o]))
        return g
