"""The default year: this calendar year with actual figures only (issue 18)."""

from __future__ import annotations

import datetime

import chiprisk.graph as cg
from chiprisk.graph.model.actuals import actual_rows, default_year, forecast_mask


def test_default_year_is_this_calendar_year():
    assert default_year() == datetime.date.today().year


def test_default_rows_hold_no_forecast():
    kg = cg.load()
    t = actual_rows(kg.tables)
    assert not forecast_mask(t, "supplies").any()
    assert not forecast_mask(t, "capacity").any()
    # what the default analyses read: no supplies row after this year
    rows = kg.as_of(None)["supplies"]
    assert (rows["year"] <= default_year()).all()


def test_an_asked_year_keeps_forecasts():
    kg = cg.load()
    later = kg.as_of(2030)["supplies"]
    assert (later["year"] == 2030).any()  # the 2030 ledger, forecasts included


def test_whatif_takes_the_same_default():
    kg = cg.load()
    r = kg.whatif(add_capacity=["JP:hbm:1000"], runs=200, seed=1)
    assert r is not None
