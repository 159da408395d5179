"""The direct table layout prints exactly what rich prints, or steps aside."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiprisk.cli import fast_table, options
from chiprisk.graph.knowledge_graph import load


def _both(df, title, width, monkeypatch):
    """(the direct layout's text or None, rich's text) for one table."""
    direct = []
    real = fast_table.plain_table

    def spy(*args):
        direct.append(real(*args))
        return direct[-1]

    with monkeypatch.context() as m:
        m.setattr(fast_table, "plain_table", spy)
        fast = options.to_table(df, title=title, width=width)
    with monkeypatch.context() as m:
        m.setattr(fast_table, "plain_table", lambda *a: None)
        slow = options.to_table(df, title=title, width=width)
    assert fast == slow
    return direct[0], slow


@pytest.fixture(scope="module")
def kg():
    return load()


def test_real_tables_take_the_direct_path_and_match_rich(kg, monkeypatch):
    frames = {
        "outlook": kg.outlook(start=2029, end=2030),
        "concentration": kg.concentration("hbm", by="all"),
        "simulate, narrow columns": kg.simulate("taiwan-strait-blockade")[
            ["node", "scenario", "loss", "ttr_weeks"]
        ],
    }
    for name, df in frames.items():
        direct, slow = _both(df, f"{name} (title)", 120, monkeypatch)
        assert direct is not None, name
        assert direct == slow, name
        assert len(slow.splitlines()) >= len(df) + 4
    # long notes fold: rich lays that out, with the same text as before
    _both(kg.simulate("taiwan-strait-blockade"), "simulate", 120, monkeypatch)


def test_narrow_tables_fall_back_on_rich(kg, monkeypatch):
    df = kg.concentration("hbm", by="all")
    direct, slow = _both(df, "a title far too long for a table this narrow " * 3, 60, monkeypatch)
    assert direct is None
    assert "hbm" in slow


def test_a_cell_with_a_line_break_falls_back():
    assert fast_table.plain_table(None, None, ["a"], ["left"], [["x\ny"]], 80) is None


_text = st.text(
    alphabet=st.sampled_from(list("abc XYZ-_.,;:()%/0123456789") + ["é", "—", "中", "ß"]),
    max_size=14,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(_text, min_size=1, max_size=3),
    nums=st.lists(st.one_of(st.floats(-1e9, 1e9), st.just(float("nan"))), min_size=1, max_size=3),
    title=st.one_of(st.none(), _text, st.lists(_text, max_size=12).map(" ".join)),
    width=st.integers(20, 140),
    extra=st.integers(0, 12),
)
def test_any_small_table_prints_as_rich_prints_it(names, nums, title, width, extra, monkeypatch):
    n = min(len(names), len(nums))
    df = pd.DataFrame({"input": names[:n], "share": nums[:n], "note": names[:n][::-1]})
    for k in range(extra):  # columns dropped to fit make a long, wrapped caption
        df[f"column_{k}_ids"] = names[:n]
    _both(df, title or None, width, monkeypatch)
