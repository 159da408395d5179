"""Tests for chiprisk.graph.algorithms.share_rows (the coded rows behind concentration).

The numbers the rows feed are tested through ``concentration`` in
test_concentration.py; here: what rows exist, with which level, lens entity
and weight. Data directories come from supply_dirs (the tiny fixture: jasm JP
is a TSMC subsidiary; jasm-fab-1 JP 55,000 wafers/month from 2024,
tsmc-fab-18 TW 100,000).
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from supply_dirs import sup, write_dir

from chiprisk.graph.algorithms import share_rows
from chiprisk.graph.algorithms.lens_rows import explain_frame, lens_rows
from chiprisk.graph.algorithms.share_rows import (
    KINDS,
    LEVELS,
    SHARE_KINDS,
    group_codes,
    market_rows,
)
from chiprisk.graph.errors import UsageError
from chiprisk.graph.model.lenses import LENSES


@pytest.fixture
def mixed(tmp_path):
    """Country and firm rows of one table, a residual, an older year and a buyer row."""
    return write_dir(
        tmp_path,
        [
            sup("c-tw", "TW", share=90, year=2024),
            sup("f-tsmc", "tsmc", share=60, year=2024),
            sup("f-fab18", "tsmc-fab-18", share=20, year=2024),
            sup("o-2024", "other", share=10, year=2024),
            sup("f-old", "samsung", share=50, year=2020),
            sup("b-nvidia", "tsmc", share=100, buyer="nvidia", year=2024),
        ],
    )


def rows_of(tables, m) -> list[tuple]:
    ids = tables["supplies"]["id"].to_numpy(dtype=object)[m.pos]
    return sorted(
        (str(ids[i]), LEVELS[m.level[i]], KINDS[m.kind[i]], int(m.year[i])) for i in range(len(m))
    )


def test_market_rows_levels_residual_and_latest_year(mixed):
    m = market_rows(mixed)
    # the buyer row is not a market share; 2020 is older than 2024 at the firm level;
    # the residual counts once at each level its table has
    assert rows_of(mixed, m) == [
        ("c-tw", "country", "country", 2024),
        ("f-fab18", "firm", "site", 2024),
        ("f-tsmc", "firm", "organization", 2024),
        ("o-2024", "country", "residual", 2024),
        ("o-2024", "firm", "residual", 2024),
    ]
    assert list(m.inputs) == ["logic"] and list(m.bases) == ["revenue"]


def test_market_rows_as_of_a_year(mixed):
    m = market_rows(mixed, year=2022)
    assert rows_of(mixed, m) == [("f-old", "firm", "organization", 2020)]
    with pytest.raises(UsageError, match=r"as of 2019 .*earliest year with data is 2020"):
        market_rows(mixed, year=2019)


def test_market_rows_share_kinds_and_capacity_shares(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("r", "tsmc", smin=40, year=2024),
            sup("q", "samsung", qual="minor", year=2024),
            sup("k1", "tsmc", cap=300, unit="wpm", basis="capacity", year=2024),
            sup("k2", "samsung", cap=100, unit="wpm", basis="capacity", year=2024),
        ],
    )
    m = market_rows(t)
    ids = t["supplies"]["id"].to_numpy(dtype=object)[m.pos]
    got = {
        str(ids[i]): (float(m.lo[i]), float(m.hi[i]), SHARE_KINDS[m.share_kind[i]])
        for i in range(len(m))
    }
    # a range with no max is [min, 100]; "minor" is 1-10; capacities alone give 75/25
    assert got == {
        "r": (40.0, 100.0, "range"),
        "q": (1.0, 10.0, "qualitative"),
        "k1": (75.0, 75.0, "capacity"),
        "k2": (25.0, 25.0, "capacity"),
    }


def test_lens_rows_entities_weights_and_site_spread(mixed):
    m = market_rows(mixed)
    lr = lens_rows(mixed, m)
    assert list(lr.entities) == sorted(lr.entities)  # codes are in id order
    ids = mixed["supplies"]["id"].to_numpy(dtype=object)[m.pos]
    got = sorted(
        (
            LENSES[lr.lens[j]],
            str(ids[lr.row[j]]),
            str(lr.entities[lr.entity[j]]),
            round(float(lr.weight[j]), 12),
            None if lr.site_basis[j] < 0 else str(lr.site_bases[lr.site_basis[j]]),
        )
        for j in range(len(lr))
    )
    # tsmc's 2024 fabs: jasm-fab-1 JP 55,000 and tsmc-fab-18 TW 100,000 wafers/month
    assert got == [
        ("country", "c-tw", "TW", 1.0, None),
        ("country", "o-2024", "other", 1.0, None),
        ("firm", "f-fab18", "tsmc", 1.0, None),
        ("firm", "f-tsmc", "tsmc", 1.0, None),
        ("firm", "o-2024", "other", 1.0, None),
        ("hq", "f-fab18", "TW", 1.0, None),
        ("hq", "f-tsmc", "TW", 1.0, None),
        ("hq", "o-2024", "other", 1.0, None),
        ("site", "f-fab18", "TW", 1.0, "site rows"),
        ("site", "f-tsmc", "JP", round(55 / 155, 12), "capacity"),
        ("site", "f-tsmc", "TW", round(100 / 155, 12), "capacity"),
        ("site", "o-2024", "other", 1.0, None),
    ]
    assert lr.residual.sum() == 4
    np.testing.assert_allclose(lr.lo, m.lo[lr.row] * lr.weight)


def test_lens_rows_one_lens_and_empty(mixed):
    m = market_rows(mixed)
    lr = lens_rows(mixed, m, ["hq"])
    assert set(lr.lens.tolist()) == {LENSES.index("hq")}
    none = lens_rows(mixed, market_rows(mixed, inputs=["euv"]))
    assert len(none) == 0


def test_explain_frame_columns(mixed):
    m = market_rows(mixed)
    f = explain_frame(mixed, m, lens_rows(mixed, m, ["site"]))
    spread = f[f["id"] == "f-tsmc"].sort_values("entity")
    assert spread["entity"].tolist() == ["JP", "TW"]
    assert spread["lo"].tolist() == pytest.approx([60 * 55 / 155, 60 * 100 / 155])
    assert set(f["share_kind"]) == {"exact"}
    assert f["site_basis"].tolist().count(None) == 1  # the residual row
    assert f["year"].dtype == np.int64


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 40), min_size=1, max_size=60))
def test_group_codes_is_unique_with_any_row(values):
    key = np.array(values, dtype=np.int64)
    uniq, row, inverse = group_codes(key)
    ref_uniq, ref_inverse = np.unique(key, return_inverse=True)
    assert uniq.tolist() == ref_uniq.tolist()
    assert inverse.tolist() == ref_inverse.reshape(-1).tolist()
    assert key[row].tolist() == uniq.tolist()


def test_docstring_examples():
    assert doctest.testmod(share_rows).failed == 0
