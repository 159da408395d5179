"""The built-in dataset keeps its promises: sourced, sorted, unchanged silently."""

from __future__ import annotations

import json
from importlib.resources import files

import pandas as pd
import pytest
from chiprisk.data import resources
from chiprisk.graph.contract import TABLES
from chiprisk.graph.load import load_tables
from chiprisk.graph.manifest import manifest_json


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def test_manifest_is_current():
    shipped = json.loads(resources.manifest_text())
    fresh = json.loads(manifest_json())
    stale = [
        r["path"] for r, f in zip(shipped["resources"], fresh["resources"], strict=False) if r != f
    ]
    assert shipped == fresh, f"datapackage.json is stale for {stale}: run chiprisk build --manifest"


def test_every_fact_row_is_sourced(tables):
    sources = set(tables["sources"]["id"])
    for name, df in tables.frames.items():
        if "source_id" in df.columns and len(df):
            assert df["source_id"].notna().all(), name
            assert set(df["source_id"]) <= sources, name
    assert set(tables.scenarios["source_id"]) <= sources


def test_rows_sorted_by_key():
    seed = files("chiprisk.data").joinpath("seed")
    for table in TABLES.values():
        f = seed.joinpath(table.file)
        if not f.is_file():
            continue
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        keys = list(df[list(table.key)].itertuples(index=False, name=None))
        assert keys == sorted(keys), table.file


def test_sources_have_url_and_date(tables):
    src = tables["sources"]
    assert src["url"].str.match(r"^https?://").all()
    assert src["published"].notna().mean() > 0.9


def test_no_eto_table_copied_wholesale():
    seed = files("chiprisk.data").joinpath("seed")
    for f in seed.iterdir():
        head = f.read_text(encoding="utf-8").splitlines()[0]
        assert "provider_name" not in head and "provided_id" not in head, f.name
