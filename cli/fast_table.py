"""rich's default table, laid out directly for output that is not a terminal.

rich renders a table cell by cell (measure, wrap, pad, crop: about 0.5 ms a
row of ten cells, and 20 ms to import ``rich.console`` and ``rich.table``),
so the outlook's 900 rows took 0.4 s to print. When the output is not a
terminal (no styles) the layout is plain arithmetic, which
:func:`plain_table` does directly, step for step as rich 15 does it:

* each column as wide as its widest cell or header plus one space of padding
  each side (``Table._measure_column``);
* a table wider than the console shrinks its widest columns first, then all
  evenly (``Table._calculate_column_widths``, ``_collapse_widths`` and
  ``rich._ratio.ratio_reduce``), and measures the columns again;
* each cell wraps at spaces, words longer than the column fold
  (``Text.wrap`` with ``overflow="fold"``: ``rich._wrap.divide_line``, then
  ``Lines.justify``), a row is as tall as its tallest cell (blank lines below
  a body cell, above a header);
* a column with no room for text (narrower than 3 with its padding) is
  blank, as rich renders nothing in it;
* the ``HEAVY_HEAD`` box, the title and caption wrapped and centred over the
  table.

Cell widths are rich's own ``cell_len`` and double-width characters that do
not fit are cropped with its ``set_cell_size``, so wide and combining
characters lay out as rich lays them out. It returns None where it does not
follow rich (a line break, a tab or another character that is not printable,
which rich strips or expands; more columns than the width has room for
borders, where rich crops the lines) and the caller lets rich lay that table
out. ``tests/cli/test_fast_table.py`` checks the two agree.

Examples
--------
>>> print(plain_table(None, None, ["id", "n"], ["left", "right"], [["a", "1"]], 80), end="")
┏━━━━┳━━━┓
┃ id ┃ n ┃
┡━━━━╇━━━┩
│ a  │ 1 │
└────┴───┘
>>> print(plain_table(None, None, ["name"], ["left"], [["ArF immersion scanner"]], 14), end="")
┏━━━━━━━━━━━━┓
┃ name       ┃
┡━━━━━━━━━━━━┩
│ ArF        │
│ immersion  │
│ scanner    │
└────────────┘
"""

from __future__ import annotations

from collections.abc import Sequence

from rich._wrap import divide_line  # rich's word wrap (0.3 ms to import, no console)
from rich.cells import cell_len, set_cell_size

__all__ = ["plain_table", "wrap_line"]


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """``rich._ratio.ratio_reduce``, line for line (that module imports ``fractions``)."""
    ratios = [ratio if _max else 0 for ratio, _max in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result: list[int] = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], max_width: int) -> list[int]:
    """``Table._collapse_widths`` with every column wrapable: the widest columns
    give up width, down to the next widest, until the table fits."""
    total = sum(widths)
    excess = total - max_width
    while total and excess > 0:
        widest = max(widths)
        second = max(w if w != widest else 0 for w in widths)
        ratios = [1 if w == widest else 0 for w in widths]
        if not any(ratios) or widest == second:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        total = sum(widths)
        excess = total - max_width
    return widths


def _measure(longest: int, max_width: int) -> int:
    """The maximum of ``Table._measure_column`` for a column whose longest cell has
    ``longest`` cells, allowed ``max_width`` (padding included)."""
    if max_width < 1:
        return 0
    if max_width < 3:  # Padding.__rich_measure__: no room for text
        return max_width
    return min(longest + 2, max_width)


def _column_widths(longest: list[int], max_width: int) -> list[int]:
    """``Table._calculate_column_widths`` (no ``expand``, no fixed widths):
    column widths with padding, without borders, for ``max_width`` cells."""
    widths = [_measure(n, max_width) or 1 for n in longest]
    if sum(widths) > max_width:
        widths = _collapse(widths, max_width)
        if sum(widths) > max_width:  # last resort, reduce columns evenly
            widths = _ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [_measure(n, w) for n, w in zip(longest, widths, strict=True)]
    return widths


def wrap_line(text: str, width: int, justify: str) -> list[str]:
    """One printable line wrapped as ``Text.wrap(width, justify=..., overflow="fold")``.

    Words (with the spaces after them) wrap as ``rich._wrap.divide_line``
    breaks them, a word longer than ``width`` folds; every line comes back
    ``width`` cells wide: padded on the right (``"left"``), on the left
    (``"right"``, trailing spaces dropped) or both (``"center"``), cropped
    with ``rich.cells.set_cell_size`` where a double-width character does not
    fit, as ``Lines.justify`` and ``Text.truncate`` do.

    Parameters
    ----------
    text : str
        Printable (no line break, no tab).
    width : int
        Cells per line, at least 1.
    justify : {"left", "right", "center"}
        As ``Lines.justify``.

    Returns
    -------
    list of str
        The lines.

    Examples
    --------
    >>> wrap_line("cowos-packaging@aws-trainium2 x", 12, "left")
    ['cowos-packag', 'ing@aws-trai', 'nium2 x     ']
    >>> wrap_line("1,234,567", 4, "right")
    ['1,23', '4,56', '   7']
    """
    if cell_len(text) <= width:  # divide_line would break nothing
        lines = [text]
    else:
        bounds = [0, *divide_line(text, width, fold=True), len(text)]
        lines = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    out = []
    for line in lines:
        if len(line) > width:  # Text.rstrip_end: spaces beyond the width (in characters)
            spaces = len(line) - len(line.rstrip())
            line = line[: len(line) - min(spaces, len(line) - width)]
        if justify != "left":
            line = line.rstrip()
        size = cell_len(line)
        if size > width:  # Text.truncate
            line = set_cell_size(line, width)
            size = width
        gap = width - size
        if justify == "left":
            out.append(line + " " * gap)
        elif justify == "right":
            out.append(" " * gap + line)
        else:
            out.append(" " * (gap // 2) + line + " " * (gap - gap // 2))
    return out


def plain_table(
    title: str | None,
    caption: str | None,
    heads: Sequence[str],
    justify: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
) -> str | None:
    """The text rich prints for this table without styles, or None to let rich do it.

    The table is rich's ``Table(box=HEAVY_HEAD)`` with every column
    ``overflow="fold"``, printed by a ``Console(width=width)`` that is not a
    terminal: columns shrink and cells wrap as rich's do when the table is
    wider than ``width`` (see the module's notes).

    Parameters
    ----------
    title, caption : str or None
        Centred above and below the table (wrapped to its width).
    heads : sequence of str
        Column headers.
    justify : sequence of {"left", "right"}
        Per column; headers follow their column.
    rows : sequence of sequence of str
        Cells, one list per row.
    width : int
        The console width.

    Returns
    -------
    str or None
        None where a cell, the title or the caption is not a single printable
        line, or the borders alone would be wider than ``width``.

    Examples
    --------
    >>> plain_table(None, None, ["x"], ["left"], [["a\\nb"]], 80) is None
    True
    >>> text = plain_table("Loss", None, ["node", "loss"], ["left", "right"],
    ...                    [["cowos-packaging@amd-mi300x", "0.25"]], 24)
    >>> print("\\n".join(line.rstrip() for line in text.splitlines()))
              Loss
    ┏━━━━━━━━━━━━━━━┳━━━━━━┓
    ┃ node          ┃ loss ┃
    ┡━━━━━━━━━━━━━━━╇━━━━━━┩
    │ cowos-packagi │ 0.25 │
    │ ng@amd-mi300x │      │
    └───────────────┴──────┘
    """
    ncols = len(heads)
    if not ncols or len(justify) != ncols:
        return None
    cells = [heads, *rows]
    longest = [0] * ncols
    for row in cells:
        if len(row) != ncols:
            return None
        for k, c in enumerate(row):
            if c:
                if not c.isprintable():
                    return None
                n = cell_len(c)
                if n > longest[k]:
                    longest[k] = n
    for text in (title, caption):
        if text and not text.isprintable():
            return None
    widths = _column_widths(longest, width - ncols - 1)  # less the borders
    table_width = sum(widths) + ncols + 1
    if table_width > width:  # too many columns: rich crops the lines
        return None
    above = wrap_line(title, table_width, "center") if title else []
    below = wrap_line(caption, table_width, "center") if caption else []

    def row_lines(row: Sequence[str], edge: str, header: bool) -> list[str]:
        """One table row: its cells wrapped and padded, as tall as the tallest."""
        wrapped = []
        for c, w, j in zip(row, widths, justify, strict=True):
            span = w - 2  # the text's width
            if span < 1:  # no room for text: rich renders nothing, a blank cell
                wrapped.append([])
            elif not c:
                wrapped.append([" " * w])
            elif (n := cell_len(c)) <= span:  # the common case, one line
                if j != "left":
                    c = c.rstrip()
                    n = cell_len(c)
                pad = " " * (span - n)
                wrapped.append([f" {c}{pad} " if j == "left" else f" {pad}{c} "])
            else:
                wrapped.append([f" {line} " for line in wrap_line(c, span, j)])
        height = max(1, *map(len, wrapped))
        for lines, w in zip(wrapped, widths, strict=True):
            if len(lines) < height:
                blank = [" " * w] * (height - len(lines))
                if header:  # a header cell sits at the bottom, a body cell at the top
                    lines[:0] = blank
                else:
                    lines.extend(blank)
        return [edge + edge.join(parts) + edge for parts in zip(*wrapped, strict=True)]

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    out = [*above, rule("┏", "━", "┳", "┓"), *row_lines(heads, "┃", header=True)]
    out.append(rule("┡", "━", "╇", "┩"))
    for r in rows:
        out.extend(row_lines(r, "│", header=False))
    out.append(rule("└", "─", "┴", "┘"))
    out.extend(below)
    return "\n".join(out) + "\n"
