"""Loading checks: every bad row is named by file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.datadir import data_hash
from chiprisk.graph.io.loader import load_tables


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(data_dir: Path) -> list[str]:
    with pytest.raises(DataErrors) as exc:
        load_tables(data_dir)
    return [str(e) for e in exc.value.errors]


def test_tiny_loads_typed(tiny_dir):
    t = load_tables(tiny_dir)
    assert list(t["supplies"]["share"])[:1] == [100.0]
    assert t["sites"]["start_year"].dtype.name == "Int64"
    assert t.kind_of("tsmc-fab-18") == "sites"
    assert t.kind_of("TW") == "countries"
    assert t.kind_of("other") == "residual"
    assert t.kind_of("nope") is None
    assert list(t.scenarios["id"]) == ["tw-blockade"]


def test_hash_of_loader_equals_light_hash(tiny_dir):
    assert load_tables(tiny_dir).data_hash == data_hash(tiny_dir)


def test_missing_column(tiny_dir):
    _edit(tiny_dir / "seed/supplies.csv", ",basis,", ",basis_x,")
    errs = _errors(tiny_dir)
    assert "supplies.csv, line 1, column basis_x: unknown column" in errs[0]
    assert any("column basis: required column is missing" in e for e in errs)


def test_unknown_id(tiny_dir):
    _edit(tiny_dir / "seed/supplies.csv", "s-euv-asml,asml,", "s-euv-asml,asmll,")
    (err,) = _errors(tiny_dir)
    assert err.startswith("supplies.csv, line 2, column supplier: unknown id 'asmll'")


def test_share_out_of_range(tiny_dir):
    _edit(tiny_dir / "seed/supplies.csv", "s-euv-asml,asml,euv,,100,", "s-euv-asml,asml,euv,,130,")
    (err,) = _errors(tiny_dir)
    assert err == "supplies.csv, line 2, column share: 130 is above the allowed range 0..100"


def test_duplicate_id(tiny_dir):
    _edit(tiny_dir / "seed/organizations.csv", "nvidia,NVIDIA", "asml,NVIDIA")
    errs = _errors(tiny_dir)
    assert "organizations.csv, line 4, column id: duplicate id 'asml' (first on line 2)" in errs


def test_duplicate_id_across_tables(tiny_dir):
    _edit(tiny_dir / "seed/inputs.csv", "euv,EUV", "asml,EUV")
    errs = _errors(tiny_dir)
    assert any(
        e.startswith("inputs.csv, line 2, column id: id 'asml' is already used in organizations")
        for e in errs
    )


def test_malformed_year(tiny_dir):
    _edit(tiny_dir / "seed/supplies.csv", ",revenue,2025,", ",revenue,20x5,")
    (err,) = _errors(tiny_dir)
    assert err == "supplies.csv, line 2, column year: '20x5' is not a whole number"


def test_bad_country_and_enum(tiny_dir):
    _edit(tiny_dir / "seed/organizations.csv", "nvidia,NVIDIA,US,designer", "nvidia,NVIDIA,XX,chef")
    errs = _errors(tiny_dir)
    assert (
        "organizations.csv, line 4, column hq_country: 'XX' is not an ISO 3166-1 alpha-2 "
        "country code" in errs
    )
    assert any("line 4, column roles: 'chef' is not one of" in e for e in errs)


def test_line_numbers_survive_quoted_newlines(tiny_dir):
    _edit(
        tiny_dir / "seed/sources.csv",
        "hand-made figures for tests",
        '"two\nlines"',
    )
    _edit(tiny_dir / "seed/organizations.csv", "tsmc,TSMC,TW", "tsmc,TSMC,ZZ")
    (err,) = _errors(tiny_dir)
    assert err.startswith("organizations.csv, line 6, column hq_country")


def test_requirement_cycle(tiny_dir):
    with (tiny_dir / "seed/requirements.csv").open("a") as f:
        f.write("euv,h100,src-a\n")
    (err,) = _errors(tiny_dir)
    assert err.startswith("requirements.csv, line 4, column input: cycle:")


def test_not_utf8(tiny_dir):
    p = tiny_dir / "seed/organizations.csv"
    p.write_bytes(p.read_bytes().replace(b"NVIDIA", b"NVID\xff"))
    (err,) = _errors(tiny_dir)
    assert err == "organizations.csv, line 4: is not UTF-8 (byte 0xff)"


def test_bom_is_tolerated(tiny_dir):
    p = tiny_dir / "seed/organizations.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert len(load_tables(tiny_dir)["organizations"]) == 5


def test_empty_and_missing_files(tiny_dir):
    (tiny_dir / "seed/supplies.csv").write_text("")
    (tiny_dir / "seed/inputs.csv").unlink()
    errs = _errors(tiny_dir)
    assert "supplies.csv, line 1: is empty (expected a header row)" in errs
    assert "inputs.csv: required file is missing" in errs


def test_scenario_errors(tiny_dir):
    p = tiny_dir / "scenarios/tw-blockade.yaml"
    p.write_text(p.read_text().replace("country:TW", "site:nowhere").replace("0.01", "1.5"))
    errs = _errors(tiny_dir)
    assert "scenarios/tw-blockade.yaml, column probability: 1.5 is outside 0..1" in errs
    assert any("'site:nowhere': unknown site id 'nowhere'" in e for e in errs)


def test_broken_yaml(tiny_dir):
    (tiny_dir / "scenarios/tw-blockade.yaml").write_text("id: [unclosed\n")
    (err,) = _errors(tiny_dir)
    assert err.startswith("scenarios/tw-blockade.yaml, line 2: broken YAML")


def test_builtin_data_loads():
    t = load_tables()
    assert t.origin == "built-in"
    assert "euv-lithography" in set(t["inputs"]["id"])


def test_two_blank_ids_are_an_error_not_a_crash(tiny_dir):
    """Blank key cells repeat each other: reported with the line of the first (was a KeyError)."""
    _edit(tiny_dir / "seed/organizations.csv", "nvidia,NVIDIA", ",NVIDIA")
    _edit(tiny_dir / "seed/organizations.csv", "asml,", ",")
    errs = _errors(tiny_dir)
    assert any("column id: duplicate id '' (first on line 2)" in e for e in errs), errs
