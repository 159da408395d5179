"""Checks of the export controls: a rule restricts another country, and ends after it starts.

A stage of :func:`chiprisk.graph.io.loader.load_tables`, run after the cells
are typed. ``restrictions.csv`` holds one row per (rule, item, destination);
the cell checks already hold each column to its type. The checks here are
across columns of one row:

- ``to_country`` differs from ``from_country`` (a country does not control
  exports to itself; a blank ``to_country`` means every other country);
- ``end_date``, where given, is not before ``effective_date``.

Dates compare as text after padding (``2024-12`` is read as 2024-12-01).

Examples
--------
>>> import numpy as np, pandas as pd
>>> frames = {"restrictions": pd.DataFrame({"from_country": ["US"], "to_country": ["US"],
...     "effective_date": ["2024-12"], "end_date": ["2024-01-02"]})}
>>> errors = []
>>> check_restrictions(frames, {"restrictions": np.array([2])}, errors, set())
>>> [(e.line, e.column) for e in errors]
[(2, 'to_country'), (2, 'end_date')]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.loader_cells import _report

RESTRICTIONS = "restrictions"


def padded_date(value: object) -> str:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as ``YYYY-MM-DD`` (first day).

    Examples
    --------
    >>> padded_date("2024-12"), padded_date("2023"), padded_date(None)
    ('2024-12-01', '2023-01-01', '')
    """
    if not isinstance(value, str) or not value:
        return ""
    parts = value.split("-")
    parts += ["01"] * (3 - len(parts))
    return "-".join(p.zfill(2) for p in parts)


def check_restrictions(
    frames: dict[str, pd.DataFrame],
    lines: dict[str, np.ndarray],
    errors: list[DataError],
    failed: set[str],
) -> None:
    """Check the rows of ``restrictions.csv`` across their columns.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        The typed tables (cells already checked).
    lines : dict of str to numpy.ndarray
        Per table, the file line of each row.
    errors : list of DataError
        Appended to; nothing is raised here.
    failed : set of str
        Tables that could not be read: their checks are skipped.
    """
    df = frames.get(RESTRICTIONS)
    if df is None or RESTRICTIONS in failed or not len(df):
        return
    file, ln = f"{RESTRICTIONS}.csv", lines[RESTRICTIONS]
    src = df["from_country"].to_numpy(dtype=object)
    dst = df["to_country"].to_numpy(dtype=object)
    _report(
        errors,
        file,
        ln,
        (src == dst) & pd.notna(dst),
        "to_country",
        lambda i: f"{dst[i]!r} is also the from_country: a rule restricts another country",
    )
    start = np.array([padded_date(v) for v in df["effective_date"]], dtype=object)
    end = np.array([padded_date(v) for v in df["end_date"]], dtype=object)
    _report(
        errors,
        file,
        ln,
        (end != "") & (start != "") & (end < start),
        "end_date",
        lambda i: f"{end[i]} is before the effective_date {start[i]}",
    )
