"""Checks across tables: ids unique across tables, references resolve, no cycles.

The third stage of :func:`chiprisk.graph.io.loader.load_tables`, run once
every table is read and typed. It also maps each entity id to its table
(:attr:`chiprisk.graph.io.loader.Tables.kinds`).

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> ids, tab = _entity_ids(load_tables().frames)
>>> kinds, _ = _first_kinds(ids, tab)
>>> kinds["tsmc"]
'organizations'
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import COUNTRIES, RESIDUAL, TABLES
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader_cells import _report, _shown
from chiprisk.ontology.namespaces import RESIDUAL_ID


def _check_refs(
    frames: dict[str, pd.DataFrame],
    lines: dict[str, np.ndarray],
    ids_by_table: dict[str, np.ndarray],
    errors: list[DataError],
    failed: set[str],
) -> None:
    """Every reference names an id of one of its column's tables (or a country, or 'other').

    Each column's distinct values are looked up once in a set of the allowed
    ids; rows are visited only to word the unknown ones.
    """
    allowed_by_refs: dict[tuple[str, ...], set] = {}
    for table in TABLES.values():
        df = frames[table.name]
        for col in table.columns:
            if col.kind != "ref" or df.empty or failed.intersection(col.refs):
                continue  # a table that failed to read would make every reference unknown
            allowed = allowed_by_refs.get(col.refs)
            if allowed is None:
                allowed = set()
                for ref in col.refs:
                    allowed.update(ids_by_table.get(ref, ()))
                if COUNTRIES in col.refs:
                    allowed |= ISO_COUNTRIES
                if RESIDUAL in col.refs:
                    allowed.add(RESIDUAL_ID)
                allowed_by_refs[col.refs] = allowed
            vals = df[col.name].to_numpy(dtype=object)
            present = pd.notna(vals)
            unknown = {v for v in set(vals[present].tolist()) if v not in allowed}
            if not unknown:
                continue
            where = " or ".join(
                "an ISO country code"
                if r == COUNTRIES
                else ("'other'" if r == RESIDUAL else f"an id in {r}.csv")
                for r in col.refs
            )
            bad = np.fromiter((v in unknown for v in vals.tolist()), bool, len(vals))
            _report(
                errors,
                table.file,
                lines[table.name],
                present & bad,
                col.name,
                lambda i, vals=vals, where=where: (
                    f"unknown id {_shown(vals[i])} (expected {where})"
                ),
            )


def _check_markets(
    frames: dict[str, pd.DataFrame], lines: dict[str, np.ndarray], errors: list[DataError]
) -> None:
    """A market has no bill of materials: its members (products that are a type of it) do."""
    inputs, reqs = frames["inputs"], frames["requirements"]
    if inputs.empty or reqs.empty:
        return
    ids = inputs["id"].to_numpy(dtype=object)
    markets = set(ids[inputs["kind"].to_numpy(dtype=object) == "market"].tolist())
    if not markets:
        return
    vals = reqs["product"].to_numpy(dtype=object)
    if all(isinstance(m, str) for m in markets):
        bad = np.fromiter((v in markets for v in vals.tolist()), bool, len(vals))
    else:  # a market without an id: pandas matches a missing product to it
        bad = reqs["product"].isin(markets).to_numpy()
    _report(
        errors,
        "requirements.csv",
        lines["requirements"],
        bad,
        "product",
        lambda i: (
            f"{_shown(vals[i])} is a market: a market has no bill of materials "
            "(give its member products theirs; a member is a type of the market)"
        ),
    )


def _check_cycles(
    frames: dict[str, pd.DataFrame], lines: dict[str, np.ndarray], errors: list[DataError]
) -> None:
    for table, a, b, verb in (
        ("requirements", "product", "input", "requires"),
        ("inputs", "id", "is_type_of", "is a type of"),
        # an ownership loop made `--by hq` follow parents in a circle (EUV 100% Korean)
        ("organizations", "id", "parent", "is owned by"),
    ):
        df = frames[table]
        xs, ys = df[a].to_numpy(dtype=object), df[b].to_numpy(dtype=object)
        rows = np.flatnonzero(pd.notna(xs) & pd.notna(ys))
        xs, ys = xs[rows].tolist(), ys[rows].tolist()
        sorter: TopologicalSorter[str] = TopologicalSorter()
        for x, y in zip(xs, ys, strict=True):
            sorter.add(x, y)
        try:
            sorter.prepare()
        except CycleError as exc:
            cycle = list(reversed(exc.args[1]))  # graphlib lists each node before its dependants
            edges = set(zip(cycle, cycle[1:], strict=False))
            on_cycle = [
                int(lines[table][i])
                for i, x, y in zip(rows, xs, ys, strict=True)
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
