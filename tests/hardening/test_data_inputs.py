"""Hardening, part A: bad data and bad arguments, each with the exact error.

The catalogue is docs/hardening/data-inputs.md: one row per case id (D01 ...),
naming the test below. Every case copies tests/fixtures/tiny, breaks one
thing and runs the public interfaces (the ``chiprisk`` CLI in-process and/or
``chiprisk.graph.load``). Each checks the message (file, line and column, or
the argument), the exit code (0 ok, 1 validation violations, 2 usage or data
errors), that no traceback escapes, that the input files are byte-identical
afterwards and that a failed run leaves nothing in the cache.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import chiprisk.graph as cg
from chiprisk.cli.main import cli
from chiprisk.graph.errors import DataErrors

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    """A private, initially empty cache for each case."""
    d = tmp_path / "cache"
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(d))
    return d


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable copy of the tiny data directory."""
    dest = tmp_path / "tiny"
    shutil.copytree(TINY, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def snapshot(*roots: Path) -> dict[str, bytes]:
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        out.update({str(p): p.read_bytes() for p in files})
    return out


def cached_files(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []


def cached_outputs(cache: Path) -> list[Path]:
    """Rendered outputs and temporary files in the cache (checked tables may be kept)."""
    return [p for p in cached_files(cache) if p.name.startswith(("out-", "."))]


def run(data_dir: Path | str | None, *args: str) -> Result:
    """Invoke the CLI in-process; fail on any exception that escaped as a traceback."""
    argv = (["--data", str(data_dir)] if data_dir is not None else []) + list(args)
    r = CliRunner().invoke(cli, argv, catch_exceptions=True)
    assert r.exception is None or isinstance(r.exception, SystemExit), (
        f"uncaught {r.exception!r}:\n{r.output}"
    )
    assert "Traceback" not in r.output
    return r


def bad(
    data_dir: Path | str,
    *args: str,
    code: int = 2,
    messages: tuple[str, ...] = (),
    cache: Path | None = None,
    extra: tuple[Path, ...] = (),
) -> Result:
    """Run a command that must fail; check its exit code, stderr, inputs and cache."""
    roots = [Path(data_dir), *extra] if Path(data_dir).exists() else list(extra)
    before = snapshot(*roots)
    r = run(data_dir, *(args or ("validate",)))
    assert r.exit_code == code, r.output
    for m in messages:
        assert m in (r.stderr if code == 2 else r.stdout), (m, r.output)
    if code == 2:
        assert r.stdout == "", r.stdout  # nothing half-printed on stdout
        if cache is not None:
            assert cached_outputs(cache) == []
    assert snapshot(*roots) == before, "an input file changed"
    return r


def api_errors(data_dir: Path | str) -> list[str]:
    """The problems ``chiprisk.graph.load`` reports, as strings."""
    with pytest.raises(DataErrors) as exc:
        cg.load(data_dir)
    return [str(e) for e in exc.value.errors]


def only(data_dir: Path, message: str, cache: Path, *args: str) -> None:
    """The data fail with exactly this one problem (the CLI prints ``str(DataErrors)``)."""
    r = bad(data_dir, *args, messages=(message,), cache=cache)
    assert r.stderr == f"1 problem(s) in the data:\n  {message}\n"
    assert cached_files(cache) == []  # nothing of bad data is cached


# ---------------------------------------------------------------- malformed CSV


def test_d01_not_utf8(data, cache_dir):
    p = data / "seed/organizations.csv"
    p.write_bytes(p.read_bytes().replace(b"NVIDIA", "NVIDIé".encode("latin-1")))
    only(data, "organizations.csv, line 4: is not UTF-8 (byte 0xe9)", cache_dir)


def test_d02_bom_is_accepted(data):
    p = data / "seed/organizations.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    kg = cg.load(data)
    assert list(kg.tables["organizations"]["id"])[:2] == ["asml", "jasm"]
    r = run(data, "validate")
    assert r.exit_code == 0 and "conforms" in r.stdout


def test_d03_empty_file(data, cache_dir):
    (data / "seed/supplies.csv").write_bytes(b"")
    only(data, "supplies.csv, line 1: is empty (expected a header row)", cache_dir)


def test_d04_header_only_file_is_an_empty_table(data):
    p = data / "seed/supplies.csv"
    p.write_text(p.read_text().splitlines()[0] + "\n")
    assert cg.load(data).counts()["supplies"] == 0
    assert run(data, "validate").exit_code == 0
    r = run(data, "concentration", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_d05_missing_required_column(data, cache_dir):
    p = data / "seed/supplies.csv"
    lines = p.read_text().splitlines()
    # drop the basis column (index 10) from every row
    p.write_text("\n".join(",".join(x.split(",")[:10] + x.split(",")[11:]) for x in lines) + "\n")
    only(data, "supplies.csv, line 1, column basis: required column is missing", cache_dir)


def test_d06_unknown_column(data, cache_dir):
    p = data / "seed/blocs.csv"
    p.write_text("id,name,members,source_id,owner\neu,European Union,NL;DE;FR,src-a,x\n")
    only(
        data,
        "blocs.csv, line 1, column owner: unknown column (expected: id, name, members, source_id)",
        cache_dir,
    )


@pytest.mark.parametrize("extra,n", [(",x", 15), (",x,y", 16)], ids=["one", "two"])
def test_d07_extra_field_in_first_row(data, cache_dir, extra, n):
    # used to shift every column (pandas took the first cells as the row index)
    edit(
        data / "seed/supplies.csv",
        ",revenue,2025,primary,src-a",
        f",revenue,2025,primary,src-a{extra}",
    )
    only(data, f"supplies.csv, line 2: malformed CSV: {n} fields, the header has 14", cache_dir)


def test_d08_extra_field_in_later_row(data, cache_dir):
    edit(
        data / "seed/supplies.csv", ",sourcing,2024,primary,src-a", ",sourcing,2024,primary,src-a,"
    )
    only(data, "supplies.csv, line 3: malformed CSV: 15 fields, the header has 14", cache_dir)


def test_d09_trailing_comma_on_every_row(data, cache_dir):
    p = data / "seed/organizations.csv"
    head, *rows = p.read_text().splitlines()
    p.write_text(head + "\n" + "".join(r + ",\n" for r in rows))
    only(data, "organizations.csv, line 2: malformed CSV: 8 fields, the header has 7", cache_dir)


def test_d10_short_row(data, cache_dir):
    # used to load: the missing trailing cells were read as empty
    edit(data / "seed/organizations.csv", "asml,ASML,NL,equipment,,Q297879,src-a", "asml,ASML,NL")
    only(data, "organizations.csv, line 2: malformed CSV: 3 fields, the header has 7", cache_dir)


def test_d11_unclosed_quote(data, cache_dir):
    # the scenario's source_id (src-b) must not be reported as unknown as well
    edit(data / "seed/sources.csv", ",Tiny test source B,", ',"Tiny test source B,')
    only(
        data,
        "sources.csv, line 3: malformed CSV: a quote opened on this line is never closed",
        cache_dir,
    )


def test_d12_unclosed_quote_after_a_quoted_newline(data, cache_dir):
    edit(data / "seed/sources.csv", "Tiny test source A", '"Tiny test\nsource A"')
    edit(data / "seed/sources.csv", ",Tiny test source B,", ',"Tiny test source B,')
    only(
        data,
        "sources.csv, line 4: malformed CSV: a quote opened on this line is never closed",
        cache_dir,
    )


def test_d13_stray_quote_inside_a_cell_is_kept(data):
    edit(data / "seed/organizations.csv", "asml,ASML,", 'asml,AS"ML,')
    assert cg.load(data).label("asml") == 'AS"ML'


def test_d14_huge_text_cell_loads(data):
    edit(data / "seed/sources.csv", "hand-made figures for tests", "x" * 10_000_000)
    t0 = time.perf_counter()
    r = run(data, "--no-cache", "info", "--format", "json")
    assert r.exit_code == 0
    assert time.perf_counter() - t0 < 10


def test_d15_huge_bad_cell_is_shortened(data, cache_dir):
    edit(
        data / "seed/supplies.csv",
        "s-euv-asml,asml,euv,,100,",
        f"s-euv-asml,asml,euv,,{'x' * 10_000_000},",
    )
    msg = (
        f"supplies.csv, line 2, column share: {'x' * 60!r}... (10000000 characters) is not a number"
    )
    assert msg in api_errors(data)
    r = bad(data, messages=(msg,), cache=cache_dir)
    assert len(r.stderr) < 1000


def test_d16_huge_number_is_not_finite(data, cache_dir):
    edit(
        data / "seed/supplies.csv",
        "s-euv-asml,asml,euv,,100,",
        f"s-euv-asml,asml,euv,,{'9' * 400},",
    )
    msg = (
        "supplies.csv, line 2, column share: "
        f"{'9' * 60!r}... (400 characters) is not a finite number"
    )
    assert msg in api_errors(data)
    bad(data, messages=(msg,), cache=cache_dir)


# ----------------------------------------------------------------- ids


def test_d17_duplicate_id(data, cache_dir):
    edit(data / "seed/organizations.csv", "nvidia,NVIDIA", "asml,NVIDIA")
    msg = "organizations.csv, line 4, column id: duplicate id 'asml' (first on line 2)"
    assert msg in api_errors(data)
    bad(data, messages=(msg,), cache=cache_dir)


def test_d18_duplicate_id_across_tables(data, cache_dir):
    edit(data / "seed/inputs.csv", "h100,H100", "tsmc,H100")
    msg = (
        "inputs.csv, line 3, column id: id 'tsmc' is already used in organizations.csv "
        "line 6 (ids are unique across tables)"
    )
    assert msg in api_errors(data)
    bad(data, messages=(msg,), cache=cache_dir)


def test_d19_id_not_a_slug(data, cache_dir):
    edit(data / "seed/sites.csv", "jasm-fab-1,JASM Fab 1", "JASM Fab 1,JASM Fab 1")
    msg = (
        "sites.csv, line 2, column id: 'JASM Fab 1' is not a lowercase slug id (like 'tsmc-fab-18')"
    )
    assert msg in api_errors(data)
    bad(data, messages=(msg,), cache=cache_dir)


def test_d20_duplicate_requirement(data, cache_dir):
    append(data / "seed/requirements.csv", "h100,logic,src-b")
    only(
        data,
        "requirements.csv, line 4, column product: duplicate product/input 'h100/logic' "
        "(first on line 2)",
        cache_dir,
    )


def test_d21_reserved_other_as_id(data, cache_dir):
    edit(data / "seed/organizations.csv", "nvidia,NVIDIA", "other,NVIDIA")
    msg = "organizations.csv, line 4, column id: 'other' is reserved for the residual"
    assert msg in api_errors(data)
    bad(data, messages=(msg,), cache=cache_dir)


# ----------------------------------------------------------- dangling references


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "supplies.csv",
            "s-euv-asml,asml,",
            "s-euv-asml,asmll,",
            "supplies.csv, line 2, column supplier: unknown id 'asmll' (expected an id in "
            "organizations.csv or an id in sites.csv or an ISO country code or 'other')",
        ),
        (
            "supplies.csv",
            "s-euv-asml,asml,euv,",
            "s-euv-asml,asml,euvv,",
            "supplies.csv, line 2, column input: unknown id 'euvv' (expected an id in inputs.csv)",
        ),
        (
            "supplies.csv",
            "s-logic-kr,KR,",
            "s-logic-kr,XX,",
            "supplies.csv, line 4, column supplier: unknown id 'XX' (expected an id in "
            "organizations.csv or an id in sites.csv or an ISO country code or 'other')",
        ),
        (
            "sites.csv",
            "JASM Fab 1,jasm,",
            "JASM Fab 1,jsm,",
            "sites.csv, line 2, column operator: unknown id 'jsm' (expected an id in "
            "organizations.csv)",
        ),
        (
            "organizations.csv",
            "jasm,JASM,JP,foundry,tsmc,",
            "jasm,JASM,JP,foundry,tsmcc,",
            "organizations.csv, line 3, column parent: unknown id 'tsmcc' (expected an id in "
            "organizations.csv)",
        ),
        (
            "requirements.csv",
            "h100,logic,",
            "h100,logik,",
            "requirements.csv, line 2, column input: unknown id 'logik' (expected an id in "
            "inputs.csv)",
        ),
        (
            "policy_actions.csv",
            "pa-jasm,jp-jasm-aid,funds,jasm-fab-1,",
            "pa-jasm,jp-jasm-aid,funds,jasm-fab-9,",
            "policy_actions.csv, line 3, column target: unknown id 'jasm-fab-9' (expected an id "
            "in sites.csv or an id in organizations.csv or an id in inputs.csv or an ISO "
            "country code or an id in blocs.csv)",
        ),
        (
            "policy_actions.csv",
            "pa-eu-act,eu-act,",
            "pa-eu-act,eu-ac,",
            "policy_actions.csv, line 2, column policy: unknown id 'eu-ac' (expected an id in "
            "policies.csv)",
        ),
        (
            "blocs.csv",
            ",src-a",
            ",src-z",
            "blocs.csv, line 2, column source_id: unknown id 'src-z' (expected an id in "
            "sources.csv)",
        ),
    ],
    ids=[
        "supplier",
        "input",
        "country",
        "operator",
        "parent",
        "requires",
        "target",
        "policy",
        "source",
    ],
)
def test_d22_dangling_reference(data, cache_dir, file, old, new, message):
    edit(data / "seed" / file, old, new)
    only(data, message, cache_dir)


# ------------------------------------------------------------------ shares


@pytest.mark.parametrize(
    "value,message",
    [
        ("-5", "-5 is below the allowed range 0..100"),
        ("130", "130 is above the allowed range 0..100"),
        ("ninety", "'ninety' is not a number"),
        ("90%", "'90%' is not a number"),
        ("NaN", "'NaN' is not a number"),
        ("inf", "'inf' is not a number"),
        ("1e400", "'1e400' is not a finite number"),
    ],
    ids=["negative", "over-100", "text", "percent-sign", "nan", "inf", "overflow"],
)
def test_d23_share_out_of_range(data, cache_dir, value, message):
    edit(data / "seed/supplies.csv", "s-euv-asml,asml,euv,,100,", f"s-euv-asml,asml,euv,,{value},")
    msg = f"supplies.csv, line 2, column share: {message}"
    assert api_errors(data)[0] == msg
    bad(data, messages=(msg,), cache=cache_dir)


def test_d24_share_range_reversed(data, cache_dir):
    edit(data / "seed/supplies.csv", "s-euv-asml,asml,euv,,100,,,", "s-euv-asml,asml,euv,,,90,80,")
    only(
        data,
        "supplies.csv, line 2, column share_min: share_min 90 is greater than share_max 80",
        cache_dir,
    )


def test_d25_share_sum_below_98(data):
    edit(data / "seed/supplies.csv", "s-euv-asml,asml,euv,,100,", "s-euv-asml,asml,euv,,60,")
    r = bad(
        data,
        code=1,
        messages=(
            "[share-sum] euv (revenue, 2025) = 60: shares sum to 60, below 98: "
            "add an 'other' row for the residual",
        ),
    )
    assert r.stdout.startswith("1 violation(s):")


def test_d26_share_sum_above_102(data):
    edit(
        data / "seed/supplies.csv",
        "s-logic-samsung,samsung,logic,,10,",
        "s-logic-samsung,samsung,logic,,50,",
    )
    r = bad(
        data,
        code=1,
        messages=("[share-sum] logic (revenue, 2024) = 140: shares sum to 140, above 102",),
    )
    rows = json.loads(run(data, "validate", "--format", "json").stdout)
    assert [(x["rule"], x["value"]) for x in rows] == [("share-sum", "140")]
    assert r.stdout.startswith("1 violation(s):")


def test_d27_bases_and_levels_are_never_mixed(data):
    """One input with revenue and capacity rows, firm and country rows: scored apart."""
    for row in (
        "s-logic-cap-samsung,samsung,logic,,40,,,,,,capacity,2024,primary,src-a",
        "s-logic-cap-tsmc,tsmc,logic,,60,,,,,,capacity,2024,primary,src-a",
        "s-logic-rev-tw,TW,logic,,92,,,,,,revenue,2024,primary,src-a",
        "s-logic-rev-kr,KR,logic,,8,,,,,,revenue,2024,primary,src-a",
    ):
        append(data / "seed/supplies.csv", row)
    assert run(data, "validate").exit_code == 0  # 100 + 100 + 100, never 200
    r = run(
        data,
        "concentration",
        "--input",
        "logic",
        "--by",
        "all",
        "--year",
        "2024",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    hhi = {(x["lens"], x["basis"]): x["hhi"] for x in json.loads(r.stdout)}
    assert hhi[("firm", "revenue")] == pytest.approx(90**2 + 10**2)
    assert hhi[("firm", "capacity")] == pytest.approx(60**2 + 40**2)
    assert hhi[("country", "revenue")] == pytest.approx(92**2 + 8**2)


# ------------------------------------------------------------------ cycles


def test_d28_requirement_cycle(data, cache_dir):
    append(data / "seed/requirements.csv", "euv,h100,src-a")
    only(
        data,
        "requirements.csv, line 4, column input: cycle: h100 -> logic -> euv -> h100 "
        "(each requires the next)",
        cache_dir,
    )


def test_d29_self_requirement(data, cache_dir):
    append(data / "seed/requirements.csv", "euv,euv,src-a")
    only(
        data,
        "requirements.csv, line 4, column input: cycle: euv -> euv (each requires the next)",
        cache_dir,
    )


def test_d30_taxonomy_cycle(data, cache_dir):
    edit(
        data / "seed/inputs.csv",
        "euv,EUV lithography,equipment,tool,,",
        "euv,EUV lithography,equipment,tool,logic,",
    )
    edit(
        data / "seed/inputs.csv",
        "logic,Leading-edge logic,fabrication,process,,",
        "logic,Leading-edge logic,fabrication,process,euv,",
    )
    only(
        data,
        "inputs.csv, line 4, column is_type_of: cycle: euv -> logic -> euv "
        "(each is a type of the next)",
        cache_dir,
    )


# ------------------------------------------------------------ years and codes


@pytest.mark.parametrize(
    "value,message",
    [
        ("2150", "2150 is above the allowed range 1950..2100"),
        ("1900", "1900 is below the allowed range 1950..2100"),
        ("2024.5", "'2024.5' is not a whole number"),
        ("2024.0", "'2024.0' is not a whole number"),
        ("20x5", "'20x5' is not a whole number"),
        ("9" * 30, f"{'9' * 30!r} is too large"),
    ],
    ids=["future", "past", "fraction", "float-form", "typo", "overflow"],
)
def test_d31_bad_year(data, cache_dir, value, message):
    edit(data / "seed/supplies.csv", ",revenue,2025,", f",revenue,{value},")
    only(data, f"supplies.csv, line 2, column year: {message}", cache_dir)


def test_d32_near_future_year_is_a_forecast(data):
    edit(data / "seed/supplies.csv", ",revenue,2025,primary,", ",revenue,2031,estimate,")
    assert run(data, "validate").exit_code == 0


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "organizations.csv",
            "tsmc,TSMC,TW",
            "tsmc,TSMC,XX",
            "organizations.csv, line 6, column hq_country: 'XX' is not an ISO 3166-1 alpha-2 "
            "country code",
        ),
        (
            "organizations.csv",
            "tsmc,TSMC,TW",
            "tsmc,TSMC,tw",
            "organizations.csv, line 6, column hq_country: 'tw' is not an ISO 3166-1 alpha-2 "
            "country code",
        ),
        (
            "sites.csv",
            "tsmc,TW,Tainan",
            "tsmc,TWN,Tainan",
            "sites.csv, line 3, column country: 'TWN' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            "blocs.csv",
            "NL;DE;FR",
            "NL;XX;FR",
            "blocs.csv, line 2, column members: 'XX' is not an ISO 3166-1 code",
        ),
        (
            "policies.csv",
            "jp-jasm-aid,Japan aid to JASM,JP,",
            "jp-jasm-aid,Japan aid to JASM,JPN,",
            "policies.csv, line 3, column jurisdiction: unknown id 'JPN' (expected an ISO "
            "country code or an id in blocs.csv)",
        ),
    ],
    ids=["unknown", "lower-case", "alpha-3", "bloc-member", "jurisdiction"],
)
def test_d33_bad_country_code(data, cache_dir, file, old, new, message):
    edit(data / "seed" / file, old, new)
    only(data, message, cache_dir)


# ------------------------------------------------------------------ scenarios

SCENARIO = "scenarios/tw-blockade.yaml"


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("country:TW", "site:nowhere", "column targets: 'site:nowhere': unknown site id 'nowhere'"),
        ("country:TW", "country:XX", "column targets: 'country:XX': not an ISO country code"),
        (
            "country:TW",
            "planet:mars",
            "column targets: 'planet:mars': kind must be one of country, bloc, org, site, input",
        ),
        ("[country:TW]", "country:TW", "column targets: expected a list of 'kind:id' strings"),
        ("probability: 0.01", "probability: 1.5", "column probability: 1.5 is outside 0..1"),
        ("probability: 0.01", "probability: -0.1", "column probability: -0.1 is outside 0..1"),
        ("severity: 0.9", "severity: 1.2", "column severity: 1.2 is outside 0..1"),
        ("severity: 0.9", "severity: -0.5", "column severity: -0.5 is outside 0..1"),
        ("severity: 0.9", "severity: high", "column severity: 'high' is not a finite number"),
        ("severity: 0.9", "severity: .nan", "column severity: nan is not a finite number"),
        ("source_id: src-b", "source_id: src-z", "column source_id: unknown source id 'src-z'"),
        (
            "id: tw-blockade",
            "id: TW Blockade",
            "column id: 'TW Blockade' is not a lowercase slug id",
        ),
        ("id: tw-blockade", "id: tsmc", "column id: id 'tsmc' is already used"),
        (
            "rationale:",
            "reason:",
            "column reason: unknown key (expected: id, name, targets, severity, duration_weeks, "
            "probability, rationale, source_id, inventory_weeks, recovery_weeks, start_week, "
            "overrides)",
        ),
    ],
    ids=[
        "unknown-target",
        "bad-country",
        "bad-kind",
        "targets-not-list",
        "probability-high",
        "probability-negative",
        "severity-high",
        "severity-negative",
        "severity-text",
        "severity-nan",
        "unknown-source",
        "id-not-slug",
        "id-taken",
        "unknown-key",
    ],
)
def test_d34_bad_scenario_field(data, cache_dir, old, new, message):
    edit(data / SCENARIO, old, new)
    only(data, f"{SCENARIO}, {message}", cache_dir)


def test_d35_broken_yaml(data, cache_dir):
    (data / SCENARIO).write_text("id: [unclosed\n")
    only(
        data,
        f"{SCENARIO}, line 2: broken YAML: expected ',' or ']', but got '<stream end>'",
        cache_dir,
    )


def test_d36_unsafe_yaml_tag(data, cache_dir):
    (data / SCENARIO).write_text("!!python/object/apply:os.system ['true']\n")
    only(
        data,
        f"{SCENARIO}, line 1: broken YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
        cache_dir,
    )


@pytest.mark.parametrize(
    "text", ["- a\n- b\n", "just text\n", "", "42\n"], ids=["list", "string", "empty", "number"]
)
def test_d37_yaml_not_a_mapping(data, cache_dir, text):
    (data / SCENARIO).write_text(text)
    only(data, f"{SCENARIO}: expected a mapping of scenario fields", cache_dir)


def test_d38_yaml_not_utf8(data, cache_dir):
    (data / SCENARIO).write_bytes(b"id: tw\xff\n")
    only(data, f"{SCENARIO}, line 1: is not UTF-8 (byte 0xff)", cache_dir)


def test_d39_duplicate_scenario_id(data, cache_dir):
    shutil.copy(data / SCENARIO, data / "scenarios/copy.yaml")
    errs = api_errors(data)
    assert errs == [
        "scenarios/copy.yaml, column id: duplicate scenario id 'tw-blockade'",
        f"{SCENARIO}, column id: duplicate scenario id 'tw-blockade'",
    ]
    bad(data, messages=tuple(errs), cache=cache_dir)


def test_d40_scenario_file_argument(data, tmp_path, cache_dir):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "id: mine\nname: M\ntargets: [org:nope]\nseverity: 2\nprobability: 0.1\nsource_id: src-a\n"
    )
    bad(
        data,
        "simulate",
        str(f),
        messages=(
            f"{f}, column severity: 2 is outside 0..1",
            f"{f}, column targets: 'org:nope': unknown org id 'nope'",
        ),
        extra=(f,),
    )
    f.write_text("- not a mapping\n")
    bad(
        data,
        "simulate",
        str(f),
        messages=(f"{f}: expected a mapping of scenario fields",),
        extra=(f,),
    )


def test_d41_scenario_file_missing(data, tmp_path, cache_dir):
    missing = tmp_path / "nope.yaml"
    r = bad(
        data,
        "simulate",
        str(missing),
        messages=(f"error: scenario file '{missing}' does not exist",),
    )
    assert not missing.exists() and "unknown scenario" not in r.stderr


# ------------------------------------------------------------------ money


def test_d42_bad_currency_code(data, cache_dir):
    edit(data / "seed/policy_actions.csv", "476000000000,JPY,", "476000000000,YEN,")
    only(
        data,
        "policy_actions.csv, line 3, column currency: 'YEN' is not an ISO 4217 currency code",
        cache_dir,
    )


def test_d43_amount_without_currency(data, cache_dir):
    edit(data / "seed/policy_actions.csv", "476000000000,JPY,", "476000000000,,")
    only(
        data,
        "policy_actions.csv, line 3, column currency: amount is set but has no currency",
        cache_dir,
    )


def test_d44_capacity_without_unit(data, cache_dir):
    edit(data / "seed/policy_actions.csv", ",55000,wafers/month,", ",55000,,")
    only(
        data,
        "policy_actions.csv, line 3, column capacity_unit: adds_capacity is set but has no unit",
        cache_dir,
    )


def test_d45_no_fx_rate_for_a_data_currency_is_reported_not_guessed(data):
    edit(data / "seed/policy_actions.csv", "476000000000,JPY,", "476000000000,KRW,")
    r = run(
        data,
        "whatif",
        "--policy",
        "jp-jasm-aid",
        "--year",
        "2030",
        "--runs",
        "200",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    act = next(x for x in json.loads(r.stdout) if x["section"] == "actions")
    assert act["amount_usd"] is None
    assert act["fx"] == "no exchange rate for 'KRW' in fx_rates.csv (have: EUR, JPY)"


@pytest.mark.parametrize("currency", ["GBP", "eur", "nope"])
def test_d46_currency_argument_without_rate(data, cache_dir, currency):
    # used to exit 0 with an empty money column
    bad(
        data,
        "policies",
        "--currency",
        currency,
        messages=(
            f"error: --currency {currency!r}: no exchange rate for {currency!r} in fx_rates.csv "
            "(have: EUR, JPY)",
        ),
        cache=cache_dir,
    )
    bad(
        data,
        "whatif",
        "--policy",
        "jp-jasm-aid",
        "--year",
        "2030",
        "--currency",
        currency,
        messages=("error: --currency",),
    )


# -------------------------------------------------------------- CLI arguments


@pytest.mark.parametrize(
    "args,message",
    [
        (["--disrupt", "country:XX"], "error: --disrupt 'country:XX': not an ISO country code"),
        (
            ["--disrupt", "nonsense"],
            "error: --disrupt 'nonsense': kind must be one of country, bloc, org, site, input",
        ),
        (["--disrupt", "org:nope"], "error: --disrupt 'org:nope': unknown org id 'nope'"),
        (["--disrupt", "site:"], "error: --disrupt 'site:': unknown site id ''"),
        (
            ["--disrupt", "country:TW", "--severity", "2"],
            "error: severity must be in 0..1, got 2.0",
        ),
        (
            ["--disrupt", "country:TW", "--severity", "-1"],
            "error: severity must be in 0..1, got -1.0",
        ),
        (
            ["--disrupt", "country:TW", "--severity", "nan"],
            "error: severity must be in 0..1, got nan",
        ),
        (
            ["--disrupt", "country:TW", "--severity", "abc"],
            "Error: Invalid value for '--severity': 'abc' is not a valid float.",
        ),
        (
            ["--disrupt", "country:TW", "--year", "abc"],
            "Error: Invalid value for '--year': 'abc' is not a valid integer.",
        ),
        (
            ["--disrupt", "country:TW", "--duration-weeks", "-1"],
            "error: duration_weeks must be in >= 0, got -1.0",
        ),
        (
            ["--disrupt", "country:TW", "--spare", "-1"],
            "error: spare capacity must be >= 0, got -1.0",
        ),
        ([], "error: give a scenario id or file, or --disrupt kind:id"),
        (["tw-blokade"], "error: unknown scenario 'tw-blokade'. Did you mean: tw-blockade?"),
    ],
    ids=[
        "country-XX",
        "nonsense",
        "unknown-org",
        "empty-id",
        "severity-2",
        "severity-negative",
        "severity-nan",
        "severity-text",
        "year-text",
        "duration-negative",
        "spare-negative",
        "nothing",
        "scenario-typo",
    ],
)
def test_d47_simulate_bad_argument(data, cache_dir, args, message):
    bad(data, "simulate", *args, messages=(message,), cache=cache_dir)


@pytest.mark.parametrize(
    "value,message",
    [
        ("JP:logic", "expected SITE-OR-COUNTRY:INPUT:AMOUNT"),
        ("JP:logic:5:6", "expected SITE-OR-COUNTRY:INPUT:AMOUNT"),
        ("JP:logic:lots", "'lots' is not a number"),
        ("JP:logic:-5", "the amount must be >= 0"),
        ("JP:logic:inf", "the amount must be >= 0"),
        ("XX:logic:5", "'XX' is not a site, org or country code"),
        ("JP:nope:5", "unknown input 'nope'"),
    ],
    ids=["two-parts", "four-parts", "text", "negative", "inf", "bad-target", "bad-input"],
)
def test_d48_add_capacity_malformed(data, cache_dir, value, message):
    bad(
        data,
        "whatif",
        "--add-capacity",
        value,
        "--year",
        "2030",
        messages=(f"error: --add-capacity {value!r}: {message}",),
        cache=cache_dir,
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["concentration", "--input", "nope"],
            "error: unknown input id(s): 'nope' (see inputs.csv for the ids",
        ),
        (
            ["concentration", "--stage", "nope"],
            "error: unknown stage 'nope' (expected one of: design, equipment, materials, "
            "fabrication, memory, packaging, product)",
        ),
        (
            ["concentration", "--basis", "nope"],
            "error: unknown basis 'nope' (expected one of: revenue, capacity, shipments, units, "
            "sourcing)",
        ),
        (
            ["concentration", "--year", "abc"],
            "Error: Invalid value for '--year': 'abc' is not a valid integer.",
        ),
        (
            ["concentration", "--by", "planet"],
            "Error: Invalid value for '--by': 'planet' is not one of "
            "'firm', 'hq', 'site', 'country', 'all'.",
        ),
        (["chokepoints", "--product", "nope"], "error: unknown entity 'nope'."),
        (["exposure", "tsmc"], "error: unknown product 'tsmc'; products: h100"),
        (["whatif", "--policy", "nope", "--year", "2030"], "error: unknown policy 'nope'."),
        # whatif has the default year (this calendar year) since issue 18
        (["whatif", "--policy", "nope"], "error: unknown policy 'nope'."),
        (
            ["summary", "--year", "abc"],
            "Error: Invalid value for '--year': 'abc' is not a valid integer.",
        ),
    ],
    ids=[
        "unknown-input",
        "unknown-stage",
        "unknown-basis",
        "year-text",
        "unknown-lens",
        "unknown-product",
        "not-a-product",
        "unknown-policy",
        "no-year-unknown-policy",
        "summary-year-text",
    ],
)
def test_d49_unknown_argument(data, cache_dir, args, message):
    bad(data, *args, messages=(message,), cache=cache_dir)


# ------------------------------------------------------------ data directories


def test_d50_data_dir_does_not_exist(tmp_path, cache_dir):
    missing = tmp_path / "nowhere"
    bad(
        missing,
        "summary",
        messages=(f"Error: Invalid value for '--data': Directory '{missing}' does not exist.",),
    )
    # the Python API: a DataErrors naming the path (used to be a bare NotADataDir exception)
    assert api_errors(missing) == [f"{missing}: is not a directory"]
    assert not missing.exists() and cached_files(cache_dir) == []


def test_d51_data_dir_is_a_file(data, cache_dir):
    f = data / "seed/sources.csv"
    assert api_errors(f) == [f"{f}: is not a directory"]
    bad(f, "summary", messages=(f"Error: Invalid value for '--data': Directory '{f}' is a file.",))


def test_d52_required_table_missing(data, cache_dir):
    (data / "seed/supplies.csv").unlink()
    only(data, "supplies.csv: required file is missing", cache_dir, "summary")


def test_d53_empty_data_dir(tmp_path, cache_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    errs = [
        "sources.csv: required file is missing",
        "organizations.csv: required file is missing",
        "inputs.csv: required file is missing",
        "supplies.csv: required file is missing",
    ]
    assert api_errors(empty) == errs
    bad(empty, "summary", messages=tuple(errs), cache=cache_dir)
    assert list(empty.iterdir()) == []


def test_d54_optional_table_missing_is_fine(data):
    (data / "seed/policy_actions.csv").unlink()
    (data / "seed/fx_rates.csv").unlink()
    r = run(data, "policies", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {x["policy"] for x in json.loads(r.stdout)} == {"eu-act", "jp-jasm-aid"}


def test_d55_errors_are_all_reported_at_once(data, cache_dir):
    edit(data / "seed/organizations.csv", "tsmc,TSMC,TW", "tsmc,TSMC,XX")
    edit(data / "seed/supplies.csv", "s-euv-asml,asml,euv,,100,", "s-euv-asml,asml,euv,,130,")
    (data / SCENARIO).write_text("- a\n")
    errs = api_errors(data)
    assert errs == [
        "organizations.csv, line 6, column hq_country: 'XX' is not an ISO 3166-1 alpha-2 "
        "country code",
        "supplies.csv, line 2, column share: 130 is above the allowed range 0..100",
        f"{SCENARIO}: expected a mapping of scenario fields",
    ]
    r = bad(data, "summary", messages=tuple(errs), cache=cache_dir)
    assert r.stderr.startswith("3 problem(s) in the data:\n")
