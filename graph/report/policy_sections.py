"""The report's policy pages: the counterfactual ranking and the diversification outlook.

Both read the capacity ledger through the facade (``kg.policies(rank=True)``
and ``kg.outlook()``); a graph without them gets a "not available" section.

Examples
--------
>>> import chiprisk.graph as cg
>>> s = outlook_section(cg.load(), 2030, {})
>>> s.key, sorted(s.tables)
('outlook', ['outlook'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.report.chart_layout import (
    PT,
    fit_size,
    label_room,
    place,
    title_room,
    title_width,
    xtick_room,
    ytick_room,
)
from chiprisk.graph.report.charts import _pyplot
from chiprisk.graph.report.section_base import Section, not_available

__all__ = ["OUTLOOK_INPUTS", "outlook_section", "policies_section"]

OUTLOOK_INPUTS = (
    "logic-5nm-and-below",
    "leading-edge-logic",
    "cowos-packaging",
    "hbm",
    "dram",
    "logic-mature",
)
"""Capabilities the outlook page draws (those with ledger rows)."""


def policies_section(kg, year, figs, shared=None) -> Section:
    """Every policy and award vs the world without it, as of ``year``."""
    title = "Policies: what each one changes"
    if not hasattr(kg, "policies"):
        return not_available("policies", title, "the policy counterfactuals (kg.policies)")
    df = kg.policies(rank=True, year=year)
    src = dict(zip(kg.tables["policies"]["id"], kg.tables["policies"]["source_id"], strict=True))
    df = df.assign(source_ids=df["policy"].map(src))
    charts = []
    ranked = df[df["rank"].notna()]
    if len(ranked):
        figs["policies"] = _policy_chart(ranked)
        charts = ["policies"]
    return Section(
        "policies",
        title,
        "Each policy, and each award (a policy's funding of one site), is taken out of the "
        "world with every policy: the capacity ledger of its funded sites is removed "
        "(x additionality, here 1). The columns give the located Taiwan share and the country "
        "HHI of the capability it moves most, with and without it, and the products' expected "
        "annual loss over the named scenarios with and without it; loss_reduced is without "
        "minus with (positive: the policy lowers risk), also per billion US dollars at the "
        "sourced exchange rate (fx). Rows without a modelled effect come last with the reason.",
        charts,
        {"policies": df},
    )


def _policy_chart(df: pd.DataFrame):
    plt = _pyplot()
    d = df.sort_values("rank", ascending=False)
    labels = [str(n)[:55] for n in d["id"]]
    top, bottom = title_room() + 0.1, xtick_room() + label_room(lines=2) + 0.05
    height = 0.32 * len(d) + top + bottom
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, height), layout="none", sharey=True)
    place(fig, left=ytick_room(labels, 7) + 0.1, right=0.3, top=top, bottom=bottom, wspace=0.5)
    y = np.arange(len(d))
    a1.barh(y, d["taiwan_share_without"] - d["taiwan_share_with"], color="#00897b")
    a1.set_yticks(y, labels, fontsize=7)
    a1.set_xlabel("Taiwan share it removes\n(percentage points: without minus with)")
    a2.barh(y, d["loss_reduced"] * 100, color="#3949ab")
    a2.set_xlabel("expected loss it removes\n(% of a year's output, mean over products)")
    for ax in (a1, a2):
        ax.axvline(0, color="#37474f", lw=0.8)
    fig.suptitle(
        "Policies and awards: the world with every policy vs without this one",
        y=1 - 0.08 / height,
        va="top",
    )
    return fig


def outlook_section(kg, year, figs, shared=None) -> Section:
    """Capacity by country over the years, with the no-policy line, and loss curves."""
    title = "Diversification outlook"
    if not hasattr(kg, "outlook"):
        return not_available("outlook", title, "the capacity ledger outlook (kg.outlook)")
    from chiprisk.graph.model.ledger import ledger_inputs

    inputs = [i for i in OUTLOOK_INPUTS if i in set(ledger_inputs(kg.tables))]
    if not inputs:
        return not_available("outlook", title, "a capacity ledger (capacity.csv)")
    df = kg.outlook(inputs=inputs)
    figs["outlook_capacity"] = _capacity_chart(df, inputs)
    charts = ["outlook_capacity"]
    if (df["section"] == "loss").any():
        figs["outlook_loss"] = _loss_chart(df)
        charts.append("outlook_loss")
    return Section(
        "outlook",
        title,
        "Capacity in place at the end of each year by the country the sites are in, from the "
        "capacity ledger (planned capacity from its year; paused and cancelled never), "
        "stacked; the dashed line is the total without the capacity of the sites any policy "
        "funds. The loss curves rerun the Taiwan Strait blockade on each year's ledger, with "
        "every policy and with none. " + " ".join(df.attrs.get("assumptions", [])[:1]),
        charts,
        {"outlook": df},
    )


def _capacity_chart(df: pd.DataFrame, inputs: list[str]):
    from matplotlib.ticker import StrMethodFormatter

    plt = _pyplot()
    cap = df[(df["section"] == "capacity") & (df["lens"] == "located")]
    n = len(inputs)
    cols = 2
    rows = (n + cols - 1) // cols
    peak = max(
        [*cap.groupby(["input", "year"])["capacity"].sum(), *cap["capacity_without_policies"]],
        default=1.0,
    )
    yroom = ytick_room([f"{peak * 1.25:,.0f}"], 7) + label_room(7)
    countries = sorted(set(cap["country"].dropna()))
    top = title_room() + title_room(9) + 0.05
    hspace = title_room(9) + 0.1  # the years are shared: tick labels on the lowest panels
    bottom = xtick_room(7) + (-(-(len(countries) + 1) // 8) * 8 * 1.25 + 14) * PT + 0.15
    height = top + rows * 2.4 + (rows - 1) * hspace + bottom
    fig, axes = plt.subplots(rows, cols, figsize=(12, height), layout="none", sharex=True)
    place(
        fig,
        left=yroom + 0.05,
        right=0.25,
        top=top,
        bottom=bottom,
        wspace=yroom + 0.25,
        hspace=hspace,
    )
    axes = np.atleast_1d(axes).ravel()
    palette = plt.get_cmap("tab10")
    colour = {c: palette(k % 10) for k, c in enumerate(countries)}
    drawn: set[str] = set()
    for k, (ax, inp) in enumerate(zip(axes, inputs, strict=False)):
        d = cap[cap["input"] == inp]
        wide = d.pivot_table(index="year", columns="country", values="capacity", aggfunc="sum")
        wide = wide.fillna(0.0)
        wide = wide.loc[:, wide.sum() > 0]
        years = wide.index.to_numpy()
        drawn.update(wide.columns)
        if len(wide.columns):
            ax.stackplot(
                years,
                wide.T.to_numpy(),
                labels=list(wide.columns),
                colors=[colour[c] for c in wide.columns],
                alpha=0.85,
            )
        wo = d.groupby("year")["capacity_without_policies"].sum()
        ax.plot(wo.index, wo.to_numpy(), "k--", lw=1.2)
        unit = d["unit"].dropna().iloc[0] if d["unit"].notna().any() else ""
        ax.set_title(inp, fontsize=9)
        ax.set_ylabel(unit, fontsize=7)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # 1,000,000 not 1e6
        ax.tick_params(labelsize=7)
        if k + cols >= n:  # nothing below it: it shows the shared years
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[n:]:
        ax.set_visible(False)
    # one legend: a country has the same colour in every panel
    shown = [c for c in countries if c in drawn]
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[c], alpha=0.85) for c in shown]
    handles.append(plt.Line2D([], [], color="k", ls="--", lw=1.2))
    fig.legend(
        handles,
        [*shown, "total without policies"],
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(len(handles), 8),
        fontsize=8,
    )
    fig.suptitle(
        "Capacity by country (located), with the total without policies",
        y=1 - 0.08 / height,
        va="top",
    )
    return fig


def _loss_chart(df: pd.DataFrame):
    plt = _pyplot()
    loss = df[df["section"] == "loss"]
    fig, ax = plt.subplots(figsize=(10, 4), layout="none")
    left = ytick_room(["100"], 10) + label_room() + 0.1
    place(fig, left=left, right=0.3, top=title_room() + 0.1, bottom=xtick_room() + label_room())
    palette = plt.get_cmap("tab10")
    for k, (product, g) in enumerate(loss.groupby("product", sort=True)):
        g = g.sort_values("year")
        c = palette(k % 10)
        ax.plot(g["year"], g["loss_with_policies"] * 100, "-", color=c, label=product)
        ax.plot(g["year"], g["loss_without_policies"] * 100, ":", color=c)
    ax.set_ylabel("% of output lost while it lasts")
    ax.set_xlabel("ledger year")
    scenario = loss["scenario"].iloc[0] if len(loss) else ""
    title = f"{scenario}: loss per product, with policies (solid) and without (dotted)"
    ax.set_title(title, fontsize=fit_size(title, 12, title_width(10, left, 0.3)))
    ax.legend(fontsize=7, ncol=3)
    return fig
