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

from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

CR = Namespace("https://w3id.org/chiprisk/ontology#")
CRID = Namespace("https://w3id.org/chiprisk/id/")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_IRI = URIRef("https://w3id.org/chiprisk/ontology")

PREFIXES: dict[str, Namespace] = {
    "cr": CR,
    "crid": CRID,
    "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)),
    "schema": SCHEMA,
    "geo": GEO,
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)),
    "xsd": Namespace(str(XSD)),
    "wd": WD,
}

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
    if entity_id == RESIDUAL_ID:
        return CR.Other
    return CRID[quote(entity_id, safe="-._~")]


def id_for(iri: str) -> str:
    """Invert :func:`iri_for`.

    Examples
    --------
    >>> id_for("https://w3id.org/chiprisk/id/tsmc")
    'tsmc'
    """
    iri = str(iri)
    if iri == str(CR.Other):
        return RESIDUAL_ID
    if iri.startswith(str(CRID)):
        return iri[len(str(CRID)) :]
    return iri
