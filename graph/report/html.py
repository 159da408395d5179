"""Build the risk report into a directory: one self-contained HTML page, charts (PNG), tables (CSV).

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
into place, so a failed build leaves an existing report untouched. An
existing ``out/`` is replaced only when it is empty or an unchanged earlier
report (its marker file lists what the report wrote); any other folder needs
``force=True`` (``--force``), so a report never deletes someone's files
(:mod:`chiprisk.graph.io.outdir`). Names from the data are shown as text in
the charts: a ``$`` never switches matplotlib to math mode.

Examples
--------
>>> import tempfile, pathlib
>>> import chiprisk.graph as cg
>>> from chiprisk.graph.report.html import build_report
>>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
>>> sorted(p.name for p in build_report(cg.load(), out).iterdir())
['.chiprisk-output.json', 'charts', 'index.html', 'tables']

Notes
-----
Cost on the built-in data (CPU seconds, 2-core machine): the sections'
analytics ~2.3 s (the outlook and the policy ranking ~1.3 s of it), the ten
charts ~1.7 s (fixed layouts, :mod:`~chiprisk.graph.report.chart_layout`),
writing the page and tables ~0.1 s.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from chiprisk.graph.report.frames import _ids
from chiprisk.graph.report.page import render_page
from chiprisk.graph.report.sections import SECTIONS, ReportSource, Section

__all__ = ["STEPS", "ReportSource", "Section", "build_report"]

STEPS = (
    "concentration",
    "stage_countries",
    "site_map",
    "exposure",
    "chokepoints",
    "scenarios",
    "curves",
    "policies",
    "outlook",
    "coverage",
    "sources",
    "write",
)
"""The build steps, in order (one progress tick each)."""


def _png(fig) -> bytes:
    from chiprisk.graph.report.chart_layout import DPI

    buf = io.BytesIO()
    # zlib level 1: a third faster than the default 6, files ~8 % larger
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _source_ids(df: pd.DataFrame) -> set[str]:
    out: set[str] = set()
    for col in ("source_ids", "source_id"):
        if col in df.columns:
            out.update(_ids(df[col]))
    return out


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    return out


def build_report(
    kg: ReportSource,
    out_dir: str | Path,
    *,
    year: int | None = None,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> Path:
    """Build the HTML report, its charts and tables into ``out_dir`` (replaced atomically).

    Parameters
    ----------
    kg : ReportSource
        The graph (``chiprisk.graph.load()``); see
        :class:`~chiprisk.graph.report.sections.ReportSource`.
    out_dir : str or Path
        The report directory; its parent must exist. An existing directory is
        replaced only once the new report is complete.
    year : int, optional
        As of this year (default: the latest data).
    progress : callable, optional
        Called with each step's name (:data:`STEPS`) when it finishes.
    force : bool
        Replace ``out_dir`` even when it holds files a report did not write.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    UsageError
        When ``out_dir`` exists and is not a directory, holds files that are
        not an unchanged earlier report (without ``force``), or its parent is
        missing.
    """
    import matplotlib

    from chiprisk.graph.errors import UsageError
    from chiprisk.graph.io.outdir import check_replaceable, write_folder

    out = Path(out_dir)
    parent = out.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"the parent of the report directory does not exist: {parent}")
    check_replaceable(out, "report", force=force)  # before the minutes of analytics
    tick = progress or (lambda step: None)

    figs: dict = {}
    shared: dict = {}  # frames several sections use, computed once
    sections: list[Section] = []
    # names are data: "$\\frac{1}{$" in a firm's name must be drawn, not parsed as math
    with matplotlib.rc_context({"text.parse_math": False}):
        for key, make in SECTIONS.items():
            sections.append(make(kg, year, figs, shared))
            tick(key)
        pngs = {name: _png(fig) for name, fig in figs.items()}

    cited: set[str] = set()
    for s in sections:
        for df in s.tables.values():
            cited |= _source_ids(df)
    src = kg.tables["sources"]
    sources = src[src["id"].isin(cited)].sort_values("id").reset_index(drop=True)
    tick("sources")

    def write(tmp: Path) -> None:
        (tmp / "charts").mkdir()
        (tmp / "tables").mkdir()
        for name, data in pngs.items():
            (tmp / "charts" / f"{name}.png").write_bytes(data)
        for s in sections:
            for name, df in s.tables.items():
                _csv_frame(df).to_csv(tmp / "tables" / f"{name}.csv", index=False)
        sources.to_csv(tmp / "tables" / "sources.csv", index=False)
        (tmp / "index.html").write_text(
            render_page(kg.tables, sections, pngs, sources, year), encoding="utf-8"
        )

    write_folder(out, write, command="report", force=force)
    tick("write")
    return out
