"""The report's sections: each computes its tables and charts from the graph.

A section maker takes the graph (any object with the attributes of
:class:`ReportSource`), the as-of year, a dict it adds its Figures to and,
optionally, a dict shared by the sections of one build (a frame two sections
need is computed once and kept there), and returns a :class:`Section`;
:data:`SECTIONS` lists them in report order.
:func:`chiprisk.graph.report.html.build_report` renders them.

Examples
--------
>>> list(SECTIONS)[:3]
['concentration', 'stage_countries', 'site_map']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.model.supply_network import SupplyNetwork
from chiprisk.graph.report.chart_layout import (
    COLORBAR_ROOM,
    PT,
    colorbar_right,
    fit_size,
    fitting_width,
    place,
    shorten,
    text_width,
    title_room,
    title_width,
    ytick_room,
)
from chiprisk.graph.report.charts import (
    _pyplot,
    chokepoints_chart,
    concentration_chart,
    exposure_chart,
    site_map_chart,
    stage_country_chart,
)
from chiprisk.graph.report.curve_section import curves_section
from chiprisk.graph.report.frames import (
    chokepoints_frame,
    concentration_frame,
    exposure_frame,
    sites_frame,
)
from chiprisk.graph.report.policy_sections import outlook_section, policies_section
from chiprisk.graph.report.section_base import Section, not_available
from chiprisk.graph.report.stage_frame import stage_country_frame

__all__ = ["SECTIONS", "ReportSource", "Section"]


class ReportSource(Protocol):
    """What the report needs of a graph (the facade, ``KnowledgeGraph``, has it all).

    ``simulate`` and ``policies`` are optional: without them the scenarios
    section runs the simulation from the rows and the policies section says
    it is not available. A ``coverage()`` method, if present, replaces the
    coverage findings computed from the rows.

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> kg: ReportSource = cg.load()
    >>> kg.dual_lens_gap().columns[0]
    'input'
    """

    tables: Tables

    def network(self, year: int | None = None) -> SupplyNetwork:
        """The supply network as of ``year``."""
        ...

    def dual_lens_gap(self, *, year: int | None = None) -> pd.DataFrame:
        """Per input: the top owner country beside the top location country."""
        ...

    def simulate(
        self, scenarios: Any = None, *, year: int | None = None, **options: Any
    ) -> pd.DataFrame:
        """Output per input and product under named scenarios."""
        ...

    def policies(self, *, rank: bool = False, **options: Any) -> pd.DataFrame:
        """Every policy with its money, ranked by risk reduced per money."""
        ...


def _shared_concentration(kg: ReportSource, year, shared: dict | None) -> pd.DataFrame:
    """The concentration frame, computed once per build when ``shared`` is given."""
    if shared is None:
        return concentration_frame(kg.tables, year=year)
    key = ("concentration_frame", year)
    if key not in shared:
        shared[key] = concentration_frame(kg.tables, year=year)
    return shared[key]


def _concentration(kg: ReportSource, year, figs, shared=None) -> Section:
    df = _shared_concentration(kg, year, shared)
    figs["concentration"] = concentration_chart(df)
    return Section(
        "concentration",
        "Concentration by input and stage",
        "Herfindahl-Hirschman index of each input's supplier shares (firm lens: sites roll up "
        "to their operator, subsidiaries to their ultimate parent), on the 0-10,000 scale. "
        "Shaded bands: unconcentrated below 1,000, moderately concentrated to 1,800, highly "
        "concentrated above (2023 DOJ/FTC merger guidelines). Whiskers: bounds where shares "
        "are ranges, qualitative or leave a residual. One table per input: the latest year, "
        "capacity basis before revenue before shipments.",
        ["concentration"],
        {"concentration": df},
    )


def _stage_countries(kg: ReportSource, year, figs, shared=None) -> Section:
    conc = _shared_concentration(kg, year, shared)
    df = stage_country_frame(kg.tables, year=year, concentration=conc)
    figs["stage_countries"] = stage_country_chart(df)
    gap = kg.dual_lens_gap(year=year)
    return Section(
        "stage_countries",
        "Country shares per stage: owned vs located",
        "For each stage, the mean country share over its inputs under two lenses: where the "
        "supplying firms are headquartered (owned) and where their capacity physically is "
        "(located). A difference between the two bars is the gap between who owns a step "
        "and where it would be disrupted. Where no site of a firm is known, its headquarters "
        "country stands in for the location (site_basis = hq in the gap table).",
        ["stage_countries"],
        {"stage_countries": df, "dual_lens_gap": gap},
        [
            "Design inputs (EDA, core IP) have only published country totals, so they are not "
            "split by lens here; see the concentration table."
        ],
    )


def _site_map(kg: ReportSource, year, figs, shared=None) -> Section:
    df = sites_frame(kg.tables)
    figs["site_map"] = site_map_chart(df)
    n_cap = int(df["capacity_per_month"].notna().sum())
    n_xy = int((df["lat"].notna() & df["lon"].notna()).sum())
    return Section(
        "site_map",
        "Sites on the map",
        f"The {n_xy} of {len(df)} sites with coordinates, coloured by status; marker area "
        "grows with "
        f"published capacity (wafers per month; {n_cap} sites publish one, the rest are "
        "small dots). Country boundaries: Natural Earth 1:10m (public domain), drawn "
        "offline.",
        ["site_map"],
        {"sites": df},
    )


def _exposure(kg: ReportSource, year, figs, shared=None) -> Section:
    df = exposure_frame(kg.tables, kg.network, year=year)
    figs["exposure"] = exposure_chart(df)
    return Section(
        "exposure",
        "Exposure of each AI accelerator by country",
        "The share of each product's output that cannot be made if one country's capacity "
        "goes offline, through the bill of materials (every required input) and the supplier "
        "shares, with no substitution. A product's own sourcing rows are used where they "
        "exist (buyer-specific), market shares otherwise.",
        ["exposure"],
        {"exposure": df},
    )


def _chokepoints(kg: ReportSource, year, figs, shared=None) -> Section:
    df = chokepoints_frame(kg.tables, kg.network, year=year, top=15)
    figs["chokepoints"] = chokepoints_chart(df)
    return Section(
        "chokepoints",
        "Top chokepoints",
        "Inputs, firms and sites whose loss alone makes a product unproducible, ranked by "
        "products affected x concentration x (1 - substitutability).",
        ["chokepoints"],
        {"chokepoints": df},
    )


def _scenarios(kg: ReportSource, year, figs, shared=None) -> Section:
    title = "Named scenarios: losses"
    df = None
    if hasattr(kg, "simulate"):
        ids = list(kg.tables.scenarios["id"])
        if not ids:
            return not_available("scenarios", title, "no named scenarios in this data")
        df = kg.simulate(ids, year=year, include="products")
    else:
        try:
            from chiprisk.graph.algorithms import simulate as sim
        except ImportError:
            return not_available("scenarios", title, "scenario simulation (kg.simulate)")
        df = sim.simulate(kg.tables, sim.named_scenarios(kg.tables), year=year, include="products")
    df = df[df["buyer"].isna()] if "buyer" in df else df
    keep = [
        c
        for c in (
            "scenario",
            "scenario_name",
            "input",
            "input_name",
            "loss",
            "duration_weeks",
            "annual_loss",
            "tts_weeks",
            "note",
        )
        if c in df.columns
    ]
    df = df[keep].reset_index(drop=True)
    sc = kg.tables.scenarios[["id", "source_id"]].rename(
        columns={"id": "scenario", "source_id": "source_ids"}
    )
    df = df.merge(sc, on="scenario", how="left")
    figs["scenarios"] = _scenario_chart(df)
    return Section(
        "scenarios",
        title,
        "Each named disruption scenario (data/scenarios/*.yaml) run through the supply "
        "network with no spare capacity: the fraction of each product's output lost while "
        "the disruption lasts.",
        ["scenarios"],
        {"scenarios": df},
    )


def _scenario_chart(df: pd.DataFrame):
    plt = _pyplot()
    m = df.pivot_table(index="scenario_name", columns="input", values="loss", aggfunc="max")
    m = m.fillna(0.0)
    rows, cols = shorten(m.index, 8, 4.0), shorten(m.columns, 8, 2.0)
    title = "Output lost per product under each named scenario"
    # x labels turn 40 degrees: they hang below the axes and, the first, left of it
    xw = text_width(cols, 8)
    first = text_width(cols[:1], 8) * 0.77 - 0.35
    left = max(ytick_room(rows, 8), first) + 0.1
    width = max(
        left + COLORBAR_ROOM + max(0.7 * m.shape[1], 2.5),
        fitting_width(title, 10, left, COLORBAR_ROOM),
    )
    bottom = xw * 0.64 + 8 * 0.77 * PT + 9 * PT + 0.1
    top = title_room() + 0.1
    fig, ax = plt.subplots(figsize=(width, 0.5 * len(m) + top + bottom), layout="none")
    place(fig, left=left, right=COLORBAR_ROOM, top=top, bottom=bottom)
    im = ax.imshow(m.to_numpy() * 100, cmap="Purples", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(m.shape[1]), cols, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(m.shape[0]), rows, fontsize=8)
    for (i, j), v in pd.DataFrame(m.to_numpy()).stack().items():
        ax.text(
            j,
            i,
            f"{v:.0%}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v > 0.6 else "black",
        )
    ax.set_title(title, fontsize=fit_size(title, 12, title_width(width, left, COLORBAR_ROOM)))
    colorbar_right(fig, ax, im, "% of output lost")
    return fig


def _coverage(kg: ReportSource, year, figs, shared=None) -> Section:
    title = "Coverage: what the data cannot answer"
    fn = getattr(kg, "coverage", None)
    if fn is None:
        try:
            from chiprisk.graph.model.coverage import coverage as cov
        except ImportError:
            return not_available("coverage", title, "the coverage report (graph/coverage.py)")

        def fn():
            return cov(kg.tables)

    df = fn()
    return Section(
        "coverage",
        title,
        "Inputs without shares, stale facts, share tables that do not sum, sites without "
        "capacity or coordinates, policies with no measurable effect, missing exchange "
        "rates. Where a finding is a warning, the analyses above are silent or partial there.",
        tables={"coverage": df},
    )


SECTIONS: dict[str, Callable[..., Section]] = {
    "concentration": _concentration,
    "stage_countries": _stage_countries,
    "site_map": _site_map,
    "exposure": _exposure,
    "chokepoints": _chokepoints,
    "scenarios": _scenarios,
    "curves": curves_section,
    "policies": policies_section,
    "outlook": outlook_section,
    "coverage": _coverage,
}
"""Section key -> its maker ``(kg, year, figs, shared=None) -> Section``, in report order."""
