"""The report's charts, as matplotlib Figures, and the tables behind them.

Each chart has a *frame* function (``kg -> DataFrame`` with documented
columns, readable names beside ids, and the ``source_ids`` behind each row)
and a *chart* function (``DataFrame -> Figure``). :class:`Plots` composes the
two and is what analysts reach as ``kg.plot``; :mod:`chiprisk.graph.report.html`
uses the same functions, so a notebook and the report show the same charts.

Charts are drawn with the non-interactive Agg backend unless a backend is
already chosen (a notebook's inline backend stays).

Examples
--------
>>> import chiprisk.graph as cg
>>> kg = cg.load()
>>> fig = kg.plot.concentration()
>>> type(fig).__name__
'Figure'

Notes
-----
Each frame costs one call of the analytics it wraps (concentration: ~1 s on
the built-in data; the stage/lens frame adds one ``explain`` per input and
lens); charts cost tens of milliseconds, the map ~0.5 s on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from chiprisk.graph.knowledge_graph import KnowledgeGraph

__all__ = [
    "BASIS_PREFERENCE",
    "HHI_BANDS_2023",
    "STATUS_COLOURS",
    "Plots",
    "chokepoints_chart",
    "chokepoints_frame",
    "concentration_chart",
    "concentration_frame",
    "exposure_chart",
    "exposure_frame",
    "site_map_chart",
    "sites_frame",
    "stage_country_chart",
    "stage_country_frame",
]

HHI_BANDS_2023 = (1000, 1800)
"""DOJ/FTC 2023 merger guidelines: unconcentrated below 1,000, highly above 1,800."""

BASIS_PREFERENCE = ("capacity", "revenue", "shipments", "units")
"""When an input has share tables of several bases in its latest year, the first of these."""

STATUS_COLOURS = {
    "operating": "#2e7d32",
    "ramping": "#9ccc65",
    "under-construction": "#ef6c00",
    "announced": "#1e88e5",
    "cancelled": "#c62828",
    "closed": "#757575",
}
"""Map colour of each site status."""

_STAGE_ORDER = (
    "design",
    "equipment",
    "materials",
    "fabrication",
    "memory",
    "packaging",
    "product",
)
_LENS_LABELS = {"hq": "owned (HQ country)", "site": "located (site country)"}


def _pyplot():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _ids(values) -> list[str]:
    out: set[str] = set()
    for v in values:
        if isinstance(v, list | tuple | set | np.ndarray):
            out.update(str(x) for x in v if x)
        elif isinstance(v, str) and v:
            out.update(x for x in v.split(";") if x)
    return sorted(out)


def _stage_rank(stage: object) -> int:
    return _STAGE_ORDER.index(stage) if stage in _STAGE_ORDER else len(_STAGE_ORDER)


# ----------------------------------------------------------- concentration


def concentration_frame(
    kg: KnowledgeGraph, *, year: int | None = None, stage: str | None = None
) -> pd.DataFrame:
    """One firm-lens share table per input: the latest year, then :data:`BASIS_PREFERENCE`.

    Returns
    -------
    pandas.DataFrame
        Sorted by stage then HHI (highest first). Columns: ``input``,
        ``input_name``, ``stage``, ``basis``, ``year``, ``n_entities``,
        ``hhi``, ``hhi_low``, ``hhi_high`` (0..10,000), ``cr1``, ``cr3``,
        ``top_share`` (percent), ``top_entity``, ``top_entity_name``,
        ``band_2023``, ``over_65``, ``source_ids`` (``;``-joined).
    """
    df = kg.concentration(by="firm", year=year, stage=stage)
    df = df[df["basis"] != "sourcing"].copy()
    df["_basis_rank"] = [
        BASIS_PREFERENCE.index(b) if b in BASIS_PREFERENCE else 99 for b in df["basis"]
    ]
    df = df.sort_values(["input", "year", "_basis_rank"], ascending=[True, False, True])
    df = df.drop_duplicates("input")
    df["_stage_rank"] = df["stage"].map(_stage_rank)
    df = df.sort_values(["_stage_rank", "hhi", "input"], ascending=[True, False, True])
    df["source_ids"] = df["source_ids"].map(lambda v: ";".join(_ids([v])))
    cols = [
        "input",
        "input_name",
        "stage",
        "basis",
        "year",
        "n_entities",
        "hhi",
        "hhi_low",
        "hhi_high",
        "cr1",
        "cr3",
        "top_share",
        "top_entity",
        "top_entity_name",
        "band_2023",
        "over_65",
        "source_ids",
    ]
    return df[cols].reset_index(drop=True)


def concentration_chart(df: pd.DataFrame) -> Figure:
    """Horizontal HHI bars per input (grouped by stage), with bounds and the 2023 bands."""
    plt = _pyplot()
    n = max(len(df), 1)
    fig, ax = plt.subplots(figsize=(10, 0.28 * n + 1.6), layout="constrained")
    lo, hi = HHI_BANDS_2023
    ax.axvspan(0, lo, color="#e8f5e9", zorder=0)
    ax.axvspan(lo, hi, color="#fff8e1", zorder=0)
    ax.axvspan(hi, 10000, color="#ffebee", zorder=0)
    stages = list(dict.fromkeys(df["stage"]))
    cmap = plt.get_cmap("tab10")
    colours = {s: cmap(i % 10) for i, s in enumerate(stages)}
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["hhi"], color=[colours[s] for s in df["stage"]], height=0.7, zorder=2)
    err_lo = (df["hhi"] - df["hhi_low"]).clip(lower=0)
    err_hi = (df["hhi_high"] - df["hhi"]).clip(lower=0)
    ax.errorbar(df["hhi"], y, xerr=[err_lo, err_hi], fmt="none", ecolor="#37474f", lw=0.8, zorder=3)
    ax.set_yticks(y, [f"{n} ({yr})" for n, yr in zip(df["input_name"], df["year"], strict=True)])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlim(0, 10000)
    ax.set_xlabel("HHI, firm lens (0-10,000); whiskers: bounds from ranges and residuals")
    ax.set_title("Concentration by input and stage (2023 DOJ/FTC bands: 1,000 / 1,800)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[s]) for s in stages]
    ax.legend(
        handles,
        stages,
        title="stage",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        title_fontsize=8,
    )
    return fig


# ------------------------------------------------------ stage x country lens


def stage_country_frame(
    kg: KnowledgeGraph, *, year: int | None = None, top: int = 6
) -> pd.DataFrame:
    """Country shares per stage under the two lenses: owned (``hq``) and located (``site``).

    Each input's share table (as in :func:`concentration_frame`) is split by
    country under each lens (a share interval counts at its midpoint); a
    stage's share for a country is the mean over the stage's inputs, each
    input weighing the same; midpoints that sum past 100 (qualitative shares)
    are scaled to 100, the equal split the HHI also uses. Countries outside a
    stage's ``top``, and the tables' own "other" rows, are pooled as
    ``other``; what the tables leave unattributed is ``unattributed``.

    Returns
    -------
    pandas.DataFrame
        Columns: ``stage``, ``lens`` (``hq`` or ``site``), ``country``,
        ``country_name``, ``share`` (percent of the stage), ``n_inputs``,
        ``source_ids``.
    """
    from chiprisk.graph.errors import UsageError

    conc = concentration_frame(kg, year=year)
    rows = []
    for r in conc.itertuples(index=False):
        for lens in ("hq", "site"):
            try:
                ex = kg.explain(r.input, by=lens, year=year, basis=r.basis)
            except UsageError:
                continue
            ex = ex[ex["year"] == r.year]
            mid = (ex["share_low"].astype(float) + ex["share_high"].astype(float)) / 2
            mid = mid.fillna(0.0)
            if mid.sum() > 100.0:  # qualitative shares: their midpoints overshoot
                mid = mid * (100.0 / mid.sum())
            ex = ex.assign(mid=mid)
            for country, g in ex.groupby("entity", sort=True):
                rows.append(
                    (
                        r.stage,
                        lens,
                        r.input,
                        country,
                        g["entity_name"].iloc[0],
                        g["mid"].sum(),
                        ";".join(_ids(g["source_id"])),
                    )
                )
    cols = ["stage", "lens", "country", "country_name", "share", "n_inputs", "source_ids"]
    if not rows:
        return pd.DataFrame(columns=cols)
    e = pd.DataFrame(rows, columns=["stage", "lens", "input", "country", "name", "share", "src"])
    n_inputs = conc.groupby("stage")["input"].nunique()
    out = []
    for (stage, lens), g in e.groupby(["stage", "lens"], sort=False):
        n = int(n_inputs.get(stage, 1))
        per = g.groupby(["country", "name"], as_index=False).agg(
            share=("share", "sum"), src=("src", lambda s: ";".join(_ids(s)))
        )
        per["share"] = per["share"] / n
        per = per.sort_values(["share", "country"], ascending=[False, True])
        residual = per["country"] == "other"  # a table's own "other" row pools too
        head = per[~residual].head(top)
        tail = pd.concat([per[~residual].iloc[top:], per[residual]])
        for x in head.itertuples(index=False):
            out.append((stage, lens, x.country, x.name, x.share, n, x.src))
        if len(tail):
            out.append(
                (
                    stage,
                    lens,
                    "other",
                    "other countries",
                    tail["share"].sum(),
                    n,
                    ";".join(_ids(tail["src"])),
                )
            )
        rest = 100.0 - per["share"].sum()
        if rest > 0.05:
            out.append((stage, lens, "unattributed", "not attributed", rest, n, ""))
    df = pd.DataFrame(out, columns=cols)
    df["_r"] = df["stage"].map(_stage_rank)
    df["_l"] = df["lens"].map({"hq": 0, "site": 1})
    df = df.sort_values(["_r", "_l"], kind="stable").drop(columns=["_r", "_l"])
    return df.reset_index(drop=True)


def stage_country_chart(df: pd.DataFrame) -> Figure:
    """Stacked bars: per stage, country shares owned (HQ) beside located (site)."""
    plt = _pyplot()
    stages = list(dict.fromkeys(df["stage"]))
    named = df[~df["country"].isin(["other", "unattributed"])]
    order = named.groupby("country")["share"].sum().sort_values(ascending=False).index.tolist()
    cmap = plt.get_cmap("tab20")
    colours = {c: cmap(i % 20) for i, c in enumerate(order)}
    colours["other"] = "#b0bec5"
    colours["unattributed"] = "#eceff1"
    labels = dict(zip(df["country"], df["country_name"], strict=False))
    fig, ax = plt.subplots(figsize=(10, 0.75 * max(len(stages), 1) + 1.8), layout="constrained")
    yticks, ylabels = [], []
    for i, stage in enumerate(stages):
        for j, lens in enumerate(("hq", "site")):
            y = -(i * 2.6 + j)
            g = df[(df["stage"] == stage) & (df["lens"] == lens)]
            left = 0.0
            for x in g.itertuples(index=False):
                ax.barh(
                    y,
                    x.share,
                    left=left,
                    color=colours.get(x.country, "#cfd8dc"),
                    edgecolor="white",
                    lw=0.5,
                    height=0.85,
                )
                if x.share >= 7 and x.country not in ("other", "unattributed"):
                    ax.text(left + x.share / 2, y, x.country, ha="center", va="center", fontsize=7)
                left += x.share
            yticks.append(y)
            ylabels.append(f"{stage}: {'owned' if lens == 'hq' else 'located'}")
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the stage's inputs (%), each input weighing the same")
    ax.set_title("Country shares per stage: where suppliers are owned vs where capacity is")
    shown = [c for c in order if c in set(df["country"])][:14] + ["other", "unattributed"]
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in shown]
    ax.legend(
        handles,
        [labels.get(c, c) for c in shown],
        fontsize=7,
        ncols=2,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    return fig


# ---------------------------------------------------------------- site map


def sites_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    """Every site with coordinates, status and capacity (per month).

    Returns
    -------
    pandas.DataFrame
        Columns: ``site``, ``name``, ``operator``, ``operator_name``,
        ``country``, ``lat``, ``lon``, ``kind``, ``status``, ``start_year``,
        ``capacity_per_month`` (wafers/month; wafers/year divided by 12;
        missing when not published), ``capacity``, ``capacity_unit`` (as
        published), ``source_ids``.
    """
    s = kg.tables["sites"]
    cap = pd.to_numeric(s["capacity"], errors="coerce")
    per_month = np.where(s["capacity_unit"].astype(str).str.endswith("/year"), cap / 12.0, cap)
    out = pd.DataFrame(
        {
            "site": s["id"],
            "name": s["name"],
            "operator": s["operator"],
            "operator_name": [kg.label(o) if isinstance(o, str) else None for o in s["operator"]],
            "country": s["country"],
            "lat": pd.to_numeric(s["lat"], errors="coerce"),
            "lon": pd.to_numeric(s["lon"], errors="coerce"),
            "kind": s["kind"],
            "status": s["status"],
            "start_year": s["start_year"],
            "capacity_per_month": per_month,
            "capacity": cap,
            "capacity_unit": s["capacity_unit"],
            "source_ids": s["source_id"],
        }
    )
    return out.sort_values("site").reset_index(drop=True)


def site_map_chart(df: pd.DataFrame) -> Figure:
    """A world map of sites coloured by status and sized by capacity (offline boundaries)."""
    from chiprisk.graph.report.worldmap import draw_countries

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(12, 4.4), layout="constrained")
    draw_countries(ax)
    d = df.dropna(subset=["lat", "lon"])
    cap = d["capacity_per_month"].astype(float)
    known = cap.notna()
    cmax = float(cap.max()) if known.any() else 1.0
    size = np.where(known, 40 + 460 * np.sqrt(cap.fillna(0) / cmax), 28)
    for status, colour in STATUS_COLOURS.items():
        m = (d["status"] == status).to_numpy()
        if not m.any():
            continue
        ax.scatter(
            d["lon"][m],
            d["lat"][m],
            s=size[m],
            c=colour,
            alpha=0.75,
            edgecolors=np.where(known[m], "black", "white"),
            linewidths=0.6,
            label=f"{status} ({int(m.sum())})",
            zorder=3,
        )
    ax.set_xlim(-130, 155)
    ax.set_ylim(-8, 62)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(
        "Sites by status; marker area by capacity (wafers/month) where published, "
        "small dots where not"
    )
    ax.legend(
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="status", title_fontsize=8
    )
    ax.text(
        0.995,
        0.005,
        "Boundaries: Natural Earth (public domain)",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=6,
        color="#607d8b",
    )
    return fig


# ---------------------------------------------------------------- exposure


def exposure_frame(kg: KnowledgeGraph, *, year: int | None = None) -> pd.DataFrame:
    """Each product's loss if one country goes offline (no substitution).

    Returns
    -------
    pandas.DataFrame
        One row per (product, country) with a positive loss. Columns:
        ``product``, ``product_name``, ``country``, ``country_name``,
        ``product_loss`` (fraction 0..1), ``via`` (the input with the largest
        direct share from that country), ``source_ids`` (the supply rows of
        the inputs, basis and year used, and the product's requirements).
    """
    from chiprisk.graph.algorithms.exposure import exposure_all

    exp = exposure_all(kg.tables, by="country", year=year, network=kg.network(year))
    sup = kg.tables["supplies"]
    req = kg.tables["requirements"]
    rows = []
    for (product, country), g in exp.groupby(["product", "entity"], sort=True):
        total = g[g["input"] == "(total)"]
        if total.empty or float(total["product_loss"].iloc[0]) <= 0:
            continue
        detail = g[g["input"] != "(total)"].sort_values("direct_share", ascending=False)
        src: set[str] = set(req.loc[req["product"] == product, "source_id"].dropna())
        for d in detail.itertuples(index=False):
            m = (sup["input"] == d.input) & (sup["basis"] == d.basis) & (sup["year"] == d.year)
            if d.sourcing == "buyer-specific":
                m &= sup["buyer"] == product
            src.update(sup.loc[m, "source_id"].dropna())
        rows.append(
            (
                product,
                kg.label(product),
                country,
                total["entity_name"].iloc[0],
                float(total["product_loss"].iloc[0]),
                detail["input"].iloc[0] if len(detail) else None,
                ";".join(sorted(src)),
            )
        )
    cols = [
        "product",
        "product_name",
        "country",
        "country_name",
        "product_loss",
        "via",
        "source_ids",
    ]
    return pd.DataFrame(rows, columns=cols)


def exposure_chart(df: pd.DataFrame, *, min_loss: float = 0.05) -> Figure:
    """Heatmap: share of each product's output lost if one country goes offline."""
    plt = _pyplot()
    m = df.pivot_table(
        index="product_name", columns="country", values="product_loss", aggfunc="max"
    ).fillna(0.0)
    m = m.loc[:, m.max(axis=0) >= min_loss]
    m = m[m.columns[np.argsort(-m.max(axis=0).to_numpy(), kind="stable")]]
    fig, ax = plt.subplots(
        figsize=(max(6.0, 0.55 * m.shape[1] + 3.5), 0.45 * max(m.shape[0], 1) + 2),
        layout="constrained",
    )
    im = ax.imshow(m.to_numpy() * 100, cmap="Reds", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(m.shape[1]), m.columns, fontsize=8)
    ax.set_yticks(range(m.shape[0]), m.index, fontsize=8)
    for (i, j), v in np.ndenumerate(m.to_numpy()):
        if v >= 0.005:
            ax.text(
                j,
                i,
                f"{v:.0%}",
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if v > 0.6 else "black",
            )
    ax.set_title("Exposure of each AI accelerator: output lost if one country goes offline")
    ax.set_xlabel(f"country (site lens; countries with a loss of at least {min_loss:.0%})")
    fig.colorbar(im, ax=ax, label="% of output lost", shrink=0.8)
    return fig


# ------------------------------------------------------------- chokepoints


def chokepoints_frame(
    kg: KnowledgeGraph, *, year: int | None = None, top: int = 15
) -> pd.DataFrame:
    """The top single points of failure with the sources behind each.

    Returns
    -------
    pandas.DataFrame
        Columns: ``rank``, ``kind`` (input, firm, site), ``id``, ``name``,
        ``products_affected``, ``hhi`` (0..10,000), ``score``, ``reason``,
        ``source_ids`` (input: the sources of its share tables under every
        lens; firm or site: its supply rows and site record).
    """
    ch = kg.chokepoints(year=year, betweenness=False).head(top)
    conc = kg.concentration(by=None, year=year)
    conc_src = conc.groupby("input")["source_ids"].agg(lambda s: _ids(s)).to_dict()
    sup, sites = kg.tables["supplies"], kg.tables["sites"]
    src = []
    for r in ch.itertuples(index=False):
        if r.kind == "input":
            ids = conc_src.get(r.id, [])
        else:
            m = sup["supplier"] == r.id
            sole = list(r.sole_supplier_of) if isinstance(r.sole_supplier_of, list) else []
            if sole:
                m &= sup["input"].isin(sole)
            ids = set(sup.loc[m, "source_id"].dropna())
            ids.update(sites.loc[sites["id"] == r.id, "source_id"].dropna())
            if r.kind == "firm" and sole:
                ops = sites["operator"] == r.id
                ids.update(sites.loc[ops, "source_id"].dropna())
            ids = sorted(ids)
        src.append(";".join(ids))
    out = ch[["rank", "kind", "id", "name", "products_affected", "hhi", "score", "reason"]].copy()
    out["source_ids"] = src
    return out.reset_index(drop=True)


def chokepoints_chart(df: pd.DataFrame) -> Figure:
    """Horizontal bars of the chokepoint score, coloured by kind."""
    plt = _pyplot()
    colours = {"input": "#5e35b1", "firm": "#00897b", "site": "#f4511e"}
    fig, ax = plt.subplots(figsize=(10, 0.32 * max(len(df), 1) + 1.4), layout="constrained")
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["score"], color=[colours.get(k, "#90a4ae") for k in df["kind"]])
    ax.set_yticks(y, [f"{r.rank}. {r.name}" for r in df.itertuples(index=False)], fontsize=7)
    for yy, r in zip(y, df.itertuples(index=False), strict=True):
        ax.text(r.score, yy, f" {r.products_affected} products", va="center", fontsize=7)
    ax.set_xlabel("score = products affected x concentration x (1 - substitutability)")
    ax.set_title("Top chokepoints (single points of failure)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, list(colours), loc="lower right", fontsize=8)
    ax.set_xlim(0, float(df["score"].max()) * 1.25 if len(df) else 1)
    return fig


# -------------------------------------------------------------- accessor


class Plots:
    """The charts of one knowledge graph: ``kg.plot.<chart>()`` returns a Figure.

    Every method also takes ``data=`` (the frame from the matching
    ``*_frame`` function) to redraw without recomputing, and ``frame(name)``
    returns the table behind a chart.

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> kg = cg.load()
    >>> sorted(kg.plot.charts())[:3]
    ['chokepoints', 'concentration', 'exposure']
    >>> kg.plot.frame("sites").columns[0]
    'site'
    """

    _FRAMES = {
        "concentration": concentration_frame,
        "stage_countries": stage_country_frame,
        "sites": sites_frame,
        "exposure": exposure_frame,
        "chokepoints": chokepoints_frame,
    }
    _CHARTS = {
        "concentration": ("concentration", concentration_chart),
        "stage_countries": ("stage_countries", stage_country_chart),
        "site_map": ("sites", site_map_chart),
        "exposure": ("exposure", exposure_chart),
        "chokepoints": ("chokepoints", chokepoints_chart),
    }

    def __init__(self, kg: KnowledgeGraph):
        self._kg = kg

    def __repr__(self) -> str:
        return f"<Plots: {', '.join(self.charts())}>"

    @staticmethod
    def charts() -> list[str]:
        """Names of the charts (each is a method)."""
        return list(Plots._CHARTS)

    def frame(self, name: str, **kwargs: Any) -> pd.DataFrame:
        """The table behind a chart: ``concentration``, ``stage_countries``, ``sites``,
        ``exposure`` or ``chokepoints``."""
        from chiprisk.graph.errors import UsageError

        fn = self._FRAMES.get(name)
        if fn is None:
            raise UsageError(f"unknown frame {name!r}; choose one of {', '.join(self._FRAMES)}")
        return fn(self._kg, **kwargs)

    def _draw(self, chart: str, data: pd.DataFrame | None, **kwargs: Any) -> Figure:
        frame_name, draw = self._CHARTS[chart]
        df = data if data is not None else self.frame(frame_name, **kwargs)
        return draw(df)

    def concentration(
        self, *, year: int | None = None, stage: str | None = None, data=None
    ) -> Figure:
        """HHI per input (firm lens) with bounds and the 2023 bands."""
        return self._draw("concentration", data, year=year, stage=stage)

    def stage_countries(self, *, year: int | None = None, data=None) -> Figure:
        """Country shares per stage, owned (HQ) vs located (site)."""
        return self._draw("stage_countries", data, year=year)

    def site_map(self, *, data=None) -> Figure:
        """World map of sites by status and capacity (offline boundaries)."""
        return self._draw("site_map", data)

    def exposure(self, *, year: int | None = None, data=None) -> Figure:
        """Heatmap of each accelerator's loss if one country goes offline."""
        return self._draw("exposure", data, year=year)

    def chokepoints(self, *, year: int | None = None, top: int = 15, data=None) -> Figure:
        """Top single points of failure by score."""
        return self._draw("chokepoints", data, year=year, top=top)
