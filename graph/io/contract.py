"""The file contract: tables, columns, types, enums and references.

This module is the single description of the CSV files a data directory holds
(see ``docs/file-contract.md``); the loader, the RDF builder, the manifest and
the importers all read it.

Examples
--------
>>> from chiprisk.graph.io.contract import TABLES
>>> TABLES["supplies"].column("share").kind
'decimal'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

SITE_STATUSES = (
    "announced",
    "under-construction",
    "ramping",
    "operating",
    "paused",
    "cancelled",
    "closed",
)
SITE_KINDS = ("fab", "memory-fab", "packaging", "assembly-test", "materials", "equipment", "rnd")
ROLES = (
    "designer",
    "foundry",
    "idm",
    "memory",
    "osat",
    "substrate",
    "equipment",
    "materials",
    "eda",
    "ip",
    "cloud",
    "government",
    "investor",
)
STAGES = ("design", "equipment", "materials", "fabrication", "memory", "packaging", "product")
INPUT_KINDS = (
    "design-resource",
    "tool",
    "material",
    "process",
    "component",
    "product",
    "market",
)
"""Input kinds; a ``market`` (a class of products sold, with share tables of revenue or
units) has no bill of materials: its members are the products that are a type of it."""
BASES = ("revenue", "capacity", "shipments", "units", "sourcing")
CONFIDENCES = ("primary", "secondary", "estimate")
SHARE_QUALS = ("major", "minor", "negligible")
POLICY_KINDS = ("subsidy", "tax-credit", "legislation", "export-control", "equity", "loan", "fund")
POLICY_STATUSES = ("proposed", "enacted", "in-force", "expired", "cancelled")
ACTIONS = ("funds", "credits", "lends", "invests", "restricts", "conditions")
SCENARIO_TARGET_KINDS = ("country", "bloc", "org", "site", "input")
FLOWS = ("consumable", "installed")
"""How an input is used (``inputs.csv`` column ``flow``): used up as it flows
(``consumable``) or a stock of capacity in use (``installed``: tools)."""
TIMING_COLUMNS = (
    "flow",
    "buffer_weeks",
    "lead_time_weeks",
    "restart_weeks",
    "service_decay_per_year",
    "installed_base",
)
"""The stock-and-flow columns of ``inputs.csv`` (the weekly simulation's parameters);
a scenario file may override them per input."""
CAPACITY_STATUSES = (
    "operating",
    "ramping",
    "under-construction",
    "planned",
    "announced",
    "paused",
    "cancelled",
)
"""Status of a capacity ledger row as of its source (``capacity.csv``)."""
YES_NO = ("yes", "no")
"""A yes/no column (``restrictions.csv`` ``restricts_service``); blank means no."""

# Entity tables whose ids may be referenced. "countries" and "residual" are not
# files: countries are ISO codes, "residual" is the reserved supplier id.
ORGS, SITES, INPUTS, BLOCS, POLICIES, SOURCES = (
    "organizations",
    "sites",
    "inputs",
    "blocs",
    "policies",
    "sources",
)
COUNTRIES, RESIDUAL = "countries", "residual"

#: Qualitative share labels -> closed percent intervals ``(lo, hi)``.
#:
#: **This is a chiprisk convention, not a published standard.** It turns a
#: source's wording ("negligible", "minor", "major" supplier) into a share
#: interval that :func:`~chiprisk.graph.algorithms.indices.hhi_range_bounds`
#: can bound. Intervals are closed, so a share of exactly 1 % is consistent
#: with both "negligible" and "minor"; this
#: overlap only widens the bounds and never makes them invalid.
QUALITATIVE_SHARE_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "negligible": (0.0, 1.0),
        "minor": (1.0, 10.0),
        "major": (10.0, 100.0),
    }
)


@dataclass(frozen=True)
class Column:
    """One column of a table in the file contract.

    ``kind`` is one of: ``id`` (a unique slug), ``text``, ``url``, ``date``,
    ``int``, ``decimal``, ``enum``, ``list`` (``;``-separated enum values),
    ``country`` (ISO 3166-1 alpha-2), ``countries`` (a ``;`` list of them),
    ``currency`` (ISO 4217), ``wikidata`` (``Q123``), ``ref`` (an id of one of
    ``refs``).
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    prop: str = ""
    """The ontology property the column maps to (for the manifest)."""


@dataclass(frozen=True)
class Table:
    """One CSV file of the contract."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    required: bool = False
    entity: bool = True
    """Whether rows are entities with a globally unique ``id``."""
    description: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def file(self) -> str:
        """The CSV file name."""
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        """The column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return self._by_name[name]


def _c(name: str, kind: str, prop: str = "", **kw: object) -> Column:
    return Column(name, kind, prop=prop, **kw)  # type: ignore[arg-type]


SOURCE_COL = _c("source_id", "ref", "prov:wasDerivedFrom", required=True, refs=(SOURCES,))

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            (
                _c("id", "id", required=True),
                _c("url", "url", "schema:url", required=True),
                _c("title", "text", "dcterms:title", required=True),
                _c("publisher", "text", "dcterms:publisher", required=True),
                _c("published", "date", "dcterms:issued"),
                _c("confidence", "enum", "cr:confidence", required=True, choices=CONFIDENCES),
                _c("note", "text", "rdfs:comment"),
            ),
            required=True,
            description="Where each fact comes from.",
        ),
        Table(
            "organizations",
            (
                _c("id", "id", required=True),
                _c("name", "text", "rdfs:label", required=True),
                _c("hq_country", "country", "cr:headquarteredIn", required=True),
                _c("roles", "list", "rdf:type", choices=ROLES),
                _c("parent", "ref", "cr:parentOrganization", refs=(ORGS,)),
                _c("wikidata", "wikidata", "owl:sameAs"),
                SOURCE_COL,
            ),
            required=True,
            description="Firms and public bodies.",
        ),
        Table(
            "sites",
            (
                _c("id", "id", required=True),
                _c("name", "text", "rdfs:label", required=True),
                _c("operator", "ref", "cr:operatedBy", required=True, refs=(ORGS,)),
                _c("country", "country", "cr:locatedIn", required=True),
                _c("city", "text", "cr:city"),
                _c("lat", "decimal", "geo:lat", low=-90, high=90),
                _c("lon", "decimal", "geo:long", low=-180, high=180),
                _c("kind", "enum", "rdf:type", required=True, choices=SITE_KINDS),
                _c("process_node", "text", "cr:processNode"),
                _c("status", "enum", "cr:status", required=True, choices=SITE_STATUSES),
                _c("start_year", "int", "cr:startYear", low=1950, high=2100),
                _c("capacity", "decimal", "cr:capacity", low=0),
                _c("capacity_unit", "text", "cr:capacityUnit"),
                SOURCE_COL,
            ),
            description="Physical plants: fabs, packaging and other sites.",
        ),
        Table(
            "blocs",
            (
                _c("id", "id", required=True),
                _c("name", "text", "rdfs:label", required=True),
                _c("members", "countries", "cr:memberOf", required=True),
                SOURCE_COL,
            ),
            description="Groups of countries such as the EU.",
        ),
        Table(
            "inputs",
            (
                _c("id", "id", required=True),
                _c("name", "text", "rdfs:label", required=True),
                _c("stage", "enum", "cr:stage", required=True, choices=STAGES),
                _c("kind", "enum", "rdf:type", required=True, choices=INPUT_KINDS),
                _c("is_type_of", "ref", "cr:isTypeOf", refs=(INPUTS,)),
                _c("substitutability", "decimal", "cr:substitutability", low=0, high=1),
                _c("process_nodes", "text", "cr:coversProcessNode"),
                _c("capacity_unit", "text", "cr:capacityUnit"),
                _c("flow", "enum", "cr:flow", choices=FLOWS),
                _c("buffer_weeks", "decimal", "cr:bufferWeeks", low=0),
                _c("lead_time_weeks", "decimal", "cr:leadTimeWeeks", low=0),
                _c("restart_weeks", "decimal", "cr:restartWeeks", low=0),
                _c("service_decay_per_year", "decimal", "cr:serviceDecayPerYear", low=0, high=1),
                _c("installed_base", "decimal", "cr:installedBase", low=0),
                _c("timing_source_id", "ref", "cr:timingSource", refs=(SOURCES,)),
                _c("share_search", "text", "cr:shareSearch"),
                SOURCE_COL,
            ),
            required=True,
            description="Tools, materials, processes, components and products.",
        ),
        Table(
            "requirements",
            (
                _c("product", "ref", "cr:requires", required=True, refs=(INPUTS,)),
                _c("input", "ref", "cr:requires", required=True, refs=(INPUTS,)),
                _c("quantity", "decimal", low=0),
                _c("unit", "text"),
                SOURCE_COL,
            ),
            key=("product", "input"),
            entity=False,
            description="Bill of materials: the product needs every listed input (AND).",
        ),
        Table(
            "supplies",
            (
                _c("id", "id", required=True),
                _c(
                    "supplier",
                    "ref",
                    "cr:supplier",
                    required=True,
                    refs=(ORGS, SITES, COUNTRIES, RESIDUAL),
                ),
                _c("input", "ref", "cr:input", required=True, refs=(INPUTS,)),
                _c("buyer", "ref", "cr:buyer", refs=(INPUTS, ORGS)),
                _c("share", "decimal", "cr:share", low=0, high=100),
                _c("share_min", "decimal", "cr:shareMin", low=0, high=100),
                _c("share_max", "decimal", "cr:shareMax", low=0, high=100),
                _c("share_qual", "enum", "cr:shareQual", choices=SHARE_QUALS),
                _c("capacity", "decimal", "cr:capacity", low=0),
                _c("capacity_unit", "text", "cr:capacityUnit"),
                _c("basis", "enum", "cr:basis", required=True, choices=BASES),
                _c("year", "int", "cr:year", required=True, low=1950, high=2100),
                _c("confidence", "enum", "cr:confidence", required=True, choices=CONFIDENCES),
                SOURCE_COL,
            ),
            required=True,
            description="Who supplies which input, with a share or a capacity (OR).",
        ),
        Table(
            "capacity",
            (
                _c("id", "id", required=True),
                _c("site", "ref", "cr:site", required=True, refs=(SITES,)),
                _c("input", "ref", "cr:input", required=True, refs=(INPUTS,)),
                _c("year", "int", "cr:year", required=True, low=1950, high=2100),
                _c("quantity", "decimal", "cr:quantity", required=True, low=0),
                _c("unit", "text", "cr:capacityUnit", required=True),
                _c(
                    "status",
                    "enum",
                    "cr:capacityStatus",
                    required=True,
                    choices=CAPACITY_STATUSES,
                ),
                _c("confidence", "enum", "cr:confidence", required=True, choices=CONFIDENCES),
                SOURCE_COL,
                _c("note", "text", "rdfs:comment"),
            ),
            description="The capacity ledger: what one site can make of one input at a year's end.",
        ),
        Table(
            "events",
            (
                _c("id", "id", required=True),
                _c("target", "ref", "cr:eventTarget", required=True, refs=(ORGS, SITES)),
                _c("probability", "decimal", "cr:probability", required=True, low=0, high=1),
                _c("duration_weeks", "decimal", "cr:durationWeeks", low=0, high=520),
                _c("severity", "decimal", "cr:severity", low=0, high=1),
                SOURCE_COL,
                _c("note", "text", "rdfs:comment"),
            ),
            description="Failure probabilities as data: one organisation's or site's annual event.",
        ),
        Table(
            "policies",
            (
                _c("id", "id", required=True),
                _c("name", "text", "rdfs:label", required=True),
                _c("jurisdiction", "ref", "cr:enactedBy", required=True, refs=(COUNTRIES, BLOCS)),
                _c("kind", "enum", "rdf:type", required=True, choices=POLICY_KINDS),
                _c("status", "enum", "cr:policyStatus", required=True, choices=POLICY_STATUSES),
                _c("enacted", "date", "cr:enactedDate"),
                _c("budget", "decimal", "cr:budget", low=0),
                _c("currency", "currency", "cr:currency"),
                SOURCE_COL,
            ),
            description="Public measures: subsidies, credits, laws, export controls.",
        ),
        Table(
            "policy_actions",
            (
                _c("id", "id", required=True),
                _c("policy", "ref", "cr:policy", required=True, refs=(POLICIES,)),
                _c("action", "enum", "cr:action", required=True, choices=ACTIONS),
                _c(
                    "target",
                    "ref",
                    "cr:target",
                    required=True,
                    refs=(SITES, ORGS, INPUTS, COUNTRIES, BLOCS),
                ),
                _c("amount", "decimal", "cr:amount", low=0),
                _c("currency", "currency", "cr:currency"),
                _c("adds_capacity", "decimal", "cr:addsCapacity", low=0),
                _c("capacity_unit", "text", "cr:capacityUnit"),
                _c("input", "ref", "cr:input", refs=(INPUTS,)),
                _c("effective_year", "int", "cr:effectiveYear", low=1950, high=2100),
                _c("condition", "text", "cr:condition"),
                SOURCE_COL,
            ),
            description="What one policy does to one site, firm, input or country.",
        ),
        Table(
            "restrictions",
            (
                _c("id", "id", required=True),
                _c("policy", "ref", "cr:policy", required=True, refs=(POLICIES,)),
                _c("item_input", "ref", "cr:input", refs=(INPUTS,)),
                _c("from_country", "country", "cr:restrictedBy", required=True),
                _c("to_country", "country", "cr:restrictedDestination"),
                _c("effective_date", "date", "cr:effectiveDate", required=True),
                _c("end_date", "date", "cr:endDate"),
                _c("threshold", "text", "cr:threshold"),
                _c("threshold_node", "text", "cr:thresholdNode"),
                _c("threshold_performance", "text", "cr:thresholdPerformance"),
                _c("restricts_service", "enum", "cr:restrictsService", choices=YES_NO),
                SOURCE_COL,
                _c("note", "text", "rdfs:comment"),
            ),
            description="Export controls: who may not sell what to whom, from when, above what.",
        ),
        Table(
            "fx_rates",
            (
                _c("currency", "currency", "cr:currency", required=True),
                _c("year", "int", "cr:year", required=True, low=1950, high=2100),
                _c("per_usd", "decimal", "cr:perUsd", required=True, low=0),
                SOURCE_COL,
            ),
            key=("currency", "year"),
            entity=False,
            description="Annual average exchange rates, units per US dollar.",
        ),
    )
}

SCENARIO_FIELDS = (
    "id",
    "name",
    "targets",
    "severity",
    "duration_weeks",
    "probability",
    "rationale",
    "source_id",
)
"""Keys of a scenario YAML file (``inventory_weeks`` and ``recovery_weeks`` may extend it)."""

PAIRED_UNITS = (("capacity", "capacity_unit"), ("adds_capacity", "capacity_unit"))
PAIRED_CURRENCY = (("budget", "currency"), ("amount", "currency"))
