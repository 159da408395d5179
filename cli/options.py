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


_COLUMNS_KEY = "chiprisk.columns"


def _store_columns(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    names = [c.strip() for c in value.split(",") if c.strip()] if value else []
    if value is not None and not names:
        raise click.BadParameter("give column names separated by commas", param_hint="--columns")
    ctx.meta[_COLUMNS_KEY] = names or None


def chosen_columns() -> list[str] | None:
    """The columns asked for with ``--columns`` in the running command, if any."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_COLUMNS_KEY) if ctx is not None else None


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format table|csv|json``, ``--columns A,B`` and ``-o/--output FILE``.

    ``--columns`` is kept in the click context (no parameter of the command):
    :func:`render_text` picks those columns, in that order, in every format.
    """
    f = click.option(
        "--columns",
        metavar="A,B,...",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_store_columns,
        help="Only these columns, in this order (names as in --format csv).",
    )(f)
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


ID_COLUMNS = (
    "section",
    "rank",
    "level",
    "id",
    "input",
    "product",
    "node",
    "scenario",
    "policy",
    "candidate",
    "entity",
    "lens",
    "basis",
    "country",
    "site",
    "year",
)
"""Columns that say which row is which: shown first in the table view and never
dropped to fit unless they hold one value in every row (``policy`` only where
there is no ``id``)."""

_ALWAYS_KEPT = ("reason",)
"""Columns never dropped to fit: why a row has no numbers."""

_YEAR_FRACTION = "share of output"
COLUMN_LABELS: dict[str, str] = {
    "loss": "loss (share of output)",
    "product_loss": "product_loss (share of output)",
    "direct_share": "direct_share (share of output)",
    "output_fraction": "output_fraction (share of normal)",
    "trough": "trough (share of normal)",
    "output_before": "output_before (share of normal)",
    "output_after": "output_after (share of normal)",
    "annual_loss": f"annual_loss ({_YEAR_FRACTION})",
    "annual_loss_before": f"annual_loss_before ({_YEAR_FRACTION})",
    "annual_loss_after": f"annual_loss_after ({_YEAR_FRACTION})",
    "eud": f"eud ({_YEAR_FRACTION})",
    "eud_before": f"eud_before ({_YEAR_FRACTION})",
    "eud_after": f"eud_after ({_YEAR_FRACTION})",
    "eud_se": f"eud_se ({_YEAR_FRACTION})",
    "cvar": f"cvar ({_YEAR_FRACTION})",
    "cvar_before": f"cvar_before ({_YEAR_FRACTION})",
    "cvar_after": f"cvar_after ({_YEAR_FRACTION})",
    "var": f"var ({_YEAR_FRACTION})",
    "expected_loss_with": f"expected_loss_with ({_YEAR_FRACTION})",
    "expected_loss_without": f"expected_loss_without ({_YEAR_FRACTION})",
    "loss_with_policies": f"loss_with_policies ({_YEAR_FRACTION})",
    "loss_without_policies": f"loss_without_policies ({_YEAR_FRACTION})",
    "loss_reduced": f"loss_reduced ({_YEAR_FRACTION})",
    "p_shortfall": "p_shortfall (probability)",
    "p_shortfall_before": "p_shortfall_before (probability)",
    "p_shortfall_after": "p_shortfall_after (probability)",
    "cr1": "cr1 (%)",
    "cr3": "cr3 (%)",
    "cr1_before": "cr1_before (%)",
    "cr1_after": "cr1_after (%)",
    "top_share": "top_share (%)",
    "share": "share (%)",
    "hhi": "hhi (0-10,000)",
    "hhi_low": "hhi_low (0-10,000)",
    "hhi_high": "hhi_high (0-10,000)",
    "hhi_before": "hhi_before (0-10,000)",
    "hhi_after": "hhi_after (0-10,000)",
    "money_usd": "money_usd (USD)",
}
"""Table-view headers of numbers, with their unit; CSV and JSON keep the column
names. Columns measured in a unit column of the same table get that unit (see
:data:`UNIT_OF`)."""

UNIT_OF: dict[str, str] = {"lost_volume": "volume_unit"}
"""Columns whose unit is in another column (besides ``capacity*`` numbers, whose
unit is in ``capacity_unit`` or ``unit``): the header shows it when the table
has one unit (``capacity (wafers/month)``), else names the unit column."""


def header_label(col: str, df=None) -> str:
    """The table-view header of a column: its name and, for numbers, the unit.

    Examples
    --------
    >>> import pandas as pd
    >>> header_label("loss")
    'loss (share of output)'
    >>> df = pd.DataFrame({"capacity": [1.0], "unit": ["wafers/month"]})
    >>> header_label("capacity", df)
    'capacity (wafers/month)'
    """
    if col in COLUMN_LABELS:
        return COLUMN_LABELS[col]
    if df is None:
        return col
    tries = [UNIT_OF[col]] if col in UNIT_OF else []
    if col in UNIT_OF or (col.startswith("capacity") and not col.endswith("unit")):
        tries += ["capacity_unit", "unit"]  # outlook: capacity + unit
    unit_col = next((u for u in tries if u in df.columns), None)
    if unit_col is None or not pd_numeric(df[col]):
        return col
    units = sorted({str(u) for u in df[unit_col].dropna() if str(u)})
    if len(units) == 1:
        return f"{col} ({units[0]})"
    return f"{col} (unit: see {unit_col})" if units else col


def pd_numeric(series) -> bool:
    """Whether a column holds numbers (a unit belongs in its header)."""
    return series.dtype.kind in "iuf"


def _identifying(cols: list[str]) -> list[str]:
    return [c for c in cols if c in ID_COLUMNS and not (c == "policy" and "id" in cols)]


def to_table(
    df,
    title: str | None = None,
    width: int | None = None,
    *,
    labels: dict[str, str] | None = None,
    keep_order: bool = False,
) -> str:
    """Rows as a rich table fitted to the terminal width (colours only on a terminal).

    The identifying columns (:data:`ID_COLUMNS`) come first (unless
    ``keep_order``: the user chose the order with ``--columns``) and are never
    dropped to fit; other columns are dropped, least useful first, and named
    in the caption. Headers carry the unit of numbers (:func:`header_label`,
    ``labels`` for a command's own). Numbers are right-aligned and formatted
    by the column's meaning: shares (``*_share``, ``cr1``, ``cr3``) in
    percent, HHIs as integers, fractions (``product_loss``, ``direct_share``,
    ``loss``) in percent, money with its currency. CSV and JSON keep the raw
    values and the column names.
    """
    from chiprisk.cli.fast_table import plain_table

    width = width or _terminal_width()
    names = [str(c) for c in df.columns]
    ids = _identifying(names)
    if not keep_order:
        order = ids + [c for c in names if c not in ids]
        df = df[[df.columns[names.index(c)] for c in order]]
        names = order
    cols = [safe_text(c) for c in names]
    heads = {safe_text(c): safe_text((labels or {}).get(c) or header_label(c, df)) for c in names}
    cells = []
    for values in df.itertuples(index=False, name=None):
        row = dict(zip(names, values, strict=True))
        cells.append(
            [
                safe_text(s if (s := _semantic_cell(c, v, row)) is not None else _cell(v))
                for c, v in zip(row, values, strict=True)
            ]
        )
    numeric = {str(c) for c in df.columns if df[c].dtype.kind in "iufb"}
    # an identifying column with one value in every row (the year asked for) may go
    varies = {c for c in ids if len(df) < 2 or df[df.columns[names.index(c)]].nunique() > 1}
    fixed = {safe_text(c) for c in varies} | {c for c in cols if c in _ALWAYS_KEPT}
    fixed |= {u for c, h in heads.items() if (u := h.partition("(unit: see ")[2][:-1])}
    keep = _fit_columns(cols, cells, width, numeric, fixed=fixed, heads=heads)
    hidden = [c for c in cols if c not in keep]
    caption = (
        f"{len(hidden)} more column(s) not shown: {', '.join(hidden)} "
        "(--columns picks them; --format csv or json shows all)"
        if hidden
        else None
    )
    idx = [cols.index(c) for c in keep]
    justify = ["right" if df[df.columns[i]].dtype.kind in "iuf" else "left" for i in idx]
    if not sys.stdout.isatty():  # no styles: lay the table out directly where rich would
        text = plain_table(
            safe_text(title) if title else None,
            caption,
            [heads[c] for c in keep],
            justify,
            [[row_cells[i] for i in idx] for row_cells in cells],
            width,
        )
        if text is not None:
            return text
    from rich.console import Console  # 20 ms to import: only where rich lays the table out
    from rich.table import Table
    from rich.text import Text

    # data go in as rich Text, never markup: a name holding "[/bold]" is printed as is
    table = Table(
        title=Text(safe_text(title)) if title else None,
        caption=Text(caption) if caption else None,
        show_lines=False,
        header_style="bold",
    )
    for c, j in zip(keep, justify, strict=True):
        table.add_column(Text(heads[c]), justify=j, overflow="fold")
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
    cols: list[str],
    cells: list[list[str]],
    width: int,
    numeric: set[str] = frozenset(),
    *,
    fixed: set[str] = frozenset(),
    heads: dict[str, str] | None = None,
) -> list[str]:
    """Columns to show so the table fits ``width``: drop the least useful first.

    Each column needs about its header or its longest cell (capped at 24
    characters, longer text folds) plus 3 for borders. Columns in ``fixed``
    (the identifying ones) are never dropped. Lists of ids, notes, sources,
    reasons and names go first (in that order), then long text columns other
    than the first (the id), then the rightmost columns; at least three
    columns always stay.
    """
    heads = heads or {}
    need = {
        c: min(max([len(heads.get(c, c))] + [len(r[i]) for r in cells]), 24) + 3
        for i, c in enumerate(cols)
    }
    keep = list(cols)

    def rank(c: str) -> tuple[int, int]:
        for k, pat in enumerate(_LOW_PRIORITY):
            if pat in c:
                return (k, -cols.index(c))
        if c not in numeric and c != cols[0] and need[c] >= 20:
            return (len(_LOW_PRIORITY), -cols.index(c))
        return (len(_LOW_PRIORITY) + 1, -cols.index(c))

    for c in sorted((c for c in cols if c not in fixed), key=rank):
        if sum(need[k] for k in keep) + 1 <= width or len(keep) <= 3:
            break
        keep.remove(c)
    return keep


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def pick_columns(df, columns: list[str] | None, *, section: bool = False):
    """``df`` with only ``columns`` (``--columns``), in that order.

    Raises
    ------
    click.UsageError
        Naming the columns ``df`` does not have. With ``section`` (one of
        several tables a command prints) missing columns are left out instead
        (a table with none of them shows its identifying columns).

    Examples
    --------
    >>> import pandas as pd
    >>> list(pick_columns(pd.DataFrame({"a": [1], "b": [2]}), ["b"]).columns)
    ['b']
    """
    if not columns:
        return df
    have = [str(c) for c in df.columns]
    unknown = [c for c in columns if c not in have]
    if unknown and not section:
        raise click.UsageError(
            f"--columns: unknown column(s) {', '.join(unknown)} (columns: {', '.join(have)})"
        )
    keep = [c for c in columns if c in have] or [c for c in have if c in ID_COLUMNS]
    return df[keep] if keep else df


def render_text(
    df,
    fmt: str,
    output: str | None = None,
    title: str | None = None,
    *,
    labels: dict[str, str] | None = None,
    section: bool = False,
) -> str:
    """The text :func:`render` prints or writes.

    Only the ``--columns`` of the running command are kept (``section``: see
    :func:`pick_columns`). ``labels`` name columns in the table view (beside
    :data:`COLUMN_LABELS`); CSV and JSON keep the column names.
    """
    df = pick_columns(df, chosen_columns(), section=section)
    if fmt == "json":
        return to_json(df)
    if fmt == "csv":
        text = _list_cells_joined(df).to_csv(index=False)
        return text if output or not sys.stdout.isatty() else safe_text(text)
    return to_table(
        df,
        title=title,
        width=200 if output else None,
        labels=labels,
        keep_order=chosen_columns() is not None,
    )


def render(df, fmt: str, output: str | None, title: str | None = None, **kw: Any) -> None:
    """Print (or write to ``output``) rows in the chosen format (``kw``: see
    :func:`render_text`)."""
    text = render_text(df, fmt, output, title, **kw)
    if output:
        from chiprisk.graph.io.atomic import atomic_write

        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
