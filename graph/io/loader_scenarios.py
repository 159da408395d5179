"""Parse and check scenario YAML documents (``DIR/scenarios/*.yaml``).

Each document becomes one row of :attr:`chiprisk.graph.io.loader.Tables.scenarios`;
its disruption targets (``kind:id``) are checked against the loaded entities.

Examples
--------
>>> errors = []
>>> row = parse_scenario("id: x\\nname: X\\ntargets: [country:TW]\\nseverity: 0.5\\n"
...                      "probability: 0.1\\nsource_id: s", "x.yaml", errors)
>>> row["targets"], errors
(['country:TW'], [])
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Protocol

import yaml

from chiprisk.graph.errors import DataError
from chiprisk.graph.io.contract import (
    BLOCS,
    INPUTS,
    ORGS,
    SCENARIO_FIELDS,
    SCENARIO_TARGET_KINDS,
    SITES,
)
from chiprisk.graph.io.countries import ISO_COUNTRIES
from chiprisk.graph.io.loader_cells import _SLUG


class KnownIds(Protocol):
    """What target checks need of the loaded tables: a :class:`~chiprisk.graph.io.loader.Tables`."""

    kinds: Mapping[str, str]
    """Entity id -> the table it comes from."""


SCENARIO_COLUMNS = [*SCENARIO_FIELDS, "inventory_weeks", "recovery_weeks", "file"]


def parse_scenario(
    text: str, file: str, errors: list[DataError], known: KnownIds | None = None
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


def check_target(target: str, known: KnownIds | None) -> str | None:
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
