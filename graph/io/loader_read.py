"""Read one table file: bytes -> columns of stripped text cells, with line numbers.

The first stage of :func:`chiprisk.graph.io.loader.load_tables`: decoding,
CSV parsing, header checks and the file line of every data row. Nothing is
typed here; :mod:`chiprisk.graph.io.loader_cells` checks and types the cells.

pandas' C parser is the reference reader. A small, regular file (every row
as wide as a header of known, distinct column names; quotes only around whole
cells) is read by Python's ``csv`` module instead, which gives the same cells
without pandas' fixed cost of 0.3-0.5 ms a call. Anything else, and every
file over :data:`SMALL_FILE` characters (where pandas is faster), goes to
pandas, so its rows, line numbers and error messages are pandas' own.

Examples
--------
>>> from chiprisk.graph.io.contract import TABLES
>>> errors = []
>>> raw = b"id,name,members,source_id\\neu,EU,DE;FR,s1\\n"
>>> cols, lines = _read_csv(TABLES["blocs"], raw, errors)
>>> cols["members"][0], lines.tolist(), errors
('DE;FR', [2], [])
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import Table

MAX_ERRORS = 200
"""At most this many problems are listed per check (the rest would repeat them)."""


def _decode(raw: bytes, file: str, errors: list[DataError]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(DataError(file, line, None, f"is not UTF-8 (byte 0x{raw[exc.start]:02x})"))
        return None


def _line_numbers(text: str, n_rows: int) -> np.ndarray:
    """Line number (1-based) where each data row starts, robust to quoted newlines."""
    if "\n\n" not in text.rstrip("\n") and '"' not in text:
        return np.arange(2, n_rows + 2)
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))  # "\r" ends a row, as in pandas
    prev_end = 0
    for i, row in enumerate(reader):
        if i > 0 and row and any(cell.strip() for cell in row):
            starts.append(prev_end + 1)
        prev_end = reader.line_num
    starts += [starts[-1] if starts else 2] * (n_rows - len(starts))
    return np.asarray(starts[:n_rows])


_PARSER_LINE = re.compile(r"(line|row) (\d+)")
_LONG_ROW = re.compile(r"Expected (\d+) fields in line \d+, saw (\d+)")


def _physical_line(text: str, n: int) -> int:
    """The file line where pandas' ``n``-th line (1-based; quoted newlines not counted) starts."""
    prev_end = 0
    reader = csv.reader(io.StringIO(text, newline=""))  # "\r" ends a row, as in pandas
    for i, _ in enumerate(reader):
        if i + 1 == n:
            break
        prev_end = reader.line_num
    return prev_end + 1


def _short_rows(text: str, n_fields: int, n_rows: int) -> list[tuple[int, int]]:
    """(line, fields) of each data row with fewer fields than the header.

    pandas pads a short row with empty cells (and raises on a long one); a
    comma count answers at C speed when no cell is quoted.
    """
    if '"' not in text and text.count(",") == (n_fields - 1) * (n_rows + 1):
        return []
    out = []
    reader = csv.reader(io.StringIO(text, newline=""))  # "\r" ends a row, as in pandas
    prev_end = 0
    for i, row in enumerate(reader):
        if i > 0 and row and len(row) < n_fields:
            out.append((prev_end + 1, len(row)))
        prev_end = reader.line_num
    return out


SMALL_FILE = 200_000
"""Files up to this many characters are first tried with the ``csv`` module (above it,
pandas' C parser is faster)."""

Columns = dict[str, np.ndarray]
"""Column name -> an object array of the column's text cells (``""`` when empty)."""


def _read_csv(
    table: Table, raw: bytes, errors: list[DataError]
) -> tuple[Columns, np.ndarray] | None:
    """Decode and parse one table file; None (with errors appended) when it cannot be read.

    Returns
    -------
    cols : dict of str to numpy.ndarray
        Every contract column in contract order (absent optional ones empty),
        cells stripped of surrounding whitespace.
    lines : numpy.ndarray
        The file line where each data row starts.
    """
    file = table.file
    text = _decode(raw, file, errors)
    if text is None:
        return None
    if not text.strip():
        errors.append(DataError(file, 1, None, "is empty (expected a header row)"))
        return None
    small = _read_small(table, text, raw) if len(text) <= SMALL_FILE else None
    if small is None:
        return _read_pandas(table, text, errors)
    header, cells, lines = small
    if not _check_header(table, header, errors):
        return None
    padded = _maybe_padded(text)
    if padded and cells.size:
        cells = _STRIP(cells)
    where = {name: j for j, name in enumerate(header)}
    n = len(cells)
    cols = {
        name: cells[:, where[name]] if name in where else np.full(n, "", dtype=object)
        for name in table.column_names
    }
    return cols, lines


_STRIP = np.frompyfunc(str.strip, 1, 1)
"""``str.strip`` of every cell of an object array (what pandas' ``.str.strip`` does)."""


def _read_small(
    table: Table, text: str, raw: bytes
) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """Header, cells (rows x header columns) and row lines of a regular file, else None.

    The ``csv`` module and pandas' C parser (``skip_blank_lines``) read the
    same cells from a text without NUL bytes or bare carriage returns, with
    quotes only around whole cells (``strict``: a quote closed mid-cell is an
    error here), whose rows all have the header's number of fields and a
    non-blank cell, and whose header names distinct columns of the table.
    Any other text returns None: pandas reads it (and words its problems).
    ``raw`` is the text's UTF-8 bytes: line ends, quotes and NUL are counted
    there (at C speed; a non-ASCII ``str`` is searched far slower).
    """
    if b"\x00" in raw or (b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")):
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    if not rows or not rows[0]:
        return None  # a blank line before the header
    header = rows[0]
    width = len(header)
    # pandas renames repeated and blank names; with one column, a whitespace-only
    # line (which pandas skips) would be a row of the right width
    if width < 2 or len(set(header)) != width or not set(header) <= set(table.column_names):
        return None
    one_line_each = len(rows) == raw.count(b"\n") + (not raw.endswith(b"\n"))
    if one_line_each and [] not in rows:
        body = rows[1:]
        starts = range(2, len(rows) + 1)
    else:  # blank lines (pandas skips them) or cells across lines: count lines as csv reads
        body, starts = _rows_and_lines(text)
    if set(map(len, body)) - {width} or "" in map(str.strip, map("".join, body)):
        return None  # a short or long row, or one of blank cells only
    cells = np.array(body, dtype=object) if body else np.empty((0, width), dtype=object)
    if b"\n\n" not in raw.rstrip(b"\n") and b'"' not in raw:
        lines = np.arange(2, len(body) + 2)  # as _line_numbers counts them
    else:
        lines = np.asarray(starts, dtype=int)
    return header, cells, lines


def _rows_and_lines(text: str) -> tuple[list[list[str]], list[int]]:
    """The non-blank data rows and the file line where each starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    body: list[list[str]] = []
    starts: list[int] = []
    prev_end = 0
    for i, row in enumerate(reader):
        if i > 0 and row:
            body.append(row)
            starts.append(prev_end + 1)
        prev_end = reader.line_num
    return body, starts


def _read_pandas(
    table: Table, text: str, errors: list[DataError]
) -> tuple[Columns, np.ndarray] | None:
    """Read a table with pandas' C parser; None (with errors appended) when it cannot."""
    file = table.file
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        m = _PARSER_LINE.search(detail)
        line = None
        if m:
            n = int(m.group(2)) + (m.group(1) == "row")  # "row" counts from 0
            line = _physical_line(text, n)
            detail = _PARSER_LINE.sub(f"line {line}", detail, count=1)
        long = _LONG_ROW.fullmatch(detail)
        if long:
            detail = f"{long.group(2)} fields, the header has {long.group(1)}"
        elif detail.startswith("EOF inside string"):
            detail = "a quote opened on this line is never closed"
        errors.append(DataError(file, line, None, f"malformed CSV: {detail}"))
        return None
    header = [str(c) for c in df.columns]
    if not isinstance(df.index, pd.RangeIndex):  # pandas took a longer first row's cells as index
        line = int(_line_numbers(text, 1)[0])
        n, extra = len(header), df.index.nlevels
        errors.append(
            DataError(file, line, None, f"malformed CSV: {n + extra} fields, the header has {n}")
        )
        return None
    short = _short_rows(text, len(header), len(df))
    for line, n in short[:MAX_ERRORS]:
        errors.append(
            DataError(file, line, None, f"malformed CSV: {n} fields, the header has {len(header)}")
        )
    if short:
        return None
    if not _check_header(table, header, errors):
        return None
    padded = _maybe_padded(text)  # a cell may start or end with whitespace
    cols = {}
    for name in table.column_names:
        if name not in df.columns:
            cols[name] = np.full(len(df), "", dtype=object)
            continue
        vals = df[name].to_numpy(dtype=object)
        cols[name] = _STRIP(vals) if padded and len(vals) else vals
    return cols, _line_numbers(text, len(df))


def _check_header(table: Table, header: list[str], errors: list[DataError]) -> bool:
    """Unknown, repeated and missing required columns; True when there are none."""
    file = table.file
    known = set(table.column_names)
    bad = False
    for col in header:
        if col not in known:
            errors.append(
                DataError(
                    file,
                    1,
                    col,
                    f"unknown column (expected: {', '.join(table.column_names)})",
                )
            )
            bad = True
    if len(set(header)) != len(header):
        errors.append(DataError(file, 1, None, "duplicate column names in the header"))
        bad = True
    for col in table.columns:
        if col.required and col.name not in header:
            errors.append(DataError(file, 1, col.name, "required column is missing"))
            bad = True
    return not bad


_PAD_NEIGHBOUR = np.zeros(256, dtype=bool)
_PAD_NEIGHBOUR[list(b',\n\r"')] = True
"""Bytes next to which a space pads a cell: a comma, a line end or a quote."""


def _maybe_padded(text: str) -> bool:
    """False only when no cell can start or end with whitespace (numpy scans of the bytes).

    A cell can be padded when the text has non-ASCII characters (Unicode
    spaces), a control character other than a line end, or a space next to
    a comma, a line end, a quote or either end of the text.

    Examples
    --------
    >>> _maybe_padded("id,name\\na b,c\\n"), _maybe_padded("id,name\\na, b\\n")
    (False, True)
    """
    if not text.isascii():
        return True
    data = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    control = data[data < 32]
    if ((control != 10) & (control != 13)).any():
        return True
    spaces = np.flatnonzero(data == 32)
    if not spaces.size:
        return False
    if spaces[0] == 0 or spaces[-1] == data.size - 1:
        return True
    return bool(_PAD_NEIGHBOUR[data[spaces - 1]].any() or _PAD_NEIGHBOUR[data[spaces + 1]].any())
