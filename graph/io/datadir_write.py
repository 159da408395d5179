"""Write checked tables as a data directory in the file contract, all at once.

The files (``seed/*.csv`` in contract column order, ``scenarios/*.yaml``) are
written to a temporary sibling folder and renamed into place, so a reader
never sees half a directory. Exports (``chiprisk export --format csv``) and
importers both write through here.

Examples
--------
>>> import pandas as pd
>>> table_csv("blocs", pd.DataFrame({"id": ["eu"], "name": ["EU"]})).splitlines()[0]
b'id,name,members,source_id'
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_scenarios import SCENARIO_COLUMNS


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_csv(name: str, df: pd.DataFrame) -> bytes:
    """One table of the file contract as CSV (contract column order, sorted by key).

    Examples
    --------
    >>> import pandas as pd
    >>> table_csv("fx_rates", pd.DataFrame({"currency": ["EUR"], "year": [2024],
    ...     "per_usd": [0.92], "source_id": ["s"]})).decode()
    'currency,year,per_usd,source_id\\nEUR,2024,0.92,s\\n'
    """
    table = TABLES[name]
    cols = table.column_names
    df = df.reindex(columns=cols)
    if len(df):
        df = df.sort_values(list(table.key), kind="stable")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for row in df.itertuples(index=False, name=None):
        w.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def scenario_yaml(row: dict) -> bytes:
    """One scenario as YAML, the keys of the file contract in order."""
    out: dict[str, object] = {}
    for key in SCENARIO_COLUMNS:
        if key == "file":
            continue
        v = row.get(key)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        out[key] = v
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True).encode("utf-8")


def data_dir_files(frames: dict[str, pd.DataFrame], scenarios: pd.DataFrame) -> dict[str, bytes]:
    """The files of a data directory (relative path -> bytes) for checked tables."""
    files = {
        f"seed/{name}.csv": table_csv(name, frames.get(name, pd.DataFrame()))
        for name in TABLES
        if name in frames or TABLES[name].required
    }
    for row in scenarios.to_dict("records"):
        files[f"scenarios/{row['id']}.yaml"] = scenario_yaml(row)
    return files


def write_files_atomically(folder: str | Path, files: dict[str, bytes]) -> Path:
    """Write a folder of files all at once: to a temporary sibling, then renamed.

    ``folder`` must not exist, or be empty, or hold only files this function
    would write (a previous export): then it is replaced as a whole.

    Raises
    ------
    UsageError
        When ``folder`` holds other files, or its parent does not exist.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {folder}: folder {parent} does not exist")
    if folder.exists():
        if not folder.is_dir():
            raise UsageError(f"cannot write {folder}: it is a file, not a folder")
        present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
        allowed = {k for k in files} | {f"seed/{t}.csv" for t in TABLES}
        stray = sorted(p for p in present if p not in allowed and not p.startswith("scenarios/"))
        if stray:
            raise UsageError(
                f"cannot write {folder}: it holds files that are not a chiprisk data "
                f"directory ({', '.join(stray[:3])}); choose a new or empty folder"
            )
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as exc:
        raise UsageError(f"cannot write {folder}: {exc.strerror}") from None
    try:
        for rel, payload in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            with open(p, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {folder}: {exc.strerror}") from None
        raise
    return folder


def write_csv_tables(tables: Tables, folder: str | Path) -> Path:
    """Write the checked tables as a data directory in the file contract.

    The result loads with ``chiprisk --data FOLDER`` into equal tables.
    """
    frames = {name: tables[name] for name in TABLES}
    return write_files_atomically(folder, data_dir_files(frames, tables.scenarios))
