"""The exposure frame's sources and ``via`` match a row-by-row reading of the tables."""

from __future__ import annotations

import pandas as pd
import pytest

import chiprisk.graph as cg
from chiprisk.graph.algorithms.exposure import exposure_all
from chiprisk.graph.report.frames import exposure_frame


def _one_group_at_a_time(tables, net, year):
    """The frame as the report computed it before: masks over the tables per group."""
    exp = exposure_all(tables, by="country", year=year, network=net)
    sup, req = tables["supplies"], tables["requirements"]
    rows = []
    for (product, country), g in exp.groupby(["product", "entity"], sort=True):
        total = g[g["input"] == "(total)"]
        if total.empty or float(total["product_loss"].iloc[0]) <= 0:
            continue
        detail = g[g["input"] != "(total)"].sort_values("direct_share", ascending=False)
        src = set(req.loc[req["product"] == product, "source_id"].dropna())
        for d in detail.itertuples(index=False):
            m = (sup["input"] == d.input) & (sup["basis"] == d.basis) & (sup["year"] == d.year)
            if d.sourcing == "buyer-specific":
                m &= sup["buyer"] == product
            src.update(sup.loc[m, "source_id"].dropna())
        via = detail["input"].iloc[0] if len(detail) else None
        rows.append((product, country, float(total["product_loss"].iloc[0]), via, src))
    return rows


@pytest.mark.parametrize("year", [None, 2024, 2030])
def test_frame_matches_the_row_by_row_reading(year):
    kg = cg.load()
    net = kg.network(year)
    got = exposure_frame(kg.tables, net, year=year)
    want = _one_group_at_a_time(kg.tables, net, year)
    assert len(got) == len(want) > 50
    for r, (product, country, loss, via, src) in zip(got.itertuples(), want, strict=True):
        assert (r.product, r.country, r.product_loss, r.via) == (product, country, loss, via)
        assert r.source_ids == ";".join(sorted(src))
    assert got["source_ids"].str.len().gt(0).all()


def test_buyer_specific_rows_cite_only_the_buyers_own_sources():
    kg = cg.load()
    df = exposure_frame(kg.tables, kg.network).set_index(["product", "country"])
    sup = kg.tables["supplies"]
    own = sup[sup["buyer"].notna()]
    # a product's own sourcing rows of another buyer never show up in its sources
    for product in df.index.get_level_values("product").unique():
        foreign = set(own.loc[own["buyer"] != product, "source_id"]) - set(
            sup.loc[sup["buyer"].isna() | (sup["buyer"] == product), "source_id"]
        )
        cited = set(";".join(df.loc[product, "source_ids"]).split(";"))
        assert not (cited & foreign)
    assert isinstance(df, pd.DataFrame)
