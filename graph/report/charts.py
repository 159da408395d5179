"""The report's charts: each draws one frame (a DataFrame) as a matplotlib Figure.

The frames come from :mod:`chiprisk.graph.report.frames`; a chart reads only
the documented columns of its frame, so a notebook can redraw an edited
frame. Charts are drawn with the non-interactive Agg backend unless a
backend is already chosen (a notebook's inline backend stays). Each chart
sizes its margins from its measured labels
(:mod:`~chiprisk.graph.report.chart_layout`) instead of a layout engine, so it
draws once when saved.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"rank": [1], "kind": ["input"], "name": ["EUV"],
...                    "products_affected": [4], "score": [0.9]})
>>> type(chokepoints_chart(df)).__name__
'Figure'
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chiprisk.graph.report.chart_layout import (
    COLORBAR_ROOM,
    colorbar_right,
    fit_size,
    fitting_width,
    label_room,
    legend_width,
    place,
    shorten,
    title_room,
    title_width,
    xtick_room,
    ytick_room,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "HHI_BANDS_2023",
    "STATUS_COLOURS",
    "chokepoints_chart",
    "concentration_chart",
    "exposure_chart",
    "site_map_chart",
    "stage_country_chart",
]

HHI_BANDS_2023 = (1000, 1800)
"""DOJ/FTC 2023 merger guidelines: unconcentrated below 1,000, highly above 1,800."""

STATUS_COLOURS = {
    "operating": "#2e7d32",
    "ramping": "#9ccc65",
    "under-construction": "#ef6c00",
    "announced": "#1e88e5",
    "cancelled": "#c62828",
    "closed": "#757575",
}
"""Map colour of each site status."""


def _pyplot():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def concentration_chart(df: pd.DataFrame) -> Figure:
    """Horizontal HHI bars per input (grouped by stage), with bounds and the 2023 bands.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`chiprisk.graph.report.frames.concentration_frame`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"input": ["a"], "input_name": ["A"], "stage": ["equipment"],
    ...                    "year": [2024], "hhi": [5000.0], "hhi_low": [4000.0],
    ...                    "hhi_high": [6000.0]})
    >>> [float(x) for x in concentration_chart(df).axes[0].get_xlim()]
    [0.0, 10000.0]
    """
    plt = _pyplot()
    n = max(len(df), 1)
    labels = [f"{n} ({yr})" for n, yr in zip(df["input_name"], df["year"], strict=True)]
    labels = shorten(labels, 7, 6.0)
    stages = list(dict.fromkeys(df["stage"]))
    fig, ax = plt.subplots(figsize=(10, 0.28 * n + 1.9), layout="none")
    left = ytick_room(labels, 7) + 0.1
    right = legend_width(stages, 7, title="stage", title_size=8) + 0.3
    place(
        fig,
        left=left,
        right=right,
        top=title_room(12, 2) + 0.1,
        bottom=xtick_room() + label_room() + 0.1,
    )
    lo, hi = HHI_BANDS_2023
    ax.axvspan(0, lo, color="#e8f5e9", zorder=0)
    ax.axvspan(lo, hi, color="#fff8e1", zorder=0)
    ax.axvspan(hi, 10000, color="#ffebee", zorder=0)
    cmap = plt.get_cmap("tab10")
    colours = {s: cmap(i % 10) for i, s in enumerate(stages)}
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["hhi"], color=[colours[s] for s in df["stage"]], height=0.7, zorder=2)
    err_lo = (df["hhi"] - df["hhi_low"]).clip(lower=0)
    err_hi = (df["hhi_high"] - df["hhi"]).clip(lower=0)
    ax.errorbar(df["hhi"], y, xerr=[err_lo, err_hi], fmt="none", ecolor="#37474f", lw=0.8, zorder=3)
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlim(0, 10000)
    xlabel = "HHI, firm lens (0-10,000); whiskers: bounds from ranges and residuals"
    ax.set_xlabel(xlabel, fontsize=fit_size(xlabel, 10, 10 - left - right + 1.5))
    title = "Concentration by input and stage\n(2023 DOJ/FTC bands: 1,000 / 1,800)"
    ax.set_title(title, fontsize=fit_size(title.split("\n")[0], 12, 10 - left - right))
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


def stage_country_chart(df: pd.DataFrame) -> Figure:
    """Stacked bars: per stage, country shares owned (HQ) beside located (site).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`chiprisk.graph.report.stage_frame.stage_country_frame`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"stage": ["memory"] * 2, "lens": ["hq", "site"],
    ...                    "country": ["KR", "KR"], "country_name": ["South Korea"] * 2,
    ...                    "share": [100.0, 100.0]})
    >>> len(stage_country_chart(df).axes[0].patches)
    2
    """
    plt = _pyplot()
    stages = list(dict.fromkeys(df["stage"]))
    named = df[~df["country"].isin(["other", "unattributed"])]
    order = named.groupby("country")["share"].sum().sort_values(ascending=False).index.tolist()
    cmap = plt.get_cmap("tab20")
    colours = {c: cmap(i % 20) for i, c in enumerate(order)}
    colours["other"] = "#b0bec5"
    colours["unattributed"] = "#eceff1"
    labels = dict(zip(df["country"], df["country_name"], strict=False))
    shown = [c for c in order if c in set(df["country"])][:14] + ["other", "unattributed"]
    legend_labels = [labels.get(c, c) for c in shown]
    ylabels = [f"{s}: {lens}" for s in stages for lens in ("owned", "located")]
    fig, ax = plt.subplots(figsize=(10, 0.75 * max(len(stages), 1) + 1.8), layout="none")
    left = ytick_room(ylabels, 8) + 0.1
    right = legend_width(legend_labels, 7, ncols=2) + 0.3
    place(fig, left=left, right=right, top=title_room() + 0.1, bottom=xtick_room() + label_room())
    yticks, bars = [], []  # bars: (y, width, left, colour), drawn in one call
    for i, stage in enumerate(stages):
        for j, lens in enumerate(("hq", "site")):
            y = -(i * 2.6 + j)
            g = df[(df["stage"] == stage) & (df["lens"] == lens)]
            start = 0.0
            for x in g.itertuples(index=False):
                bars.append((y, x.share, start, colours.get(x.country, "#cfd8dc")))
                if x.share >= 7 and x.country not in ("other", "unattributed"):
                    ax.text(start + x.share / 2, y, x.country, ha="center", va="center", fontsize=7)
                start += x.share
            yticks.append(y)
    if bars:
        ys, widths, starts, colour_of = zip(*bars, strict=True)
        ax.barh(ys, widths, left=starts, color=colour_of, edgecolor="white", lw=0.5, height=0.85)
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the stage's inputs (%), each input weighing the same")
    title = "Country shares per stage: where suppliers are owned vs where capacity is"
    ax.set_title(title, fontsize=fit_size(title, 12, 10 - right))
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in shown]
    ax.legend(
        handles,
        legend_labels,
        fontsize=7,
        ncols=2,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    return fig


def site_map_chart(df: pd.DataFrame) -> Figure:
    """A world map of sites coloured by status and sized by capacity (offline boundaries).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`chiprisk.graph.report.frames.sites_frame`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"lat": [24.2], "lon": [120.6], "status": ["operating"],
    ...                    "capacity_per_month": [100000.0]})
    >>> site_map_chart(df).axes[0].get_legend().get_texts()[0].get_text()
    'operating (1)'
    """
    from chiprisk.graph.report.worldmap import draw_countries

    plt = _pyplot()
    d = df.dropna(subset=["lat", "lon"])
    cap = d["capacity_per_month"].astype(float)
    known = cap.notna()
    cmax = float(cap.max()) if known.any() else 1.0
    size = np.where(known, 40 + 460 * np.sqrt(cap.fillna(0) / cmax), 28)
    layers = [(s, c, (d["status"] == s).to_numpy()) for s, c in STATUS_COLOURS.items()]
    layers = [(s, c, m) for s, c, m in layers if m.any()]
    (x0, x1), (y0, y1) = (-130, 155), (-8, 62)
    legend = [f"{s} ({int(m.sum())})" for s, _, m in layers]
    left = ytick_room(["-10"], 10) + label_room() + 0.1
    right = legend_width(legend, 8, title="status") + 0.45  # markers wider than the text
    top, bottom = title_room() + 0.1, xtick_room() + label_room() + 0.05
    map_h = (12 - left - right) * (y1 - y0) / (x1 - x0)  # equal aspect: no blank bands
    fig, ax = plt.subplots(figsize=(12, max(map_h, 1.8) + top + bottom), layout="none")
    place(fig, left=left, right=right, top=top, bottom=bottom)
    draw_countries(ax)
    for (_, colour, m), label in zip(layers, legend, strict=True):
        ax.scatter(
            d["lon"][m],
            d["lat"][m],
            s=size[m],
            c=colour,
            alpha=0.75,
            edgecolors=np.where(known[m], "black", "white"),
            linewidths=0.6,
            label=label,
            zorder=3,
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("longitude (degrees)")
    ax.set_ylabel("latitude (degrees)")
    title = (
        "Sites by status; marker area by capacity (wafers/month) where published, "
        "small dots where not"
    )
    ax.set_title(title, fontsize=fit_size(title, 12, 12 - left - right))
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


def exposure_chart(df: pd.DataFrame, *, min_loss: float = 0.05) -> Figure:
    """Heatmap: share of each product's output lost if one country goes offline.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`chiprisk.graph.report.frames.exposure_frame`.
    min_loss : float
        Countries whose largest loss is below this fraction are left out.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"product_name": ["H100", "H100"], "country": ["TW", "JP"],
    ...                    "product_loss": [1.0, 0.01]})
    >>> [t.get_text() for t in exposure_chart(df).axes[0].get_xticklabels()]
    ['TW']
    """
    plt = _pyplot()
    m = df.pivot_table(
        index="product_name", columns="country", values="product_loss", aggfunc="max"
    ).fillna(0.0)
    m = m.loc[:, m.max(axis=0) >= min_loss]
    m = m[m.columns[np.argsort(-m.max(axis=0).to_numpy(), kind="stable")]]
    rows = shorten(m.index, 8, 3.5)
    title = "Exposure of each AI accelerator: output lost if one country goes offline"
    xlabel = f"country (site lens; countries with a loss of at least {min_loss:.0%})"
    left = ytick_room(rows, 8) + 0.1
    width = max(
        left + COLORBAR_ROOM + max(0.55 * m.shape[1], 2.5),
        fitting_width(title, 10, left, COLORBAR_ROOM),
        fitting_width(xlabel, 9, left, COLORBAR_ROOM),
    )
    fig, ax = plt.subplots(figsize=(width, 0.45 * max(m.shape[0], 1) + 2), layout="none")
    top, bottom = title_room() + 0.1, xtick_room(8) + label_room() + 0.1
    place(fig, left=left, right=COLORBAR_ROOM, top=top, bottom=bottom)
    im = ax.imshow(m.to_numpy() * 100, cmap="Reds", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(m.shape[1]), m.columns, fontsize=8)
    ax.set_yticks(range(m.shape[0]), rows, fontsize=8)
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
    ax.set_title(title, fontsize=fit_size(title, 12, title_width(width, left, COLORBAR_ROOM)))
    ax.set_xlabel(xlabel, fontsize=fit_size(xlabel, 10, title_width(width, left, COLORBAR_ROOM)))
    colorbar_right(fig, ax, im, "% of output lost")
    return fig


def chokepoints_chart(df: pd.DataFrame) -> Figure:
    """Horizontal bars of the chokepoint score, coloured by kind.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`chiprisk.graph.report.frames.chokepoints_frame`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"rank": [1, 2], "kind": ["input", "firm"], "name": ["EUV", "ASML"],
    ...                    "products_affected": [4, 4], "score": [0.9, 0.8]})
    >>> len(chokepoints_chart(df).axes[0].patches)
    2
    """
    plt = _pyplot()
    colours = {"input": "#5e35b1", "firm": "#00897b", "site": "#f4511e"}
    labels = shorten([f"{r.rank}. {r.name}" for r in df.itertuples(index=False)], 7, 6.0)
    fig, ax = plt.subplots(figsize=(10, 0.32 * max(len(df), 1) + 1.5), layout="none")
    left = ytick_room(labels, 7) + 0.1
    place(fig, left=left, right=0.3, top=title_room() + 0.1, bottom=xtick_room() + label_room())
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["score"], color=[colours.get(k, "#90a4ae") for k in df["kind"]])
    ax.set_yticks(y, labels, fontsize=7)
    for yy, r in zip(y, df.itertuples(index=False), strict=True):
        ax.text(r.score, yy, f" {r.products_affected} products", va="center", fontsize=7)
    xlabel = "score = products affected x concentration x (1 - substitutability)"
    ax.set_xlabel(xlabel, fontsize=fit_size(xlabel, 10, title_width(10, left, 0.3)))
    title = "Top chokepoints (single points of failure)"
    ax.set_title(title, fontsize=fit_size(title, 12, title_width(10, left, 0.3)))
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, list(colours), loc="lower right", fontsize=8)
    ax.set_xlim(0, float(df["score"].max()) * 1.25 if len(df) else 1)
    return fig
