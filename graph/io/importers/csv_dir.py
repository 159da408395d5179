"""Import an analyst's own tables: check them against the file contract, write them.

The source folder holds CSV files of the file contract (in ``SRC/seed/`` or
``SRC/``, scenarios in ``SRC/scenarios/``). Every cell, row and reference is
checked by the loader; any problem stops the import with its file, line and
column, and nothing is written. What is written is the canonical form: the
contract's column order, rows sorted by key, numbers in one notation, so a
diff between two imports shows only real changes.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "mine"
>>> import_csv("tests/fixtures/tiny", out).rows["inputs"] > 0  # doctest: +SKIP
True
"""

from __future__ import annotations

from pathlib import Path

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.importers import ImportReport, write_checked
from chiprisk.graph.io.loader import load_tables


def import_csv(
    src: str | Path, out_dir: str | Path, *, merge_builtin: bool = False, force: bool = False
) -> ImportReport:
    """Check an analyst's data directory and write its canonical form to ``out_dir``.

    Parameters
    ----------
    src : str or Path
        A folder in the file contract.
    out_dir : str or Path
        Where to write (a new or empty folder, or a previous import).
    merge_builtin : bool
        Add chiprisk's built-in data (ids must not collide).
    force : bool
        Replace ``out_dir`` even when it holds files an import did not write.

    Raises
    ------
    DataErrors
        Every problem found, each with file, line and column.
    UsageError
        When ``src`` is not a folder or is the output folder.

    Notes
    -----
    O(rows).
    """
    src, out = Path(src), Path(out_dir)
    if not src.is_dir():
        raise UsageError(f"{src} is not a folder")
    if out.exists() and out.resolve() == src.resolve():
        raise UsageError("the output folder must differ from the source folder")
    tables = load_tables(src)
    frames = {name: tables[name] for name in TABLES}
    return write_checked(frames, tables.scenarios, out, merge_builtin=merge_builtin, force=force)


__all__ = ["import_csv"]
