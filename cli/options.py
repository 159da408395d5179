"""Options shared by every command that prints rows, and the renderer behind them.

JSON output is an array of row objects keyed by the DataFrame's column names,
numbers as numbers and null for missing values; nothing else goes to stdout.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable
from typing import Any

import click

FORMATS = ("table", "csv", "json")


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format table|csv|json`` and ``-o/--output FILE`` to a command."""
    f = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=False),
        default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(f)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format: a readable table, CSV, or JSON (an array of row objects).",
    )(f)
    return f


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    try:
        import pandas as pd

        if v is pd.NA or (not isinstance(v, list | tuple | dict) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, int | float | str | bool):
        return v
    return str(v)


def _list_cells_joined(df):
    """Lists in cells become ``;``-joined text (the file contract's list form)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return out


def to_json(df) -> str:
    """Rows as a JSON array of objects (null for missing, numbers as numbers)."""
    cols = [str(c) for c in df.columns]
    rows = [
        {c: _json_value(v) for c, v in zip(cols, values, strict=True)}
        for values in df.itertuples(index=False, name=None)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (0x09, 0x0A)}


def safe_text(text: str) -> str:
    """Text from the data made harmless for a terminal: control characters shown as
    ``\\xNN`` (no escape sequence reaches the terminal); tabs and newlines kept.

    Examples
    --------
    >>> safe_text("TSMC\\x1b[2J\\x07 [/bold]")
    'TSMC\\\\x1b[2J\\\\x07 [/bold]'
    """
    return text.translate(_CONTROL)


def _cell(v: Any) -> str:
    v = _json_value(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.4g}" if abs(v) >= 1e4 or abs(v) < 1e-3 else f"{v:,.4f}".rstrip("0")
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


_PERCENT_COLUMNS = {"cr1", "cr3", "top_share", "share", "share_min", "share_max"}
_FRACTION_COLUMNS = {"product_loss", "direct_share", "loss", "annual_loss", "output_fraction"}
_MONEY_COLUMNS = {"amount", "budget", "money_usd"}


def _semantic_cell(col: str, v: Any, row: dict[str, Any]) -> str | None:
    """A cell formatted by its column's meaning (table view only), or None."""
    v = _json_value(v)
    if not isinstance(v, int | float) or isinstance(v, bool):
        return None
    if col == "year" or col.endswith("_year") or col.startswith("year_"):
        return str(int(v)) if float(v).is_integer() else str(v)
    if col.startswith("hhi"):
        return f"{v:,.0f}"
    if col in _FRACTION_COLUMNS or col.startswith(("loss_with", "expected_loss")):
        return f"{v:.1%}"
    if col == "loss_reduced":
        return f"{v:.4%}"
    if col in _PERCENT_COLUMNS or "_share" in col or col.startswith("share_"):
        return f"{v:.1f}%"
    if col in _MONEY_COLUMNS:
        cur = "USD" if col == "money_usd" else _json_value(row.get("currency"))
        return f"{v:,.0f} {cur}" if cur else f"{v:,.0f}"
    return None


def to_table(df, title: str | None = None, width: int | None = None) -> str:
    """Rows as a rich table fitted to the terminal width (colours only on a terminal).

    Numbers are right-aligned and formatted by the column's meaning: shares
    (``*_share``, ``cr1``, ``cr3``) in percent, HHIs as integers, fractions
    (``product_loss``, ``direct_share``, ``loss``) in percent, money with its
    currency. CSV and JSON keep the raw values.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = width or _terminal_width()
    cols = [safe_text(str(c)) for c in df.columns]
    cells = []
    for values in df.itertuples(index=False, name=None):
        row = dict(zip([str(c) for c in df.columns], values, strict=True))
        cells.append(
            [
                safe_text(s if (s := _semantic_cell(c, v, row)) is not None else _cell(v))
                for c, v in zip(row, values, strict=True)
            ]
        )
    numeric = {str(c) for c in df.columns if df[c].dtype.kind in "iufb"}
    keep = _fit_columns(cols, cells, width, numeric)
    hidden = [c for c in cols if c not in keep]
    caption = (
        f"{len(hidden)} more column(s) not shown: {', '.join(hidden)} "
        "(--format csv or json shows all)"
        if hidden
        else None
    )
    # data go in as rich Text, never markup: a name holding "[/bold]" is printed as is
    table = Table(
        title=Text(safe_text(title)) if title else None,
        caption=Text(caption) if caption else None,
        show_lines=False,
        header_style="bold",
    )
    idx = [cols.index(c) for c in keep]
    for c, i in zip(keep, idx, strict=True):
        is_num = df[df.columns[i]].dtype.kind in "iuf"
        table.add_column(Text(c), justify="right" if is_num else "left", overflow="fold")
    for row_cells in cells:
        table.add_row(*(Text(row_cells[i]) for i in idx))
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=sys.stdout.isatty(),
        no_color=not sys.stdout.isatty(),
    )
    console.print(table)
    return buf.getvalue()


_LOW_PRIORITY = ("_ids", "source", "note", "url", "reason", "products", "condition", "_name")


def _fit_columns(
    cols: list[str], cells: list[list[str]], width: int, numeric: set[str] = frozenset()
) -> list[str]:
    """Columns to show so the table fits ``width``: drop the least useful first.

    Each column needs about its header or its longest cell (capped at 24
    characters, longer text folds) plus 3 for borders. Lists of ids, notes,
    sources, reasons and names go first (in that order), then long text
    columns other than the first (the id), then the rightmost columns; at
    least three columns always stay.
    """
    need = {c: min(max([len(c)] + [len(r[i]) for r in cells]), 24) + 3 for i, c in enumerate(cols)}
    keep = list(cols)

    def rank(c: str) -> tuple[int, int]:
        for k, pat in enumerate(_LOW_PRIORITY):
            if pat in c:
                return (k, -cols.index(c))
        if c not in numeric and c != cols[0] and need[c] >= 20:
            return (len(_LOW_PRIORITY), -cols.index(c))
        return (len(_LOW_PRIORITY) + 1, -cols.index(c))

    for c in sorted(cols, key=rank):
        if sum(need[k] for k in keep) + 1 <= width or len(keep) <= 3:
            break
        keep.remove(c)
    return keep


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def render_text(df, fmt: str, output: str | None = None, title: str | None = None) -> str:
    """The text :func:`render` prints or writes."""
    if fmt == "json":
        return to_json(df)
    if fmt == "csv":
        text = _list_cells_joined(df).to_csv(index=False)
        return text if output or not sys.stdout.isatty() else safe_text(text)
    return to_table(df, title=title, width=200 if output else None)


def render(df, fmt: str, output: str | None, title: str | None = None) -> None:
    """Print (or write to ``output``) rows in the chosen format."""
    text = render_text(df, fmt, output, title)
    if output:
        from chiprisk.graph.io.atomic import atomic_write

        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
