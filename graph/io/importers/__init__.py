"""Importers: other tables -> a data directory in the chiprisk file contract.

Each importer reads its source, builds the contract's tables, checks them with
the loader (:func:`chiprisk.graph.io.loader.load_tables`), and only then writes the
directory atomically, so what it writes always loads with ``chiprisk --data
DIR``. With ``merge_builtin=True`` the built-in data is added, so the result
holds both (ids must not collide).

Examples
--------
>>> from chiprisk.graph.io.importers import ImportReport
>>> ImportReport({"inputs": 2}, []).summary()["rows"].tolist()
[2]
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chiprisk.graph.errors import DataError, DataErrors
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.datadir_write import data_dir_files, write_files_atomically
from chiprisk.graph.io.loader import Tables, load_tables
from chiprisk.graph.io.loader_scenarios import SCENARIO_COLUMNS
from chiprisk.graph.io.outdir import check_replaceable


@dataclass
class ImportReport:
    """What an importer wrote.

    Attributes
    ----------
    rows : dict of str to int
        Rows written per table (``scenarios`` included).
    notes : list of str
        Things the analyst should know (rows skipped and why, questionable
        countries kept as published, aggregates mapped to the residual).
    path : Path or None
        The data directory written.
    """

    rows: dict[str, int]
    notes: list[str] = field(default_factory=list)
    path: Path | None = None
    tables: Tables | None = None

    def summary(self) -> pd.DataFrame:
        """Rows written per table: columns ``table``, ``rows``."""
        return pd.DataFrame(list(self.rows.items()), columns=["table", "rows"])


def merge_frames(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Concatenate two sets of contract tables (rows of ``b`` after ``a``'s).

    Raises
    ------
    DataErrors
        When an id (or key) is in both.
    """
    out, errors = {}, []
    for name, table in TABLES.items():
        left = a.get(name, pd.DataFrame(columns=table.column_names))
        right = b.get(name, pd.DataFrame(columns=table.column_names))
        key = list(table.key)
        both = left[key].merge(right[key], how="inner") if len(left) and len(right) else None
        if both is not None and len(both):
            shown = ", ".join("/".join(map(str, r)) for r in both.head(5).itertuples(index=False))
            errors.append(
                DataError(table.file, None, table.key[0], f"rows in both data sets: {shown}")
            )
        frames = [f for f in (left, right) if len(f)]
        out[name] = (
            pd.concat(frames, ignore_index=True)
            if frames
            else left.reindex(columns=table.column_names)
        )
    if errors:
        raise DataErrors(errors)
    return out


def write_checked(
    frames: dict[str, pd.DataFrame],
    scenarios: pd.DataFrame | None,
    out_dir: str | Path,
    *,
    merge_builtin: bool = False,
    notes: list[str] | None = None,
    force: bool = False,
) -> ImportReport:
    """Check tables with the loader, then write them as a data directory.

    Nothing is written when the check fails (the loader's located errors are
    raised, with file names relative to the directory being written). An
    existing ``out_dir`` is replaced only when empty or an unchanged earlier
    import, else with ``force=True``.
    """
    check_replaceable(out_dir, "import", force=force)
    if scenarios is None:
        scenarios = pd.DataFrame(columns=SCENARIO_COLUMNS)
    if merge_builtin:
        builtin = load_tables()
        frames = merge_frames({n: builtin[n] for n in TABLES}, frames)
        scenarios = pd.concat([builtin.scenarios, scenarios], ignore_index=True)
    files = data_dir_files(frames, scenarios)
    tmp = Path(tempfile.mkdtemp(prefix="chiprisk-import-"))
    try:
        for rel, payload in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(payload)
        checked = load_tables(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    path = write_files_atomically(out_dir, files, command="import", force=force)
    rows = {name: len(checked[name]) for name in TABLES}
    rows["scenarios"] = len(checked.scenarios)
    return ImportReport(rows, list(notes or []), path, checked)


__all__ = ["ImportReport", "merge_frames", "write_checked"]
