"""Rows -> RDF: the ABox of the knowledge graph.

Every triple the project emits is written here, following ``docs/vocabulary.md``;
IRIs come from :func:`chiprisk.ontology.namespaces.iri_for` only.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> from chiprisk.graph.rdf.triples import build_graph
>>> g = build_graph(load_tables())
>>> len(g) > 100
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from chiprisk.graph.io.countries import ISO_COUNTRIES, country_label
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_cells import split_list
from chiprisk.ontology.namespaces import CR, GEO, PREFIXES, SCHEMA, WD, iri_for

ROLE_CLASSES = {
    "designer": CR.ChipDesigner,
    "foundry": CR.Foundry,
    "idm": CR.IDM,
    "memory": CR.MemoryMaker,
    "osat": CR.OSAT,
    "substrate": CR.SubstrateMaker,
    "equipment": CR.EquipmentMaker,
    "materials": CR.MaterialSupplier,
    "eda": CR.EDAVendor,
    "ip": CR.IPVendor,
    "cloud": CR.CloudProvider,
    "government": CR.PublicBody,
    "investor": CR.Investor,
}
SITE_CLASSES = {
    "fab": CR.Fab,
    "memory-fab": CR.MemoryFab,
    "packaging": CR.PackagingSite,
    "assembly-test": CR.AssemblyTestSite,
    "materials": CR.MaterialsPlant,
    "equipment": CR.EquipmentPlant,
    "rnd": CR.RnDSite,
}
INPUT_CLASSES = {
    "design-resource": CR.DesignResource,
    "tool": CR.Tool,
    "material": CR.Material,
    "process": CR.Process,
    "component": CR.Component,
    "product": CR.Product,
    "market": CR.Market,
}
POLICY_CLASSES = {
    "subsidy": CR.Subsidy,
    "tax-credit": CR.TaxCredit,
    "legislation": CR.Legislation,
    "export-control": CR.ExportControl,
    "equity": CR.Equity,
    "loan": CR.Loan,
    "fund": CR.InvestmentFund,
}

Triple = tuple[URIRef, URIRef, object]


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


_TIMING_PROPS = (
    ("buffer_weeks", CR.bufferWeeks),
    ("lead_time_weeks", CR.leadTimeWeeks),
    ("restart_weeks", CR.restartWeeks),
    ("service_decay_per_year", CR.serviceDecayPerYear),
    ("installed_base", CR.installedBase),
)
"""Stock-and-flow columns of ``inputs.csv`` and their properties (``timing_source_id``)."""


def _dec(v: float) -> Literal:
    """A decimal literal in canonical form: no float noise, no exponent.

    Examples
    --------
    >>> [str(_dec(x)) for x in (130.0, 67.1, 1e-05, 1.5e16)]
    ['130.0', '67.1', '0.00001', '15000000000000000.0']
    """
    text = format(Decimal(repr(float(v))), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def _date(v: str) -> Literal:
    n = v.count("-")
    dtype = (XSD.gYear, XSD.gYearMonth, XSD.date)[n]
    return Literal(v, datatype=dtype)


def _records(df: pd.DataFrame) -> Iterator[dict]:
    cols = list(df.columns)
    for values in df.itertuples(index=False, name=None):
        yield {c: (None if _missing(v) else v) for c, v in zip(cols, values, strict=True)}


def triples(tables: Tables) -> Iterator[tuple[Triple, str | None]]:
    """Yield every triple of the ABox with the source id it derives from.

    The source id (None for schema-level facts such as country labels) lets
    exports put each triple in its source's named graph.
    """
    countries: set[str] = set()

    def opt(s: URIRef, p: URIRef, value: object, make, src: str | None):
        if value is not None:
            yield (s, p, make(value)), src

    def sourced(s: URIRef, src: str):
        yield (s, PROV.wasDerivedFrom, iri_for(src)), src

    for r in _records(tables["sources"]):
        s, src = iri_for(r["id"]), r["id"]
        yield (s, RDF.type, CR.Source), src
        yield (s, RDF.type, PROV.Entity), src
        yield (s, SCHEMA.url, Literal(r["url"], datatype=XSD.anyURI)), src
        yield (s, DCTERMS.title, Literal(r["title"])), src
        yield (s, DCTERMS.publisher, Literal(r["publisher"])), src
        yield from opt(s, DCTERMS.issued, r["published"], _date, src)
        yield (s, CR.confidence, Literal(r["confidence"])), src
        yield from opt(s, RDFS.comment, r["note"], Literal, src)

    for r in _records(tables["organizations"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Organization), src
        for role in split_list(r["roles"]):
            yield (s, RDF.type, ROLE_CLASSES[role]), src
        yield (s, RDFS.label, Literal(r["name"])), src
        countries.add(r["hq_country"])
        yield (s, CR.headquarteredIn, iri_for(r["hq_country"])), src
        yield from opt(s, CR.parentOrganization, r["parent"], iri_for, src)
        yield from opt(s, OWL.sameAs, r["wikidata"], lambda q: WD[q], src)
        yield from sourced(s, src)

    for r in _records(tables["sites"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Site), src
        yield (s, RDF.type, SITE_CLASSES[r["kind"]]), src
        if r["kind"] == "memory-fab":
            yield (s, RDF.type, CR.Fab), src
        yield (s, RDFS.label, Literal(r["name"])), src
        yield (s, CR.operatedBy, iri_for(r["operator"])), src
        countries.add(r["country"])
        yield (s, CR.locatedIn, iri_for(r["country"])), src
        yield from opt(s, CR.city, r["city"], Literal, src)
        yield from opt(s, GEO.lat, r["lat"], _dec, src)
        yield from opt(s, GEO.long, r["lon"], _dec, src)
        for node in split_list(r["process_node"]):
            yield (s, CR.processNode, Literal(node)), src
        yield (s, CR.status, Literal(r["status"])), src
        yield from opt(s, CR.startYear, r["start_year"], lambda y: Literal(int(y)), src)
        yield from opt(s, CR.capacity, r["capacity"], _dec, src)
        yield from opt(s, CR.capacityUnit, r["capacity_unit"], Literal, src)
        yield from sourced(s, src)

    for r in _records(tables["blocs"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Bloc), src
        yield (s, RDFS.label, Literal(r["name"])), src
        yield from sourced(s, src)
        for code in split_list(r["members"]):
            countries.add(code)
            yield (iri_for(code), CR.memberOf, s), src

    for r in _records(tables["inputs"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Input), src
        yield (s, RDF.type, INPUT_CLASSES[r["kind"]]), src
        yield (s, RDFS.label, Literal(r["name"])), src
        yield (s, CR.stage, Literal(r["stage"])), src
        yield from opt(s, CR.isTypeOf, r["is_type_of"], iri_for, src)
        yield from opt(s, CR.substitutability, r["substitutability"], _dec, src)
        for node in split_list(r.get("process_nodes")):
            yield (s, CR.coversProcessNode, Literal(node)), src
        yield from opt(s, CR.capacityUnit, r.get("capacity_unit"), Literal, src)
        tsrc = r.get("timing_source_id") or src
        yield from opt(s, CR.flow, r.get("flow"), Literal, tsrc)
        for col, prop in _TIMING_PROPS:
            yield from opt(s, prop, r.get(col), _dec, tsrc)
        yield from opt(s, CR.timingSource, r.get("timing_source_id"), iri_for, tsrc)
        yield from opt(s, CR.shareSearch, r.get("share_search"), Literal, src)
        yield from sourced(s, src)

    for r in _records(tables["requirements"]):
        yield (iri_for(r["product"]), CR.requires, iri_for(r["input"])), r["source_id"]

    for r in _records(tables["supplies"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Supply), src
        if r["supplier"] in ISO_COUNTRIES:
            countries.add(r["supplier"])
        yield (s, CR.supplier, iri_for(r["supplier"])), src
        yield (s, CR.input, iri_for(r["input"])), src
        yield from opt(s, CR.buyer, r["buyer"], iri_for, src)
        yield from opt(s, CR.share, r["share"], _dec, src)
        yield from opt(s, CR.shareMin, r["share_min"], _dec, src)
        yield from opt(s, CR.shareMax, r["share_max"], _dec, src)
        yield from opt(s, CR.shareQual, r["share_qual"], Literal, src)
        yield from opt(s, CR.capacity, r["capacity"], _dec, src)
        yield from opt(s, CR.capacityUnit, r["capacity_unit"], Literal, src)
        yield (s, CR.basis, Literal(r["basis"])), src
        yield (s, CR.year, Literal(int(r["year"]))), src
        yield (s, CR.confidence, Literal(r["confidence"])), src
        yield from sourced(s, src)

    capacity = tables.frames.get("capacity")
    for r in _records(capacity if capacity is not None else pd.DataFrame()):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.CapacityRecord), src
        yield (s, CR.site, iri_for(r["site"])), src
        yield (s, CR.input, iri_for(r["input"])), src
        yield (s, CR.year, Literal(int(r["year"]))), src
        yield (s, CR.quantity, _dec(r["quantity"])), src
        yield (s, CR.capacityUnit, Literal(r["unit"])), src
        yield (s, CR.capacityStatus, Literal(r["status"])), src
        yield (s, CR.confidence, Literal(r["confidence"])), src
        yield from opt(s, RDFS.comment, r["note"], Literal, src)
        yield from sourced(s, src)

    for r in _records(tables["policies"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Policy), src
        yield (s, RDF.type, POLICY_CLASSES[r["kind"]]), src
        yield (s, RDFS.label, Literal(r["name"])), src
        if r["jurisdiction"] in ISO_COUNTRIES:
            countries.add(r["jurisdiction"])
        yield (s, CR.enactedBy, iri_for(r["jurisdiction"])), src
        yield (s, CR.policyStatus, Literal(r["status"])), src
        yield from opt(s, CR.enactedDate, r["enacted"], _date, src)
        yield from opt(s, CR.budget, r["budget"], _dec, src)
        yield from opt(s, CR.currency, r["currency"], Literal, src)
        yield from sourced(s, src)

    for r in _records(tables["policy_actions"]):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.PolicyAction), src
        yield (s, CR.policy, iri_for(r["policy"])), src
        yield (s, CR.action, Literal(r["action"])), src
        if r["target"] in ISO_COUNTRIES:
            countries.add(r["target"])
        yield (s, CR.target, iri_for(r["target"])), src
        yield from opt(s, CR.amount, r["amount"], _dec, src)
        yield from opt(s, CR.currency, r["currency"], Literal, src)
        yield from opt(s, CR.addsCapacity, r["adds_capacity"], _dec, src)
        yield from opt(s, CR.capacityUnit, r["capacity_unit"], Literal, src)
        yield from opt(s, CR.input, r["input"], iri_for, src)
        yield from opt(s, CR.effectiveYear, r["effective_year"], lambda y: Literal(int(y)), src)
        yield from opt(s, CR.condition, r["condition"], Literal, src)
        yield from sourced(s, src)

    for r in _records(tables.frames.get("restrictions", pd.DataFrame())):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.ExportRestriction), src
        yield (s, CR.restrictionOf, iri_for(r["policy"])), src
        yield from opt(s, CR.restrictedItem, r.get("item_input"), iri_for, src)
        for col, prop in (
            ("from_country", CR.restrictedBy),
            ("to_country", CR.restrictedDestination),
        ):
            if r.get(col):
                countries.add(r[col])
                yield (s, prop, iri_for(r[col])), src
        yield from opt(s, CR.effectiveDate, r.get("effective_date"), _date, src)
        yield from opt(s, CR.endDate, r.get("end_date"), _date, src)
        for col, prop in (
            ("threshold", CR.threshold),
            ("threshold_node", CR.thresholdNode),
            ("threshold_performance", CR.thresholdPerformance),
            ("restricts_service", CR.restrictsService),
        ):
            yield from opt(s, prop, r.get(col), Literal, src)
        yield from opt(s, RDFS.comment, r.get("note"), Literal, src)
        yield from sourced(s, src)

    for r in _records(tables["fx_rates"]):
        s, src = iri_for(f"fx-{r['currency'].lower()}-{int(r['year'])}"), r["source_id"]
        yield (s, RDF.type, CR.ExchangeRate), src
        yield (s, CR.currency, Literal(r["currency"])), src
        yield (s, CR.year, Literal(int(r["year"]))), src
        yield (s, CR.perUsd, _dec(r["per_usd"])), src
        yield from sourced(s, src)

    for r in _records(tables.scenarios):
        s, src = iri_for(r["id"]), r["source_id"]
        yield (s, RDF.type, CR.Scenario), src
        yield (s, RDFS.label, Literal(r["name"])), src
        for t in r["targets"]:
            kind, _, ident = t.partition(":")
            if kind == "country":
                countries.add(ident)
            yield (s, CR.scenarioTarget, iri_for(ident)), src
        yield (s, CR.severity, _dec(r["severity"])), src
        yield (s, CR.probability, _dec(r["probability"])), src
        yield from opt(s, CR.durationWeeks, r["duration_weeks"], _dec, src)
        yield from opt(s, CR.rationale, r["rationale"], lambda t: Literal(str(t).strip()), src)
        yield from sourced(s, src)

    if (tables["supplies"]["supplier"] == "other").any():
        yield (CR.Other, RDF.type, CR.ResidualSupplier), None
        yield (CR.Other, RDFS.label, Literal("Others (residual)")), None

    for code in sorted(countries):
        s = iri_for(code)
        yield (s, RDF.type, CR.Country), None
        yield (s, RDFS.label, Literal(country_label(code))), None
        yield (s, CR.isoCode, Literal(code)), None


def new_graph() -> Graph:
    """An empty rdflib graph with the project's prefixes bound."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def build_graph(tables: Tables) -> Graph:
    """Build the RDF graph (ABox) of checked rows.

    Parameters
    ----------
    tables : Tables
        Checked rows from :func:`chiprisk.graph.io.loader.load_tables`.

    Returns
    -------
    rdflib.Graph

    Notes
    -----
    O(rows); every value goes in as a typed literal or a minted IRI.
    """
    g = new_graph()
    add = g.add
    for triple, _ in triples(tables):
        add(triple)
    return g
