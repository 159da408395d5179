"""Check and type one table's cells, rows and keys (the checks within a single file).

The second stage of :func:`chiprisk.graph.io.loader.load_tables`: every text
cell read by :mod:`chiprisk.graph.io.loader_read` is checked against its
column's kind and range and converted (numbers to float or Int64, empty cells
to NaN); rules over several cells of a row and duplicate keys follow.

Examples
--------
>>> split_list("foundry;idm")
['foundry', 'idm']
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import TIMING_COLUMNS, Table
from chiprisk.graph.io.countries import ISO_COUNTRIES, ISO_CURRENCIES
from chiprisk.graph.io.loader_read import MAX_ERRORS

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# ASCII digits only: \d also matches other scripts' digits ('٢٠٢٤'), which
# pandas cannot read as numbers.
_INT = r"^[+-]?[0-9]+$"
_DATE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"
_URL = r"^https?://[^\s]+$"
_WIKIDATA = r"^Q[1-9][0-9]*$"
_DECIMAL = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
MAX_INT = 2**53
"""Whole numbers are stored exactly as floats and Int64 only below this magnitude."""
MAX_DECIMAL = 1e15
"""Largest magnitude of a decimal cell: anything beyond is a typo (1e308 overflowed sums)."""


def _fullmatch(s: pd.Series, pattern: str) -> np.ndarray:
    """``s.str.fullmatch(pattern)`` as a bool array, with a C-speed path for clean columns.

    The distinct non-empty values are joined by newlines and searched once for
    a line that does not match; only when one exists is every value matched
    in Python. Empty cells never match (as with ``str.fullmatch``).
    """
    vals = s.to_numpy(dtype=object)
    present = vals != ""
    uniq = pd.unique(vals[present])
    if not len(uniq):
        return present
    joined = "\n".join(uniq)  # cells are strings (read with dtype=str)
    if joined.count("\n") == len(uniq) - 1:  # no cell holds a newline
        core = pattern.removeprefix("^").removesuffix("$")
        if re.search(rf"^(?!(?:{core})$).*$", joined, re.MULTILINE) is None:
            return present
    return s.str.fullmatch(pattern).to_numpy(dtype=bool)


# ------------------------------------------------------------------ checking


def _shown(value: object, quote: bool = True, limit: int = 60) -> str:
    """A cell value for a message (``repr`` unless ``quote`` is False), shortened when long.

    Examples
    --------
    >>> _shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (100 characters)"
    >>> _shown("130", quote=False)
    '130'
    """
    s = str(value)
    show = repr if quote else str
    return show(s) if len(s) <= limit else f"{show(s[:limit])}... ({len(s)} characters)"


def _report(
    errors: list[DataError], file: str, lines: np.ndarray, mask: np.ndarray, col: str, msg
) -> None:
    for i in np.flatnonzero(mask)[: MAX_ERRORS - len(errors) if len(errors) < MAX_ERRORS else 0]:
        errors.append(DataError(file, int(lines[i]), col, msg(i)))


_MEMBERSHIP = {
    "enum": lambda col: (col.choices, "one of: " + ", ".join(col.choices)),
    "country": lambda col: (ISO_COUNTRIES, "an ISO 3166-1 alpha-2 country code"),
    "currency": lambda col: (ISO_CURRENCIES, "an ISO 4217 currency code"),
}
"""Cell kinds checked by membership: kind -> (allowed values, what they must be)."""


def _check_cells(
    table: Table, df: pd.DataFrame, lines: np.ndarray, errors: list[DataError]
) -> pd.DataFrame:
    """Check every cell's type and range; return the typed frame."""
    file = table.file
    out = {}
    for col in table.columns:
        s = df[col.name]
        vals = s.to_numpy(dtype=object)
        empty = vals == ""
        if col.required:
            _report(errors, file, lines, empty, col.name, lambda i: "required value is missing")
        present = ~empty
        kind = col.kind

        def report_bad(ok: np.ndarray, what: str, present=present, vals=vals) -> np.ndarray:
            _report(
                errors,
                file,
                lines,
                present & ~ok,
                col.name,
                lambda i: f"{_shown(vals[i])} is not {what}",
            )
            return ok

        def bad_pattern(pattern: str, what: str, s=s) -> np.ndarray:
            return report_bad(_fullmatch(s, pattern), what)

        if kind == "id":
            bad_pattern(_SLUG, "a lowercase slug id (like 'tsmc-fab-18')")
        elif kind == "url":
            bad_pattern(_URL, "an http(s) URL")
        elif kind == "wikidata":
            bad_pattern(_WIKIDATA, "a Wikidata id (like 'Q713418')")
        elif kind == "date":
            ok = s.str.fullmatch(_DATE).to_numpy(dtype=bool).copy()
            for i in np.flatnonzero(present & ok):
                parts = [int(p) for p in vals[i].split("-")] + [1, 1]
                try:
                    dt.date(parts[0], parts[1], parts[2])
                except ValueError:
                    ok[i] = False
            report_bad(ok, "a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        elif kind in ("int", "decimal"):
            pattern = _INT if kind == "int" else _DECIMAL
            ok = bad_pattern(pattern, "a whole number" if kind == "int" else "a number")
            num = np.full(len(vals), np.nan)
            parse = present & ok
            num[parse] = vals[parse].astype(float)  # the pattern passed: float() reads it
            with np.errstate(invalid="ignore"):
                huge = np.abs(num) >= (MAX_INT if kind == "int" else MAX_DECIMAL)
            _report(
                errors,
                file,
                lines,
                huge,
                col.name,
                lambda i: (
                    f"{_shown(vals[i])} is too large"
                    if kind == "int"
                    else f"{_shown(vals[i])} is not a finite number"
                    if np.isinf(num[i])
                    else f"{_shown(vals[i])} is too large (the limit is {MAX_DECIMAL:g})"
                ),
            )
            num = np.where(huge, np.nan, num)
            for bound, cmp, word in ((col.low, np.less, "below"), (col.high, np.greater, "above")):
                if bound is None:
                    continue
                with np.errstate(invalid="ignore"):
                    out_of = cmp(num, bound) & ~np.isnan(num)
                _report(
                    errors,
                    file,
                    lines,
                    out_of,
                    col.name,
                    lambda i, bound=bound, word=word: (
                        f"{_shown(vals[i], quote=False)} "
                        f"is {word} the allowed range {_fmt(col.low)}..{_fmt(col.high)}"
                    ),
                )
            missing = np.isnan(num)  # whole numbers below 2**53 convert exactly
            out[col.name] = (
                pd.arrays.IntegerArray(np.where(missing, 0, num).astype(np.int64), missing)
                if kind == "int"
                else num
            )
            continue
        elif kind in _MEMBERSHIP:
            allowed, what = _MEMBERSHIP[kind](col)
            report_bad(s.isin(allowed).to_numpy(), what)
        elif kind in ("list", "countries"):
            allowed = col.choices if kind == "list" else ISO_COUNTRIES
            what = "one of: " + ", ".join(col.choices) if kind == "list" else "an ISO 3166-1 code"
            for i in np.flatnonzero(present):
                bad_items = [x for x in vals[i].split(";") if x not in allowed]
                if bad_items and len(errors) < MAX_ERRORS:
                    errors.append(
                        DataError(
                            file, int(lines[i]), col.name, f"{_shown(bad_items[0])} is not {what}"
                        )
                    )
        out[col.name] = pd.Series(np.where(present, vals, np.nan), dtype=object)
    typed = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    return typed


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_rows(table: Table, df: pd.DataFrame, lines: np.ndarray, errors: list[DataError]) -> None:
    """Rules that involve several cells of one row."""
    file = table.file
    cols = set(df.columns)
    for value, unit in (("capacity", "capacity_unit"), ("adds_capacity", "capacity_unit")):
        if value in cols and unit in cols:
            mask = df[value].notna().to_numpy() & df[unit].isna().to_numpy()
            _report(
                errors, file, lines, mask, unit, lambda i, v=value: f"{v} is set but has no unit"
            )
    for value in ("budget", "amount"):
        if value in cols and "currency" in cols:
            mask = df[value].notna().to_numpy() & df["currency"].isna().to_numpy()
            _report(
                errors,
                file,
                lines,
                mask,
                "currency",
                lambda i, v=value: f"{v} is set but has no currency",
            )
    if table.name == "fx_rates":  # a rate of 0 would divide money by zero
        mask = (df["per_usd"] == 0).to_numpy()
        _report(errors, file, lines, mask, "per_usd", lambda i: "a rate must be greater than 0")
    if table.name == "supplies":
        lo, hi = df["share_min"].to_numpy(), df["share_max"].to_numpy()
        with np.errstate(invalid="ignore"):
            mask = lo > hi
        _report(
            errors,
            file,
            lines,
            mask,
            "share_min",
            lambda i: f"share_min {lo[i]:g} is greater than share_max {hi[i]:g}",
        )
        has_value = (
            df["share"].notna()
            | df["share_min"].notna()
            | df["share_max"].notna()
            | df["share_qual"].notna()
            | df["capacity"].notna()
        ).to_numpy()
        _report(
            errors,
            file,
            lines,
            ~has_value,
            "share",
            lambda i: "no share, share range, qualitative share or capacity given",
        )
    if table.name == "inputs":
        _check_timing(df, lines, errors)


def _check_timing(df: pd.DataFrame, lines: np.ndarray, errors: list[DataError]) -> None:
    """Stock-and-flow columns: installed-only values, and a source for any value."""
    cols = set(df.columns)
    flow = df["flow"] if "flow" in cols else pd.Series([None] * len(df), dtype=object)
    not_installed = (flow != "installed").to_numpy()
    for col in ("service_decay_per_year", "installed_base"):
        if col in cols:
            mask = df[col].notna().to_numpy() & not_installed
            _report(
                errors,
                "inputs.csv",
                lines,
                mask,
                col,
                lambda i, c=col: f"{c} is set but flow is not 'installed' (tools in use)",
            )
    if "timing_source_id" in cols:
        given = [c for c in TIMING_COLUMNS if c in cols]
        any_set = df[given].notna().any(axis=1).to_numpy()
        mask = any_set & df["timing_source_id"].isna().to_numpy()
        _report(
            errors,
            "inputs.csv",
            lines,
            mask,
            "timing_source_id",
            lambda i: "stock-and-flow values are set but have no timing_source_id",
        )


def _check_keys(table: Table, df: pd.DataFrame, lines: np.ndarray, errors: list[DataError]) -> None:
    key = list(table.key)
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    if not dup.any():
        return
    first_line: dict[tuple, int] = {}
    for i, k in enumerate(df[key].itertuples(index=False, name=None)):
        if not dup[i]:
            first_line.setdefault(k, int(lines[i]))
    _report(
        errors,
        table.file,
        lines,
        dup,
        key[0],
        lambda i: (
            f"duplicate {'/'.join(key)} {'/'.join(map(str, df.loc[i, key]))!r} "
            f"(first on line {first_line[tuple(df.loc[i, key])]})"
        ),
    )


def _empty_frame(table: Table) -> pd.DataFrame:
    cols = {}
    for c in table.columns:
        if c.kind == "int":
            cols[c.name] = pd.array([], dtype="Int64")
        elif c.kind == "decimal":
            cols[c.name] = np.array([], dtype=float)
        else:
            cols[c.name] = np.array([], dtype=object)
    return pd.DataFrame(cols)


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated list cell (None -> []).

    Examples
    --------
    >>> split_list("foundry;idm")
    ['foundry', 'idm']
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [x for x in str(value).split(";") if x]
