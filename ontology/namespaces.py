"""Namespaces and the one function that mints instance IRIs.

Examples
--------
>>> from chiprisk.ontology.namespaces import CR, iri_for
>>> str(CR.Supply)
'https://w3id.org/chiprisk/ontology#Supply'
>>> str(iri_for("tsmc-fab-18"))
'https://w3id.org/chiprisk/id/tsmc-fab-18'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from rdflib import Namespace, URIRef

CR_IRI = "https://w3id.org/chiprisk/ontology#"
"""The ontology's namespace, as a string (``CR`` is the rdflib Namespace)."""
CRID_IRI = "https://w3id.org/chiprisk/id/"
"""The instances' namespace, as a string (``CRID`` is the rdflib Namespace)."""

# The rdflib objects (CR, CRID, SCHEMA, GEO, WD, ONTOLOGY_IRI, PREFIXES) are
# made on first use: importing rdflib costs ~40 ms that the commands which
# never touch RDF (concentration, simulate, summary...) should not pay.
_RDFLIB_NAMES = frozenset({"CR", "CRID", "SCHEMA", "GEO", "WD", "ONTOLOGY_IRI", "PREFIXES"})


def _rdflib_names() -> dict[str, Any]:
    from rdflib import Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

    cr, crid = Namespace(CR_IRI), Namespace(CRID_IRI)
    schema = Namespace("https://schema.org/")
    geo = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
    wd = Namespace("http://www.wikidata.org/entity/")
    prefixes: dict[str, Namespace] = {
        "cr": cr,
        "crid": crid,
        "prov": Namespace(str(PROV)),
        "dcterms": Namespace(str(DCTERMS)),
        "schema": schema,
        "geo": geo,
        "owl": Namespace(str(OWL)),
        "rdf": Namespace(str(RDF)),
        "rdfs": Namespace(str(RDFS)),
        "skos": Namespace(str(SKOS)),
        "xsd": Namespace(str(XSD)),
        "wd": wd,
    }
    return {
        "CR": cr,
        "CRID": crid,
        "SCHEMA": schema,
        "GEO": geo,
        "WD": wd,
        "ONTOLOGY_IRI": URIRef("https://w3id.org/chiprisk/ontology"),
        "PREFIXES": prefixes,
    }


def __getattr__(name: str) -> Any:
    if name in _RDFLIB_NAMES:
        globals().update(_rdflib_names())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


RESIDUAL_ID = "other"
"""The reserved supplier id of a share table's residual ("others") bucket."""


def iri_for(entity_id: str) -> URIRef:
    """Return the IRI of the entity with this CSV id.

    Ids are unique across all tables, so one flat namespace is enough; the
    reserved residual id maps to ``cr:Other``.

    Parameters
    ----------
    entity_id : str
        A slug id (``tsmc``) or an ISO 3166-1 alpha-2 country code (``TW``).

    Returns
    -------
    rdflib.URIRef

    Examples
    --------
    >>> str(iri_for("TW"))
    'https://w3id.org/chiprisk/id/TW'
    >>> iri_for("other") == CR.Other
    True
    """
    from rdflib import URIRef

    if entity_id == RESIDUAL_ID:
        return URIRef(CR_IRI + "Other")
    return URIRef(CRID_IRI + quote(entity_id, safe="-._~"))


def id_for(iri: str) -> str:
    """Invert :func:`iri_for`.

    Examples
    --------
    >>> id_for("https://w3id.org/chiprisk/id/tsmc")
    'tsmc'
    """
    iri = str(iri)
    if iri == CR_IRI + "Other":
        return RESIDUAL_ID
    if iri.startswith(CRID_IRI):
        return iri[len(CRID_IRI) :]
    return iri
