"""Files -> checked rows.

A data directory in the file contract (``docs/file-contract.md``) is read into
typed pandas DataFrames, one per table, and every cell, row and reference is
checked before anything else sees it. Every problem found is reported at once,
each naming its file, line and column (:class:`~chiprisk.graph.errors.DataErrors`).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> tables = load_tables()          # the built-in dataset
>>> "euv-lithography" in set(tables["inputs"]["id"])
True
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from chiprisk.graph.errors import DataError, DataErrors
from chiprisk.graph.io.contract import (
    BLOCS,
    COUNTRIES,
    INPUTS,
    ORGS,
    RESIDUAL,
    SCENARIO_FIELDS,
    SCENARIO_TARGET_KINDS,
    SITES,
    TABLES,
    Table,
)
from chiprisk.graph.io.countries import ISO_COUNTRIES, ISO_CURRENCIES
from chiprisk.graph.io.datadir import DataDir, NotADataDir, hash_update
from chiprisk.ontology.namespaces import RESIDUAL_ID

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
MAX_ERRORS = 200


@dataclass
class Tables:
    """The checked rows of one data directory.

    Attributes
    ----------
    frames : dict of str to pandas.DataFrame
        One typed DataFrame per contract table (empty with the contract's
        columns where the file is absent and optional).
    scenarios : pandas.DataFrame
        One row per scenario file; ``targets`` holds a list of ``kind:id``.
    origin : str
        ``"built-in"`` or the directory the rows came from.
    data_hash : str
        sha256 of the files' bytes (names and contents), the cache key.
    """

    frames: dict[str, pd.DataFrame]
    scenarios: pd.DataFrame
    origin: str
    data_hash: str
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Entity id -> the table it comes from."""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def __getstate__(self) -> dict:
        # the id -> table map is rebuilt from the frames when first used: on a
        # million-row network unpickling the dict cost more than the supplies frame;
        # repeated strings are stored once per column (the cache reads 2x faster)
        state = self.__dict__.copy()
        state["kinds"] = None
        state["frames"] = {name: _pack_frame(df) for name, df in self.frames.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        state["frames"] = {name: _unpack_frame(f) for name, f in state["frames"].items()}
        self.__dict__.update(state)
        ids = self.scenarios.get("id", ())
        self.kinds = _LazyKinds(self.frames, ids)

    def kind_of(self, entity_id: str) -> str | None:
        """Return the table of an entity id, ``"countries"`` for ISO codes, else None."""
        if entity_id in self.kinds:
            return self.kinds[entity_id]
        if entity_id in ISO_COUNTRIES:
            return COUNTRIES
        if entity_id == RESIDUAL_ID:
            return RESIDUAL
        return None


_PACK_MIN_ROWS = 10_000


def _pack_frame(df: pd.DataFrame) -> pd.DataFrame | dict:
    """A large frame with its repeated-string columns as codes + distinct values."""
    if len(df) < _PACK_MIN_ROWS:
        return df
    columns = {}
    for name in df.columns:
        columns[name] = ("raw", df[name])
        if df[name].dtype != object:
            continue  # numbers, and pandas' own string or categorical columns, stay as they are
        values = df[name].to_numpy()
        codes, uniques = pd.factorize(values)
        if len(uniques) > len(values) // 2 or not all(type(u) is str for u in uniques):
            continue  # mostly distinct (ids), or not all text: nothing safe to share
        missing = values[codes < 0]
        if len({type(x) for x in missing}) > 1:
            continue  # None and NaN both: keep each as it is
        fill = missing[0] if missing.size else None
        uniques = np.append(np.asarray(uniques, dtype=object), fill)
        columns[name] = ("codes", codes.astype(np.int32), uniques)
    return {"index": df.index, "columns": columns, "attrs": df.attrs}


def _unpack_frame(packed: pd.DataFrame | dict) -> pd.DataFrame:
    if isinstance(packed, pd.DataFrame):
        return packed
    cols = {}
    for name, (how, *data) in packed["columns"].items():
        if how == "codes":
            codes, uniques = data
            cols[name] = pd.Series(uniques[codes], dtype=object, copy=False)
        else:
            cols[name] = data[0].reset_index(drop=True)
    df = pd.DataFrame(cols, copy=False)
    df.index = packed["index"]
    df.attrs = packed["attrs"]
    return df


class _LazyKinds(Mapping[str, str]):
    """Entity id -> the table it comes from, computed from the frames on first use."""

    def __init__(self, frames: dict[str, pd.DataFrame], scenario_ids: Iterable[str]):
        self._frames = frames
        self._scenarios = list(scenario_ids)
        self._map: dict[str, str] | None = None

    def _built(self) -> dict[str, str]:
        if self._map is None:
            ids, tabs = _entity_ids(self._frames)
            self._map = _first_kinds(ids, tabs)[0]
            self._map.update(dict.fromkeys(self._scenarios, "scenarios"))  # as load_tables
        return self._map

    def __getitem__(self, entity_id: str) -> str:
        return self._built()[entity_id]

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._built()

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def _open(data_dir: str | Path | None) -> DataDir:
    try:
        return DataDir(data_dir)
    except NotADataDir:
        raise DataErrors([DataError(str(data_dir), None, None, "is not a directory")]) from None


# ------------------------------------------------------------------- reading


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
                huge = np.abs(num) >= (MAX_INT if kind == "int" else np.inf)
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


def _check_refs(
    frames: dict[str, pd.DataFrame],
    lines: dict[str, np.ndarray],
    ids_by_table: dict[str, np.ndarray],
    errors: list[DataError],
    failed: set[str],
) -> None:
    none = np.zeros(0, dtype=object)
    for table in TABLES.values():
        df = frames[table.name]
        for col in table.columns:
            if col.kind != "ref" or df.empty or failed.intersection(col.refs):
                continue  # a table that failed to read would make every reference unknown
            allowed = np.concatenate([ids_by_table.get(ref, none) for ref in col.refs])
            s = df[col.name]
            present = s.notna().to_numpy()
            ok = s.isin(allowed).to_numpy().copy()
            if COUNTRIES in col.refs:
                ok |= s.isin(ISO_COUNTRIES).to_numpy()
            if RESIDUAL in col.refs:
                ok |= (s == RESIDUAL_ID).to_numpy()
            vals = s.to_numpy(dtype=object)
            where = " or ".join(
                "an ISO country code"
                if r == COUNTRIES
                else ("'other'" if r == RESIDUAL else f"an id in {r}.csv")
                for r in col.refs
            )
            _report(
                errors,
                table.file,
                lines[table.name],
                present & ~ok,
                col.name,
                lambda i, vals=vals, where=where: (
                    f"unknown id {_shown(vals[i])} (expected {where})"
                ),
            )


def _check_cycles(
    frames: dict[str, pd.DataFrame], lines: dict[str, np.ndarray], errors: list[DataError]
) -> None:
    for table, a, b, verb in (
        ("requirements", "product", "input", "requires"),
        ("inputs", "id", "is_type_of", "is a type of"),
    ):
        df = frames[table].dropna(subset=[a, b])
        sorter: TopologicalSorter[str] = TopologicalSorter()
        for x, y in zip(df[a], df[b], strict=True):
            sorter.add(x, y)
        try:
            sorter.prepare()
        except CycleError as exc:
            cycle = list(reversed(exc.args[1]))  # graphlib lists each node before its dependants
            edges = set(zip(cycle, cycle[1:], strict=False))
            on_cycle = [
                int(lines[table][i])
                for i, x, y in zip(df.index, df[a], df[b], strict=True)
                if (x, y) in edges
            ]
            errors.append(
                DataError(
                    f"{table}.csv",
                    max(on_cycle) if on_cycle else None,
                    b,
                    f"cycle: {' -> '.join(cycle)} (each {verb} the next)",
                )
            )


_ENTITY_TABLES = tuple(t for t in TABLES.values() if t.entity)
_ENTITY_NAMES = np.array([t.name for t in _ENTITY_TABLES], dtype=object)


def _entity_ids(frames: dict[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Every entity table's ids in contract order, and each id's index in ``_ENTITY_TABLES``."""
    ids = [frames[t.name]["id"].to_numpy(dtype=object) for t in _ENTITY_TABLES]
    tab = np.repeat(np.arange(len(ids)), [len(c) for c in ids])
    return np.concatenate(ids) if ids else np.zeros(0, dtype=object), tab


def _first_kinds(all_ids: np.ndarray, tab: np.ndarray) -> tuple[dict[str, str], dict]:
    """Id -> table of its first use, and the arrays the duplicate checks need.

    Returns
    -------
    kinds : dict
    parts : dict
        ``first`` (position of each id's first use), ``keep`` (positions of
        valid ids other than 'other'), ``owner`` (per ``keep`` position, the
        table number of that id's first use) and ``other`` (mask of 'other'
        ids).
    """
    valid = pd.notna(all_ids)
    other = valid & (all_ids == RESIDUAL_ID)
    keep = np.flatnonzero(valid & ~other)
    codes, uniques = pd.factorize(all_ids[keep])
    # factorize numbers ids in order of first appearance: a first use is a new maximum
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1]))) if codes.size else codes
    first = keep[codes > seen]
    kinds: dict[str, str] = dict(zip(uniques, _ENTITY_NAMES[tab[first]], strict=True))
    owner = tab[first][codes]
    return kinds, {"first": first, "keep": keep, "owner": owner, "other": other}


def _global_ids(
    frames: dict[str, pd.DataFrame], lines: dict[str, np.ndarray], errors: list[DataError]
) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Id -> table of every entity, and each table's ids; repeats across tables are errors."""
    all_ids, tab = _entity_ids(frames)
    if not all_ids.size:
        return {}, {}
    offset = np.searchsorted(tab, np.arange(len(_ENTITY_TABLES)))

    def where(i: int) -> tuple[str, int]:
        table = _ENTITY_TABLES[tab[i]]
        return table.file, int(lines[table.name][i - offset[tab[i]]])

    kinds, parts = _first_kinds(all_ids, tab)
    first, keep, other = parts["first"], parts["keep"], parts["other"]
    cross = np.zeros(len(all_ids), dtype=bool)
    cross[keep] = parts["owner"] != tab[keep]
    bad = np.flatnonzero(other | cross)
    first_of = pd.Series(first, index=all_ids[first]) if bad.size else None
    for i in bad:
        file, line = where(i)
        if other[i]:
            errors.append(DataError(file, line, "id", "'other' is reserved for the residual"))
        else:
            first_file, first_line = where(int(first_of[all_ids[i]]))
            errors.append(
                DataError(
                    file,
                    line,
                    "id",
                    f"id {all_ids[i]!r} is already used in {first_file} line {first_line} "
                    "(ids are unique across tables)",
                )
            )
    first_tab = tab[first]
    by_table = {t.name: all_ids[first][first_tab == k] for k, t in enumerate(_ENTITY_TABLES)}
    return kinds, by_table


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


# ------------------------------------------------------------------ scenarios

SCENARIO_COLUMNS = [*SCENARIO_FIELDS, "inventory_weeks", "recovery_weeks", "file"]


def parse_scenario(
    text: str, file: str, errors: list[DataError], known: Tables | None = None
) -> dict | None:
    """Parse and check one scenario YAML document.

    Targets are checked against ``known`` when given (``kind:id`` must name an
    existing entity of that kind).
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(DataError(file, line, None, f"broken YAML: {problem}"))
        return None
    except RecursionError:
        errors.append(DataError(file, None, None, "broken YAML: nested too deeply"))
        return None
    if not isinstance(doc, dict):
        errors.append(DataError(file, None, None, "expected a mapping of scenario fields"))
        return None
    n0 = len(errors)
    allowed = [k for k in SCENARIO_COLUMNS if k != "file"]  # a list: messages stay stable
    for key in doc:
        if key not in allowed:
            errors.append(
                DataError(file, None, str(key), f"unknown key (expected: {', '.join(allowed)})")
            )
    for key in ("id", "name", "targets", "severity", "probability", "source_id"):
        if doc.get(key) in (None, "", []):
            errors.append(DataError(file, None, key, "required value is missing"))
    sid = doc.get("id")
    if sid is not None and not (isinstance(sid, str) and re.fullmatch(_SLUG, sid)):
        errors.append(DataError(file, None, "id", f"{sid!r} is not a lowercase slug id"))
    for key in ("name", "rationale", "source_id"):
        v = doc.get(key)
        if v is None or (v == "" and key != "rationale"):  # absent (required: reported above)
            continue
        if not isinstance(v, str):
            errors.append(DataError(file, None, key, f"{v!r} is not text"))
        elif not v.strip():
            errors.append(DataError(file, None, key, "is blank (leave the key out)"))
    for key, low, high in (
        ("severity", 0, 1),
        ("probability", 0, 1),
        ("duration_weeks", 0, None),
        ("inventory_weeks", 0, None),
        ("recovery_weeks", 0, None),
    ):
        v = doc.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not _finite(v):
            errors.append(DataError(file, None, key, f"{v!r} is not a finite number"))
        elif v < low or (high is not None and v > high):
            rng = f"{low}..{high}" if high is not None else f">= {low}"
            errors.append(DataError(file, None, key, f"{v} is outside {rng}"))
    targets = doc.get("targets")
    if targets is not None:
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            errors.append(DataError(file, None, "targets", "expected a list of 'kind:id' strings"))
        else:
            for t in targets:
                problem = check_target(t, known)
                if problem:
                    errors.append(DataError(file, None, "targets", problem))
    if len(errors) > n0:
        return None
    row = {k: doc.get(k) for k in SCENARIO_COLUMNS}
    row["file"] = file
    return row


def _finite(v: int | float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


_TARGET_TABLE = {"org": ORGS, "site": SITES, "input": INPUTS, "bloc": BLOCS}


def check_target(target: str, known: Tables | None) -> str | None:
    """Return a problem with a ``kind:id`` disruption target, or None when it is fine.

    Examples
    --------
    >>> check_target("country:TW", None) is None
    True
    >>> check_target("planet:mars", None)
    "'planet:mars': kind must be one of country, bloc, org, site, input"
    """
    kind, sep, ident = target.partition(":")
    if not sep or kind not in SCENARIO_TARGET_KINDS:
        return f"{target!r}: kind must be one of {', '.join(SCENARIO_TARGET_KINDS)}"
    if kind == "country":
        return None if ident in ISO_COUNTRIES else f"{target!r}: not an ISO country code"
    if known is not None and known.kinds.get(ident) != _TARGET_TABLE[kind]:
        return f"{target!r}: unknown {kind} id {ident!r}"
    return None


# ---------------------------------------------------------------------- entry


def load_tables(data_dir: str | Path | None = None) -> Tables:
    """Read and check a data directory (default: the built-in dataset).

    Parameters
    ----------
    data_dir : str or Path, optional
        A folder in the file contract (tables in ``DIR/seed/`` or ``DIR/``,
        scenarios in ``DIR/scenarios/``). ``None`` reads the built-in data.

    Returns
    -------
    Tables

    Raises
    ------
    DataErrors
        Listing every problem found, each with file, line and column.

    Notes
    -----
    O(rows) with vectorised pandas checks; reference checks are hash joins.
    """
    source = _open(data_dir)
    errors: list[DataError] = []
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, np.ndarray] = {}
    failed: set[str] = set()
    h = hashlib.sha256()
    for table in TABLES.values():
        f = source.table_file(table.file)
        frames[table.name] = _empty_frame(table)
        lines[table.name] = np.array([], dtype=int)
        if f is None:
            if table.required:
                errors.append(DataError(table.file, None, None, "required file is missing"))
                failed.add(table.name)
            continue
        raw = f.read_bytes()
        hash_update(h, table.file, raw)
        got = _read_csv(table, raw, errors)
        if got is None:
            failed.add(table.name)
            continue
        df, ln = got
        typed = _check_cells(table, df, ln, errors)
        _check_rows(table, typed, ln, errors)
        _check_keys(table, typed, ln, errors)
        frames[table.name], lines[table.name] = typed, ln
    kinds, ids_by_table = _global_ids(frames, lines, errors)
    _check_refs(frames, lines, ids_by_table, errors, failed)
    _check_cycles(frames, lines, errors)
    tables = Tables(frames, pd.DataFrame(columns=SCENARIO_COLUMNS), source.origin, "", kinds)
    rows = []
    for f in source.scenario_files():
        raw = f.read_bytes()
        name = f"scenarios/{f.name}"
        hash_update(h, name, raw)
        text = _decode(raw, name, errors)
        if text is not None:
            row = parse_scenario(text, name, errors, tables)
            if row is not None:
                rows.append(row)
    ids = [r["id"] for r in rows]
    for r in rows:
        if ids.count(r["id"]) > 1:
            errors.append(DataError(r["file"], None, "id", f"duplicate scenario id {r['id']!r}"))
        elif r["id"] in kinds:
            errors.append(DataError(r["file"], None, "id", f"id {r['id']!r} is already used"))
        elif "sources" not in failed and r["source_id"] not in frames["sources"]["id"].values:
            errors.append(
                DataError(r["file"], None, "source_id", f"unknown source id {r['source_id']!r}")
            )
    if errors:
        raise DataErrors(errors)
    tables.scenarios = pd.DataFrame(rows, columns=SCENARIO_COLUMNS)
    tables.data_hash = h.hexdigest()
    for r in rows:
        kinds[r["id"]] = "scenarios"
    return tables


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


def iter_files(data_dir: str | Path | None = None) -> Iterable[str]:
    """Names of the files a data directory holds (for messages and the manifest)."""
    return [name for name, _ in _open(data_dir).files()]
