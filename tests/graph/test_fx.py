"""Currency conversion with the sourced rates: nearest year on or before, else nearest."""

from __future__ import annotations

import pandas as pd
import pytest

from chiprisk.graph.errors import UsageError
from chiprisk.graph.model.fx import convert, rate

FX = pd.DataFrame(
    {
        "currency": ["EUR", "EUR", "JPY"],
        "year": [2022, 2024, 2022],
        "per_usd": [0.95, 0.92, 131.5],
        "source_id": ["s22", "s24", "sj"],
    }
)


def test_exact_earlier_and_later_years():
    assert rate(FX, "EUR", 2024).per_usd == 0.92
    r = rate(FX, "EUR", 2023)
    assert (r.year, r.how, r.source_id) == (2022, "nearest earlier year", "s22")
    r = rate(FX, "EUR", 2020)
    assert (r.year, r.how) == (2022, "nearest later year")


def test_convert_cross_rate_and_note():
    c = convert(FX, 131.5e9, "JPY", "EUR", 2022)
    assert c.amount == pytest.approx(0.95e9)
    assert "131.5 JPY" in c.note and "0.95 EUR" in c.note
    assert c.source_ids == ["s22", "sj"]
    assert convert(FX, 5.0, "USD", "USD").amount == 5.0


def test_unknown_currency_is_a_usage_error():
    with pytest.raises(UsageError, match="no exchange rate for 'GBP'"):
        convert(FX, 1.0, "GBP", "USD", 2024)
