"""Parse and check scenario YAML documents (``DIR/scenarios/*.yaml``).

Each document becomes one row of :attr:`chiprisk.graph.io.loader.Tables.scenarios`;
its disruption targets (``kind:id``) are checked against the loaded entities.

The YAML is read by :func:`safe_yaml`: PyYAML's safe loader, with aliases
(``*name``) refused (a 375-byte "billion laughs" file expands to gigabytes),
documents over :data:`MAX_SCENARIO_BYTES` refused before parsing and nesting
deeper than :data:`MAX_DEPTH` refused while composing. Values quoted back in
error messages are cut to 80 characters.

Examples
--------
>>> errors = []
>>> row = parse_scenario("id: x\\nname: X\\ntargets: [country:TW]\\nseverity: 0.5\\n"
...                      "probability: 0.1\\nsource_id: s", "x.yaml", errors)
>>> row["targets"], errors
(['country:TW'], [])
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Protocol

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
from chiprisk.graph.io.scenario_overrides import check_overrides


class KnownIds(Protocol):
    """What target checks need of the loaded tables: a :class:`~chiprisk.graph.io.loader.Tables`."""

    kinds: Mapping[str, str]
    """Entity id -> the table it comes from."""


SCENARIO_COLUMNS = [
    *SCENARIO_FIELDS,
    "inventory_weeks",
    "recovery_weeks",
    "start_week",
    "overrides",
    "file",
]

MAX_SCENARIO_BYTES = 1 << 20
"""Largest scenario document read (1 MiB; the built-in ones are under 2 KiB)."""
MAX_DEPTH = 32
"""Deepest nesting of YAML collections accepted in a scenario document."""


@functools.cache
def _no_alias_loader() -> type:
    """PyYAML's safe loader without aliases and with a nesting limit.

    The class is made on first use: importing PyYAML takes about 10 ms, and
    only scenario documents need it (not a start-up that reads cached tables).
    """
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "aliases (*name) are not allowed in scenario files",
                    event.start_mark,
                )
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > MAX_DEPTH:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"nested more than {MAX_DEPTH} levels deep",
                        self.peek_event().start_mark,
                    )
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return NoAliasLoader


def safe_yaml(text: str) -> object:
    """Parse one YAML document safely: no aliases, bounded size and depth.

    Raises
    ------
    yaml.YAMLError
        For broken YAML, an alias, a document over :data:`MAX_SCENARIO_BYTES`
        or nesting deeper than :data:`MAX_DEPTH`.

    Examples
    --------
    >>> import yaml
    >>> safe_yaml("a: [1, 2]")
    {'a': [1, 2]}
    >>> try:
    ...     safe_yaml("a: &x [1]\\nb: *x")
    ... except yaml.YAMLError as exc:
    ...     print(exc.problem)
    aliases (*name) are not allowed in scenario files
    """
    import yaml

    if len(text) > MAX_SCENARIO_BYTES:
        raise yaml.YAMLError(f"the document is over {MAX_SCENARIO_BYTES} bytes")
    loader = _no_alias_loader()(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _short(v: object) -> str:
    """``repr(v)``, cut to 80 characters: error messages never echo a huge value."""
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_scenario(
    text: str, file: str, errors: list[DataError], known: KnownIds | None = None
) -> dict | None:
    """Parse and check one scenario YAML document.

    Targets are checked against ``known`` when given (``kind:id`` must name an
    existing entity of that kind).
    """
    import yaml

    try:
        doc = safe_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)[:200]
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
                DataError(
                    file, None, str(key)[:80], f"unknown key (expected: {', '.join(allowed)})"
                )
            )
    for key in ("id", "name", "targets", "severity", "probability", "source_id"):
        if doc.get(key) in (None, "", []):
            errors.append(DataError(file, None, key, "required value is missing"))
    sid = doc.get("id")
    if sid is not None and not (isinstance(sid, str) and re.fullmatch(_SLUG, sid)):
        errors.append(DataError(file, None, "id", f"{_short(sid)} is not a lowercase slug id"))
    for key in ("name", "rationale", "source_id"):
        v = doc.get(key)
        if v is None or (v == "" and key != "rationale"):  # absent (required: reported above)
            continue
        if not isinstance(v, str):
            errors.append(DataError(file, None, key, f"{_short(v)} is not text"))
        elif not v.strip():
            errors.append(DataError(file, None, key, "is blank (leave the key out)"))
    for key, low, high in (
        ("severity", 0, 1),
        ("probability", 0, 1),
        ("duration_weeks", 0, None),
        ("inventory_weeks", 0, None),
        ("recovery_weeks", 0, None),
        ("start_week", 0, None),
    ):
        v = doc.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not _finite(v):
            errors.append(DataError(file, None, key, f"{_short(v)} is not a finite number"))
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
    overrides = check_overrides(doc.get("overrides"), file, errors, known)
    if len(errors) > n0:
        return None
    row = {k: doc.get(k) for k in SCENARIO_COLUMNS}
    row["overrides"] = overrides
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
        return f"{_short(target)}: kind must be one of {', '.join(SCENARIO_TARGET_KINDS)}"
    if kind == "country":
        return None if ident in ISO_COUNTRIES else f"{_short(target)}: not an ISO country code"
    if known is not None and known.kinds.get(ident) != _TARGET_TABLE[kind]:
        return f"{_short(target)}: unknown {kind} id {_short(ident)}"
    return None
