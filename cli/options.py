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


def to_table(df, title: str | None = None, width: int | None = None) -> str:
    """Rows as a rich table (colours only when writing to a terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    numeric = []
    for c in df.columns:
        is_num = df[c].dtype.kind in "iuf"
        numeric.append(is_num)
        table.add_column(str(c), justify="right" if is_num else "left", overflow="fold")
    for values in df.itertuples(index=False, name=None):
        table.add_row(*(_cell(v) for v in values))
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width or _terminal_width(),
        force_terminal=sys.stdout.isatty(),
        no_color=not sys.stdout.isatty(),
    )
    console.print(table)
    return buf.getvalue()


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def render(df, fmt: str, output: str | None, title: str | None = None) -> None:
    """Print (or write to ``output``) rows in the chosen format."""
    if fmt == "json":
        text = to_json(df)
    elif fmt == "csv":
        text = _list_cells_joined(df).to_csv(index=False)
    else:
        text = to_table(df, title=title, width=200 if output else None)
    if output:
        from chiprisk.graph.atomic import atomic_write

        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
