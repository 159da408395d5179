"""The built-in dataset keeps its promises: sourced, sorted, unchanged silently."""

from __future__ import annotations

import json
from importlib.resources import files

import pandas as pd
import pytest

from chiprisk.data import resources
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.io.manifest import manifest_json


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


# --------------------------------------------------------------- issue 3 promises


def test_coverage_counts(tables):
    """The counts the dataset promises (issue 3), not padded with stubs."""
    assert len(tables["organizations"]) >= 120
    assert len(tables["sites"]) >= 60
    assert len(tables.scenarios) >= 6
    sup = tables["supplies"]
    market = sup[sup["buyer"].isna()]
    assert market["input"].nunique() >= 30


def _closure(tables, product: str) -> set[str]:
    req = tables["requirements"]
    children = req.groupby("product")["input"].apply(set).to_dict()
    seen, todo = set(), [product]
    while todo:
        for c in children.get(todo.pop(), ()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def test_products_reach_tools_and_materials(tables):
    inputs = tables["inputs"].set_index("id")
    products = [
        i for i in inputs.index if inputs.at[i, "kind"] == "product" and _closure(tables, i)
    ]
    complete = []
    for p in products:
        kinds = {inputs.at[i, "kind"] for i in _closure(tables, p)}
        if {"tool", "material"} <= kinds:
            complete.append(p)
    assert len(complete) >= 5, complete


def test_policies_act_with_money_or_capacity(tables):
    acts = tables["policy_actions"]
    effective = acts[
        (acts["amount"].notna() | acts["adds_capacity"].notna())
        & acts["target"].map(lambda t: tables.kind_of(t) in ("sites", "organizations"))
    ]
    assert effective["policy"].nunique() >= 25
    # every amount has a currency, every capacity a unit
    assert acts.loc[acts["amount"].notna(), "currency"].notna().all()
    assert acts.loc[acts["adds_capacity"].notna(), "capacity_unit"].notna().all()


def test_site_operators_and_countries_exist(tables):
    orgs = set(tables["organizations"]["id"])
    sites = tables["sites"]
    assert set(sites["operator"]) <= orgs
    assert sites["country"].map(lambda c: tables.kind_of(c) == "countries").all()


def test_share_tables_sum_or_carry_a_residual(tables):
    from chiprisk.graph.model.coverage import coverage

    report = coverage(tables, as_of=2026)
    bad = report[report["check"] == "share-sum"]
    assert bad.empty, bad.to_string()


def test_fx_rate_for_every_currency_and_year_used(tables):
    fx = tables["fx_rates"]
    have = set(zip(fx["currency"], fx["year"].astype(int), strict=True))
    pol = tables["policies"]
    for r in pol[pol["budget"].notna()].itertuples(index=False):
        if r.currency == "USD":
            continue
        year = int(str(r.enacted)[:4]) if isinstance(r.enacted, str) and r.enacted else None
        if year is None:
            assert r.currency in set(fx["currency"]), r.id
        else:
            assert (r.currency, year) in have, (r.id, r.currency, year)
    used = set(tables["policy_actions"]["currency"].dropna()) | set(pol["currency"].dropna())
    assert used - {"USD"} <= set(fx["currency"])


def test_forecast_rows_are_estimates(tables):
    sup = tables["supplies"]
    sup = sup[sup["basis"] != "sourcing"]  # a buyer's announced sourcing is a plan, not a forecast
    sources = tables["sources"].set_index("id")["published"].astype(str)
    published = sup["source_id"].map(lambda s: int(sources[s][:4]))
    future = sup[sup["year"].astype(int) > published]
    assert (future["confidence"] == "estimate").all(), future["id"].tolist()
