"""Checks of the capacity ledger: units per capability, one row per site, input and year.

A stage of :func:`chiprisk.graph.io.loader.load_tables`, run after the
references are resolved. ``capacity.csv`` holds one row per site x input x
year; its rows are comparable only when every row of one input is in that
input's one unit (``inputs.csv`` column ``capacity_unit``). The checks:

- a capacity row's ``unit`` equals its input's ``capacity_unit``;
- an input with capacity rows has a ``capacity_unit``;
- no two rows share a (site, input, year);
- no row is ``operating`` in a year after a ``cancelled`` row of the same
  site and input (a cancelled project that revives needs a new status
  history, not a silent flip);
- a ``requirements.csv`` row with a ``quantity`` gives its ``unit``.

Every problem is a :class:`~chiprisk.graph.errors.DataError` naming file,
line and column. Once checked, ``capacity``'s ``year`` is a plain ``int64``
column and ``quantity`` a ``float64`` one.

Examples
--------
>>> import numpy as np, pandas as pd
>>> frames = {
...     "inputs": pd.DataFrame({"id": ["dram"], "capacity_unit": ["wafers/month"]}),
...     "capacity": pd.DataFrame({"id": ["c1"], "site": ["fab-a"], "input": ["dram"],
...         "year": pd.array([2025], dtype="Int64"), "quantity": [100.0],
...         "unit": ["wafers/day"], "status": ["operating"]}),
...     "requirements": pd.DataFrame({"quantity": [np.nan], "unit": [None]}),
... }
>>> lines = {"inputs": np.array([2]), "capacity": np.array([2]), "requirements": np.array([2])}
>>> errors = []
>>> check_ledger(frames, lines, errors, set())
>>> errors[0].file, errors[0].line, errors[0].column
('capacity.csv', 2, 'unit')
>>> "expected 'wafers/month'" in errors[0].message
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.loader_cells import _report, _shown

CAPACITY, INPUTS, REQUIREMENTS = "capacity", "inputs", "requirements"


def check_ledger(
    frames: dict[str, pd.DataFrame],
    lines: dict[str, np.ndarray],
    errors: list[DataError],
    failed: set[str],
) -> None:
    """Check ``capacity.csv`` against ``inputs.csv`` and itself; type its columns.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        The typed tables (cells already checked).
    lines : dict of str to numpy.ndarray
        Per table, the file line of each row.
    errors : list of DataError
        Appended to; nothing is raised here.
    failed : set of str
        Tables that could not be read: checks that need them are skipped.

    Notes
    -----
    O(rows). Each check first asks, with sets and dicts over the distinct
    values, whether there is anything to report (on clean data there is not,
    and pandas' fixed cost per call is most of the time on small tables);
    only then do pandas joins and group-bys find and word the problems.
    """
    _check_requirement_units(frames, lines, errors, failed)
    cap = frames.get(CAPACITY)
    if cap is None or CAPACITY in failed:
        return
    if len(cap) and INPUTS not in failed:
        _check_units(frames, lines, errors)
    if len(cap):
        _check_duplicates(cap, lines[CAPACITY], errors)
        _check_status(cap, lines[CAPACITY], errors)
    frames[CAPACITY] = typed_ledger(cap)


def typed_ledger(cap: pd.DataFrame) -> pd.DataFrame:
    """``capacity`` with ``year`` as ``int64`` and ``quantity`` as ``float64`` (when whole).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": pd.array([2025], dtype="Int64"), "quantity": [1]})
    >>> typed_ledger(df).dtypes.astype(str).tolist()
    ['int64', 'float64']
    """
    cap = cap.copy()
    if "year" in cap and not cap["year"].isna().any():
        cap["year"] = cap["year"].astype("int64")
    if "quantity" in cap:
        cap["quantity"] = cap["quantity"].astype("float64")
    return cap


def _check_requirement_units(
    frames: dict[str, pd.DataFrame],
    lines: dict[str, np.ndarray],
    errors: list[DataError],
    failed: set[str],
) -> None:
    req = frames.get(REQUIREMENTS)
    if req is None or REQUIREMENTS in failed or not len(req) or "quantity" not in req:
        return
    mask = req["quantity"].notna().to_numpy() & req["unit"].isna().to_numpy()
    _report(
        errors,
        "requirements.csv",
        lines[REQUIREMENTS],
        mask,
        "unit",
        lambda i: "quantity is set but has no unit (like 'stacks/package')",
    )


def _check_units(
    frames: dict[str, pd.DataFrame], lines: dict[str, np.ndarray], errors: list[DataError]
) -> None:
    cap, inputs = frames[CAPACITY], frames[INPUTS]
    if _units_match(cap, inputs):
        return
    unit_of = pd.Series(
        inputs["capacity_unit"].to_numpy(dtype=object), index=inputs["id"].to_numpy(dtype=object)
    )
    unit_of = unit_of[~unit_of.index.duplicated()]
    known = cap["input"].isin(unit_of.index).to_numpy()  # unknown inputs: a reference error
    expected = cap["input"].map(unit_of).to_numpy(dtype=object)
    has_unit = pd.notna(expected)
    # an input with capacity rows needs a capacity_unit: reported once, on inputs.csv
    used = pd.unique(cap.loc[known & ~has_unit, "input"].to_numpy(dtype=object))
    if len(used):
        row_of = pd.Series(np.arange(len(inputs)), index=inputs["id"].to_numpy(dtype=object))
        row_of = row_of[~row_of.index.duplicated()]
        for inp in sorted(used, key=lambda x: row_of[x]):
            errors.append(
                DataError(
                    "inputs.csv",
                    int(lines[INPUTS][row_of[inp]]),
                    "capacity_unit",
                    f"input {_shown(inp)} has rows in capacity.csv (first on line "
                    f"{_first_line(cap, lines[CAPACITY], inp)}) but no capacity_unit: "
                    "give the one unit its capacity is counted in (like 'wafers/month')",
                )
            )
    unit = cap["unit"].to_numpy(dtype=object)
    present = pd.notna(unit)
    mismatch = known & has_unit & present
    mismatch[mismatch] = unit[mismatch] != expected[mismatch]
    inputs_col = cap["input"].to_numpy(dtype=object)
    _report(
        errors,
        "capacity.csv",
        lines[CAPACITY],
        mismatch,
        "unit",
        lambda i: (
            f"unit {_shown(unit[i])} is not the capacity_unit of input "
            f"{_shown(inputs_col[i])} (expected {_shown(expected[i])}, as in inputs.csv)"
        ),
    )


def _units_match(cap: pd.DataFrame, inputs: pd.DataFrame) -> bool:
    """True when every capacity row names an input by id and is in that input's unit
    (or gives none): :func:`_check_units` has nothing to report. One look-up per
    distinct (input, unit) pair; anything unusual (a missing input id) is False."""
    unit_of: dict[str, object] = {}
    ids = inputs["id"].to_numpy(dtype=object).tolist()
    for i, u in zip(ids, inputs["capacity_unit"].to_numpy(dtype=object).tolist(), strict=True):
        if isinstance(i, str):
            unit_of.setdefault(i, u)  # the first row of a repeated id, as pandas keeps it
    pairs = zip(
        cap["input"].to_numpy(dtype=object).tolist(),
        cap["unit"].to_numpy(dtype=object).tolist(),
        strict=True,
    )
    for inp, unit in set(pairs):
        if not isinstance(inp, str):
            return False
        if inp not in unit_of:
            continue  # an unknown input: a reference error, reported there
        expected = unit_of[inp]
        if not isinstance(expected, str) or (isinstance(unit, str) and unit != expected):
            return False
        if not isinstance(unit, str) and not pd.isna(unit):
            return False
    return True


def _first_line(cap: pd.DataFrame, lines: np.ndarray, inp: str) -> int:
    return int(lines[np.flatnonzero((cap["input"] == inp).to_numpy())[0]])


def _check_duplicates(cap: pd.DataFrame, lines: np.ndarray, errors: list[DataError]) -> None:
    key = ["site", "input", "year"]
    rows = list(
        zip(
            cap["site"].to_numpy(dtype=object).tolist(),
            cap["input"].to_numpy(dtype=object).tolist(),
            cap["year"].to_numpy(dtype=object, na_value=None).tolist(),
            strict=True,
        )
    )
    if len(set(rows)) == len(rows) and all(
        isinstance(s, str) and isinstance(i, str) and y is not None for s, i, y in rows
    ):
        return  # distinct keys, none missing: pandas finds no duplicate either
    dup = cap.duplicated(subset=key, keep="first").to_numpy()
    if not dup.any():
        return
    first = ~cap.duplicated(subset=key, keep=False).to_numpy() | ~dup
    first_line = {
        tuple(k): int(ln)
        for k, ln in zip(
            cap.loc[first, key].itertuples(index=False, name=None), lines[first], strict=True
        )
    }
    rows = list(cap[key].itertuples(index=False, name=None))
    _report(
        errors,
        "capacity.csv",
        lines,
        dup,
        "year",
        lambda i: (
            f"duplicate site/input/year {'/'.join(map(str, rows[i]))!r} "
            f"(first on line {first_line.get(tuple(rows[i]), '?')}): "
            "one row per site, input and year"
        ),
    )


def _check_status(cap: pd.DataFrame, lines: np.ndarray, errors: list[DataError]) -> None:
    status = cap["status"].to_numpy(dtype=object)
    cancelled = status == "cancelled"
    operating = status == "operating"
    if not (cancelled.any() and operating.any()):
        return
    years = cap["year"].to_numpy(dtype=float, na_value=np.nan)
    if _never_revived(cap, years, cancelled, operating):
        return
    gone = pd.DataFrame(
        {
            "site": cap["site"].to_numpy(dtype=object)[cancelled],
            "input": cap["input"].to_numpy(dtype=object)[cancelled],
            "cancel_year": years[cancelled],
            "cancel_line": lines[cancelled],
        }
    )
    gone = gone.sort_values(["cancel_year", "cancel_line"]).drop_duplicates(["site", "input"])
    rows = pd.DataFrame(
        {
            "site": cap["site"].to_numpy(dtype=object),
            "input": cap["input"].to_numpy(dtype=object),
            "pos": np.arange(len(cap)),
        }
    ).merge(gone, on=["site", "input"], how="left", sort=False)
    rows = rows.sort_values("pos")
    cancel_year = rows["cancel_year"].to_numpy(dtype=float)
    cancel_line = rows["cancel_line"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = operating & (years > cancel_year)
    _report(
        errors,
        "capacity.csv",
        lines,
        bad,
        "status",
        lambda i: (
            f"status 'operating' in {int(years[i])}, but this site and input are 'cancelled' "
            f"in {int(cancel_year[i])} (line {int(cancel_line[i])}): a cancelled capacity "
            "cannot operate later; record a revival with its own source and status history"
        ),
    )


def _never_revived(
    cap: pd.DataFrame, years: np.ndarray, cancelled: np.ndarray, operating: np.ndarray
) -> bool:
    """True when no row operates after its site and input's first cancelled year
    (:func:`_check_status` has nothing to report). Plain dicts over the cancelled
    and operating rows; a cancelled row without site, input or year is False."""
    site = cap["site"].to_numpy(dtype=object)
    inp = cap["input"].to_numpy(dtype=object)
    gone: dict[tuple[str, str], float] = {}
    for i in np.flatnonzero(cancelled).tolist():
        s, n, y = site[i], inp[i], years[i]
        if not (isinstance(s, str) and isinstance(n, str)) or np.isnan(y):
            return False  # pandas joins missing keys to each other: let it word that
        if y < gone.get((s, n), np.inf):
            gone[(s, n)] = y
    for i in np.flatnonzero(operating).tolist():
        first = gone.get((site[i], inp[i]))
        if first is not None and years[i] > first:
            return False
    return True
