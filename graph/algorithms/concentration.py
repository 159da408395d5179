"""Concentration of supply per input, per lens and as of a year: the entry points.

For every market-wide share table (the ``supplies.csv`` rows of one input, one
basis and one year with an empty ``buyer``) this module computes the HHI with
its bounds, CR1/CR3, the effective number of suppliers, Shannon entropy, the
number of entities needed to reach 75 % (as CSET/ETO count countries) and the
descriptive bands of the 2023 and 2010 US merger guidelines and of the SIA/BCG
"one region > 65 %" screen. Formulas and reference cases: ``methods.md``
sections 1 and 5 (R1); the index kernels live in
:mod:`chiprisk.graph.algorithms.indices`, the row preparation in
:mod:`~chiprisk.graph.algorithms.share_rows` and
:mod:`~chiprisk.graph.algorithms.lens_rows`, the scoring of the coded rows in
:mod:`~chiprisk.graph.algorithms.concentration_scores`. This module holds
the entry points: the table (:func:`concentration`), the rows behind a score
(:func:`explain`) and the owner-versus-location comparison
(:func:`dual_lens_gap`).

Lenses (``DESIGN.md`` section 3, :mod:`chiprisk.graph.model.lenses`)
---------------------------------------------------------------
``firm``
    Site rows roll up to their operator and organisations to their ultimate
    parent (JASM counts as TSMC); rows of one firm are added up.
``hq``
    The ultimate parent's headquarters country (the owner's country).
``site``
    Site rows count for the site's country. Firm rows are spread over the
    group's producing sites for the input's stage (only those making the
    input's ``process_nodes``, where any site lists them) with
    :func:`~chiprisk.graph.model.lenses.group_site_weights` (by capacity, else per
    site, else the owner's country); the ``site_basis`` column says which.
``country``
    Rows whose supplier is an ISO country (country totals as a source
    published them). Country rows appear under this lens only, and firm or
    site rows never do: the two levels are never added together.

Conventions
-----------
* **Market-wide rows only** (empty ``buyer``); a buyer's own sourcing is not a
  market share.
* **Bases are never mixed**: each (input, lens, basis, year) is its own table.
* **As of a year**: for each (input, basis, level), where level is
  ``country`` for country rows and ``firm`` for organisation and site rows,
  the latest year ``<= year`` is used (``year=None``: the latest available).
  A country table and a firm table of one input may therefore come from
  different years; the ``year`` column says which.
* **Shares**: an exact ``share`` is ``[share, share]``; a range is
  ``[share_min, share_max]`` (a missing end is 0 or 100); a qualitative label
  uses :data:`~chiprisk.graph.io.contract.QUALITATIVE_SHARE_RANGES`
  (negligible 0-1, minor 1-10, major 10-100, a chiprisk convention). A table
  whose rows give only capacities gets shares ``100 * capacity / total`` when
  all rows use one ``capacity_unit``; a capacity-only row inside a table that
  does have shares, or a table with mixed units, is an unknown share
  ``[0, 100]``. A row spread by site weights ``w`` contributes
  ``[w * lo, w * hi]``; the rows of one entity are summed (bounds clipped to
  100).
* **Residual**: the ``other`` rows, plus any part of the market the listed
  rows leave unassigned, are the residual bucket. Lower bound: the residual
  is infinitely fragmented (contributes 0). Upper bound: it is one entity.
  Shares are used as published (rows summing to 98..102 are not
  renormalised, methods.md R1.8); the market total is
  ``max(100, sum of lower shares + residual)``.
* **Point shares** (used for ``hhi``, CR1/CR3, the top entity, entropy and
  count-to-75): an exact share is itself; an interval gives its midpoint,
  and when the midpoints would exceed the room left by the residual they are
  moved down together, ``clip(mid - mu, lo, hi)`` with one ``mu`` (the
  Euclidean projection onto the feasible shares), so the point shares are
  always consistent with the bounds.
* ``hhi`` is the HHI of the point shares with the residual fragmented. So
  ``hhi_low <= hhi <= hhi_high`` always holds, ``hhi == hhi_low`` when all
  listed shares are exact, and ``hhi == hhi_low == hhi_high`` when moreover
  the listed shares cover the market. ``hhi_method`` says which case applies:
  ``exact``, ``residual fragmented``, ``interval midpoints`` (or
  ``interval midpoints, relaxed upper bound`` where a table has strictly
  nested intervals and the exact vertex search was not asked for
  (``exact_bounds=False``) or had too many vertices: ``hhi_high`` is then a
  valid but possibly loose upper bound).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> t = load_tables()
>>> row = concentration(t, inputs="euv-lithography", lens="firm").iloc[0]
>>> float(row["hhi"]), row["top_entity"], row["band_2023"]
(10000.0, 'asml', 'highly concentrated')
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from chiprisk.graph.algorithms.concentration_scores import (
    COLUMNS,
    _empty,
    _entity_name,
    _names,
    _score,
)
from chiprisk.graph.algorithms.lens_rows import explain_frame, lens_rows
from chiprisk.graph.algorithms.share_rows import market_rows
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.contract import BASES, STAGES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.lenses import LENSES

__all__ = [
    "COLUMNS",
    "EXPLAIN_COLUMNS",
    "GAP_COLUMNS",
    "concentration",
    "dual_lens_gap",
    "explain",
]

EXPLAIN_COLUMNS = [
    "input",
    "lens",
    "basis",
    "year",
    "supply_id",
    "supplier",
    "supplier_name",
    "entity",
    "entity_name",
    "weight",
    "site_basis",
    "share",
    "share_min",
    "share_max",
    "share_qual",
    "capacity",
    "capacity_unit",
    "share_kind",
    "share_low",
    "share_high",
    "confidence",
    "source_id",
    "source_title",
    "publisher",
    "url",
    "published",
    "source_confidence",
]
"""Columns of :func:`explain`, in order."""

GAP_COLUMNS = [
    "input",
    "input_name",
    "stage",
    "basis",
    "year",
    "owner_country",
    "owner_share",
    "location_country",
    "location_share",
    "gap",
    "gap_label",
    "hq_hhi",
    "site_hhi",
    "site_basis",
]
"""Columns of :func:`dual_lens_gap`, in order."""


# --------------------------------------------------------------------- checks


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def _check_args(
    tables: Tables,
    inputs: str | Iterable[str] | None,
    stage: str | None,
    lens: str | None,
    basis: str | None,
    year: int | None,
) -> tuple[list[str] | None, tuple[str, ...]]:
    wanted = _as_list(inputs)
    if wanted is not None:
        known = set(tables["inputs"]["id"])
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise UsageError(
                f"unknown input id(s): {', '.join(map(repr, unknown))} "
                "(see inputs.csv for the ids, e.g. 'euv-lithography')"
            )
    if stage is not None and stage not in STAGES:
        raise UsageError(f"unknown stage {stage!r} (expected one of: {', '.join(STAGES)})")
    if lens == "all":  # the CLI's --by all
        lens = None
    if lens is not None and lens not in LENSES:
        raise UsageError(f"unknown lens {lens!r} (expected one of: {', '.join(LENSES)}, all)")
    if basis is not None and basis not in BASES:
        raise UsageError(f"unknown basis {basis!r} (expected one of: {', '.join(BASES)})")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int | np.integer)):
        raise UsageError(f"year must be a whole number like 2024, got {year!r}")
    lenses = LENSES if lens is None else (lens,)
    return wanted, lenses


# ---------------------------------------------------------------------- public


def concentration(
    tables: Tables,
    *,
    inputs: str | Iterable[str] | None = None,
    stage: str | None = None,
    lens: str | None = None,
    year: int | None = None,
    basis: str | None = None,
    exact_bounds: bool = False,
) -> pd.DataFrame:
    """Concentration of each input's market-wide share tables, per lens.

    Parameters
    ----------
    tables : Tables
        Checked rows from :func:`chiprisk.graph.io.loader.load_tables`.
    inputs : str or iterable of str, optional
        Input ids to score (default: every input with market-wide rows).
    stage : str, optional
        Only inputs of this stage (``equipment``, ``fabrication`` ...).
    lens : {"firm", "hq", "site", "country", "all"}, optional
        One lens; ``None`` or ``"all"`` gives every lens that has data.
    year : int, optional
        As of this year: per (input, basis, level) the latest year ``<= year``
        (``None``: the latest available).
    basis : str, optional
        Only tables of this basis (``revenue``, ``capacity``, ``shipments``,
        ``units``); bases are never mixed in one index anyway.
    exact_bounds : bool, default False
        Tables whose share intervals are strictly nested (one inside
        another) need a vertex search for the exact ``hhi_high`` (NP-hard in
        general, one table at a time). By default those tables get the
        fractional-knapsack relaxation instead (a valid upper bound,
        ``hhi_method`` says "relaxed upper bound"); ``True`` runs the
        search. Other tables are exact either way. On the 100k-row synthetic
        network the relaxation was 0.18 HHI points above the exact bound on
        average (at most 7.7, 0.3 %), at a third of the time; on the
        built-in data no table is nested.

    Returns
    -------
    pandas.DataFrame
        One row per (input, lens, basis, year) share table, sorted by input,
        lens (firm, hq, site, country), basis and year. Shares and CRs are in
        percent, HHIs on the 0..10,000 scale. Columns:

        - ``input``, ``input_name``, ``stage``: the input scored.
        - ``lens``: ``firm``, ``hq``, ``site`` or ``country``.
        - ``basis``, ``year``: the basis of the shares and the year used.
        - ``n_entities``: listed entities under the lens (the residual
          excluded).
        - ``hhi``: HHI of the point shares, residual fragmented (see the module
          conventions); equals ``hhi_low`` when all listed shares are exact.
        - ``hhi_low``, ``hhi_high``: bounds; the residual is fragmented for
          the lower and one entity for the upper bound, and share intervals
          are bounded with :func:`~chiprisk.graph.algorithms.indices.hhi_range_bounds`.
        - ``hhi_method``: ``exact``, ``residual fragmented``, ``interval
          midpoints`` or ``interval midpoints, relaxed upper bound`` (too
          many nested intervals to enumerate: ``hhi_high`` is then a valid
          but possibly loose bound, see ``hhi_range_bounds``).
        - ``cr1``, ``cr3``: largest and three largest point shares.
        - ``top_entity``, ``top_entity_name``, ``top_share``: the largest
          entity (ties broken by id) and its point share (= ``cr1``).
        - ``effective_n``: ``10,000 / hhi`` (numbers-equivalent, ``1/H``).
        - ``entropy``: Shannon entropy in nats of the point shares over the
          market, the residual counted as one entity (a lower bound when a
          residual exists).
        - ``count_to_75``: how many listed entities (largest first) reach
          75 %, as CSET/ETO count countries; ``<NA>`` when the listed ones
          stay below 75 %.
        - ``band_2023``: DOJ/FTC 2023 band of ``hhi`` (1,000 / 1,800).
        - ``band_2010``: 2010 Horizontal Merger Guidelines band (1,500 / 2,500).
        - ``over_65``: SIA/BCG screen, ``cr1 > 65`` (meaningful for the
          country lenses ``hq``, ``site`` and ``country``).
        - ``share_total``: sum of the listed point shares and the residual
          (coverage of the table; below 100 leaves an unlisted gap).
        - ``residual``: the share of the ``other`` rows.
        - ``site_basis``: for the site lens, how locations were found
          (``site rows``, ``capacity``, ``site count``, ``hq``; ``;``-joined),
          else ``None``.
        - ``supply_ids``, ``source_ids``: sorted lists of the supply rows and
          sources the table rests on (see :func:`explain`).

    Raises
    ------
    UsageError
        Unknown input ids, stage, lens or basis; a year before any data.

    Notes
    -----
    O(R log R) for R market-wide supply rows. The rows are prepared once as
    integer codes (:mod:`~chiprisk.graph.algorithms.share_rows`: roll-ups per
    distinct supplier, the site lens spread with one vectorised
    :func:`~chiprisk.graph.model.lenses.site_weights` call); one sort of the lens
    rows by (table, entity) then gives every index as segment sums, and the
    interval bounds and point shares of all tables are computed at once by
    :mod:`~chiprisk.graph.algorithms.grouped_bounds`. Only
    ``exact_bounds=True`` loops in Python, once per nested table
    (:func:`~chiprisk.graph.algorithms.indices.hhi_range_bounds`). On the
    1M-row synthetic network (all inputs, four lenses): about 3 s.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> t = load_tables()
    >>> df = concentration(t, inputs="leading-edge-logic", lens="country")
    >>> row = df.iloc[0]
    >>> row["top_entity"], float(row["top_share"]), float(row["hhi"]), bool(row["over_65"])
    ('TW', 69.0, 5722.0, True)
    """
    wanted, lenses = _check_args(tables, inputs, stage, lens, basis, year)
    m = market_rows(tables, wanted, stage, basis, year)
    if not len(m):
        return _empty()
    return _score(tables, m, lens_rows(tables, m, lenses), exact_bounds)


def explain(
    tables: Tables,
    input_id: str,
    *,
    lens: str = "firm",
    year: int | None = None,
    basis: str | None = None,
) -> pd.DataFrame:
    """The supply rows and sources behind an input's concentration score.

    Parameters
    ----------
    tables : Tables
        Checked rows from :func:`chiprisk.graph.io.loader.load_tables`.
    input_id : str
        The input whose score to explain.
    lens : {"firm", "hq", "site", "country"}, default "firm"
    year, basis : optional
        As in :func:`concentration` (the same rows are chosen).

    Returns
    -------
    pandas.DataFrame
        One row per supply row and lens entity (a firm row spread over site
        countries gives one row per country), sorted by basis, year, entity
        and supply id. Columns: ``input``, ``lens``, ``basis``, ``year``;
        ``supply_id``, ``supplier``, ``supplier_name``; ``entity``,
        ``entity_name`` (who the row counts for under the lens); ``weight``
        (the part of the row counted for that entity) and ``site_basis``;
        the row's ``share``, ``share_min``, ``share_max``, ``share_qual``,
        ``capacity``, ``capacity_unit``; ``share_kind`` (``exact``,
        ``range``, ``qualitative``, ``capacity``, ``unknown``) and
        ``share_low``/``share_high`` (the weighted percent interval used);
        ``confidence``; and the source: ``source_id``, ``source_title``,
        ``publisher``, ``url``, ``published``, ``source_confidence``.

    Raises
    ------
    UsageError
        Unknown input id, lens or basis; no market-wide rows for that lens.

    Notes
    -----
    Same cost as :func:`concentration` restricted to one input.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> ex = explain(load_tables(), "euv-lithography")
    >>> ex[["supply_id", "entity", "share", "source_id"]].values.tolist()
    [['sup-euv-asml-2025', 'asml', 100.0, 'm-eto-chipexplorer']]
    """
    if not isinstance(input_id, str):
        raise UsageError(f"input_id must be an input id string, got {input_id!r}")
    wanted, lenses = _check_args(tables, input_id, None, lens, basis, year)
    m = market_rows(tables, wanted, None, basis, year)
    lr = lens_rows(tables, m, lenses)
    if not len(lr):
        raise UsageError(
            f"no market-wide share rows for {input_id!r} under the {lens!r} lens"
            + (f" as of {year}" if year is not None else "")
            + " (country totals are under lens='country', firm and site rows under the others)"
        )
    src = tables["sources"].rename(
        columns={
            "id": "source_id",
            "title": "source_title",
            "confidence": "source_confidence",
        }
    )[["source_id", "source_title", "publisher", "url", "published", "source_confidence"]]
    out = explain_frame(tables, m, lr).merge(src, on="source_id", how="left")
    out = out.rename(columns={"id": "supply_id", "lo": "share_low", "hi": "share_high"})
    names = _names(tables, [*out["supplier"], *out["entity"]])
    out["supplier_name"] = [_entity_name(x, names) for x in out["supplier"]]
    out["entity_name"] = [_entity_name(x, names) for x in out["entity"]]
    out = out.sort_values(["basis", "year", "entity", "supply_id"], kind="stable")
    return out[EXPLAIN_COLUMNS].reset_index(drop=True)


def dual_lens_gap(
    tables: Tables,
    *,
    inputs: str | Iterable[str] | None = None,
    year: int | None = None,
    basis: str | None = None,
) -> pd.DataFrame:
    """Where each input's suppliers are owned versus where it is made.

    Compares the top country under the ``hq`` lens (owner's headquarters)
    with the top country under the ``site`` lens (where the capacity is),
    for the same firm-level share table.

    Parameters
    ----------
    tables : Tables
    inputs : str or iterable of str, optional
        Input ids (default: all with firm-level market-wide rows).
    year, basis : optional
        As in :func:`concentration` (the same basis and year choice).

    Returns
    -------
    pandas.DataFrame
        One row per (input, basis, year) firm-level table. Columns:
        ``input``, ``input_name``, ``stage``, ``basis``, ``year``;
        ``owner_country``, ``owner_share`` (top ``hq`` country and its
        percent share); ``location_country``, ``location_share`` (top
        ``site`` country and its share); ``gap`` (True when they differ);
        ``gap_label`` (e.g. ``owned in US, made in TW`` or ``owned and made
        in TW``); ``hq_hhi``, ``site_hhi``; ``site_basis`` (how locations
        were found: ``hq`` means no site was known and the owner's country
        stood in, so no gap can show).

    Notes
    -----
    Two calls of :func:`concentration`; same complexity.

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> g = dual_lens_gap(load_tables(), inputs="euv-lithography")
    >>> g[["owner_country", "location_country", "gap_label"]].iloc[0].tolist()
    ['NL', 'NL', 'owned and made in NL']
    """
    hq = concentration(tables, inputs=inputs, lens="hq", year=year, basis=basis)
    site = concentration(tables, inputs=inputs, lens="site", year=year, basis=basis)
    keys = ["input", "basis", "year"]
    m = hq.merge(site, on=keys, suffixes=("_hq", "_site"), how="inner")
    out = pd.DataFrame(
        {
            "input": m["input"],
            "input_name": m["input_name_hq"],
            "stage": m["stage_hq"],
            "basis": m["basis"],
            "year": m["year"],
            "owner_country": m["top_entity_hq"],
            "owner_share": m["top_share_hq"],
            "location_country": m["top_entity_site"],
            "location_share": m["top_share_site"],
            "hq_hhi": m["hhi_hq"],
            "site_hhi": m["hhi_site"],
            "site_basis": m["site_basis_site"],
        }
    )
    out["gap"] = (out["owner_country"] != out["location_country"]).astype(bool)
    out["gap_label"] = [
        f"owned in {o}, made in {loc}" if o != loc else f"owned and made in {o}"
        for o, loc in zip(out["owner_country"], out["location_country"], strict=True)
    ]
    return out[GAP_COLUMNS].reset_index(drop=True)
