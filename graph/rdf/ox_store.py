"""The knowledge graph's triples for Oxigraph: an in-memory store, Turtle and N-Triples.

The triples are those of :func:`chiprisk.graph.rdf.triples.triples` (the
ones rdflib's graph :attr:`KnowledgeGraph.rdf` holds), written as N-Triples
(:func:`ntriples`, ~0.02 s for the built-in data) and read by Oxigraph:

- :func:`build_store` loads them into an in-memory ``pyoxigraph.Store`` in
  ~0.02 s, where rdflib's graph takes ~0.17 s; SPARQL runs on it
  (:mod:`chiprisk.graph.rdf.ox_query`). The store keeps literals of the
  numeric, boolean and date types as values, so it hands them back in
  canonical form (``"0.0"^^xsd:decimal`` as ``"0"``): the same value, and
  the same Python value in a query's frame, but ``STR()`` of it differs.
- :func:`serialize_triples` writes Turtle (with the project's prefixes) or
  N-Triples without a store, so every literal keeps its lexical form: the
  triples are exactly rdflib's, in a tenth of the time rdflib takes.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> b"crid:tsmc" in serialize_triples(load_tables(), "turtle")
True
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chiprisk.graph.io.loader import Tables

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["OX_FORMATS", "build_store", "ntriples", "serialize_triples"]

OX_FORMATS = ("turtle", "nt")
"""Export formats Oxigraph writes (:func:`serialize_triples`)."""

XSD = "http://www.w3.org/2001/XMLSchema#"
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _iri_nt(iri: str) -> str:
    if _IRI_BAD.search(iri):  # rdflib keeps such an IRI; Oxigraph reads it leniently
        iri = _IRI_BAD.sub(lambda m: f"\\u{ord(m.group()):04X}", iri)
    return f"<{iri}>"


def ntriples(triples: Iterable[tuple]) -> bytes:
    """rdflib triples as an N-Triples document.

    Blank nodes get labels unique to this document. Literals keep rdflib's
    lexical form (already normalised when the literal was made).

    Examples
    --------
    >>> from rdflib import Literal, URIRef
    >>> ntriples([(URIRef("urn:a"), URIRef("urn:p"), Literal('say "hi"', lang="en"))])
    b'<urn:a> <urn:p> "say \\\\"hi\\\\""@en .\\n'
    """
    import uuid

    from rdflib import BNode, Literal, URIRef

    bnodes: dict[object, str] = {}
    doc = uuid.uuid4().hex[:12]
    lines = []
    for triple in triples:
        parts = []
        for t in triple:
            if isinstance(t, URIRef):
                parts.append(_iri_nt(str(t)))
            elif isinstance(t, Literal):
                text = '"' + str.translate(str(t), _LITERAL_ESCAPES) + '"'
                if t.language:
                    text += "@" + t.language
                elif t.datatype is not None and str(t.datatype) != XSD + "string":
                    text += "^^" + _iri_nt(str(t.datatype))
                parts.append(text)
            elif isinstance(t, BNode):
                label = bnodes.get(t)
                if label is None:
                    label = bnodes[t] = f"_:b{doc}x{len(bnodes)}"
                parts.append(label)
            else:
                raise TypeError(f"not an RDF term: {t!r}")
        lines.append(" ".join(parts) + " .\n")
    return "".join(lines).encode("utf-8")


def _abox(tables: Tables, extra: Iterable[tuple]) -> bytes:
    from chiprisk.graph.rdf.triples import triples

    return ntriples(itertools.chain((t for t, _ in triples(tables)), extra))


def build_store(
    tables: Tables, *, extra: Iterable[tuple] = (), turtle: Iterable[str] = ()
) -> ox.Store:
    """An in-memory Oxigraph store holding the ABox of ``tables``.

    Parameters
    ----------
    tables : Tables
        Checked rows (:func:`chiprisk.graph.io.loader.load_tables`).
    extra : iterable of rdflib triples, optional
        More triples (derived scores, for instance), in the default graph too.
    turtle : iterable of str, optional
        Turtle documents to add (the ontology, for instance).

    Returns
    -------
    pyoxigraph.Store
        Every triple in the default graph.

    Notes
    -----
    O(triples); the built-in data's 10,664 triples take ~0.1 s, 0.06 s of it
    in :func:`~chiprisk.graph.rdf.triples.triples`.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> len(build_store(load_tables())) > 10_000
    True
    """
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(_abox(tables, extra), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    for text in turtle:
        store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def serialize_triples(
    tables: Tables, fmt: str, *, extra: Iterable[tuple] = (), turtle: Iterable[str] = ()
) -> bytes:
    """The ABox of ``tables`` (plus ``extra`` and ``turtle``) as Turtle or N-Triples.

    Parameters
    ----------
    tables : Tables
        Checked rows.
    fmt : {"turtle", "nt"}
        Turtle uses the project's prefixes (``cr:``, ``crid:`` ...).
    extra : iterable of rdflib triples, optional
        More triples (derived scores).
    turtle : iterable of str, optional
        Turtle documents to merge in (the ontology); their blank nodes are
        renamed apart.

    Returns
    -------
    bytes
        Each distinct triple once, sorted (a subject's triples together),
        literals in their lexical form as written.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> b"<https://w3id.org/chiprisk/id/tsmc> " in serialize_triples(load_tables(), "nt")
    True
    """
    import pyoxigraph as ox

    from chiprisk.ontology.namespaces import PREFIXES

    if fmt not in OX_FORMATS:
        raise ValueError(f"Oxigraph writes {', '.join(OX_FORMATS)} here, not {fmt!r}")
    lines = set(_abox(tables, extra).splitlines(keepends=True))
    for text in turtle:
        parsed = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        doc = ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES)
        lines.update(doc.splitlines(keepends=True))
    doc = b"".join(sorted(lines))
    # one triple may be written two ways (escapes): drop repeats of the parsed triple too
    parsed = list(dict.fromkeys(ox.parse(doc, format=ox.RdfFormat.N_TRIPLES, lenient=True)))
    if fmt == "nt":
        return ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES) or b""
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    return ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
