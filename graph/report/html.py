"""The risk report: one self-contained HTML page, its charts (PNG) and tables (CSV).

``build_report(kg, "out/")`` writes::

    out/index.html      the report; charts embedded as data: URIs, no network
    out/charts/*.png    the same charts as files
    out/tables/*.csv    the table behind every chart and section
    out/tables/sources.csv  every source a number in the report rests on

Every table carries ``source_ids``; in the HTML each id links to its row in
the sources table at the end, which links out to the publication (those
``<a href>`` links are the only external addresses in the page, and nothing
is loaded from them). The page has no scripts, fonts, stylesheets or tiles
from anywhere: it opens offline.

The directory is built next to ``out/`` under a temporary name and renamed
into place, so a failed build leaves an existing report untouched.

Examples
--------
>>> import tempfile, pathlib
>>> import chiprisk.graph as cg
>>> from chiprisk.graph.report.html import build_report
>>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
>>> sorted(p.name for p in build_report(cg.load(), out).iterdir())
['charts', 'index.html', 'tables']

Notes
-----
Cost: the analytics behind the charts (about 5-10 s on the built-in data,
most of it concentration and the per-input lens split) plus ~1 s per chart.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from chiprisk.graph.report import plot as P

if TYPE_CHECKING:  # pragma: no cover
    from chiprisk.graph.knowledge_graph import KnowledgeGraph

__all__ = ["STEPS", "Section", "build_report"]

STEPS = (
    "concentration",
    "stage_countries",
    "site_map",
    "exposure",
    "chokepoints",
    "scenarios",
    "policies",
    "coverage",
    "sources",
    "write",
)
"""The build steps, in order (one progress tick each)."""

_PERCENT_SUFFIXES = ("_share", "share")
_PERCENT_NAMES = {"cr1", "cr3", "top_share", "share", "owner_share", "location_share"}
_FRACTION_NAMES = {"product_loss", "direct_share", "loss", "annual_loss", "output_fraction"}


@dataclass
class Section:
    """One section of the report: a heading, a paragraph, charts, tables, notes."""

    key: str
    title: str
    intro: str
    charts: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- sections


def _concentration(kg: KnowledgeGraph, year, figs) -> Section:
    df = P.concentration_frame(kg, year=year)
    figs["concentration"] = P.concentration_chart(df)
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


def _stage_countries(kg: KnowledgeGraph, year, figs) -> Section:
    df = P.stage_country_frame(kg, year=year)
    figs["stage_countries"] = P.stage_country_chart(df)
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


def _site_map(kg: KnowledgeGraph, year, figs) -> Section:
    df = P.sites_frame(kg)
    figs["site_map"] = P.site_map_chart(df)
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


def _exposure(kg: KnowledgeGraph, year, figs) -> Section:
    df = P.exposure_frame(kg, year=year)
    figs["exposure"] = P.exposure_chart(df)
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


def _chokepoints(kg: KnowledgeGraph, year, figs) -> Section:
    df = P.chokepoints_frame(kg, year=year, top=15)
    figs["chokepoints"] = P.chokepoints_chart(df)
    return Section(
        "chokepoints",
        "Top chokepoints",
        "Inputs, firms and sites whose loss alone makes a product unproducible, ranked by "
        "products affected x concentration x (1 - substitutability).",
        ["chokepoints"],
        {"chokepoints": df},
    )


def _not_available(key: str, title: str, what: str) -> Section:
    return Section(key, title, "", notes=[f"Not available in this version: {what}."])


def _scenarios(kg: KnowledgeGraph, year, figs) -> Section:
    title = "Named scenarios: losses"
    df = None
    if hasattr(kg, "simulate"):
        ids = list(kg.tables.scenarios["id"])
        if not ids:
            return _not_available("scenarios", title, "no named scenarios in this data")
        df = kg.simulate(ids, year=year, include="products")
    else:
        try:
            from chiprisk.graph.algorithms import simulate as sim
        except ImportError:
            return _not_available("scenarios", title, "scenario simulation (kg.simulate)")
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
    plt = P._pyplot()
    m = df.pivot_table(index="scenario_name", columns="input", values="loss", aggfunc="max")
    m = m.fillna(0.0)
    fig, ax = plt.subplots(
        figsize=(max(6.0, 0.7 * m.shape[1] + 4), 0.5 * len(m) + 2), layout="constrained"
    )
    im = ax.imshow(m.to_numpy() * 100, cmap="Purples", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(m.shape[1]), m.columns, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(m.shape[0]), m.index, fontsize=8)
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
    ax.set_title("Output lost per product under each named scenario")
    fig.colorbar(im, ax=ax, label="% of output lost", shrink=0.8)
    return fig


def _policies(kg: KnowledgeGraph, year, figs) -> Section:
    title = "Policies: before and after"
    if not hasattr(kg, "policies"):
        return _not_available(
            "policies", title, "the per-policy before/after comparison (kg.policies)"
        )
    df = kg.policies(rank=True)
    keep = [
        c
        for c in (
            "rank",
            "policy",
            "name",
            "jurisdiction",
            "status",
            "budget",
            "currency",
            "money_usd",
            "fx",
            "year",
            "delta_eud",
            "delta_cvar",
            "eud_per_bn",
            "reason",
        )
        if c in df.columns
    ]
    df = df[keep].copy()
    src = dict(zip(kg.tables["policies"]["id"], kg.tables["policies"]["source_id"], strict=True))
    df["source_ids"] = df["policy"].map(src)
    charts = []
    if "delta_eud" in df and df["delta_eud"].notna().any():
        figs["policies"] = _policy_chart(df)
        charts = ["policies"]
    return Section(
        "policies",
        title,
        "Each policy's effect as of the year its funded capacity is counted: the change in "
        "expected undelivered demand (delta_eud) and in tail risk (delta_cvar) between the "
        "network before and after the capacity it funds, and the same per billion US dollars "
        "(converted at the sourced annual exchange rate shown in fx). Policies that fund no "
        "measurable capacity say why in reason.",
        charts,
        {"policies": df},
    )


def _policy_chart(df: pd.DataFrame):
    plt = P._pyplot()
    d = df.dropna(subset=["delta_eud"]).sort_values("delta_eud")
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(d) + 1.5), layout="constrained")
    y = range(len(d))[::-1]
    ax.barh(list(y), d["delta_eud"], color="#3949ab")
    ax.set_yticks(list(y), [str(n)[:60] for n in d["name"]], fontsize=7)
    ax.axvline(0, color="#37474f", lw=0.8)
    ax.set_xlabel("change in expected undelivered demand, after minus before")
    ax.set_title("Policies: risk before vs after the capacity they fund")
    return fig


def _coverage(kg: KnowledgeGraph, year, figs) -> Section:
    title = "Coverage: what the data cannot answer"
    fn = getattr(kg, "coverage", None)
    if fn is None:
        try:
            from chiprisk.graph.model.coverage import coverage as cov
        except ImportError:
            return _not_available("coverage", title, "the coverage report (graph/coverage.py)")

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


_SECTIONS: dict[str, Callable] = {
    "concentration": _concentration,
    "stage_countries": _stage_countries,
    "site_map": _site_map,
    "exposure": _exposure,
    "chokepoints": _chokepoints,
    "scenarios": _scenarios,
    "policies": _policies,
    "coverage": _coverage,
}


# ------------------------------------------------------------------ helpers


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _source_ids(df: pd.DataFrame) -> set[str]:
    out: set[str] = set()
    for col in ("source_ids", "source_id"):
        if col in df.columns:
            out.update(P._ids(df[col]))
    return out


def _fmt(col: str, v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
        if col.startswith("hhi"):
            return f"{x:,.0f}"
        if col in _FRACTION_NAMES:
            return f"{x:.1%}"
        if col in _PERCENT_NAMES or col.endswith(_PERCENT_SUFFIXES):
            return f"{x:.1f}%"
        if x.is_integer() and col in {"year", "start_year", "rank"}:
            return str(int(x))
        if x.is_integer():
            return f"{int(x):,}"
        return f"{x:,.2f}"
    return str(v)


def _cell(col: str, v: object) -> str:
    if col in ("source_ids", "source_id"):
        ids = P._ids([v])
        return " ".join(f'<a href="#src-{html.escape(i)}">{html.escape(i)}</a>' for i in ids)
    text = html.escape(_fmt(col, v))
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f'<span class="num">{text}</span>'
    return text


def _table_html(name: str, df: pd.DataFrame, limit: int = 2000) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for values in df.head(limit).itertuples(index=False, name=None):
        cells = "".join(
            f"<td{' class=n' if isinstance(v, int | float) and not isinstance(v, bool) else ''}>"
            f"{_cell(str(c), v)}</td>"
            for c, v in zip(df.columns, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    more = (
        f"<p class=more>Showing {limit} of {len(df)} rows; all rows in "
        f'<a href="tables/{name}.csv">tables/{name}.csv</a>.</p>'
        if len(df) > limit
        else f'<p class=more>As CSV: <a href="tables/{name}.csv">tables/{name}.csv</a></p>'
    )
    return (
        f"<details open><summary>Table: {html.escape(name)} ({len(df)} rows)</summary>"
        f'<div class=scroll><table id="table-{name}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}</details>"
    )


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    return out


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1180px;
color:#263238;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #cfd8dc;padding-bottom:.2rem;margin-top:2.4rem}
.meta{color:#607d8b;font-size:.9rem}.note{background:#fff8e1;border-left:4px solid #ffb300;
padding:.5rem .8rem}figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eceff1}
figcaption{font-size:.85rem;color:#607d8b}table{border-collapse:collapse;font-size:.8rem}
th,td{border-bottom:1px solid #eceff1;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#eceff1;position:sticky;top:0}.scroll{max-height:420px;overflow:auto}
nav ul{columns:2}.more{font-size:.8rem;color:#607d8b}summary{cursor:pointer;font-weight:600}
"""


def _html(
    kg: KnowledgeGraph,
    sections: list[Section],
    pngs: dict[str, bytes],
    sources: pd.DataFrame,
    year: int | None,
) -> str:
    from chiprisk.graph.io.cache import chiprisk_version

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        "<title>chiprisk risk report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>AI-chip supply-chain risk report</h1>",
        f"<p class=meta>chiprisk {html.escape(chiprisk_version())} &middot; data "
        f"{html.escape(str(kg.tables.origin))} (sha256 {html.escape(kg.tables.data_hash[:12])}) "
        f"&middot; as of {year if year is not None else 'the latest data'} &middot; built "
        f"{when}</p>",
        "<p>Every number below comes from a row of the dataset with a source; each table's "
        "<code>source_ids</code> link to the <a href='#sources'>sources</a> at the end. "
        "The page loads nothing from the network.</p>",
        "<nav><h2>Contents</h2><ul>",
        *[f"<li><a href='#{s.key}'>{html.escape(s.title)}</a></li>" for s in sections],
        "<li><a href='#sources'>Sources</a></li></ul></nav>",
    ]
    for s in sections:
        parts.append(f"<section id='{s.key}'><h2>{html.escape(s.title)}</h2>")
        if s.intro:
            parts.append(f"<p>{html.escape(s.intro)}</p>")
        for note in s.notes:
            parts.append(f"<p class=note>{html.escape(note)}</p>")
        for c in s.charts:
            b64 = base64.b64encode(pngs[c]).decode("ascii")
            parts.append(
                f"<figure><img id='chart-{c}' alt='{html.escape(s.title)}' "
                f"src='data:image/png;base64,{b64}'><figcaption>Chart file: "
                f"<a href='charts/{c}.png'>charts/{c}.png</a></figcaption></figure>"
            )
        for name, df in s.tables.items():
            parts.append(_table_html(name, df))
        parts.append("</section>")
    parts.append("<section id='sources'><h2>Sources</h2>")
    parts.append(
        "<p>Every source the tables above cite. Links go to the publication; "
        "nothing is fetched when this page opens.</p>"
    )
    rows = []
    for r in sources.itertuples(index=False):
        url = str(r.url) if isinstance(r.url, str) else ""
        link = (
            f"<a href='{html.escape(url)}' rel='noreferrer noopener'>{html.escape(url)}</a>"
            if url.startswith(("http://", "https://"))
            else html.escape(url)
        )
        rows.append(
            f"<tr id='src-{html.escape(r.id)}'><td>{html.escape(r.id)}</td>"
            f"<td>{html.escape(str(r.title))}</td><td>{html.escape(str(r.publisher))}</td>"
            f"<td>{html.escape(_fmt('published', r.published))}</td>"
            f"<td>{html.escape(str(r.confidence))}</td><td>{link}</td></tr>"
        )
    parts.append(
        "<div class=scroll><table id='table-sources'><thead><tr><th>id</th><th>title</th>"
        "<th>publisher</th><th>published</th><th>confidence</th><th>url</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section></body></html>"
    )
    return "\n".join(parts)


# -------------------------------------------------------------------- build


def build_report(
    kg: KnowledgeGraph,
    out_dir: str | Path,
    *,
    year: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build the HTML report, its charts and tables into ``out_dir`` (replaced atomically).

    Parameters
    ----------
    kg : KnowledgeGraph
    out_dir : str or Path
        The report directory; its parent must exist. An existing directory is
        replaced only once the new report is complete.
    year : int, optional
        As of this year (default: the latest data).
    progress : callable, optional
        Called with each step's name (:data:`STEPS`) when it finishes.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    UsageError
        When ``out_dir`` exists and is not a directory, or its parent is missing.
    """
    from chiprisk.graph.errors import UsageError

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"report directory {out} exists and is not a directory")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"the parent of the report directory does not exist: {parent}")
    tick = progress or (lambda step: None)

    figs: dict = {}
    sections: list[Section] = []
    for key, make in _SECTIONS.items():
        sections.append(make(kg, year, figs))
        tick(key)
    pngs = {name: _png(fig) for name, fig in figs.items()}

    cited: set[str] = set()
    for s in sections:
        for df in s.tables.values():
            cited |= _source_ids(df)
    src = kg.tables["sources"]
    sources = src[src["id"].isin(cited)].sort_values("id").reset_index(drop=True)
    tick("sources")

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        for name, data in pngs.items():
            (tmp / "charts" / f"{name}.png").write_bytes(data)
        for s in sections:
            for name, df in s.tables.items():
                _csv_frame(df).to_csv(tmp / "tables" / f"{name}.csv", index=False)
        sources.to_csv(tmp / "tables" / "sources.csv", index=False)
        (tmp / "index.html").write_text(_html(kg, sections, pngs, sources, year), encoding="utf-8")
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tick("write")
    return out
