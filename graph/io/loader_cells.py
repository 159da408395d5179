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
from collections.abc import Callable

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import TIMING_COLUMNS, Column, Table
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


def _fullmatch(
    vals: np.ndarray, present: np.ndarray, pattern: str, uniq: set[str] | None = None
) -> np.ndarray:
    """Which cells match ``pattern`` in full (as ``str.fullmatch``); ``present`` when all do.

    The distinct non-empty values are joined by newlines and matched at once
    (the contract's patterns never match a newline, so each line must match in
    full); only when one does not is every value matched in Python. Empty
    cells never match (as with ``str.fullmatch``). ``uniq``: the distinct
    non-empty values, when known.

    Examples
    --------
    >>> vals = np.array(["a-1", "", "B"], dtype=object)
    >>> _fullmatch(vals, vals != "", _SLUG).tolist()
    [True, False, False]
    """
    if uniq is None:
        uniq = set(vals.tolist())
        uniq.discard("")
    if _all_match(uniq, pattern):
        return present
    rx = re.compile(pattern)
    return np.fromiter((rx.fullmatch(v) is not None for v in vals.tolist()), bool, len(vals))


def _all_match(uniq: set[str], pattern: str) -> bool:
    """True when every value matches ``pattern`` (``^...$``, never matching a newline),
    decided by one match of the values joined by newlines; False may be either."""
    if not uniq:
        return True
    joined = "\n".join(uniq)  # cells are strings
    if joined.count("\n") != len(uniq) - 1:  # a cell holds a newline
        return False
    core = pattern.removeprefix("^").removesuffix("$")
    return re.fullmatch(rf"(?:{core})(?:\n(?:{core}))*", joined) is not None


_SURE_DATE = (
    r"^(?!0000)[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?"
    r"|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|1[0-9]|2[0-8]))?))?$"
)
"""Dates that exist whatever the year (not 29 February): most cells, matched at C speed."""


def _is_date(value: str) -> bool:
    """A ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` date that exists (``2024-02-30`` does not)."""
    if re.fullmatch(_DATE, value) is None:
        return False
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _ok_values(
    vals: np.ndarray, present: np.ndarray, ok: Callable[[str], bool], uniq: set[str]
) -> np.ndarray:
    """Which cells pass ``ok``, tested once per distinct non-empty value (``uniq``);
    ``present`` when all do."""
    bad = {v for v in uniq if not ok(v)}
    if not bad:
        return present
    return np.fromiter((v not in bad for v in vals.tolist()), bool, len(vals))


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


_OBJECT = np.dtype(object)
"""The dtype of text columns (given as a dtype object, pandas checks it faster than ``object``)."""

_MEMBERSHIP = {
    "enum": lambda col: (col.choices, "one of: " + ", ".join(col.choices)),
    "country": lambda col: (ISO_COUNTRIES, "an ISO 3166-1 alpha-2 country code"),
    "currency": lambda col: (ISO_CURRENCIES, "an ISO 4217 currency code"),
}
"""Cell kinds checked by membership: kind -> (allowed values, what they must be)."""


def _check_cells(
    table: Table, cols: dict[str, np.ndarray], lines: np.ndarray, errors: list[DataError]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Check every cell's type and range; return the typed frame and each column's missing cells.

    ``cols`` holds each contract column's text cells (``""`` when empty), as
    :func:`~chiprisk.graph.io.loader_read._read_csv` returns them. Each check
    looks at a column's distinct values once; rows are visited only to word
    the problems found.
    """
    file = table.file
    out = {}
    na = {}
    index = pd.RangeIndex(len(lines))  # one index for every column: pandas aligns them at once
    for col in table.columns:
        vals = cols[col.name]
        n = len(vals)
        kind = col.kind
        if kind in ("text", "ref"):  # any text: only empty cells matter here
            uniq = set()
            empty = vals == ""
            has_empty = bool(empty.any())
        else:
            uniq = set(vals.tolist())  # the distinct non-empty values, checked once each
            has_empty = "" in uniq
            uniq.discard("")
            empty = vals == "" if has_empty else np.zeros(n, dtype=bool)
        if col.required and has_empty:
            _report(errors, file, lines, empty, col.name, lambda i: "required value is missing")
        present = ~empty
        na[col.name] = empty

        def report_bad(ok: np.ndarray, what: str, present=present, vals=vals) -> np.ndarray:
            if ok is not present:
                _report(
                    errors,
                    file,
                    lines,
                    present & ~ok,
                    col.name,
                    lambda i: f"{_shown(vals[i])} is not {what}",
                )
            return ok

        if kind == "id":
            ok = _fullmatch(vals, present, _SLUG, uniq)
            report_bad(ok, "a lowercase slug id (like 'tsmc-fab-18')")
        elif kind == "url":
            report_bad(_fullmatch(vals, present, _URL, uniq), "an http(s) URL")
        elif kind == "wikidata":
            report_bad(_fullmatch(vals, present, _WIKIDATA, uniq), "a Wikidata id (like 'Q713418')")
        elif kind == "date":
            if not _all_match(uniq, _SURE_DATE):
                ok = _ok_values(vals, present, _is_date, uniq)
                report_bad(ok, "a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        elif kind in ("int", "decimal"):
            pattern = _INT if kind == "int" else _DECIMAL
            what = "a whole number" if kind == "int" else "a number"
            ok = report_bad(_fullmatch(vals, present, pattern, uniq), what)
            parse = present & ok
            if parse.all():
                num = _to_float(vals)  # the pattern passed: float() reads it
            else:
                num = np.full(n, np.nan)
                num[parse] = vals[parse].astype(float)
            with np.errstate(invalid="ignore"):
                huge = np.abs(num) >= (MAX_INT if kind == "int" else MAX_DECIMAL)
            if huge.any():
                _report(
                    errors,
                    file,
                    lines,
                    huge,
                    col.name,
                    lambda i, vals=vals, num=num, kind=kind: (
                        f"{_shown(vals[i])} is too large"
                        if kind == "int"
                        else f"{_shown(vals[i])} is not a finite number"
                        if np.isinf(num[i])
                        else f"{_shown(vals[i])} is too large (the limit is {MAX_DECIMAL:g})"
                    ),
                )
                num = np.where(huge, np.nan, num)
            _check_range(col, num, vals, file, lines, errors)
            missing = np.isnan(num)  # whole numbers below 2**53 convert exactly
            na[col.name] = missing
            out[col.name] = (
                pd.arrays.IntegerArray(np.where(missing, 0, num).astype(np.int64), missing)
                if kind == "int"
                else num
            )
            continue
        elif kind in _MEMBERSHIP:
            allowed, what = _MEMBERSHIP[kind](col)
            report_bad(_ok_values(vals, present, allowed.__contains__, uniq), what)
        elif kind in ("list", "countries"):
            _check_lists(col, vals, present, uniq, file, lines, errors)
        typed = np.where(present, vals, np.nan) if has_empty else vals  # copied by the frame
        out[col.name] = pd.Series(typed, dtype=_OBJECT, index=index, copy=False)
    return pd.DataFrame(out, index=index), na


def _to_float(vals: np.ndarray) -> np.ndarray:
    """``vals.astype(float)`` (``float()`` of each text cell), converting each distinct
    value once when the column is long (a year column holds a few dozen).

    Examples
    --------
    >>> _to_float(np.array(["1", "2.5", "1"], dtype=object)).tolist()
    [1.0, 2.5, 1.0]
    """
    if len(vals) < 1000:
        return vals.astype(float)
    codes, uniques = pd.factorize(vals)
    return uniques.astype(float)[codes]


def _check_range(
    col: Column,
    num: np.ndarray,
    vals: np.ndarray,
    file: str,
    lines: np.ndarray,
    errors: list[DataError],
) -> None:
    """Numbers below ``col.low`` or above ``col.high``."""
    for bound, cmp, word in ((col.low, np.less, "below"), (col.high, np.greater, "above")):
        if bound is None:
            continue
        with np.errstate(invalid="ignore"):
            out_of = cmp(num, bound)  # False where num is NaN
        if not out_of.any():
            continue
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


def _check_lists(
    col: Column,
    vals: np.ndarray,
    present: np.ndarray,
    uniq: set[str],
    file: str,
    lines: np.ndarray,
    errors: list[DataError],
) -> None:
    """``;``-separated cells: the first item not allowed, per row (``uniq``: the
    distinct non-empty cells)."""
    allowed = col.choices if col.kind == "list" else ISO_COUNTRIES
    first_bad = {}
    for v in uniq:
        bad_items = [x for x in v.split(";") if x not in allowed]
        if bad_items:
            first_bad[v] = bad_items[0]
    if not first_bad:
        return
    what = "one of: " + ", ".join(col.choices) if col.kind == "list" else "an ISO 3166-1 code"
    for i in np.flatnonzero(present):
        item = first_bad.get(vals[i])
        if item is not None and len(errors) < MAX_ERRORS:
            errors.append(DataError(file, int(lines[i]), col.name, f"{_shown(item)} is not {what}"))


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_rows(
    table: Table,
    df: pd.DataFrame,
    na: dict[str, np.ndarray],
    lines: np.ndarray,
    errors: list[DataError],
) -> None:
    """Rules that involve several cells of one row (``na``: each column's missing cells)."""
    file = table.file
    cols = set(na)
    for value, unit in (("capacity", "capacity_unit"), ("adds_capacity", "capacity_unit")):
        if value in cols and unit in cols:
            mask = ~na[value] & na[unit]
            _report(
                errors, file, lines, mask, unit, lambda i, v=value: f"{v} is set but has no unit"
            )
    for value in ("budget", "amount"):
        if value in cols and "currency" in cols:
            mask = ~na[value] & na["currency"]
            _report(
                errors,
                file,
                lines,
                mask,
                "currency",
                lambda i, v=value: f"{v} is set but has no currency",
            )
    if table.name == "fx_rates":  # a rate of 0 would divide money by zero
        mask = df["per_usd"].to_numpy() == 0
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
        no_value = na["share"] & na["share_min"] & na["share_max"] & na["share_qual"]
        _report(
            errors,
            file,
            lines,
            no_value & na["capacity"],
            "share",
            lambda i: "no share, share range, qualitative share or capacity given",
        )
    if table.name == "inputs":
        _check_timing(df, na, lines, errors)


def _check_timing(
    df: pd.DataFrame, na: dict[str, np.ndarray], lines: np.ndarray, errors: list[DataError]
) -> None:
    """Stock-and-flow columns: installed-only values, and a source for any value."""
    cols = set(na)
    flow = df["flow"].to_numpy() if "flow" in cols else np.full(len(df), None, dtype=object)
    not_installed = flow != "installed"
    for col in ("service_decay_per_year", "installed_base"):
        if col in cols:
            mask = ~na[col] & not_installed
            _report(
                errors,
                "inputs.csv",
                lines,
                mask,
                col,
                lambda i, c=col: f"{c} is set but flow is not 'installed' (tools in use)",
            )
    if "timing_source_id" in cols:
        any_set = np.zeros(len(df), dtype=bool)
        for c in TIMING_COLUMNS:
            if c in cols:
                any_set |= ~na[c]
        mask = any_set & na["timing_source_id"]
        _report(
            errors,
            "inputs.csv",
            lines,
            mask,
            "timing_source_id",
            lambda i: "stock-and-flow values are set but have no timing_source_id",
        )


def _check_keys(
    table: Table,
    df: pd.DataFrame,
    na: dict[str, np.ndarray],
    lines: np.ndarray,
    errors: list[DataError],
) -> None:
    key = list(table.key)
    parts = [np.where(na[k], None, df[k].to_numpy(dtype=object)).tolist() for k in key]
    keys = parts[0] if len(parts) == 1 else list(zip(*parts, strict=True))
    if len(set(keys)) == len(keys):
        return  # no repeated key (a missing cell equals another missing one, as in pandas)
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    if not dup.any():
        return
    # keyed by the same values as the repeat test (a blank cell is None, not a
    # float NaN that equals no other NaN): two rows with a blank key cell are a
    # duplicate to report, not a KeyError
    first_line: dict = {}
    for i, k in enumerate(keys):
        if not dup[i]:
            first_line.setdefault(k, int(lines[i]))

    def shown(k) -> str:
        return "/".join("" if v is None else str(v) for v in (k if len(key) > 1 else (k,)))

    _report(
        errors,
        table.file,
        lines,
        dup,
        key[0],
        lambda i: (
            f"duplicate {'/'.join(key)} {shown(keys[i])!r} (first on line {first_line[keys[i]]})"
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
