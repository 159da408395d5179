"""Table cells are formatted by what the column means."""

from __future__ import annotations

import pandas as pd

from chiprisk.cli.options import to_json, to_table


def test_years_print_without_thousands_separators():
    df = pd.DataFrame({"year": [2030.0, None], "start_year": [2027.0, 2025.0], "hhi": [2852.4, 1]})
    text = to_table(df, width=120)
    assert "2030" in text and "2027" in text
    assert "2,030" not in text and "2,027" not in text
    assert "2,852" in text  # HHIs keep their separators


def test_shares_in_percent_and_json_keeps_raw_values():
    df = pd.DataFrame({"input": ["euv"], "cr1": [100.0], "product_loss": [0.25]})
    text = to_table(df, width=120)
    assert "100.0%" in text and "25.0%" in text
    assert '"cr1": 100.0' in to_json(df) and '"product_loss": 0.25' in to_json(df)
