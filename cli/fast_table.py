"""rich's default table, laid out directly when no cell has to fold.

rich renders a table cell by cell (measure, wrap, pad, crop: about 0.5 ms a
row of ten cells), so the outlook's 900 rows took 0.4 s to print. When the
output is not a terminal (no styles) and every cell fits on one line within
the width, the layout is fixed: each column as wide as its widest cell or
header, one space of padding, the ``HEAVY_HEAD`` box, the title and caption
centred above and below. :func:`plain_table` writes exactly that text and
returns None whenever rich would do something else (folding, a title or
caption wider than the table, a line break in a cell), so the caller falls
back on rich. ``tests/cli/test_fast_table.py`` checks the two agree.

Examples
--------
>>> print(plain_table(None, None, ["id", "n"], ["left", "right"], [["a", "1"]], 80), end="")
┏━━━━┳━━━┓
┃ id ┃ n ┃
┡━━━━╇━━━┩
│ a  │ 1 │
└────┴───┘
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len

__all__ = ["plain_table"]


def _fits_one_line(text: str) -> bool:
    return text.isprintable() and text == text.strip()


def _centred(text: str, width: int) -> list[str] | None:
    """``text`` wrapped at spaces to ``width`` as rich wraps it, each line centred."""
    lines, cur = [], ""
    for word in re.findall(r"\S+\s*", text):
        if cell_len(word.rstrip()) > width:
            return None  # rich folds the word
        if cur and cell_len(cur + word.rstrip()) > width:
            lines.append(cur.rstrip())
            cur = word
        else:
            cur += word
    lines.append(cur.rstrip())
    out = []
    for line in lines:
        gap = width - cell_len(line)
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

    Parameters
    ----------
    title, caption : str or None
        Centred above and below the table.
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
        None where rich would fold a cell or a word of the title or caption,
        or render a cell that is not a single printable line.

    Examples
    --------
    >>> plain_table(None, None, ["x"], ["left"], [["a\\nb"]], 80) is None
    True
    """
    cells = [list(heads), *(list(r) for r in rows)]
    for row in cells:
        for c in row:
            if c and not _fits_one_line(c):
                return None
    widths = [max(cell_len(row[k]) for row in cells) for k in range(len(heads))]
    table_width = sum(widths) + 3 * len(widths) + 1
    if table_width > width:
        return None
    above = _centred(title, table_width) if title is not None else []
    below = _centred(caption, table_width) if caption is not None else []
    if above is None or below is None:
        return None
    for text in (title, caption):
        if text is not None and not _fits_one_line(text):
            return None

    def line(row: Sequence[str], edge: str, sep: str) -> str:
        parts = []
        for c, w, j in zip(row, widths, justify, strict=True):
            pad = " " * (w - cell_len(c))
            parts.append(" " + (pad + c if j == "right" else c + pad) + " ")
        return edge + sep.join(parts) + edge

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = list(above)
    out.append(rule("┏", "━", "┳", "┓"))
    out.append(line(heads, "┃", "┃"))
    out.append(rule("┡", "━", "╇", "┩"))
    out.extend(line(r, "│", "│") for r in rows)
    out.append(rule("└", "─", "┴", "┘"))
    out.extend(below)
    return "\n".join(out) + "\n"
