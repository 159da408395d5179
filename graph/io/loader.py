"""Files -> checked rows: :func:`load_tables` and the :class:`Tables` it returns.

A data directory in the file contract (``docs/file-contract.md``) is read into
typed pandas DataFrames, one per table, and every cell, row and reference is
checked before anything else sees it. Every problem found is reported at once,
each naming its file, line and column (:class:`~chiprisk.graph.errors.DataErrors`).

The stages live in their own modules: :mod:`~chiprisk.graph.io.loader_read`
(bytes -> text cells), :mod:`~chiprisk.graph.io.loader_cells` (types, ranges,
row rules, keys), :mod:`~chiprisk.graph.io.loader_refs` (checks across tables)
and :mod:`~chiprisk.graph.io.loader_scenarios` (scenario YAML).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> tables = load_tables()          # the built-in dataset
>>> "euv-lithography" in set(tables["inputs"]["id"])
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError, DataErrors
from chiprisk.graph.io.contract import COUNTRIES, RESIDUAL, TABLES
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.datadir import DataDir, hash_update
from chiprisk.graph.io.loader_cells import (
    _check_cells,
    _check_keys,
    _check_rows,
    _empty_frame,
    split_list,
)
from chiprisk.graph.io.loader_ledger import check_ledger
from chiprisk.graph.io.loader_read import _decode, _read_csv
from chiprisk.graph.io.loader_refs import (
    _check_cycles,
    _check_markets,
    _check_refs,
    _entity_ids,
    _first_kinds,
    _global_ids,
)
from chiprisk.graph.io.loader_restrictions import check_restrictions
from chiprisk.graph.io.loader_scenarios import SCENARIO_COLUMNS, check_target, parse_scenario
from chiprisk.ontology.namespaces import RESIDUAL_ID

__all__ = [
    "SCENARIO_COLUMNS",
    "Tables",
    "check_target",
    "iter_files",
    "load_tables",
    "parse_scenario",
    "split_list",
]
"""Public names; the scenario parser and ``split_list`` are re-exported from their modules."""


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


def load_tables(data_dir: DataDir | str | Path | None = None) -> Tables:
    """Read and check a data directory (default: the built-in dataset).

    Parameters
    ----------
    data_dir : DataDir, str or Path, optional
        A folder in the file contract (tables in ``DIR/seed/`` or ``DIR/``,
        scenarios in ``DIR/scenarios/``), or the :class:`DataDir` already
        resolved from one. ``None`` reads the built-in data.

    Returns
    -------
    Tables

    Raises
    ------
    DataErrors
        Listing every problem found, each with file, line and column (a
        :class:`~chiprisk.graph.io.datadir.NotADataDir` when the path is not
        a folder).

    Notes
    -----
    O(rows). Small files are parsed by the ``csv`` module, large ones by pandas;
    each column's distinct values are checked once (set look-ups, one regular
    expression over them joined), and rows are visited only to word problems.
    The built-in data loads in about 20 ms.

    Examples
    --------
    >>> from chiprisk.graph.io.datadir import DataDir
    >>> load_tables(DataDir()).origin
    'built-in'
    """
    source = DataDir(data_dir)
    errors: list[DataError] = []
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, np.ndarray] = {}
    failed: set[str] = set()
    h = hashlib.sha256()
    for table in TABLES.values():
        f = source.table_file(table.file)
        lines[table.name] = np.array([], dtype=int)
        if f is None:
            frames[table.name] = _empty_frame(table)
            if table.required:
                errors.append(DataError(table.file, None, None, "required file is missing"))
                failed.add(table.name)
            continue
        raw = f.read_bytes()
        hash_update(h, table.file, raw)
        got = _read_csv(table, raw, errors)
        if got is None:
            frames[table.name] = _empty_frame(table)
            failed.add(table.name)
            continue
        cols, ln = got
        typed, na = _check_cells(table, cols, ln, errors)
        _check_rows(table, typed, na, ln, errors)
        _check_keys(table, typed, na, ln, errors)
        frames[table.name], lines[table.name] = typed, ln
    kinds, ids_by_table = _global_ids(frames, lines, errors)
    _check_refs(frames, lines, ids_by_table, errors, failed)
    _check_cycles(frames, lines, errors)
    _check_markets(frames, lines, errors)
    check_ledger(frames, lines, errors, failed)
    check_restrictions(frames, lines, errors, failed)
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


def iter_files(data_dir: DataDir | str | Path | None = None) -> Iterable[str]:
    """Names of the files a data directory holds (for messages and the manifest).

    Examples
    --------
    >>> iter_files()[0]
    'sources.csv'
    """
    return [name for name, _ in DataDir(data_dir).files()]
