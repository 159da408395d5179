"""The report's weekly curves: each product's output, week by week, under each named scenario.

Examples
--------
>>> import chiprisk.graph as cg
>>> s = curves_section(cg.load(), None, {})
>>> s.key, s.charts
('curves', ['curves'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.report.chart_layout import (
    PT,
    label_room,
    place,
    title_room,
    xtick_room,
    ytick_room,
)
from chiprisk.graph.report.charts import _pyplot
from chiprisk.graph.report.section_base import Section, not_available

__all__ = ["curves_section"]


def curves_section(kg, year, figs, shared=None) -> Section:
    """One small chart per named scenario: every product's weekly output (1 = normal)."""
    title = "Named scenarios, week by week"
    ids = list(kg.tables.scenarios["id"])
    if not ids or not hasattr(kg, "simulate"):
        return not_available("curves", title, "named scenarios with a weekly simulation")
    df = kg.simulate(ids, year=year, curve=True)
    figs["curves"] = _curves_chart(df)
    return Section(
        "curves",
        title,
        "Share of each product's normal output per week after each named scenario starts "
        "(weekly model, docs/methods.md): a consumable shortfall bites after the buffers "
        "downstream of it run out; installed tools keep running and their capacity decays "
        "at a service rate without new tools and service; output comes back after the cause "
        "ends plus restart and pipeline time.",
        ["curves"],
        {"curves": df},
    )


def _curves_chart(df: pd.DataFrame):
    plt = _pyplot()
    scenarios = sorted(set(df["scenario"]))
    cols = 2
    rows = max(1, (len(scenarios) + cols - 1) // cols)
    products = sorted(set(df["product"]))
    legend_rows = -(-len(products) // 5)
    top = title_room() + title_room(9) + 0.05
    hspace = title_room(9) + 0.1  # the x axis is shared: labels on the lowest panels only
    bottom = xtick_room(7) + label_room(7) + (legend_rows * 7 * 1.25 + 14) * PT + 0.15
    height = top + rows * 1.9 + (rows - 1) * hspace + bottom
    fig, axes = plt.subplots(
        rows, cols, figsize=(12, height), layout="none", sharex=True, sharey=True
    )
    left = ytick_room(["100"], 7) + label_room(7) + 0.1
    place(fig, left=left, right=0.2, top=top, bottom=bottom, wspace=0.35, hspace=hspace)
    axes = np.atleast_1d(axes).ravel()
    palette = plt.get_cmap("tab10")
    colour = {p: palette(k % 10) for k, p in enumerate(products)}
    for k, (ax, sc) in enumerate(zip(axes, scenarios, strict=False)):
        d = df[df["scenario"] == sc]
        for p, g in d.groupby("product", sort=True):
            ax.plot(g["week"], g["output"] * 100, color=colour[p], lw=1.1, label=p)
        ax.set_title(sc, fontsize=9)
        ax.set_ylim(-2, 105)
        if k + cols >= len(scenarios):  # nothing below it: it shows the shared x axis
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("week after the scenario starts", fontsize=7)
        if k % cols == 0:  # the columns share the y axis
            ax.set_ylabel("% of normal output", fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes[len(scenarios) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=5, fontsize=7)
    fig.suptitle(
        "Weekly output per product under each named scenario", y=1 - 0.08 / height, va="top"
    )
    return fig
