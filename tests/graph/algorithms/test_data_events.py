"""Failure probabilities as data (events.csv): loaded, checked and drawn by Monte Carlo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chiprisk.graph.algorithms.data_events import data_events
from chiprisk.graph.algorithms.montecarlo import montecarlo
from chiprisk.graph.algorithms.scenarios import Scenario, named_scenarios
from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.loader import load_tables

TINY = Path(__file__).parents[2] / "fixtures" / "tiny"
HEADER = "id,target,probability,duration_weeks,severity,source_id,note"


def _dir(tmp_path: Path, rows: list[str], scenarios: bool = True) -> Path:
    d = tmp_path / "data"
    shutil.copytree(TINY, d)
    if not scenarios:
        shutil.rmtree(d / "scenarios")
    (d / "seed" / "events.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return d


def test_rows_become_events_with_defaults(tmp_path):
    t = load_tables(
        _dir(tmp_path, ["ev-asml,asml,0.5,26,,src-a,", "ev-fab,jasm-fab-1,0.1,,,src-a,"])
    )
    evs = data_events(t)
    assert [e.targets for e in evs] == [("org:asml",), ("site:jasm-fab-1",)]
    assert [(e.probability, e.duration_weeks, e.severity) for e in evs] == [
        (0.5, 26.0, 1.0),
        (0.1, 52.0, 1.0),
    ]


def test_montecarlo_draws_them_alongside_named_scenarios(tmp_path):
    t = load_tables(_dir(tmp_path, ["ev-asml,asml,0.5,26,,src-a,"]))
    df = montecarlo(t, runs=4000, seed=7)
    assert [e for e, _p in df.attrs["events"]] == [s.id for s in named_scenarios(t)] + ["ev-asml"]
    # the same as giving the event as a scenario: it hits what org:asml hits
    same = Scenario("ev-asml", "asml event", ("org:asml",), 1.0, duration_weeks=26, probability=0.5)
    explicit = montecarlo(t, [*named_scenarios(t), same], runs=4000, seed=7)
    assert df.equals(explicit)


def test_events_alone_give_the_expected_loss(tmp_path):
    t = load_tables(_dir(tmp_path, ["ev-asml,asml,0.5,26,,src-a,"], scenarios=False))
    row = montecarlo(t, runs=20_000, seed=1).set_index("node").loc["h100"]
    assert abs(row["eud"] - 0.5 * 26 / 52) <= 4 * row["eud_se"]  # ASML is h100's only EUV maker


@pytest.mark.parametrize(
    "row, word",
    [
        ("ev-x,asml,1.5,26,,src-a,", "above the allowed range"),
        ("ev-x,nobody,0.1,26,,src-a,", "nobody"),
        ("ev-x,asml,,26,,src-a,", "probability"),
    ],
)
def test_loader_checks_the_rows(tmp_path, row, word):
    with pytest.raises(DataErrors) as err:
        load_tables(_dir(tmp_path, [row]))
    assert "events.csv" in str(err.value) and word in str(err.value)
