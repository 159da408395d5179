"""Tests for chiprisk.graph.algorithms.concentration.

Expected values are worked out by hand in the comments (or copied from the R1
reference cases of shared/research/methods.md section 5), never computed by the
code under test. Small data directories are written in the file contract on top
of a copy of tests/fixtures/tiny (orgs asml NL, jasm JP -> parent tsmc TW,
nvidia US, samsung KR; sites jasm-fab-1 JP 55,000 wafers/month from 2024 and
tsmc-fab-18 TW 100,000 wafers/month; inputs euv, h100, logic).
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from supply_dirs import TINY, sup, write_dir

from chiprisk.graph.algorithms import concentration as conc_mod
from chiprisk.graph.algorithms.concentration import (
    COLUMNS,
    EXPLAIN_COLUMNS,
    GAP_COLUMNS,
    concentration,
    dual_lens_gap,
    explain,
)
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import Tables, load_tables


def one(df: pd.DataFrame, **where: object) -> pd.Series:
    """The single row of ``df`` matching ``where``."""
    mask = np.ones(len(df), dtype=bool)
    for col, val in where.items():
        mask &= (df[col] == val).to_numpy()
    assert mask.sum() == 1, f"{mask.sum()} rows match {where}:\n{df}"
    return df[mask].iloc[0]


@pytest.fixture(scope="module")
def builtin() -> Tables:
    return load_tables()


@pytest.fixture(scope="module")
def tiny() -> Tables:
    return load_tables(TINY)


# ---------------------------------------------------------------------------
# the tiny fixture as it is
# ---------------------------------------------------------------------------


def test_columns_and_firm_90_10(tiny):
    df = concentration(tiny, inputs="logic", lens="firm")
    assert list(df.columns) == COLUMNS
    row = one(df, lens="firm")
    # tsmc 90, samsung 10 (revenue 2024): 90**2 + 10**2 = 8,100 + 100 = 8,200
    assert row["hhi"] == pytest.approx(8200.0)
    assert row["hhi_low"] == pytest.approx(8200.0)
    assert row["hhi_high"] == pytest.approx(8200.0)
    assert row["hhi_method"] == "exact"
    assert (row["basis"], row["year"], row["n_entities"]) == ("revenue", 2024, 2)
    assert row["cr1"] == pytest.approx(90.0) and row["cr3"] == pytest.approx(100.0)
    assert (row["top_entity"], row["top_entity_name"]) == ("tsmc", "TSMC")
    assert row["effective_n"] == pytest.approx(10_000 / 8200)
    # -(0.9 ln 0.9 + 0.1 ln 0.1) = 0.0948245 + 0.2302585
    assert row["entropy"] == pytest.approx(0.3250830, abs=1e-6)
    assert row["count_to_75"] == 1
    assert row["band_2023"] == "highly concentrated"
    assert row["band_2010"] == "highly concentrated"
    # the buyer-specific H100 sourcing row and the country rows are not used
    assert row["supply_ids"] == ["s-logic-samsung", "s-logic-tsmc"]
    assert row["source_ids"] == ["src-a"]


def test_r1_12_country_rows_tw_92_kr_8(tiny):
    df = concentration(tiny, inputs="logic")
    # country rows live under the country lens only, firm rows never do
    assert set(df["lens"]) == {"firm", "hq", "site", "country"}
    row = one(df, lens="country")
    assert row["supply_ids"] == ["s-logic-kr", "s-logic-tw"]
    # 92**2 + 8**2 = 8,464 + 64 = 8,528 (R1.12)
    assert row["hhi"] == pytest.approx(8528.0)
    assert (row["top_entity"], row["cr1"]) == ("TW", 92.0)
    assert bool(row["over_65"]) is True
    assert (row["basis"], row["year"]) == ("capacity", 2021)
    for lens in ("firm", "hq", "site"):
        assert "s-logic-tw" not in one(df, lens=lens)["supply_ids"]


def test_empty_result_keeps_columns(tiny):
    df = concentration(tiny, inputs="h100")  # only a buyer-specific row
    assert df.empty and list(df.columns) == COLUMNS


# ---------------------------------------------------------------------------
# roll-ups and lenses
# ---------------------------------------------------------------------------


def test_jasm_rolls_into_tsmc_and_site_spread(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("a-jasm", "jasm", share=30),
            sup("a-samsung", "samsung", share=10),
            sup("a-tsmc", "tsmc", share=60),
        ],
    )
    df = concentration(t, inputs="logic")
    firm = one(df, lens="firm")
    # jasm 30 + tsmc 60 = tsmc 90; samsung 10 -> 8,200
    assert firm["hhi"] == pytest.approx(8200.0)
    assert (firm["top_entity"], firm["top_share"], firm["n_entities"]) == ("tsmc", 90.0, 2)
    hq = one(df, lens="hq")
    # JASM's owner is TSMC (TW): TW 90, KR 10
    assert hq["hhi"] == pytest.approx(8200.0) and hq["top_entity"] == "TW"
    site = one(df, lens="site")
    # TSMC group fabs in 2024: jasm-fab-1 JP 55,000 and tsmc-fab-18 TW 100,000 wafers/month
    # -> TW 90 * 100/155, JP 90 * 55/155; samsung has no site -> its HQ KR 10
    tw, jp = 90 * 100 / 155, 90 * 55 / 155
    assert site["hhi"] == pytest.approx(tw**2 + jp**2 + 10**2)
    assert site["top_entity"] == "TW" and site["top_share"] == pytest.approx(tw)
    assert site["site_basis"] == "capacity;hq"
    ex = explain(t, "logic", lens="site")
    assert sorted(ex["entity"]) == ["JP", "JP", "KR", "TW", "TW"]
    jasm_jp = one(ex, supply_id="a-jasm", entity="JP")
    assert jasm_jp["weight"] == pytest.approx(55 / 155)
    assert jasm_jp["share_low"] == pytest.approx(30 * 55 / 155)


def test_site_weights_follow_the_year(tmp_path):
    # in 2023 JASM Fab 1 (start 2024) is not producing yet: all TSMC capacity is in TW
    t = write_dir(tmp_path, [sup("a-tsmc", "tsmc", share=100, year=2023)])
    row = one(concentration(t, inputs="logic", lens="site"), lens="site")
    assert row["hhi"] == pytest.approx(10_000.0)
    assert row["top_entity"] == "TW" and row["site_basis"] == "capacity"


def test_site_rows_count_where_they_are(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("a-fab18", "tsmc-fab-18", share=50),
            sup("a-jasm1", "jasm-fab-1", share=30),
            sup("a-samsung", "samsung", share=20),
        ],
    )
    df = concentration(t, inputs="logic")
    # firm: both sites are TSMC's -> tsmc 80, samsung 20: 6,400 + 400
    assert one(df, lens="firm")["hhi"] == pytest.approx(6800.0)
    # hq: TW 80, KR 20
    assert one(df, lens="hq")["hhi"] == pytest.approx(6800.0)
    # site: TW 50, JP 30, KR 20 (samsung: HQ stands in): 2,500 + 900 + 400
    site = one(df, lens="site")
    assert site["hhi"] == pytest.approx(3800.0)
    assert site["site_basis"] == "hq;site rows"
    assert site["count_to_75"] == 2  # 50 + 30 >= 75


def test_dual_lens_gap_owned_in_tw_made_in_jp(tmp_path):
    t = write_dir(tmp_path, [sup("a-jasm1", "jasm-fab-1", share=100)])
    gap = dual_lens_gap(t)
    assert list(gap.columns) == GAP_COLUMNS
    row = one(gap, input="logic")
    assert (row["owner_country"], row["location_country"]) == ("TW", "JP")
    assert row["owner_share"] == pytest.approx(100.0)
    assert bool(row["gap"]) is True
    assert row["gap_label"] == "owned in TW, made in JP"


# ---------------------------------------------------------------------------
# residuals, ranges, qualitative and capacity shares
# ---------------------------------------------------------------------------


def test_residual_bounds_r1_9_design_stage(tmp_path):
    # R1.9 S1: 51, 13, 10, 9, 8, 6 and "various" 4 -> lower 3,051, upper 3,067
    countries = ["US", "GB", "CN", "JP", "KR", "TW"]
    rows = [
        sup(f"c-{c.lower()}", c, share=s)
        for c, s in zip(countries, [51, 13, 10, 9, 8, 6], strict=True)
    ]
    t = write_dir(tmp_path, [*rows, sup("c-other", "other", share=4)])
    row = one(concentration(t, inputs="logic", lens="country"), lens="country")
    assert row["hhi_low"] == pytest.approx(3051.0)
    assert row["hhi_high"] == pytest.approx(3067.0)
    assert row["hhi"] == pytest.approx(3051.0)  # residual fragmented
    assert row["hhi_method"] == "residual fragmented"
    assert row["residual"] == pytest.approx(4.0)
    assert row["share_total"] == pytest.approx(101.0)  # as published, not renormalised
    assert row["n_entities"] == 6  # the residual is not an entity
    assert row["count_to_75"] == 4  # 51 + 13 + 10 = 74 < 75; + 9 = 83


def test_count_to_75_sorts_first(tmp_path):
    rows = [
        sup(f"c-{c.lower()}", c, share=s)
        for c, s in zip(["US", "GB", "CN", "JP"], [51, 13, 10, 26], strict=True)
    ]
    t = write_dir(tmp_path, rows)
    row = one(concentration(t, inputs="logic", lens="country"), lens="country")
    # sorted 51, 26, 13, 10: 51 + 26 = 77 >= 75 -> 2
    assert row["count_to_75"] == 2


def test_unlisted_gap_is_residual(tmp_path):
    # 60 + 30 listed, nothing else: the missing 10 is the residual bucket
    t = write_dir(tmp_path, [sup("a-asml", "asml", share=60), sup("a-nv", "nvidia", share=30)])
    row = one(concentration(t, inputs="logic", lens="firm"), lens="firm")
    assert row["hhi_low"] == pytest.approx(3600 + 900)
    assert row["hhi_high"] == pytest.approx(3600 + 900 + 100)
    assert row["share_total"] == pytest.approx(90.0) and row["residual"] == 0.0
    assert row["count_to_75"] == 2


def test_range_bounds_hbm_2023(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("h-micron", "micron", "hbm", smin=4, smax=6, year=2023),
            sup("h-samsung", "samsung", "hbm", smin=46, smax=49, year=2023),
            sup("h-skh", "sk-hynix", "hbm", smin=46, smax=49, year=2023),
        ],
    )
    row = one(concentration(t, inputs="hbm", lens="firm"), lens="firm")
    # lower: every share at its minimum, the 4 left over fragmented: 4**2 + 46**2 + 46**2
    assert row["hhi_low"] == pytest.approx(16 + 2116 + 2116)
    # upper: raise one 46 to 49 (3), the other to 47 (1): 49**2 + 47**2 + 4**2 = 4,626
    assert row["hhi_high"] == pytest.approx(4626.0)
    # point: midpoints 5, 47.5, 47.5 (sum 100): 25 + 2 * 2,256.25
    assert row["hhi"] == pytest.approx(4537.5)
    assert row["hhi_method"] == "interval midpoints"
    assert row["top_entity"] == "samsung"  # tie at 47.5 broken by id


def test_qualitative_shares(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("q-samsung", "samsung", qual="minor", basis="capacity"),
            sup("q-tsmc", "tsmc", qual="major", basis="capacity"),
            sup("q-asml", "asml", qual="major", basis="capacity"),
        ],
    )
    row = one(concentration(t, inputs="logic", lens="firm"), lens="firm")
    # major = [10, 100], minor = [1, 10]; lower: 10**2 + 10**2 + 1**2 = 201
    assert row["hhi_low"] == pytest.approx(201.0)
    # upper: one major takes the 79 left: 89**2 + 10**2 + 1**2 = 8,022
    assert row["hhi_high"] == pytest.approx(8022.0)
    # point: midpoints 55, 55, 5.5 sum to 115.5 > 100; moved down by mu = 5.5
    # (minor stops at 1): 49.5, 49.5, 1 -> 2 * 2,450.25 + 1 = 4,901.5
    assert row["hhi"] == pytest.approx(4901.5)
    assert row["share_total"] == pytest.approx(100.0)


def test_capacity_derived_shares_r1_11(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("k-micron", "micron", "hbm", cap=3000, unit="wafers/month", basis="capacity"),
            sup("k-samsung", "samsung", "hbm", cap=45000, unit="wafers/month", basis="capacity"),
            sup("k-skh", "sk-hynix", "hbm", cap=45000, unit="wafers/month", basis="capacity"),
        ],
    )
    row = one(concentration(t, inputs="hbm", lens="firm"), lens="firm")
    # 45/93, 45/93, 3/93 -> 4,693.03 (R1.11)
    assert row["hhi"] == pytest.approx(4693.03, abs=0.01)
    assert row["hhi_method"] == "exact"
    ex = explain(t, "hbm")
    assert set(ex["share_kind"]) == {"capacity"}


def test_capacity_with_mixed_units_is_unknown(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("k-samsung", "samsung", cap=45000, unit="wafers/month", basis="capacity"),
            sup("k-tsmc", "tsmc", cap=100000, unit="wafers/year", basis="capacity"),
        ],
    )
    row = one(concentration(t, inputs="logic", lens="firm"), lens="firm")
    # no share can be derived: each is [0, 100]
    assert row["hhi_low"] == 0.0 and row["hhi_high"] == pytest.approx(10_000.0)
    assert set(explain(t, "logic")["share_kind"]) == {"unknown"}


def test_r1_11_hbm_firm_and_country(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("h-micron", "micron", "hbm", share=10, year=2022),
            sup("h-samsung", "samsung", "hbm", share=40, year=2022),
            sup("h-skh", "sk-hynix", "hbm", share=50, year=2022),
            sup("hc-kr", "KR", "hbm", share=90, year=2022),
            sup("hc-us", "US", "hbm", share=10, year=2022),
        ],
    )
    df = concentration(t, inputs="hbm")
    assert one(df, lens="firm")["hhi"] == pytest.approx(4200.0)  # 2,500 + 1,600 + 100
    assert one(df, lens="hq")["hhi"] == pytest.approx(8200.0)  # KR 90, US 10
    country = one(df, lens="country")
    assert country["hhi"] == pytest.approx(8200.0)
    assert country["supply_ids"] == ["hc-kr", "hc-us"]
    assert bool(country["over_65"]) is True


@pytest.mark.parametrize("order", ["mixed", "sorted", "reversed"])
def test_supply_and_source_ids_are_sorted_whatever_the_file_order(tmp_path, order):
    # ids in order in the file take a fast path (positions sort like ids); others are sorted
    rows = [
        sup("z-tsmc", "tsmc", share=60, source="src-a"),
        sup("m-samsung", "samsung", share=30, source="src-a"),
        sup("a-other", "other", share=10, source="src-a"),
        sup("b-tw", "TW", share=100, source="src-a"),
    ]
    if order != "mixed":
        rows = sorted(rows, reverse=order == "reversed")
    t = write_dir(tmp_path, rows)
    assert t["supplies"]["id"].is_monotonic_increasing == (order == "sorted")
    df = concentration(t, inputs="logic")
    for lens in ("firm", "hq", "site"):
        assert one(df, lens=lens)["supply_ids"] == ["a-other", "m-samsung", "z-tsmc"]
    country = one(df, lens="country")
    assert country["supply_ids"] == ["a-other", "b-tw"]
    assert country["source_ids"] == ["src-a"]


def test_bases_are_never_mixed(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("r-samsung", "samsung", share=50),
            sup("r-tsmc", "tsmc", share=50),
            sup("c-samsung", "samsung", share=20, basis="capacity"),
            sup("c-tsmc", "tsmc", share=80, basis="capacity"),
        ],
    )
    df = concentration(t, inputs="logic", lens="firm")
    assert one(df, basis="revenue")["hhi"] == pytest.approx(5000.0)
    assert one(df, basis="capacity")["hhi"] == pytest.approx(6800.0)
    only = concentration(t, inputs="logic", lens="firm", basis="capacity")
    assert list(only["basis"]) == ["capacity"]


def test_as_of_year_takes_latest_year_not_after(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("y19-samsung", "samsung", share=10, year=2019),
            sup("y19-tsmc", "tsmc", share=90, year=2019),
            sup("y22-samsung", "samsung", share=50, year=2022),
            sup("y22-tsmc", "tsmc", share=50, year=2022),
        ],
    )
    latest = one(concentration(t, inputs="logic", lens="firm"), lens="firm")
    assert (latest["year"], latest["hhi"]) == (2022, pytest.approx(5000.0))
    for year in (2019, 2020, 2021):
        row = one(concentration(t, inputs="logic", lens="firm", year=year), lens="firm")
        assert (row["year"], row["hhi"]) == (2019, pytest.approx(8200.0))
    with pytest.raises(UsageError, match="as of 2018"):
        concentration(t, inputs="logic", year=2018)


def test_residual_joins_its_level_only(tmp_path):
    t = write_dir(
        tmp_path,
        [
            sup("c-other", "other", share=10, year=2021),
            sup("c-tw", "TW", share=90, year=2021),
            sup("f-tsmc", "tsmc", share=100, year=2024),
        ],
    )
    df = concentration(t, inputs="logic")
    country = one(df, lens="country")
    assert country["residual"] == pytest.approx(10.0)
    assert country["hhi_low"] == 8100 and country["hhi_high"] == 8200
    assert one(df, lens="firm")["residual"] == 0.0


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inputs": "no-such-input"}, "unknown input"),
        ({"stage": "baking"}, "unknown stage"),
        ({"lens": "galaxy"}, "unknown lens"),
        ({"basis": "vibes"}, "unknown basis"),
        ({"year": 1900}, "as of 1900"),
        ({"year": "2024"}, "whole number"),
    ],
)
def test_readable_errors(tiny, kwargs, message):
    with pytest.raises(UsageError, match=message):
        concentration(tiny, **kwargs)


def test_explain_errors(tiny):
    with pytest.raises(UsageError, match="unknown input"):
        explain(tiny, "nope")
    with pytest.raises(UsageError, match="lens='country'"):
        explain(tiny, "euv", lens="country")


def test_stage_filter(tiny):
    df = concentration(tiny, stage="equipment")
    assert set(df["input"]) == {"euv"}


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

POOL = ["TW", "KR", "JP", "US", "NL", "DE", "CN", "FR", "GB", "IT", "SG", "MY"]


def mem_tables(base: Tables, rows: list[dict]) -> Tables:
    """Tables with these supplies rows (country suppliers), built in memory."""
    cols = {
        "id": object,
        "supplier": object,
        "input": object,
        "buyer": object,
        "share": float,
        "share_min": float,
        "share_max": float,
        "share_qual": object,
        "capacity": float,
        "capacity_unit": object,
        "basis": object,
        "year": "Int64",
        "confidence": object,
        "source_id": object,
    }
    full = [
        {
            "id": r["id"],
            "supplier": r["supplier"],
            "input": "logic",
            "buyer": None,
            "share": r.get("share", np.nan),
            "share_min": r.get("share_min", np.nan),
            "share_max": r.get("share_max", np.nan),
            "share_qual": r.get("share_qual"),
            "capacity": np.nan,
            "capacity_unit": None,
            "basis": "revenue",
            "year": 2024,
            "confidence": "primary",
            "source_id": "src-a",
        }
        for r in rows
    ]
    df = pd.DataFrame(full, columns=list(cols)).astype(cols)
    for c, dt in cols.items():
        if dt is object:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    frames = dict(base.frames, supplies=df)
    return Tables(frames, base.scenarios, base.origin, base.data_hash, base.kinds)


exact_tables = st.lists(st.integers(1, 40), min_size=1, max_size=8).filter(
    lambda xs: sum(xs) <= 100
)


def _rows(shares: list[int], labels: list[str], residual: bool) -> list[dict]:
    rows = [
        {"id": f"s-{i}", "supplier": lab, "share": float(s)}
        for i, (s, lab) in enumerate(zip(shares, labels, strict=False))
    ]
    if residual and sum(shares) < 100:
        rows.append({"id": "s-other", "supplier": "other", "share": float(100 - sum(shares))})
    return rows


_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(shares=exact_tables, residual=st.booleans())
def test_property_hhi_in_range(tiny, shares, residual):
    t = mem_tables(tiny, _rows(shares, POOL, residual))
    row = one(concentration(t, lens="country"), lens="country")
    assert 0 < row["hhi"] <= 10_000
    assert row["hhi_low"] <= row["hhi"] <= row["hhi_high"] <= 10_000
    assert row["hhi"] == pytest.approx(sum(s * s for s in shares))
    if sum(shares) == 100:
        assert row["hhi_high"] == pytest.approx(row["hhi"])


@_SETTINGS
@given(shares=exact_tables, residual=st.booleans(), data=st.data())
def test_property_relabelling_and_row_order(tiny, shares, residual, data):
    rows = _rows(shares, POOL, residual)
    base = one(concentration(mem_tables(tiny, rows), lens="country"), lens="country")
    perm = data.draw(st.permutations(POOL))
    relabel = dict(zip(POOL, perm, strict=True))
    shuffled = data.draw(st.permutations(rows))
    moved = [
        {**r, "supplier": relabel.get(r["supplier"], r["supplier"]), "id": f"x-{r['id']}"}
        for r in shuffled
    ]
    other = one(concentration(mem_tables(tiny, moved), lens="country"), lens="country")
    for col in ("hhi", "hhi_low", "hhi_high", "cr1", "cr3", "entropy", "effective_n"):
        assert other[col] == pytest.approx(base[col], rel=1e-12, abs=1e-9), col
    assert other["count_to_75"] is base["count_to_75"] or (
        other["count_to_75"] == base["count_to_75"]
    )
    assert other["top_share"] == pytest.approx(base["top_share"])


interval = st.one_of(
    st.tuples(st.just("exact"), st.integers(0, 30)),
    st.tuples(st.just("range"), st.tuples(st.integers(0, 20), st.integers(0, 20))),
    st.tuples(st.just("qual"), st.sampled_from(["major", "minor", "negligible"])),
)


@_SETTINGS
@given(items=st.lists(interval, min_size=1, max_size=7))
def test_property_bounds_ordered(tiny, items):
    rows, low_sum = [], 0.0
    for i, (kind, v) in enumerate(items):
        r = {"id": f"s-{i}", "supplier": POOL[i]}
        if kind == "exact":
            r["share"], low_sum = float(v), low_sum + v
        elif kind == "range":
            lo, hi = sorted(v)
            r["share_min"], r["share_max"], low_sum = float(lo), float(hi), low_sum + lo
        else:
            r["share_qual"] = v
            low_sum += {"major": 10, "minor": 1, "negligible": 0}[v]
        rows.append(r)
    if low_sum > 100:
        return
    row = one(concentration(mem_tables(tiny, rows), lens="country"), lens="country")
    assert 0 <= row["hhi_low"] <= row["hhi"] <= row["hhi_high"] <= 10_000
    assert not math.isnan(row["hhi"])


# ---------------------------------------------------------------------------
# the built-in data
# ---------------------------------------------------------------------------


def test_builtin_euv_is_a_monopoly(builtin):
    row = one(concentration(builtin, inputs="euv-lithography", lens="firm"), lens="firm")
    assert row["hhi"] == 10_000.0 and row["hhi_low"] == row["hhi_high"] == 10_000.0
    assert row["top_entity"] == "asml" and row["cr1"] == 100.0
    ex = explain(builtin, "euv-lithography", lens="firm")
    assert list(ex.columns) == EXPLAIN_COLUMNS
    assert set(ex["supply_id"]) == set(row["supply_ids"])
    assert ex["url"].str.startswith("http").all()
    assert ex["source_title"].notna().all()


def test_builtin_leading_edge_logic_is_taiwan(builtin):
    df = concentration(builtin, inputs="leading-edge-logic")
    located = df[df["lens"].isin(["site", "country"])]
    top = located.sort_values("top_share").iloc[-1]
    assert top["top_entity"] == "TW" and top["top_share"] >= 65
    assert bool(top["over_65"]) is True
    ex = explain(builtin, "leading-edge-logic", lens=top["lens"])
    assert "TW" in set(ex["entity"])
    assert ex["url"].str.startswith("http").all()
    assert set(ex["source_id"]) == set(top["source_ids"])


def test_builtin_all_rows_sane(builtin):
    df = concentration(builtin)
    assert not df.empty
    assert (df["hhi_low"] <= df["hhi"] + 1e-9).all()
    assert (df["hhi"] <= df["hhi_high"] + 1e-9).all()
    assert (df["hhi"] <= 10_000).all()
    assert df.duplicated(["input", "lens", "basis", "year"]).sum() == 0
    gap = dual_lens_gap(builtin)
    assert set(gap["input"]) <= set(df["input"])


def test_docstring_examples():
    result = doctest.testmod(conc_mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
