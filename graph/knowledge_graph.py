"""KnowledgeGraph: the one object analysts hold.

It composes the checked rows (pandas), the RDF graph (rdflib, built lazily)
and the network projection (networkx, built lazily); it is not a subclass of
any of them.

Examples
--------
>>> import chiprisk.graph as cg
>>> kg = cg.load()
>>> kg.counts()["inputs"] > 0
True
>>> kg.search("EUV").iloc[0]["id"]
'euv-lithography'
"""

from __future__ import annotations

import difflib
import platform
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io import cache
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.datadir import DataDir, data_hash
from chiprisk.graph.io.loader import Tables, load_tables
from chiprisk.graph.model.actuals import actual_rows
from chiprisk.graph.model.entities import entity_facts, search_entities
from chiprisk.graph.model.labels import entity_labels, label_of
from chiprisk.graph.model.ledger import ledger_year, tables_as_of
from chiprisk.graph.rdf.ox_query import kg_named_query, kg_query, store_property

if TYPE_CHECKING:  # rdflib, pyshacl and networkx load only when used (CLI start-up)
    import networkx as nx
    from rdflib import Graph

    from chiprisk.graph.rdf.validate import ValidationReport


class KnowledgeGraph:
    """The AI-chip supply-chain knowledge graph of one data directory.

    Use :func:`load` to make one. Every method returns a pandas DataFrame
    with documented columns, or a plain value.

    Attributes
    ----------
    tables : Tables
        The checked rows, one DataFrame per file of the contract.
    cache_key : str or None
        The on-disk cache key of these rows (set by :func:`load`); built
        networks are cached under it too. None for tables made in memory.
    """

    def __init__(self, tables: Tables, cache_key: str | None = None):
        self.tables = tables
        self.cache_key = cache_key

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"<KnowledgeGraph {self.tables.origin}: {c['organizations']} organisations, "
            f"{c['sites']} sites, {c['inputs']} inputs, {c['supplies']} supplies, "
            f"{c['policies']} policies>"
        )

    # ------------------------------------------------------------ projections

    @cached_property
    def rdf(self) -> Graph:
        """The RDF graph (rdflib), built on first use."""
        from chiprisk.graph.rdf.triples import build_graph

        return build_graph(self.tables)

    ox_store = store_property  # the same triples in an Oxigraph store (SPARQL), built on first use

    def to_networkx(self) -> nx.DiGraph:
        """The supply network as a networkx DiGraph (see :mod:`chiprisk.graph.model.network`)."""
        from chiprisk.graph.model.network import to_networkx

        return to_networkx(self.tables)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Copies of the checked tables, by contract table name (plus ``scenarios``)."""
        frames = {name: df.copy() for name, df in self.tables.frames.items()}
        frames["scenarios"] = self.tables.scenarios.copy()
        return frames

    # ---------------------------------------------------------------- lookups

    def label(self, entity_id: str) -> str | None:
        """The readable name of an entity id (None when unknown)."""
        return label_of(self._labels, entity_id)

    @cached_property
    def _labels(self) -> dict[str, str]:
        return entity_labels(self.tables)

    def resolve(self, entity_id: str) -> str:
        """Check an entity id; raise a UsageError with the closest matches if unknown."""
        if self.tables.kind_of(entity_id) is not None:
            return entity_id
        known = list(self._labels) + sorted(ISO_COUNTRIES)
        close = difflib.get_close_matches(entity_id, known, n=5, cutoff=0.6)
        if not close:
            hits = self.search(entity_id)
            close = list(hits["id"].head(5))
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UsageError(f"unknown entity {entity_id!r}.{hint}")

    def counts(self) -> dict[str, int]:
        """Rows per table (plus ``scenarios``)."""
        out = {name: len(df) for name, df in self.tables.frames.items()}
        out["scenarios"] = len(self.tables.scenarios)
        return out

    def info(self) -> dict[str, object]:
        """Counts, versions and the data hash, as a flat dict.

        Counts come from the rows, not the RDF graph (13 minutes and 8.6 GB on
        a million rows); ``triples`` only when the graph is built already.
        """
        out: dict[str, object] = {
            "chiprisk": cache.chiprisk_version(),
            "data": self.tables.origin,
            "data_hash": self.tables.data_hash,
        }
        out.update(self.counts())
        if "rdf" in self.__dict__:  # built already: counting it is free
            out["triples"] = len(self.__dict__["rdf"])
        out["python"] = platform.python_version()
        from importlib.metadata import PackageNotFoundError, version  # 15 ms: only here

        for lib in ("rdflib", "pyshacl", "networkx", "pandas", "numpy", "scipy"):
            try:
                out[lib] = version(lib)
            except PackageNotFoundError:
                out[lib] = None
        return out

    def search(self, text: str) -> pd.DataFrame:
        """Entities whose id or name contains ``text`` (case-insensitive).

        Returns
        -------
        pandas.DataFrame
            Columns ``kind`` (table), ``id``, ``name``; exact id matches first,
            then prefix matches, then the rest; close spellings when nothing
            contains the text.
        """
        return search_entities(self.tables, text)

    def show(self, entity_id: str) -> pd.DataFrame:
        """Everything known about one entity, each fact with its source.

        Returns
        -------
        pandas.DataFrame
            Columns ``section`` (``attribute`` for the entity's own row, else
            ``<table>.<column>`` of a row that refers to it), ``field``,
            ``value``, ``label`` (readable name where ``value`` is an id) and
            ``source_id``.
        """
        return entity_facts(self.tables, self.resolve(entity_id), self.label)

    # ----------------------------------------------------------------- SPARQL

    def sparql(self, query: str, **bindings: object) -> pd.DataFrame:
        """Run a SPARQL SELECT/ASK; keyword arguments are bound as RDF terms.

        Examples
        --------
        >>> import chiprisk.graph as cg
        >>> kg = cg.load()
        >>> q = "SELECT ?name WHERE { ?o rdfs:label ?name ; cr:headquarteredIn ?c }"
        >>> "ASML Holding" in set(kg.sparql(q, c=cg.iri("NL"))["name"])
        True
        """
        return kg_query(self, query, bindings)

    def named_query(self, name: str, **params: str) -> pd.DataFrame:
        """Run a named competency query from ``ontology/queries`` with typed parameters."""
        return kg_named_query(self, name, {k: str(v) for k, v in params.items()})

    # -------------------------------------------------------------- analytics

    def network(self, year: int | None = None):
        """The integer-indexed supply network as of ``year`` (built once per year).

        Kept in memory and, for graphs from :func:`load`, in the on-disk
        cache beside the rows (a 100k-row network loads in 0.03 s instead
        of being rebuilt in 1.5 s). See
        :class:`chiprisk.graph.model.propagation.SupplyNetwork`.
        """
        from chiprisk.graph.model.propagation import build_network

        if year in self._networks:
            return self._networks[year]
        name = f"network-{'actual' if year is None else int(year)}-ledger{ledger_year(year)}.npz"
        from chiprisk.graph.io.cache_codec import get_object, put_object
        from chiprisk.graph.model.supply_network import SupplyNetwork, _Level

        # data, not pickles (io/cache_codec.py): a planted entry cannot run code
        classes = {"SupplyNetwork": SupplyNetwork, "_Level": _Level}
        net = get_object(self.cache_key, name, classes) if self.cache_key else None
        if not isinstance(net, SupplyNetwork):
            net = build_network(self.as_of(year), ledger_year(year))
            if self.cache_key:
                put_object(self.cache_key, name, net)
        self._networks[year] = net
        return net

    @cached_property
    def _networks(self) -> dict:
        return {}

    def as_of(self, year: int | None = None) -> Tables:
        """The rows with ``year``'s capacity ledger as the capacity basis; None: this
        calendar year's, forecasts left out (:mod:`chiprisk.graph.model.actuals`).

        See :func:`chiprisk.graph.model.ledger.tables_as_of`.
        """
        if year not in self._as_of:
            rows = self.tables if year is not None else actual_rows(self.tables)
            self._as_of[year] = tables_as_of(rows, ledger_year(year))
        return self._as_of[year]

    @cached_property
    def _as_of(self) -> dict:
        return {}

    def concentration(
        self,
        input: str | list[str] | None = None,  # noqa: A002 - the CLI's name
        *,
        stage: str | None = None,
        by: str | None = "firm",
        year: int | None = None,
        basis: str | None = None,
        exact_bounds: bool = False,
    ) -> pd.DataFrame:
        """Concentration indices per input share table and lens.

        ``by`` is the lens: ``firm``, ``hq`` (owner's country), ``site``
        (where the capacity is), ``country`` (country totals as published) or
        None for all. ``exact_bounds`` runs the exact (slow) upper-bound
        search on tables with nested share intervals. Columns: see
        :func:`chiprisk.graph.algorithms.concentration.concentration`.

        Examples
        --------
        >>> import chiprisk.graph as cg
        >>> df = cg.load().concentration("euv-lithography")
        >>> int(df.iloc[0]["hhi"]), df.iloc[0]["top_entity"]
        (10000, 'asml')
        """
        from chiprisk.graph.algorithms.concentration import concentration

        if isinstance(input, str):
            self.resolve(input)
        return concentration(
            self.as_of(year),
            inputs=input,
            stage=stage,
            lens=by,
            year=year,
            basis=basis,
            exact_bounds=exact_bounds,
        )

    def explain(
        self,
        input: str,
        *,
        by: str = "firm",
        year: int | None = None,
        basis: str | None = None,  # noqa: A002
    ) -> pd.DataFrame:
        """The supply rows and sources behind an input's concentration score."""
        from chiprisk.graph.algorithms.concentration import explain

        return explain(self.as_of(year), self.resolve(input), lens=by, year=year, basis=basis)

    def dual_lens_gap(self, *, year: int | None = None) -> pd.DataFrame:
        """Per input: the top owner country beside the top location country."""
        from chiprisk.graph.algorithms.concentration import dual_lens_gap

        return dual_lens_gap(self.as_of(year), year=year)

    def exposure(
        self, product: str, *, by: str = "country", year: int | None = None
    ) -> pd.DataFrame:
        """How much of a product is lost if each country (or firm) goes offline.

        Columns: see :func:`chiprisk.graph.algorithms.exposure.exposure`.
        """
        from chiprisk.graph.algorithms.exposure import exposure

        self.resolve(product)
        return exposure(self.as_of(year), product, by=by, year=year, network=self.network(year))

    def chokepoints(
        self, product: str | None = None, *, year: int | None = None, betweenness: bool = True
    ) -> pd.DataFrame:
        """Single points of failure, ranked (see :mod:`chiprisk.graph.algorithms.chokepoints`)."""
        from chiprisk.graph.algorithms.chokepoints import chokepoints

        if product is not None:
            self.resolve(product)
        return chokepoints(
            self.as_of(year),
            product=product,
            year=year,
            network=self.network(year),
            betweenness=betweenness,
        )

    def summary(self, *, year: int | None = None, top: int = 10) -> dict[str, pd.DataFrame]:
        """The headline: most concentrated inputs (markets apart), top chokepoints, each
        product's largest country exposure (see :func:`chiprisk.graph.report.summary.headline`)."""
        from chiprisk.graph.report.summary import headline

        return headline(self.as_of(year), self.network, year=year, top=top, ledger=self.tables)

    # ------------------------------------------------------------------ plots

    @cached_property
    def plot(self):
        """The report's charts as matplotlib Figures: ``kg.plot.concentration()``,
        ``stage_countries()``, ``site_map()``, ``exposure()``, ``chokepoints()``;
        ``kg.plot.frame(name)`` is the table behind each (see :mod:`chiprisk.graph.report.plot`)."""
        from chiprisk.graph.report.plot import Plots

        return Plots(self.tables, self.network)

    # ------------------------------------------------- scenarios and policies

    def scenario(self, ref: str):
        """A named scenario by id, or a scenario YAML file by path (checked)."""
        from chiprisk.graph.algorithms.simulate import load_scenario_file, named_scenarios

        if ref.endswith((".yaml", ".yml")) and Path(ref).exists():
            return load_scenario_file(ref, self.tables)
        return named_scenarios(self.tables, ref)[0]

    def simulate(
        self,
        scenarios=None,
        *,
        disrupt=(),
        severity: float | None = None,
        duration_weeks: float | None = None,
        year: int | None = None,
        **options,
    ) -> pd.DataFrame:
        """Output per input and product under scenarios (ids, files) or ad hoc targets.

        ``severity`` and ``duration_weeks`` describe the ``disrupt`` targets
        (defaults: 1 and 13 weeks), else override the named scenarios' own
        (``df.attrs["overrides"]`` says what changed): see
        :func:`chiprisk.graph.algorithms.scenarios.with_options`. Columns: see
        :func:`chiprisk.graph.algorithms.simulate.simulate`.
        """
        from chiprisk.graph.algorithms.scenarios import with_options
        from chiprisk.graph.algorithms.simulate import simulate

        refs = [scenarios] if isinstance(scenarios, str) else list(scenarios or [])
        scs, overrides = with_options(
            [self.scenario(r) for r in refs],
            disrupt,
            severity=severity,
            duration_weeks=duration_weeks,
            tables=self.tables,
        )
        df = simulate(self.as_of(year), scs, year=year, network=self.network(year), **options)
        df.attrs["overrides"] = overrides
        return df

    def montecarlo(self, scenarios=None, *, year: int | None = None, **options) -> pd.DataFrame:
        """Monte Carlo risk per product (see :mod:`chiprisk.graph.algorithms.montecarlo`)."""
        from chiprisk.graph.algorithms.montecarlo import montecarlo

        scs = None if scenarios is None else [self.scenario(r) for r in scenarios]
        return montecarlo(self.as_of(year), scs, year=year, network=self.network(year), **options)

    def whatif(self, policies=None, *, year: int | None = None, add_capacity=(), **options):
        """Apply policies and ad hoc capacity as of ``year`` (None: this calendar year,
        forecasts left out): before/after tables.

        Returns a :class:`chiprisk.graph.algorithms.whatif.WhatIfResult`.
        """
        from chiprisk.graph.algorithms.whatif import Addition, parse_addition, whatif

        adds = [
            a if isinstance(a, Addition) else parse_addition(a, self.tables) for a in add_capacity
        ]
        pols = [policies] if isinstance(policies, str) else policies
        rows = self.tables if year is not None else actual_rows(self.tables)
        r = whatif(self.as_of(year), pols, year=ledger_year(year), additions=adds, **options)
        year = ledger_year(year)
        if pols:  # and the ledger counterfactual of these policies
            from chiprisk.graph.algorithms.counterfactual import policy_counterfactual as cf

            r.counterfactual = cf(rows, pols, year)
            r.assumptions += r.counterfactual.attrs.get("assumptions", [])
        return r

    def policies(
        self,
        *,
        rank: bool = False,
        year: int | None = None,
        additionality: float = 1.0,
        currency: str = "USD",
    ) -> pd.DataFrame:
        """Every policy with its money; ``rank=True``: each policy and award vs the world
        without it as of ``year`` (see :mod:`chiprisk.graph.algorithms.policy_counterfactuals`)."""
        if rank:
            from chiprisk.graph.algorithms.policy_counterfactuals import rank_policies

            return rank_policies(self.tables, ledger_year(year), additionality=additionality)
        from chiprisk.graph.algorithms.whatif import policies

        return policies(self.tables, currency=currency)

    def outlook(self, **options) -> pd.DataFrame:
        """Capacity, concentration and losses per year, with and without policies.

        Options: see :func:`chiprisk.graph.algorithms.outlook.outlook`.
        """
        from chiprisk.graph.algorithms.outlook import outlook

        for i in options.get("inputs") or ():
            self.resolve(i)
        return outlook(self.tables, **options)

    def optimize(self, input: str, **options) -> pd.DataFrame:  # noqa: A002
        """Cheapest capacity additions for an input (:mod:`chiprisk.graph.algorithms.optimize`)."""
        from chiprisk.graph.algorithms.optimize import optimize

        self.resolve(input)
        # a typo (UK for GB, us for US) must not plan capacity for an entity that does not exist
        for option in ("costs", "max_add"):
            for candidate in options.get(option) or {}:
                self.resolve(str(candidate))
        return optimize(self.tables, input, **options)

    # ------------------------------------------------------------- validation

    def validate(self) -> ValidationReport:
        """SHACL shapes plus the whole-graph rules on this graph (no rdflib graph built)."""
        from chiprisk.graph.rdf.validate import validate_tables

        return validate_tables(self.tables)


def load(data_dir: DataDir | str | Path | None = None, *, use_cache: bool = True) -> KnowledgeGraph:
    """Load a knowledge graph from a data directory (default: the built-in data).

    The checked rows are cached on disk keyed by the data's hash, so a second
    load of unchanged data skips parsing and checking.

    Parameters
    ----------
    data_dir : DataDir, str or Path, optional
        A folder in the file contract (or the :class:`DataDir` already
        resolved from one); None for the built-in dataset.
    use_cache : bool
        Read and write the on-disk cache (see :mod:`chiprisk.graph.io.cache`).

    Raises
    ------
    DataErrors
        When a file fails its checks (nothing is cached then).

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> cg.load().tables.origin
    'built-in'
    """
    source = DataDir(data_dir)  # resolved once (a DataDir passes through as is)
    key = data_hash(source)
    from chiprisk.graph.io.cache_codec import get_tables, put_tables

    # a missing, torn or planted entry gives None: the rows are read again
    tables = get_tables(key, source.origin) if use_cache else None
    if tables is None:
        tables = load_tables(source)
        if use_cache:
            put_tables(key, tables)
    return KnowledgeGraph(tables, cache_key=key if use_cache else None)
