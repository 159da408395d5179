"""Check a scenario file's per-input overrides of the stock-and-flow columns.

A scenario YAML document may carry ``overrides``: a mapping of input id to a
mapping of the columns of :data:`~chiprisk.graph.io.contract.TIMING_COLUMNS`
(``flow``, ``buffer_weeks``, ``lead_time_weeks``, ``restart_weeks``,
``service_decay_per_year``, ``installed_base``) to values, which replace the
values of ``inputs.csv`` in that scenario only. The checked overrides are kept
as canonical JSON text (sorted keys), so that the scenario row stays a plain,
hashable, cacheable value.

Examples
--------
>>> errors = []
>>> check_overrides({"hbm": {"buffer_weeks": 6}}, "x.yaml", errors)
'{"hbm": {"buffer_weeks": 6.0}}'
>>> check_overrides({"hbm": {"colour": 1}}, "x.yaml", errors) is None, len(errors)
(True, 1)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import FLOWS, INPUTS, TIMING_COLUMNS

__all__ = ["check_overrides", "parse_overrides"]

_BOUNDS = {
    "buffer_weeks": (0.0, None),
    "lead_time_weeks": (0.0, None),
    "restart_weeks": (0.0, None),
    "service_decay_per_year": (0.0, 1.0),
    "installed_base": (0.0, None),
}


def check_overrides(
    value: object, file: str, errors: list[DataError], known: Any = None
) -> str | None:
    """Check a scenario's ``overrides`` value; return it as canonical JSON (or None).

    Parameters
    ----------
    value : object
        The parsed YAML value (None when the key is absent).
    file : str
        The scenario file, named in errors.
    errors : list of DataError
        Problems are appended here, each naming the file and ``overrides``.
    known : KnownIds, optional
        With it, input ids must name inputs of the data.

    Returns
    -------
    str or None
        ``{"input": {"column": value}}`` as JSON with sorted keys; None when
        absent or when a problem was found.
    """
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        errors.append(
            DataError(file, None, "overrides", "expected a mapping of input id -> values")
        )
        return None
    n0 = len(errors)
    out: dict[str, dict[str, object]] = {}
    for inp, cols in value.items():
        where = f"overrides.{str(inp)[:60]}"
        if not isinstance(inp, str):
            errors.append(DataError(file, None, "overrides", f"{inp!r} is not an input id"))
            continue
        kinds = getattr(known, "kinds", None)
        if kinds is not None and kinds.get(inp) != INPUTS:
            errors.append(DataError(file, None, where, f"unknown input id {inp!r}"))
        if not isinstance(cols, dict) or not cols:
            errors.append(DataError(file, None, where, "expected a mapping of column -> value"))
            continue
        row: dict[str, object] = {}
        for col, v in cols.items():
            problem = _problem(col, v)
            if problem:
                errors.append(DataError(file, None, f"{where}.{str(col)[:40]}", problem))
            else:
                row[str(col)] = v if col == "flow" else float(v)
        out[inp] = row
    if len(errors) > n0:
        return None
    return json.dumps(out, sort_keys=True)


def _problem(col: object, v: object) -> str | None:
    if col not in TIMING_COLUMNS:
        return f"unknown column (expected: {', '.join(TIMING_COLUMNS)})"
    if col == "flow":
        return None if v in FLOWS else f"{str(v)[:40]!r} is not one of {', '.join(FLOWS)}"
    if isinstance(v, bool) or not isinstance(v, int | float):
        return f"{str(v)[:40]!r} is not a number"
    try:
        finite = math.isfinite(v)
    except OverflowError:
        finite = False
    if not finite:
        return f"{v!r} is not a finite number"
    lo, hi = _BOUNDS[str(col)]
    if v < lo or (hi is not None and v > hi):
        return f"{v} is outside {lo:g}..{hi:g}" if hi is not None else f"{v} is outside >= {lo:g}"
    return None


def parse_overrides(text: str | None) -> Mapping[str, Mapping[str, object]]:
    """The overrides of a scenario row (canonical JSON text) as a mapping.

    Examples
    --------
    >>> parse_overrides('{"hbm": {"buffer_weeks": 6.0}}')["hbm"]["buffer_weeks"]
    6.0
    >>> parse_overrides(None)
    {}
    """
    if not isinstance(text, str) or not text:
        return {}
    return json.loads(text)
