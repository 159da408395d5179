"""The charts: each is a Figure drawn from a frame with documented columns, offline."""

from __future__ import annotations

import socket

import matplotlib
import pytest
from matplotlib.figure import Figure

import chiprisk.graph as cg
from chiprisk.graph.errors import UsageError
from chiprisk.graph.report import plot as P
from chiprisk.graph.report.worldmap import boundaries_path, country_rings, draw_countries

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def kg():
    return cg.load()


def test_boundaries_ship_in_an_installed_wheel_and_cover_taiwan():
    path = boundaries_path()
    assert path.suffix == ".zip" and path.stat().st_size > 1_000_000
    codes = {code for code, _ in country_rings()}
    assert {"TW", "NL", "KR", "JP", "US", "CN", "DE"} <= codes
    assert len(codes) > 200


def test_map_draws_with_the_network_cut(monkeypatch, kg):
    def no_network(*args, **kwargs):
        raise AssertionError("the map tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    country_rings.cache_clear()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert draw_countries(ax, highlight={"TW": "red"}) > 1000
    fig = kg.plot.site_map()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2  # countries + at least one status layer
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("operating") for label in labels)
    assert any(label.startswith("under-construction") for label in labels)


def test_every_chart_is_a_figure_with_content(kg):
    for name in kg.plot.charts():
        fig = getattr(kg.plot, name)()
        assert isinstance(fig, Figure), name
        ax = fig.axes[0]
        assert ax.get_title(), name
        assert ax.patches or ax.collections or ax.images, name


def test_concentration_frame_one_row_per_input_with_sources(kg):
    df = kg.plot.frame("concentration")
    assert df["input"].is_unique
    euv = df.set_index("input").loc["euv-lithography"]
    assert euv["hhi"] == 10000 and euv["top_entity"] == "asml"
    assert "m-eto-chipexplorer" in euv["source_ids"].split(";")
    assert (df["hhi_low"] <= df["hhi"] + 1e-9).all() and (df["hhi"] <= df["hhi_high"] + 1e-9).all()


def test_stage_country_shares_sum_to_100_per_stage_and_lens(kg):
    df = kg.plot.frame("stage_countries")
    assert set(df["lens"]) == {"hq", "site"}
    sums = df.groupby(["stage", "lens"])["share"].sum()
    assert ((sums - 100).abs() < 1e-6).all(), sums
    assert (df["share"] >= 0).all()
    assert df["country"].value_counts().get("other", 0) <= df.groupby(["stage", "lens"]).ngroups
    mem = df[(df["stage"] == "memory") & (df["lens"] == "hq")].set_index("country")
    assert mem["share"].idxmax() == "KR"


def test_exposure_frame_is_fractions_with_a_reason(kg):
    df = kg.plot.frame("exposure")
    assert df["product_loss"].between(0, 1).all()
    h100 = df[(df["product"] == "nvidia-h100") & (df["country"] == "TW")].iloc[0]
    assert h100["product_loss"] == pytest.approx(1.0)
    assert h100["via"] and h100["source_ids"]


def test_chokepoints_frame_carries_sources(kg):
    df = kg.plot.frame("chokepoints", top=5)
    assert list(df["rank"]) == sorted(df["rank"]) and len(df) == 5
    assert all(df["source_ids"].str.len() > 0)


def test_sites_frame_capacity_per_month(kg):
    df = P.sites_frame(kg.tables)
    per_year = df[df["capacity_unit"] == "wafers/year"]
    assert (per_year["capacity_per_month"] * 12 == per_year["capacity"]).all()
    assert df["site"].is_unique
    # firm-aggregate sites of the capacity ledger have no single location
    located = df[~df["name"].str.contains("aggregate", case=False)]
    lat = located["lat"].dropna()
    assert len(lat) > 0.8 * len(located) and lat.between(-90, 90).all()


def test_unknown_frame_names_the_choices(kg):
    with pytest.raises(UsageError, match="concentration"):
        kg.plot.frame("nope")


def test_charts_redraw_from_given_data_without_recomputing(kg):
    df = kg.plot.frame("chokepoints", top=3)
    fig = kg.plot.chokepoints(data=df)
    assert len(fig.axes[0].patches) >= 3
