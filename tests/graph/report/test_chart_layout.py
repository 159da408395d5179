"""The report's charts: fixed layouts that keep every label inside the picture."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from matplotlib.text import Text

import chiprisk.graph as cg
from chiprisk.graph.report.chart_layout import DPI, legend_width, place, shorten, text_width
from chiprisk.graph.report.sections import SECTIONS

matplotlib.use("Agg")

TINY = Path(__file__).parents[2] / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def figures():
    kg = cg.load()
    figs: dict = {}
    with matplotlib.rc_context({"text.parse_math": False}):
        shared: dict = {}
        for make in SECTIONS.values():
            make(kg, None, figs, shared)
    yield figs
    import matplotlib.pyplot as plt

    for fig in figs.values():
        plt.close(fig)


def test_every_chart_of_the_report_is_drawn_without_a_layout_engine(figures):
    assert len(figures) == 10
    for name, fig in figures.items():
        assert fig.get_layout_engine() is None, name


def _inside(name, fig):
    fig.set_dpi(DPI)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # everything drawn: tick labels in view, titles, axis labels, legends, colorbars
    used = fig.get_tightbbox(renderer)  # inches
    w, h = fig.get_size_inches()
    assert used.x0 >= -0.01 and used.y0 >= -0.01, (name, used.bounds)
    assert used.x1 <= w + 0.01 and used.y1 <= h + 0.01, (name, used.bounds, (w, h))


def test_no_text_leaves_the_picture(figures):
    for name, fig in figures.items():
        _inside(name, fig)
        for t in fig.findobj(Text):  # and no text drawn with a math parser
            assert t.get_text().count("$") == 0 or not t.get_parse_math(), name


def test_small_data_keeps_titles_inside_narrow_heatmaps():
    kg = cg.load(TINY)
    figs: dict = {}
    with matplotlib.rc_context({"text.parse_math": False}):
        for make in SECTIONS.values():
            make(kg, None, figs, {})
    assert "exposure" in figs
    import matplotlib.pyplot as plt

    for name, fig in figs.items():
        _inside(name, fig)
        plt.close(fig)


def test_names_longer_than_the_figure_are_shortened_not_fatal():
    import pandas as pd

    from chiprisk.graph.report.charts import chokepoints_chart, concentration_chart

    name = "a supplier name far longer than any chart could show " * 8
    conc = pd.DataFrame(
        {
            "input": ["a"],
            "input_name": [name],
            "stage": ["equipment"],
            "year": [2024],
            "hhi": [5000.0],
            "hhi_low": [4000.0],
            "hhi_high": [6000.0],
        }
    )
    choke = pd.DataFrame(
        {"rank": [1], "kind": ["firm"], "name": [name], "products_affected": [3], "score": [1.0]}
    )
    for fig in (concentration_chart(conc), chokepoints_chart(choke)):
        label = fig.axes[0].get_yticklabels()[0].get_text()
        assert label.endswith("...") and len(label) < len(name)
        _inside("long names", fig)
    assert shorten(["ok"], 8, 1.0) == ["ok"]


def test_tick_labels_do_not_run_into_the_axes_title_or_legend(figures):
    fig = figures["concentration"]
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1  # beside the axes, not over it
    for t in ax.get_yticklabels():
        assert t.get_window_extent(renderer).x1 <= ax.get_window_extent(renderer).x0


def test_measured_widths_match_what_is_drawn():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2), dpi=DPI)
    FigureCanvasAgg(fig)
    label = "DRAM fabrication on EUV-patterned generations (2025)"
    t = fig.text(0.1, 0.5, label, fontsize=7)
    fig.canvas.draw()
    drawn = t.get_window_extent(fig.canvas.get_renderer()).width / DPI
    assert drawn <= text_width([label], 7) <= drawn * 1.05
    assert legend_width(["a", "b", "c"], 8, ncols=3) > legend_width(["a", "b", "c"], 8)


def test_place_takes_inches_and_gaps():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6))
    axes = fig.subplots(2, 2)
    place(fig, left=1.0, right=0.5, top=0.5, bottom=1.0, wspace=0.5, hspace=1.0)
    a, b = axes[0, 0].get_position(), axes[0, 1].get_position()
    assert round((b.x0 - a.x1) * 10, 6) == 0.5  # inches
    c = axes[1, 0].get_position()
    assert round((a.y0 - c.y1) * 6, 6) == 1.0
    assert round(a.x0 * 10, 6) == 1.0 and round((1 - b.x1) * 10, 6) == 0.5
