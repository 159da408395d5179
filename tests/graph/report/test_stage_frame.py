"""The batched stage/lens frame gives what one ``explain`` per input and lens gives."""

from __future__ import annotations

import pandas as pd
import pytest

from chiprisk.graph.algorithms.concentration import explain
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.report.frames import _ids, concentration_frame
from chiprisk.graph.report.stage_frame import lens_country_rows, stage_country_frame


def _rows_one_input_at_a_time(tables, conc, year):
    """The country split as the report computed it before: explain per input and lens."""
    rows = []
    for r in conc.itertuples(index=False):
        for lens in ("hq", "site"):
            try:
                ex = explain(tables, r.input, lens=lens, year=year, basis=r.basis)
            except UsageError:
                continue
            ex = ex[ex["year"] == r.year]
            mid = ((ex["share_low"].astype(float) + ex["share_high"].astype(float)) / 2).fillna(0)
            if mid.sum() > 100.0:
                mid = mid * (100.0 / mid.sum())
            ex = ex.assign(mid=mid)
            for country, g in ex.groupby("entity", sort=True):
                rows.append(
                    (
                        r.stage,
                        lens,
                        r.input,
                        country,
                        g["entity_name"].iloc[0],
                        g["mid"].sum(),
                        ";".join(_ids(g["source_id"])),
                    )
                )
    return pd.DataFrame(rows, columns=["stage", "lens", "input", "country", "name", "share", "src"])


@pytest.mark.parametrize("year", [None, 2022, 2030])
def test_batched_rows_equal_explain_per_input_and_lens(year):
    tables = load_tables()
    conc = concentration_frame(tables, year=year)
    got = lens_country_rows(tables, conc, year=year)
    want = _rows_one_input_at_a_time(tables, conc, year)
    assert len(got) > 50
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_qualitative_midpoints_are_scaled_to_100_per_table():
    tables = load_tables()
    got = lens_country_rows(tables, concentration_frame(tables))
    per_table = got.groupby(["input", "lens"])["share"].sum()
    assert (per_table <= 100.0 + 1e-9).all()
    assert set(got["lens"]) == {"hq", "site"}


def test_a_given_concentration_frame_is_used_as_is():
    tables = load_tables()
    conc = concentration_frame(tables)
    memory = conc[conc["stage"] == "memory"]
    df = stage_country_frame(tables, concentration=memory)
    assert set(df["stage"]) == {"memory"}
    assert df.equals(
        stage_country_frame(tables, concentration=conc.copy())
        .query("stage == 'memory'")
        .reset_index(drop=True)
    )
    shares = df.groupby("lens")["share"].sum()
    assert shares.round(6).eq(100.0).all()


def test_no_tables_give_an_empty_frame_with_the_columns():
    tables = load_tables()
    empty = concentration_frame(tables).head(0)
    assert lens_country_rows(tables, empty).empty
    df = stage_country_frame(tables, concentration=empty)
    assert df.empty and df.columns[0] == "stage"
