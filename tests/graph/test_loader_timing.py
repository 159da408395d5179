"""The stock-and-flow columns and scenario overrides: checked, with named errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.io.scenario_overrides import check_overrides

from .algorithms.test_weekly import INPUT_HEAD, chain


def errors_of(root: Path) -> list[str]:
    with pytest.raises(DataErrors) as exc:
        load_tables(root)
    return [str(e) for e in exc.value.errors]


def test_service_decay_needs_an_installed_input(tmp_path):
    d = chain(tmp_path / "d", raw="consumable,,,,0.2")
    assert any(
        "inputs.csv, line 2, column service_decay_per_year" in e and "'installed'" in e
        for e in errors_of(d)
    )


def test_values_need_a_timing_source(tmp_path):
    d = chain(tmp_path / "d", raw="installed,4,,,0.2")
    text = (d / "inputs.csv").read_text().replace("0.2,src,src", "0.2,,src")
    (d / "inputs.csv").write_text(text)
    assert any("column timing_source_id" in e for e in errors_of(d))


def test_flow_is_an_enum_and_buffers_are_not_negative(tmp_path):
    d = chain(tmp_path / "d", raw="rented,-1,,,")
    errs = errors_of(d)
    assert any("column flow" in e for e in errs) and any("column buffer_weeks" in e for e in errs)
    assert INPUT_HEAD.startswith("id,")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"nope": {"buffer_weeks": 1}}, "unknown input id 'nope'"),
        ({"raw": {"colour": 1}}, "unknown column"),
        ({"raw": {"buffer_weeks": -2}}, "-2 is outside >= 0"),
        ({"raw": {"service_decay_per_year": 2}}, "2 is outside 0..1"),
        ({"raw": {"flow": "rented"}}, "is not one of consumable, installed"),
        ([1, 2], "expected a mapping"),
    ],
)
def test_bad_overrides_are_named(tmp_path, value, message):
    t = load_tables(chain(tmp_path / "d"))
    errors: list = []
    assert check_overrides(value, "s.yaml", errors, t) is None
    assert any(message in str(e) and "s.yaml" in str(e) for e in errors), errors


def test_scenario_file_with_start_week_and_overrides(tmp_path):
    from chiprisk.graph.algorithms.scenarios import load_scenario_file

    d = chain(tmp_path / "d")
    f = tmp_path / "s.yaml"
    f.write_text(
        "id: s\nname: S\ntargets: [input:raw]\nseverity: 1\nduration_weeks: 4\n"
        "probability: 0.1\nsource_id: src\nstart_week: 3\n"
        "overrides:\n  raw: {buffer_weeks: 2, flow: consumable}\n"
    )
    sc = load_scenario_file(f, load_tables(d))
    assert sc.start_week == 3.0 and '"buffer_weeks": 2.0' in sc.overrides
