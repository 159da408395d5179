"""Fixed chart layouts: margins sized from the measured labels, set once before drawing.

matplotlib's constrained layout measures every artist of a figure twice
before the real draw, which cost the report more than a third of its chart
time. The charts instead measure the few texts that sit outside their axes
(tick labels, titles, legends) with one small Agg renderer and place the axes
with :func:`place` in inches; the figure then draws once, with no layout
engine.

Examples
--------
>>> text_width(["a longer label"], 10) > text_width(["a longer label"], 8)
True
>>> legend_width(["a", "b"], 8) > text_width(["a"], 8)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "COLORBAR_ROOM",
    "DPI",
    "PT",
    "colorbar_right",
    "fit_size",
    "fitting_width",
    "label_room",
    "legend_width",
    "place",
    "shorten",
    "text_width",
    "title_room",
    "title_width",
    "xtick_room",
    "ytick_room",
]

PT = 1 / 72
"""One typographic point in inches."""

DPI = 110
"""The report's PNG resolution; texts are measured at it (hinting makes widths
depend on the resolution by a few percent)."""


@lru_cache(maxsize=1)
def _renderer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, DPI)


@lru_cache(maxsize=4096)
def _width(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties

    w, _, _ = _renderer().get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False
    )
    return 1.03 * w / DPI  # 3 % spare: a notebook's resolution may differ


def text_width(texts: Iterable[object], size: float) -> float:
    """Width in inches of the widest of ``texts`` (one line each) at ``size`` points.

    Parameters
    ----------
    texts : iterable
        The texts (converted with ``str``); empty gives 0.
    size : float
        Font size in points (the default font).

    Returns
    -------
    float

    Examples
    --------
    >>> text_width([], 10)
    0.0
    >>> text_width(["a long label"], 10) > text_width(["short"], 10)
    True
    """
    return max((_width(str(t), float(size)) for t in texts), default=0.0)


def ytick_room(labels: Iterable[object], size: float) -> float:
    """Inches left of an axes for its y tick labels: their width, the tick and the pad.

    Examples
    --------
    >>> ytick_room(["x"], 8) > text_width(["x"], 8)
    True
    """
    return text_width(labels, size) + 9 * PT


def xtick_room(size: float = 10.0, lines: int = 1) -> float:
    """Inches below an axes for one row of x tick labels (tick, pad and text).

    Examples
    --------
    >>> round(xtick_room(10) * 72)
    22
    """
    return (size * 1.25 * lines + 9) * PT


def label_room(size: float = 10.0, lines: int = 1) -> float:
    """Inches for an axis label (text height and its pad).

    Examples
    --------
    >>> label_room(10, 2) > label_room(10)
    True
    """
    return (size * 1.25 * lines + 5) * PT


def title_room(size: float = 12.0, lines: int = 1) -> float:
    """Inches above an axes for its title (text height and the pad).

    Examples
    --------
    >>> title_room(12) > title_room(9)
    True
    """
    return (size * 1.25 * lines + 8) * PT


def legend_width(
    labels: list[object],
    size: float,
    *,
    title: str | None = None,
    title_size: float | None = None,
    ncols: int = 1,
) -> float:
    """Inches a legend takes beside an axes (its frame, handles, labels, and the gap).

    Parameters
    ----------
    labels : list
        The entries, in order (filled column by column, as matplotlib does).
    size : float
        The entries' font size in points.
    title : str, optional
        The legend's title.
    title_size : float, optional
        The title's font size (default ``size``).
    ncols : int
        Columns.

    Returns
    -------
    float

    Examples
    --------
    >>> legend_width(["a", "b", "c", "d"], 8, ncols=2) > legend_width(["a", "b"], 8)
    True
    """
    em = size * PT
    per_col = -(-len(labels) // max(ncols, 1)) if labels else 0
    cols = [labels[i : i + per_col] for i in range(0, len(labels), per_col)] if per_col else []
    body = sum(text_width(c, size) + 2.8 * em for c in cols) + 2.0 * em * max(len(cols) - 1, 0)
    head = text_width([title], title_size or size) if title else 0.0
    return max(body, head) + 1.3 * em + 0.5 * em


def place(
    fig,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    wspace: float | None = None,
    hspace: float | None = None,
) -> None:
    """Put the figure's subplot grid inside margins given in inches.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    left, right, top, bottom : float
        Margins in inches from each edge of the figure.
    wspace, hspace : float, optional
        Gaps between columns and rows of subplots, in inches.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(10, 5))
    >>> ax = fig.add_subplot()
    >>> place(fig, left=1, right=2, top=0.5, bottom=1)
    >>> [round(float(v), 2) for v in ax.get_position().extents]
    [0.1, 0.2, 0.8, 0.9]
    """
    w, h = fig.get_size_inches()
    # margins never take more than 80 % of the figure (labels may then be cut, not the axes)
    if left + right > 0.8 * w:
        left, right = (m * 0.8 * w / (left + right) for m in (left, right))
    if top + bottom > 0.8 * h:
        top, bottom = (m * 0.8 * h / (top + bottom) for m in (top, bottom))
    specs = [ax.get_subplotspec() for ax in fig.axes]
    gs = next((sp.get_gridspec() for sp in specs if sp is not None), None)
    nrows, ncols = gs.get_geometry() if gs is not None else (1, 1)
    inner_w = w - left - right
    inner_h = h - top - bottom
    kw = {}
    if wspace is not None and ncols > 1:
        wspace = min(wspace, 0.5 * inner_w / (ncols - 1))
        kw["wspace"] = wspace / ((inner_w - wspace * (ncols - 1)) / ncols)
    if hspace is not None and nrows > 1:
        hspace = min(hspace, 0.5 * inner_h / (nrows - 1))
        kw["hspace"] = hspace / ((inner_h - hspace * (nrows - 1)) / nrows)
    fig.subplots_adjust(
        left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, **kw
    )


def fit_size(text: str, size: float, width: float, *, smallest: float = 7.0) -> float:
    """The font size, at most ``size``, at which ``text`` fits in ``width`` inches.

    Examples
    --------
    >>> fit_size("short", 12, 10.0)
    12.0
    >>> fit_size("a title far too long for one inch", 12, 1.0)
    7.0
    """
    w = text_width([text], size)
    if w <= width:
        return float(size)
    return max(float(smallest), float(size) * width / w)


def colorbar_right(fig, ax, mappable, label: str, *, gap: float = 0.2, width: float = 0.18):
    """A colorbar beside ``ax`` (placed with :func:`place`), ``gap`` and ``width`` in inches,
    80 % of the axes' height; the caller leaves :data:`COLORBAR_ROOM` on the right.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(6, 4))
    >>> ax = fig.add_subplot()
    >>> place(fig, left=1, right=COLORBAR_ROOM, top=0.5, bottom=0.5)
    >>> cb = colorbar_right(fig, ax, ax.imshow([[0, 1]]), "units")
    >>> cb.ax.get_ylabel()
    'units'
    """
    w, h = fig.get_size_inches()
    box = ax.get_position()
    cax = fig.add_axes((box.x1 + gap / w, box.y0 + 0.1 * box.height, width / w, 0.8 * box.height))
    return fig.colorbar(mappable, cax=cax, label=label)


COLORBAR_ROOM = 0.2 + 0.18 + (9 + 10 * 1.9 + 4 + 10 * 1.25 + 5) / 72 + 0.1
"""Inches right of an axes for :func:`colorbar_right`: gap, bar, tick labels ("100"), label."""


def title_width(fig_w: float, left: float, right: float) -> float:
    """Inches a title centred over an axes can span without leaving the figure.

    Examples
    --------
    >>> title_width(10, 4, 1)  # the axes' 5 inches centred at 6.5: 3.5 to the right edge
    6.8
    """
    half = (fig_w - left - right) / 2
    return round(2 * min(left + half, right + half) - 0.2, 6)


def shorten(labels: Iterable[object], size: float, width: float) -> list[str]:
    """The labels, each cut to fit ``width`` inches at ``size`` points (ending in "...").

    Examples
    --------
    >>> shorten(["short", "x" * 400], 8, 2.0)[0]
    'short'
    >>> long = shorten(["x" * 400], 8, 2.0)[0]
    >>> long.endswith("...") and text_width([long], 8) <= 2.0
    True
    """
    out = []
    for label in map(str, labels):
        if text_width([label], size) > width:
            keep = max(int(len(label) * width / text_width([label], size)), 1)
            while keep > 1 and text_width([label[:keep] + "..."], size) > width:
                keep -= 1
            label = label[:keep].rstrip() + "..."
        out.append(label)
    return out


def fitting_width(text: str, size: float, left: float, right: float) -> float:
    """The narrowest figure (inches) in which ``text`` at ``size`` points, centred over an
    axes between margins ``left`` and ``right``, stays inside: see :func:`title_width`.

    Examples
    --------
    >>> w = fitting_width("a title", 12, 1.0, 2.0)
    >>> title_width(w, 1.0, 2.0) >= text_width(["a title"], 12)
    True
    """
    return text_width([text], size) + abs(right - left) + 0.2 + 1e-6
