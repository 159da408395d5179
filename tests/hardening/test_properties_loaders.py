"""Property-based tests of the loaders (Issue 9, part C).

Every example starts from the tiny, hand-checked data directory
(``tests/fixtures/tiny``) and mutates it: random cell edits (random text,
numbers, empty, unicode, quotes, commas, newlines), dropped, duplicated and
shuffled rows, dropped, extra and swapped columns, short and long rows,
deleted or emptied files and byte-level damage. The properties (catalogue
``docs/hardening/properties.md``, ids P01..P06):

- the loader either raises :class:`~chiprisk.graph.errors.DataErrors` whose
  every problem names a file of the directory (and a line for a row problem),
  or returns a graph on which SHACL (pyshacl, real) reports no *shape*
  violation; the only findings left are the documented whole-graph rule
  ``share-sum`` (share sums are checked by rules, not by the loader);
- a scenario file is either a checked :class:`Scenario` that simulates to
  finite losses in 0..1, or a ``DataErrors`` naming the file;
- ``chiprisk --data DIR summary`` exits 0, 1 or 2 and never prints a traceback.

The same strategies drive the fuzz runner ``tests/hardening/fuzz.py`` at a
high example count; here the counts stay small and the runs derandomised so
that CI is deterministic.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.contract import SCENARIO_FIELDS
from chiprisk.graph.io.datadir import TABLE_FILES

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
SCENARIO_FILE = "scenarios/tw-blockade.yaml"

TINY_ROWS: dict[str, list[list[str]]] = {
    name: list(csv.reader(io.StringIO((TINY / "seed" / name).read_text(encoding="utf-8"))))
    for name in TABLE_FILES
    if (TINY / "seed" / name).exists()
}
"""The tiny directory's tables, header first, as lists of cells (optional tables it lacks,
such as the capacity ledger, are absent)."""
TINY_SCENARIO: dict = yaml.safe_load((TINY / SCENARIO_FILE).read_text(encoding="utf-8"))

KNOWN_VALUES = sorted({c for rows in TINY_ROWS.values() for row in rows for c in row})
"""Every cell and header of the tiny data: valid ids, codes, enums, numbers."""

TRICKY = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "100",
    "100.0001",
    "1e999",
    "-1e999",
    "1e-400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "99999999999999999999",
    "+5",
    ".5",
    "5.",
    "1_000",
    "0x10",
    "١٢",
    "٢٠٢٤",
    "Ⅻ",
    "2024-02-30",
    "0000",
    "9999-12-31",
    "2024-13",
    "  tsmc  ",
    "TW",
    "tw",
    "XX",
    "other",
    "OTHER",
    '"',
    '""',
    ",",
    "a,b",
    "\n",
    "\r\n",
    "a\nb",
    "a;b",
    ";",
    "foundry;;idm",
    "\x00",
    "\ufeff",
    "\t",
    "é",
    "𝔘",
    "Q0",
    "Q1",
    "http://",
    "https://x y",
    "ftp://example.org",
    "wafers/month",
    "None",
    "null",
    "TRUE",
]

cells = st.one_of(
    st.sampled_from(TRICKY),
    st.sampled_from(KNOWN_VALUES),
    st.text(max_size=12),
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"[a-z0-9]{1,4}(-[a-z0-9]{1,4}){0,2}", fullmatch=True),
)
"""Cell values: tricky literals, valid values of the tiny data, random text and numbers."""

ROW_OPS = (
    "cell",
    "cell",
    "cell",
    "copy_cell",
    "drop_row",
    "dup_row",
    "shuffle",
    "drop_col",
    "extra_col",
    "swap_cols",
    "short_row",
    "long_row",
    "header_cell",
)
FILE_OPS = ("drop_file", "empty_file", "header_only")
BYTE_OPS = ("insert_bytes", "truncate", "bom", "crlf", "blank_lines", "latin1")


def _encode(rows: list[list[str]], newline: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _edit_rows(draw, rows: list[list[str]], op: str) -> list[list[str]]:
    """Apply one row/column mutation to a table (header first); return the new rows."""
    rows = [list(r) for r in rows]
    body = len(rows) - 1
    width = len(rows[0]) if rows else 0

    def pick_row(header: bool = False) -> int:
        return draw(st.integers(0 if header else 1, len(rows) - 1))

    if not rows or (body < 1 and op not in ("extra_col", "drop_col", "swap_cols", "header_cell")):
        return rows
    if width == 0 and op in ("copy_cell", "header_cell", "drop_col", "swap_cols"):
        return rows
    if op == "cell":
        i = pick_row()
        if not rows[i]:  # a row cut to nothing by short_row
            rows[i].append("")
        rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(cells)
    elif op == "copy_cell":
        i, k = pick_row(), pick_row()
        j = draw(st.integers(0, width - 1))
        if j < len(rows[i]) and j < len(rows[k]):
            rows[i][j] = rows[k][j]
    elif op == "header_cell":
        j = draw(st.integers(0, width - 1))
        rows[0][j] = draw(st.one_of(cells, st.sampled_from(rows[0]).map(str.upper)))
    elif op == "drop_row":
        del rows[pick_row()]
    elif op == "dup_row":
        i = pick_row()
        rows.insert(draw(st.integers(1, len(rows))), list(rows[i]))
    elif op == "shuffle":
        rows = rows[:1] + draw(st.permutations(rows[1:]))
    elif op == "drop_col":
        j = draw(st.integers(0, width - 1))
        rows = [r[:j] + r[j + 1 :] for r in rows]
    elif op == "extra_col":
        name = draw(st.one_of(st.sampled_from(rows[0]), cells))
        rows = [rows[0] + [name]] + [r + [draw(cells)] for r in rows[1:]]
    elif op == "swap_cols":
        a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
        for r in rows:
            if a < len(r) and b < len(r):
                r[a], r[b] = r[b], r[a]
    elif op == "short_row":
        i = pick_row()
        rows[i] = rows[i][: draw(st.integers(0, max(0, len(rows[i]) - 1)))]
    elif op == "long_row":
        rows[pick_row()].append(draw(cells))
    return rows


def _damage(draw, raw: bytes, op: str) -> bytes:
    """Apply one byte-level mutation to a file's bytes."""
    if op == "insert_bytes":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=6)) + raw[at:]
    if op == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if op == "bom":
        return b"\xef\xbb\xbf" + raw
    if op == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if op == "blank_lines":
        return raw + b"\n\n" + draw(st.sampled_from([b"", b",,,\n", b" \n", b"\r"]))
    if op == "latin1":
        return raw.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9\n"
    raise AssertionError(op)


@st.composite
def mutated_tables(draw, max_edits: int = 4) -> dict[str, bytes | None]:
    """A data directory's files (``seed/NAME.csv`` -> bytes, None = absent): the tiny
    data with 1..max_edits mutations."""
    tables: dict[str, list[list[str]] | None] = {k: TINY_ROWS.get(k) for k in TABLE_FILES}
    damage: dict[str, list[str]] = {}
    for _ in range(draw(st.integers(1, max_edits))):
        name = draw(st.sampled_from(TABLE_FILES))
        kind = draw(st.sampled_from(["row"] * 8 + ["file", "bytes"]))
        if tables[name] is None:
            continue
        if kind == "row":
            tables[name] = _edit_rows(draw, tables[name], draw(st.sampled_from(ROW_OPS)))
        elif kind == "file":
            op = draw(st.sampled_from(FILE_OPS))
            tables[name] = None if op == "drop_file" else ([] if op == "empty_file" else None)
            if op == "header_only":
                tables[name] = TINY_ROWS[name][:1]
        else:
            damage.setdefault(name, []).append(draw(st.sampled_from(BYTE_OPS)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    files: dict[str, bytes | None] = {}
    for name, rows in tables.items():
        if rows is None:
            files[f"seed/{name}"] = None
            continue
        raw = _encode(rows, newline)
        for op in damage.get(name, []):
            raw = _damage(draw, raw, op)
        files[f"seed/{name}"] = raw
    return files


SCENARIO_KEYS = (*SCENARIO_FIELDS, "inventory_weeks", "recovery_weeks")  # the optional two
TARGETS = [
    "country:TW",
    "country:JP",
    "country:XX",
    "country:tw",
    "org:tsmc",
    "org:nope",
    "site:tsmc-fab-18",
    "site:tsmc",
    "input:euv",
    "input:logic",
    "bloc:eu",
    "planet:mars",
    "TW",
    "",
]
yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**400), 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1, 2),
    st.text(max_size=12),
    st.sampled_from([*TARGETS, "tw-blockade", "src-a", "src-b", "other", " ", "2024-01-01"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
RAW_YAML = st.sampled_from(
    [
        "",
        "---\n",
        "- a\n- b\n",
        "[" * 3000,
        "a: &x [*x]\n",
        "id: x\n\tname: y\n",
        "id: [unclosed\n",
        "!!python/object:os.system {}\n",
        "key: !!binary AAAA\n",
        "? [a, b]\n: c\n",
        "id: tw-blockade\nid: again\n",
    ]
)


@st.composite
def mutated_scenarios(draw) -> bytes:
    """A scenario file's bytes: the tiny scenario with keys set, deleted or added,
    or byte-level damage, or raw broken YAML."""
    choice = draw(st.sampled_from(["fields"] * 6 + ["bytes", "raw"]))
    if choice == "raw":
        return draw(st.one_of(RAW_YAML, st.text(max_size=40))).encode("utf-8", "surrogatepass")
    doc = dict(TINY_SCENARIO)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*SCENARIO_KEYS, "unknown_key"]))
        op = draw(st.sampled_from(["set", "set", "delete", "number", "targets"]))
        if op == "delete":
            doc.pop(key, None)
        elif op == "number":
            doc[key] = draw(st.floats(-1, 60) | st.integers(-1, 60))
        elif op == "targets":
            doc["targets"] = draw(st.lists(st.sampled_from(TARGETS), max_size=3))
        else:
            doc[key] = draw(yaml_values)
    raw = yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")
    if choice == "bytes":
        raw = _damage(draw, raw, draw(st.sampled_from(BYTE_OPS)))
    return raw


# ------------------------------------------------------------------ checks


@contextmanager
def data_dir(files: dict[str, bytes | None], scenario: bytes | None = None):
    """Write the tiny directory with ``files`` replaced (None = deleted) to a temp dir."""
    with tempfile.TemporaryDirectory(prefix="chiprisk-prop-") as tmp:
        d = Path(tmp) / "d"
        shutil.copytree(TINY, d)
        for rel, raw in files.items():
            p = d / rel
            if raw is None:
                p.unlink(missing_ok=True)
            else:
                p.write_bytes(raw)
        if scenario is not None:
            (d / SCENARIO_FILE).write_bytes(scenario)
        yield d


LINELESS = ("required file is missing", "cycle: ", "malformed CSV")
"""Messages of file-level problems, which name a file but no line."""


def check_errors(exc: DataErrors, d: Path, files: dict[str, bytes | None]) -> None:
    """Every problem names a file of ``d`` and, for a row of a CSV file, its line."""
    assert exc.errors, "DataErrors without problems"
    known = {*TABLE_FILES, SCENARIO_FILE, str(d), str(d / SCENARIO_FILE)}
    for e in exc.errors:
        assert e.file in known, f"problem names no file of the directory: {e}"
        assert e.message and str(e).startswith(e.file), e
        assert e.file in str(exc) or len(exc.errors) > 50
        if e.file.endswith(".csv") and not e.message.startswith(LINELESS):
            assert e.line is not None and e.line >= 1, f"row problem without a line: {e}"
            raw = files.get(f"seed/{e.file}")
            if raw is not None:
                assert e.line <= raw.count(b"\n") + raw.count(b"\r") + 1, e


def check_graph(kg) -> list[str]:
    """A loaded graph passes every SHACL shape; only the share-sum rule may report."""
    report = kg.validate()
    shapes = report.results[report.results["kind"] == "shape"]
    assert shapes.empty, "the loader let through rows SHACL rejects:\n" + report.text()
    rules = set(report.results["rule"])
    assert rules <= {"share-sum"}, report.text()
    return sorted(rules)


def load_outcome(d: Path, files: dict[str, bytes | None]) -> tuple[str, str]:
    """Load ``d`` with the public loader; return (outcome, detail) or raise AssertionError.

    Outcomes: ``"error"`` (a DataErrors naming files; detail = the first message
    without its values) or ``"loaded"`` (detail = the rules that still report).
    Any other exception propagates: that is a bug.
    """
    import chiprisk.graph as cg

    try:
        kg = cg.load(d, use_cache=False)
    except DataErrors as exc:
        check_errors(exc, d, files)
        return "error", exc.errors[0].message
    return "loaded", ",".join(check_graph(kg)) or "conforms"


def check_scenario(tables, path: Path) -> str:
    """A scenario file is a checked Scenario that simulates to losses in 0..1, or DataErrors."""
    from chiprisk.graph.algorithms.scenarios import load_scenario_file
    from chiprisk.graph.algorithms.simulate import simulate

    try:
        sc = load_scenario_file(path, tables)
    except DataErrors as exc:
        assert exc.errors and all(e.file == str(path) for e in exc.errors), str(exc)
        return exc.errors[0].message
    for v in (sc.severity, sc.probability, sc.duration_weeks, sc.inventory_weeks):
        assert v is None or (math.isfinite(v) and v >= 0), sc
    df = simulate(tables, sc, include="all")
    check_losses(df)
    return "ok"


def check_losses(df) -> None:
    """No NaN or negative loss, fractions in 0..1, annual loss finite and >= 0."""
    for col in ("loss", "output_fraction"):
        v = df[col].to_numpy(dtype=float)
        assert np.isfinite(v).all() and (v >= 0).all() and (v <= 1 + 1e-12).all(), df[col]
    assert np.allclose(df["loss"] + df["output_fraction"], 1.0)
    annual = df["annual_loss"].to_numpy(dtype=float)
    has_duration = df["duration_weeks"].notna().to_numpy()
    assert (np.isfinite(annual[has_duration]) & (annual[has_duration] >= 0)).all(), df


def run_cli(d: Path, *args: str):
    """``chiprisk --data d --no-cache ARGS`` in-process; exceptions are caught, not raised."""
    from click.testing import CliRunner

    from chiprisk.cli.main import cli

    return CliRunner().invoke(cli, ["--data", str(d), "--no-cache", *args])


def check_cli(result) -> int:
    """Exit 0, 1 or 2 and no traceback (a ChipriskError is a message, exit 2)."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"{type(exc).__name__}: {exc}"
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output, result.output
    return result.exit_code


def edited(name: str, old: str, new: str) -> dict[str, bytes | None]:
    """The tiny tables with one substring of ``seed/name`` replaced (a pinned example)."""
    files = {f"seed/{k}": _encode(v, "\n") for k, v in TINY_ROWS.items()}
    text = files[f"seed/{name}"].decode()
    assert old in text, (name, old)
    files[f"seed/{name}"] = text.replace(old, new, 1).encode()
    return files


def scenario_with(old: str, new: str) -> bytes:
    """The tiny scenario file with one substring replaced (a pinned example)."""
    text = (TINY / SCENARIO_FILE).read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1).encode()


# Minimal failing examples found by these properties and the fuzz run, fixed in
# graph/loader.py (see docs/hardening/properties.md, "Bugs found").
PINNED_TABLES = [
    edited("supplies.csv", ",2025,", ",99999999999999999999,"),  # OverflowError
    edited("supplies.csv", ",2025,", ",٢٠٢٥,"),  # \d matched, then TypeError
    edited("inputs.csv", ",0.2,", ",١,"),  # silently read as missing
    edited("sites.csv", ",100000,", ",1e999,"),  # inf accepted, SHACL rejects
    edited("fx_rates.csv", ",0.924,", ",0,"),  # rate 0 accepted, SHACL rejects
    edited("sites.csv", ",wafers/month,", ",wafers\r/month,"),  # csv.Error (fuzz run)
]
PINNED_SCENARIOS = [
    scenario_with("duration_weeks: 26", "duration_weeks: .inf"),  # inf accepted
    scenario_with("duration_weeks: 26", "duration_weeks: " + "9" * 400),  # OverflowError
    scenario_with("source_id: src-b", "source_id: [src-b]"),  # TypeError in the RDF build
    scenario_with("name: Taiwan blockade (test)", "name: {a: 1}"),  # SHACL rejects
    scenario_with("rationale: A test scenario.", "rationale: ' '"),  # empty rdfs literal
    scenario_with("rationale: A test scenario.", "rationale: ''"),  # found by the fuzz run
    scenario_with("severity: 0.9", "severity: " + "[" * 3000),  # RecursionError
]


def _pinned(examples: list, name: str):
    def deco(f):
        for x in examples:
            f = example(**{name: x})(f)
        return f

    return deco


# ---------------------------------------------------------------- properties

PROPS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_p00_the_unmutated_tiny_directory_loads_and_conforms():
    """The base case of every strategy: no mutation loads and passes SHACL."""
    files = {f"seed/{k}": _encode(v, "\n") for k, v in TINY_ROWS.items()}
    with data_dir(files) as d:
        assert load_outcome(d, files) == ("loaded", "conforms")


@PROPS
@given(files=mutated_tables())
@_pinned(PINNED_TABLES, "files")
def test_p01_loader_either_names_the_problem_or_shacl_conforms(files):
    """P01: DataErrors naming file (and line), or a graph with no SHACL shape violation."""
    with data_dir(files) as d:
        load_outcome(d, files)


@settings(PROPS, max_examples=30)
@given(files=mutated_tables(max_edits=1))
def test_p02_single_cell_edits(files):
    """P02: the same property for exactly one edit (shrinks to one cell or one row)."""
    with data_dir(files) as d:
        load_outcome(d, files)


_TABLES: list = []


def tiny_tables():
    """The tiny directory's checked tables, loaded once per process."""
    if not _TABLES:
        from chiprisk.graph.io.loader import load_tables

        _TABLES.append(load_tables(TINY))
    return _TABLES[0]


@settings(PROPS, max_examples=40)
@given(scenario=mutated_scenarios())
@_pinned(PINNED_SCENARIOS, "scenario")
def test_p03_scenario_file_is_checked_or_named(scenario):
    """P03: a scenario file loads to a Scenario with finite, simulable values, or
    DataErrors naming that file."""
    with tempfile.TemporaryDirectory(prefix="chiprisk-prop-") as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_bytes(scenario)
        check_scenario(tiny_tables(), path)


@settings(PROPS, max_examples=25)
@given(scenario=mutated_scenarios())
@_pinned(PINNED_SCENARIOS, "scenario")
def test_p04_scenarios_dir_loads_and_conforms_or_names_the_file(scenario):
    """P04: a mutated scenarios/*.yaml in a data dir: DataErrors naming it, or SHACL conforms."""
    with data_dir({}, scenario) as d:
        load_outcome(d, {})


@settings(PROPS, max_examples=15)
@given(files=mutated_tables(max_edits=2))
def test_p05_cli_summary_exits_0_1_2_without_traceback(files):
    """P05: ``chiprisk --data DIR summary`` on a mutated dir: exit 0/1/2, no traceback;
    exit 2 exactly when the loader rejects the directory."""
    with data_dir(files) as d:
        outcome, _ = load_outcome(d, files)
        code = check_cli(run_cli(d, "summary"))
    assert code == (2 if outcome == "error" else 0)


@settings(PROPS, max_examples=10)
@given(files=mutated_tables(max_edits=2))
def test_p06_cli_validate_exit_code_matches_the_report(files):
    """P06: ``chiprisk --data DIR validate``: 2 when the loader rejects, else 0 if SHACL
    and the rules conform and 1 if they report (never a traceback)."""
    with data_dir(files) as d:
        outcome, detail = load_outcome(d, files)
        code = check_cli(run_cli(d, "validate"))
    expected = 2 if outcome == "error" else (0 if detail == "conforms" else 1)
    assert code == expected
