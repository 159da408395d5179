"""Read one table file: bytes -> a DataFrame of stripped text cells, with line numbers.

The first stage of :func:`chiprisk.graph.io.loader.load_tables`: decoding,
CSV parsing, header checks and the file line of every data row. Nothing is
typed here; :mod:`chiprisk.graph.io.loader_cells` checks and types the cells.

Examples
--------
>>> from chiprisk.graph.io.contract import TABLES
>>> errors = []
>>> raw = b"id,name,members,source_id\\neu,EU,DE;FR,s1\\n"
>>> df, lines = _read_csv(TABLES["blocs"], raw, errors)
>>> df.loc[0, "members"], lines.tolist(), errors
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


def _read_csv(
    table: Table, raw: bytes, errors: list[DataError]
) -> tuple[pd.DataFrame, np.ndarray] | None:
    file = table.file
    text = _decode(raw, file, errors)
    if text is None:
        return None
    if not text.strip():
        errors.append(DataError(file, 1, None, "is empty (expected a header row)"))
        return None
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
    if bad:
        return None
    for col in table.columns:
        if col.name not in df.columns:
            df[col.name] = ""
    df = df[table.column_names]
    if _maybe_padded(text):  # a cell may start or end with whitespace
        df = df.apply(lambda s: s.str.strip())
    return df, _line_numbers(text, len(df))


_PAD_NEIGHBOURS = np.frombuffer(b',\n\r"', dtype=np.uint8)
_LINE_ENDS = np.frombuffer(b"\n\r", dtype=np.uint8)


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
    if not np.isin(control, _LINE_ENDS).all():
        return True
    spaces = np.flatnonzero(data == 32)
    if not spaces.size:
        return False
    if spaces[0] == 0 or spaces[-1] == data.size - 1:
        return True
    return bool(
        np.isin(data[spaces - 1], _PAD_NEIGHBOURS).any()
        or np.isin(data[spaces + 1], _PAD_NEIGHBOURS).any()
    )
