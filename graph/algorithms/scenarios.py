"""Disruption scenarios: the named ones of the data, ad hoc targets, or one YAML file.

A :class:`Scenario` is a set of ``kind:id`` targets (``country:TW``,
``bloc:B``, ``org:O``, ``site:X``, ``input:I``) hit with a severity, with
optional duration, annual probability, inventory and recovery. What a
scenario does to the network is :mod:`~chiprisk.graph.algorithms.scenario_effects`
and :mod:`~chiprisk.graph.algorithms.simulate`.

Examples
--------
>>> from chiprisk.graph.io.loader import load_tables
>>> [s.id for s in named_scenarios(load_tables())][:2]
['china-gallium-export-stop', 'cowos-capacity-shock']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chiprisk.graph.errors import DataError, DataErrors, UsageError
from chiprisk.graph.io.loader import Tables
from chiprisk.graph.io.loader_scenarios import check_target, parse_scenario

__all__ = [
    "ADHOC_DURATION_WEEKS",
    "Scenario",
    "adhoc_scenario",
    "load_scenario_file",
    "named_scenarios",
    "override_scenario",
    "with_options",
]


@dataclass(frozen=True)
class Scenario:
    """A disruption: targets (``kind:id``), severity and optional timing.

    ``probability`` is annual (Monte Carlo); ``start_week`` is the week of the
    weekly simulation the disruption starts in (default 0); ``inventory_weeks``
    (the products' finished stock) and ``recovery_weeks`` (the hit inputs'
    restart) and ``overrides`` (per input) replace stock-and-flow values of
    ``inputs.csv`` in the weekly simulation
    (:mod:`~chiprisk.graph.algorithms.weekly`).

    Examples
    --------
    >>> sc = Scenario("tw", "Taiwan offline", ("country:TW",), 1.0, duration_weeks=4)
    >>> sc.targets, sc.probability
    (('country:TW',), None)
    """

    id: str
    name: str
    targets: tuple[str, ...]
    severity: float
    duration_weeks: float | None = None
    probability: float | None = None
    inventory_weeks: float | None = None
    recovery_weeks: float | None = None
    rationale: str | None = None
    source_id: str | None = None
    start_week: float | None = None
    overrides: str | None = None
    """Per-input stock-and-flow values for this scenario (canonical JSON, see
    :func:`~chiprisk.graph.io.scenario_overrides.parse_overrides`)."""

    @classmethod
    def from_row(cls, row: dict | pd.Series) -> Scenario:
        def num(v):
            return None if v is None or (isinstance(v, float) and v != v) else float(v)

        return cls(
            id=row["id"],
            name=row["name"],
            targets=tuple(row["targets"]),
            severity=float(row["severity"]),
            duration_weeks=num(row.get("duration_weeks")),
            probability=num(row.get("probability")),
            inventory_weeks=num(row.get("inventory_weeks")),
            recovery_weeks=num(row.get("recovery_weeks")),
            rationale=row.get("rationale"),
            source_id=row.get("source_id"),
            start_week=num(row.get("start_week")),
            overrides=row.get("overrides") if isinstance(row.get("overrides"), str) else None,
        )


def named_scenarios(tables: Tables, ids: str | Iterable[str] | None = None) -> list[Scenario]:
    """The named scenarios of the data (all, or the given ids in that order).

    Parameters
    ----------
    tables : Tables
        Checked rows; ``tables.scenarios`` holds the data's scenario files.
    ids : str or iterable of str, optional
        Scenario ids to return, in this order (default: all, sorted by id).

    Returns
    -------
    list of Scenario

    Raises
    ------
    UsageError
        An unknown id (with the closest known ids).

    Examples
    --------
    >>> from chiprisk.graph.io.loader import load_tables
    >>> sc = named_scenarios(load_tables(), "korea-hbm-outage")[0]
    >>> sc.targets, sc.severity, sc.duration_weeks
    (('input:hbm',), 0.79, 8.0)
    """
    sc = tables.scenarios
    by_id = {r["id"]: Scenario.from_row(r) for _, r in sc.iterrows()}
    if ids is None:
        return [by_id[k] for k in sorted(by_id)]
    wanted = [ids] if isinstance(ids, str) else list(ids)
    out = []
    for i in wanted:
        if i not in by_id and i.endswith((".yaml", ".yml")):
            raise UsageError(f"scenario file {i!r} does not exist")
        if i not in by_id:
            close = difflib.get_close_matches(i, list(by_id), n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(by_id)) or "none"
            raise UsageError(f"unknown scenario {i!r}.{hint} (scenarios: {known})")
        out.append(by_id[i])
    return out


ADHOC_DURATION_WEEKS = 13.0
"""Duration of an ad hoc disruption (``--disrupt``) when none is given: a quarter."""

OVERRIDABLE = ("severity", "duration_weeks", "start_week")
"""Fields of a named scenario that ``simulate``'s options may replace."""


def override_scenario(sc: Scenario, **values: float | None) -> tuple[Scenario, list[str]]:
    """``sc`` with some fields replaced, and one line per change saying what it was.

    ``None`` values are left alone. Raises :class:`UsageError` for a field
    that cannot be overridden or a value out of range.

    Examples
    --------
    >>> sc = Scenario("tw", "Taiwan offline", ("country:TW",), 1.0, duration_weeks=26)
    >>> new, lines = override_scenario(sc, severity=0.5, duration_weeks=13)
    >>> new.severity, new.duration_weeks
    (0.5, 13.0)
    >>> lines
    ['tw: severity 0.5 (the scenario says 1)', 'tw: duration_weeks 13 (the scenario says 26)']
    """
    import dataclasses

    changes, lines = {}, []
    for name, v in values.items():
        if v is None:
            continue
        if name not in OVERRIDABLE:
            raise UsageError(f"a scenario's {name} cannot be overridden ({', '.join(OVERRIDABLE)})")
        hi = 1.0 if name == "severity" else None
        if v != v or v < 0 or (hi is not None and v > hi):
            raise UsageError(f"{name} must be in {'0..1' if hi else '>= 0'}, got {v!r}")
        was = getattr(sc, name)
        changes[name] = float(v)
        said = "nothing" if was is None else f"{was:g}"
        lines.append(f"{sc.id}: {name} {float(v):g} (the scenario says {said})")
    return (dataclasses.replace(sc, **changes) if changes else sc), lines


def with_options(
    scenarios: list[Scenario],
    disrupt: Sequence[str] = (),
    *,
    severity: float | None = None,
    duration_weeks: float | None = None,
    tables: Tables | None = None,
) -> tuple[list[Scenario], list[str]]:
    """The scenarios ``simulate`` runs, given its options, and the overrides made.

    With ``disrupt`` targets, ``severity`` (default 1) and ``duration_weeks``
    (default :data:`ADHOC_DURATION_WEEKS`) describe the ad hoc scenario added
    to ``scenarios``; giving them with named scenarios too is a
    :class:`UsageError` (which would they mean?). Without ``disrupt`` they
    override every named scenario's own values, one line per change.

    Examples
    --------
    >>> sc = Scenario("tw", "Taiwan offline", ("country:TW",), 0.9, duration_weeks=26)
    >>> scs, lines = with_options([sc], severity=0.5)
    >>> scs[0].severity, lines
    (0.5, ['tw: severity 0.5 (the scenario says 0.9)'])
    >>> scs, _ = with_options([], ["country:KR"])
    >>> scs[0].severity, scs[0].duration_weeks
    (1.0, 13.0)
    """
    scs = list(scenarios)
    if disrupt:
        if scs and (severity is not None or duration_weeks is not None):
            raise UsageError(
                "--severity and --duration-weeks describe either the --disrupt targets "
                "or the named scenarios, not both: run them separately"
            )
        dur = ADHOC_DURATION_WEEKS if duration_weeks is None else duration_weeks
        sev = 1.0 if severity is None else severity
        scs.append(adhoc_scenario(list(disrupt), sev, duration_weeks=dur, tables=tables))
        return scs, []
    if not scs:
        raise UsageError("give a scenario id or file, or --disrupt kind:id")
    overrides: list[str] = []
    for i, sc in enumerate(scs):
        scs[i], lines = override_scenario(sc, severity=severity, duration_weeks=duration_weeks)
        overrides += lines
    return scs, overrides


def adhoc_scenario(
    targets: Sequence[str],
    severity: float = 1.0,
    *,
    duration_weeks: float | None = None,
    probability: float | None = None,
    inventory_weeks: float | None = None,
    recovery_weeks: float | None = None,
    start_week: float | None = None,
    tables: Tables | None = None,
    id: str = "ad-hoc",  # noqa: A002
) -> Scenario:
    """A scenario from ``kind:id`` targets (``country:TW``, ``site:tsmc-fab-18`` ...).

    Parameters
    ----------
    targets : sequence of str
        ``country:C``, ``bloc:B``, ``org:O``, ``site:X`` or ``input:I``.
    severity : float, default 1.0
        Fraction of a hit supplier's output lost (0..1).
    duration_weeks, probability, inventory_weeks, recovery_weeks : float, optional
        Timing (annual ``probability`` for the Monte Carlo; the products'
        finished stock and the hit inputs' restart weeks for the weekly model).
    start_week : float, optional
        Week of the weekly simulation the disruption starts in (default 0).
    tables : Tables, optional
        With it, the target ids are checked against the data.
    id : str, default "ad-hoc"

    Returns
    -------
    Scenario

    Raises
    ------
    UsageError
        A malformed or (with ``tables``) unknown target, or a value out of range.

    Examples
    --------
    >>> sc = adhoc_scenario(["country:TW", "org:asml"], severity=0.5)
    >>> sc.name, sc.severity
    ('ad hoc: country:TW, org:asml', 0.5)
    """
    if not targets:
        raise UsageError("a scenario needs at least one target, e.g. --disrupt country:TW")
    for t in targets:
        problem = check_target(t, tables)
        if problem:
            raise UsageError(f"--disrupt {problem}")
    for name, v, hi in (
        ("severity", severity, 1.0),
        ("probability", probability, 1.0),
        ("duration_weeks", duration_weeks, None),
        ("inventory_weeks", inventory_weeks, None),
        ("recovery_weeks", recovery_weeks, None),
        ("start_week", start_week, None),
    ):
        if v is not None and (v != v or v < 0 or (hi is not None and v > hi)):
            rng = "0..1" if hi else ">= 0"
            raise UsageError(f"{name} must be in {rng}, got {v!r}")
    return Scenario(
        id=id,
        name="ad hoc: " + ", ".join(targets),
        targets=tuple(targets),
        severity=float(severity),
        duration_weeks=duration_weeks,
        probability=probability,
        inventory_weeks=inventory_weeks,
        recovery_weeks=recovery_weeks,
        start_week=start_week,
    )


def load_scenario_file(path: str | Path, tables: Tables) -> Scenario:
    """Read and check one scenario YAML file (the file contract's fields).

    Parameters
    ----------
    path : str or Path
        A YAML file with the fields of ``scenarios/*.yaml``.
    tables : Tables
        The rows its targets and ``source_id`` are checked against.

    Returns
    -------
    Scenario

    Raises
    ------
    DataErrors
        Every problem found, naming the file and the key.

    Examples
    --------
    >>> from pathlib import Path
    >>> import chiprisk.data
    >>> from chiprisk.graph.io.loader import load_tables
    >>> path = Path(chiprisk.data.__file__).parent / "scenarios" / "korea-hbm-outage.yaml"
    >>> load_scenario_file(path, load_tables()).id
    'korea-hbm-outage'
    """
    p = Path(path)
    errors: list[DataError] = []
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataErrors([DataError(str(p), None, None, f"cannot be read: {exc}")]) from None
    row = parse_scenario(text, str(p), errors, tables)
    if row is not None and row["source_id"] not in set(tables["sources"]["id"]):
        errors.append(
            DataError(str(p), None, "source_id", f"unknown source id {row['source_id']!r}")
        )
    if errors:
        raise DataErrors(errors)
    return Scenario.from_row(row)
