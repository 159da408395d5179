"""Write checked tables as a data directory in the file contract, all at once.

The files (``seed/*.csv`` in contract column order, ``scenarios/*.yaml``) are
written to a temporary sibling folder and renamed into place, so a reader
never sees half a directory; an existing folder is replaced only when it is
empty or an unchanged earlier output, never a user's own tables without
``force`` (:mod:`chiprisk.graph.io.outdir`). Exports (``chiprisk export
--format csv``) and importers both write through here.

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
from pathlib import Path

import pandas as pd
import yaml

from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_scenarios import SCENARIO_COLUMNS
from chiprisk.graph.io.outdir import write_folder


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


def write_files_atomically(
    folder: str | Path, files: dict[str, bytes], *, command: str = "export", force: bool = False
) -> Path:
    """Write a folder of files all at once: to a fresh sibling, then swapped in.

    ``folder`` must not exist, or be empty, or be an unchanged previous output
    of ``command`` (see :mod:`chiprisk.graph.io.outdir`); anything else, such
    as a user's own data directory, is replaced only with ``force=True``.

    Raises
    ------
    UsageError
        When ``folder`` holds other files, or its parent does not exist.
    """

    def build(tmp: Path) -> None:
        for rel, payload in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            with open(p, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())

    return write_folder(folder, build, command=command, force=force)


def write_csv_tables(tables: Tables, folder: str | Path, *, force: bool = False) -> Path:
    """Write the checked tables as a data directory in the file contract.

    The result loads with ``chiprisk --data FOLDER`` into equal tables. An
    existing folder is replaced only if empty or an unchanged earlier export
    (else ``force=True``).
    """
    frames = {name: tables[name] for name in TABLES}
    return write_files_atomically(folder, data_dir_files(frames, tables.scenarios), force=force)
