"""Multi-tier exposure by country and by firm (hand-computed cases and the built-in data)."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.exposure import COLUMNS, TOTAL, exposure, exposure_all
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables

_spec = importlib.util.spec_from_file_location(
    "_propagation_helpers", Path(__file__).parents[1] / "test_propagation.py"
)
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
write_dir, sup = _helpers.write_dir, _helpers.sup


@pytest.fixture
def tables(tmp_path):
    """P needs die (fabrication) and mem; die from TSMC-like x (sites TW 3 : JP 1) 60 % and
    y (KR) 40 %; mem from z (KR) 100 %; P buys its die from x alone."""
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "KR"), ("z", "KR"), ("q", "US")],
        sites=[("x-tw", "x", "TW", "fab", "", 300), ("x-jp", "x", "JP", "fab", "", 100)],
        inputs=[("p", "product"), ("r", "product"), ("die", "fabrication"), ("mem", "memory")],
        reqs=[("p", "die"), ("p", "mem"), ("r", "die")],
        supplies=[
            sup("x", "die", 60),
            sup("y", "die", 40),
            sup("x", "die", 100, buyer="p"),
            sup("z", "mem", 100),
        ],
    )
    return load_tables(d)


def _totals(df):
    t = df[df["input"] == TOTAL]
    return dict(zip(t["entity"], t["product_loss"], strict=True))


def test_country_losses_by_hand(tables):
    df = exposure(tables, "p", by="country")
    assert list(df.columns) == COLUMNS
    assert _totals(df) == pytest.approx({"KR": 1.0, "TW": 0.75, "JP": 0.25})
    assert list(df["entity"].drop_duplicates()) == ["KR", "TW", "JP"]
    tw = df[(df["entity"] == "TW") & (df["input"] != TOTAL)]
    assert tw[["input", "depth", "sourcing", "basis", "year"]].values.tolist() == [
        ["die", 1, "buyer-specific", "sourcing", 2024]
    ]
    assert tw["direct_share"].item() == pytest.approx(0.75)
    assert (df.loc[df["entity"] == "TW", "product_loss"] == 0.75).all()
    assert df.loc[df["entity"] == "KR", "entity_name"].iloc[0] == "South Korea"
    assert set(df["lens"]) == {"site"}


def test_market_sourcing_for_another_product(tables):
    df = exposure(tables, "r", by="country")
    assert _totals(df) == pytest.approx({"TW": 0.45, "KR": 0.4, "JP": 0.15})
    assert set(df.loc[df["input"] == "die", "sourcing"]) == {"market"}


def test_firm_losses_by_hand(tables):
    df = exposure(tables, "p", by="firm")
    assert _totals(df) == pytest.approx({"x": 1.0, "z": 1.0})  # y is not p's supplier
    assert "y" not in set(df["entity"])
    df = exposure(tables, "r", by="firm")
    assert _totals(df) == pytest.approx({"x": 0.6, "y": 0.4})
    assert set(df["lens"]) == {"firm"}


def test_exposure_all_matches_single_products(tables):
    every = exposure_all(tables, "country")
    assert set(every["product"]) == {"p", "r"}
    for p in ("p", "r"):
        one = exposure(tables, p, by="country")
        part = every[every["product"] == p].reset_index(drop=True)
        assert part.equals(one)


def test_unknown_product_and_lens(tables):
    with pytest.raises(UsageError, match=r"unknown product 'pp'.*did you mean p"):
        exposure(tables, "pp")
    with pytest.raises(UsageError, match="by must be"):
        exposure(tables, "p", by="continent")


@st.composite
def networks(draw):
    countries = ["TW", "KR", "JP", "US"]
    n_sup = draw(st.integers(1, 4))
    orgs = [(f"f{k}", draw(st.sampled_from(countries))) for k in range(n_sup)]
    n_in = draw(st.integers(1, 4))
    inputs = [("p", "product")] + [(f"i{k}", "materials") for k in range(n_in)]
    reqs = [("p", f"i{k}") for k in range(n_in)]
    if n_in > 1 and draw(st.booleans()):
        reqs.append(("i0", f"i{n_in - 1}"))
    supplies = []
    for k in range(n_in):
        who = draw(st.lists(st.integers(0, n_sup - 1), min_size=0, max_size=n_sup, unique=True))
        for w in who:
            supplies.append(sup(f"f{w}", f"i{k}", draw(st.integers(1, 100))))
    return dict(orgs=orgs, inputs=inputs, reqs=reqs, supplies=supplies)


@settings(max_examples=25, deadline=None)
@given(networks(), st.integers(0, 2**16), st.sampled_from(["country", "firm"]))
def test_losses_in_unit_interval_and_independent_of_row_order(spec, seed, by):
    with tempfile.TemporaryDirectory() as tmp:
        a = exposure(load_tables(write_dir(Path(tmp) / "a", **spec)), "p", by=by)
        b = exposure(load_tables(write_dir(Path(tmp) / "b", shuffle=seed, **spec)), "p", by=by)
    assert ((a["product_loss"] >= 0) & (a["product_loss"] <= 1)).all()
    share = a["direct_share"].dropna()
    assert ((share > 0) & (share <= 1 + 1e-12)).all()
    key = ["entity", "input"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    assert a[key].equals(b[key])
    np.testing.assert_allclose(a["product_loss"], b["product_loss"])
    np.testing.assert_allclose(a["direct_share"], b["direct_share"])


def test_built_in_h100_by_country():
    df = exposure(load_tables(), "nvidia-h100", by="country")
    totals = df[df["input"] == TOTAL]
    # TSMC makes the logic die and the CoWoS packaging in Taiwan for H100: losing
    # Taiwan stops it. The Netherlands (ASML, sole EUV supplier) ties at 1.0;
    # Taiwan ranks first on breadth.
    assert totals.iloc[0]["entity"] == "TW"
    assert totals.iloc[0]["product_loss"] == 1.0
    assert dict(zip(totals["entity"], totals["product_loss"], strict=True))["NL"] == 1.0
    assert list(totals["entity"].head(5)) == ["TW", "NL", "JP", "US", "KR"]
    tw = df[(df["entity"] == "TW") & (df["input"] == "cowos-packaging")]
    assert tw["direct_share"].item() == 1.0 and tw["sourcing"].item() == "buyer-specific"
    assert ((df["product_loss"] >= 0) & (df["product_loss"] <= 1)).all()


def test_a_market_exposure_is_not_computable_and_names_its_members():
    from chiprisk.graph.algorithms.exposure import exposure
    from chiprisk.graph.errors import UsageError
    from chiprisk.graph.io.loader import load_tables

    with pytest.raises(UsageError, match="is a market.*not computable.*nvidia-h100"):
        exposure(load_tables(), "datacenter-gpus")
