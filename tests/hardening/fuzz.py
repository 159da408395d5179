"""Fuzz the CSV loader and the scenario loader with hypothesis (Issue 9, part C).

Not a pytest module (pytest collects ``test_*.py`` only): run it by hand or in
a scheduled job::

    python tests/hardening/fuzz.py --examples 100000 --target all --seed 0 --jobs 2

Targets

``csv``
    The tiny data directory (``tests/fixtures/tiny``) with 1..6 random
    mutations (cells, rows, columns, files, bytes; see
    ``test_properties_loaders.mutated_tables``) is loaded with
    ``chiprisk.graph.load``. A rejected directory must raise ``DataErrors``
    whose every problem names a file of the directory (and the line of a row
    problem); an accepted one must pass every SHACL shape (only the
    ``share-sum`` rule may report), and then ``kg.summary()`` and a
    simulation of its named scenarios must give finite losses in 0..1.
``scenario``
    A mutated or broken scenario YAML file is read with
    ``load_scenario_file`` against the tiny tables: ``DataErrors`` naming the
    file, or a Scenario that simulates to finite losses in 0..1. Accepted
    files are also loaded in a data directory and SHACL-validated.

A *failure* is any exception that is not the expected ``DataErrors`` (a
traceback), a broken property (``AssertionError``) or a traceback logged by a
library. The run prints the examples run, the outcomes, the distinct error
messages (values masked), the failures with one minimal-ish example each, and
the time; the exit code is 1 when there was a failure.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import logging
import multiprocessing
import os
import pickle
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _props():
    """The strategies and checks of ``test_properties_loaders.py`` (one source of truth)."""
    spec = importlib.util.spec_from_file_location(
        "chiprisk_hardening_props", HERE / "test_properties_loaders.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_NESTED = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def template(message: str) -> str:
    """A message with its values masked, so that distinct *kinds* of message are counted.

    >>> template("'1e999' is not a finite number")
    "'…' is not a finite number"
    """
    message = _VALUE.sub(lambda m: "'…'" if m.group(0)[0] in "'\"" else "N", message)
    while True:  # nested lists and mappings (YAML values), innermost first
        masked = _NESTED.sub("…", message)
        if masked == message:
            return message[:160]
        message = masked


class _LoggedTracebacks(logging.Handler):
    """Counts library log records that carry a traceback (a swallowed exception)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(f"{record.name}: {record.getMessage()}"[:200])


def _rows_key(tables) -> str:
    """A digest of a directory's checked rows (not of its bytes)."""
    h = hashlib.sha256()
    for name in sorted(tables.frames):
        h.update(name.encode() + pickle.dumps(tables.frames[name].to_dict("split")))
    h.update(pickle.dumps(tables.scenarios.drop(columns="file").to_dict("split")))
    return h.hexdigest()


def _deep_checks(props, kg) -> None:
    """On an accepted directory: the summary and every named scenario run cleanly."""
    from chiprisk.graph.algorithms.scenarios import named_scenarios
    from chiprisk.graph.algorithms.simulate import simulate

    kg.summary()
    scs = named_scenarios(kg.tables)
    if scs:
        props.check_losses(simulate(kg.tables, scs, include="all"))


class _TimeUp(Exception):
    """Raised inside the hypothesis test to end a run at ``--max-seconds``."""


def run(
    target: str, examples: int, seed: int, worker: int = 0, max_seconds: float | None = None
) -> dict:
    """Run ``examples`` hypothesis examples of one target (fewer when ``max_seconds``
    runs out); return the tallies."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hyp_seed

    from chiprisk.graph.errors import DataErrors

    os.environ.setdefault("CHIPRISK_CACHE_DIR", tempfile.mkdtemp(prefix="chiprisk-fuzz-cache-"))
    props = _props()
    logged = _LoggedTracebacks()
    logging.getLogger().addHandler(logged)
    logging.getLogger().setLevel(logging.WARNING)
    stats: dict = {
        "examples": 0,
        "outcomes": Counter(),
        "messages": Counter(),
        "raw_messages": set(),
        "failures": {},
    }
    tables = props.tiny_tables() if target == "scenario" else None
    started = time.perf_counter()

    def fail(key: str, example: object, tb: str) -> None:
        entry = stats["failures"].setdefault(
            key, {"count": 0, "example": repr(example)[:3000], "traceback": tb[-4000:]}
        )
        entry["count"] += 1

    seen: dict[str, str] = {}

    def load_checked(d: Path, files: dict) -> tuple[str, str]:
        """``props.load_outcome`` with SHACL and the deep checks run once per distinct
        set of checked rows (many mutations load to the same rows: shuffles, BOM, CRLF)."""
        import chiprisk.graph as cg

        try:
            kg = cg.load(d, use_cache=False)
        except DataErrors as exc:
            props.check_errors(exc, d, files)
            return "error", exc.errors[0].message
        key = _rows_key(kg.tables)
        stats["outcomes"]["loaded, new rows" if key not in seen else "loaded, rows seen"] += 1
        if key not in seen:
            seen[key] = ",".join(props.check_graph(kg)) or "conforms"
            _deep_checks(props, kg)
        return "loaded", seen[key]

    def body(x) -> None:
        if target == "csv":
            with props.data_dir(x) as d:
                outcome, detail = load_checked(d, x)
        else:
            with tempfile.TemporaryDirectory(prefix="chiprisk-fuzz-") as tmp:
                path = Path(tmp) / "s.yaml"
                path.write_bytes(x)
                detail = props.check_scenario(tables, path)
            outcome = "loaded" if detail == "ok" else "error"
            if outcome == "loaded":
                with props.data_dir({}, x) as d:
                    outcome, detail = load_checked(d, {})
        stats["outcomes"][outcome] += 1
        stats["messages"][template(detail)] += 1
        stats["raw_messages"].add(detail[:300])

    strategy = props.mutated_tables(max_edits=6) if target == "csv" else props.mutated_scenarios()

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hyp_seed(seed * 1000 + worker)
    @given(strategy)
    def one(x) -> None:
        if max_seconds is not None and time.perf_counter() - started > max_seconds:
            raise _TimeUp
        stats["examples"] += 1
        n_logged = len(logged.records)
        try:
            body(x)
        except DataErrors as exc:  # only from the deep checks: should not happen
            fail(f"DataErrors after a clean load: {template(str(exc))}", x, traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            first = (str(exc).strip().splitlines() or [""])[0]
            fail(f"{type(exc).__name__}: {template(first)}", x, traceback.format_exc())
        for rec in logged.records[n_logged:]:
            fail(f"logged traceback: {template(rec)}", x, rec)
        if worker == 0 and stats["examples"] % 1000 == 0:
            rate = stats["examples"] / (time.perf_counter() - started)
            print(
                f"  [{target}] {stats['examples']} examples, {rate:.1f}/s, "
                f"{len(stats['failures'])} distinct failure(s)",
                file=sys.stderr,
                flush=True,
            )

    try:
        one()
    except _TimeUp:
        stats["time_up"] = True
    stats["seconds"] = time.perf_counter() - started
    return stats


def _run_args(args: tuple[str, int, int, int, float | None]) -> dict:
    return run(*args)


def merge(parts: list[dict]) -> dict:
    out: dict = {
        "examples": 0,
        "outcomes": Counter(),
        "messages": Counter(),
        "raw_messages": set(),
        "failures": {},
        "seconds": 0.0,
    }
    for p in parts:
        out["examples"] += p["examples"]
        out["outcomes"] += p["outcomes"]
        out["messages"] += p["messages"]
        out["raw_messages"] |= p["raw_messages"]
        out["seconds"] = max(out["seconds"], p["seconds"])
        out["time_up"] = out.get("time_up", False) or p.get("time_up", False)
        for k, v in p["failures"].items():
            e = out["failures"].setdefault(k, dict(v, count=0))
            e["count"] += v["count"]
    return out


def report(target: str, s: dict, wall: float, top: int) -> None:
    print(f"== target {target}")
    cut = " (stopped at --max-seconds)" if s.get("time_up") else ""
    print(f"examples run: {s['examples']}{cut}")
    print(f"time: {wall:.1f} s ({s['examples'] / max(wall, 1e-9):.1f} examples/s)")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items())))
    print(
        f"distinct error messages: {len(s['raw_messages'])} "
        f"({len(s['messages'])} kinds with values masked); the {top} most frequent kinds:"
    )
    for msg, n in s["messages"].most_common(top):
        print(f"  {n:7d}  {msg}")
    print(f"failures: {len(s['failures'])} distinct")
    for key, e in sorted(s["failures"].items(), key=lambda kv: -kv[1]["count"]):
        print(f"  {e['count']:7d}  {key}")
        print(f"           example: {e['example'][:1500]}")
        print("           " + e["traceback"].strip().replace("\n", "\n           ")[-2500:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=20_000, help="examples per target")
    ap.add_argument("--target", choices=["csv", "scenario", "all"], default="all")
    ap.add_argument("--seed", type=int, default=0, help="hypothesis seed (reproducible runs)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes per target")
    ap.add_argument(
        "--max-seconds", type=float, default=None, help="stop each worker after this long"
    )
    ap.add_argument("--top", type=int, default=40, help="message kinds to print")
    args = ap.parse_args(argv)
    targets = ["csv", "scenario"] if args.target == "all" else [args.target]
    failed = False
    for target in targets:
        t0 = time.perf_counter()
        jobs = max(1, args.jobs)
        shares = [
            args.examples // jobs + (1 if k < args.examples % jobs else 0) for k in range(jobs)
        ]
        work = [(target, n, args.seed, k, args.max_seconds) for k, n in enumerate(shares) if n]
        if len(work) == 1:
            parts = [_run_args(work[0])]
        else:
            with multiprocessing.get_context("fork").Pool(len(work)) as pool:
                parts = pool.map(_run_args, work)
        s = merge(parts)
        report(target, s, time.perf_counter() - t0, args.top)
        failed |= bool(s["failures"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
