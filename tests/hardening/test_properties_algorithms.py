"""Property-based tests of the algorithms on whole data directories (Issue 9, part C).

The algorithm modules have their own hypothesis tests on hand-built share
tables and small networks (``tests/graph/algorithms``); these add the
directory-level properties (catalogue ``docs/hardening/properties.md``, P07..P13):

- every CSV file's rows shuffled (tiny data and a small synthetic network from
  :mod:`chiprisk.graph.io.synthetic`): concentration, exposure, simulate,
  Monte Carlo and what-if give the same numbers up to 1e-9;
- no NaN or negative loss escapes simulate, montecarlo or whatif on random
  ad hoc scenarios over a synthetic network;
- concentration indices stay in range on synthetic share tables (ranges,
  qualitative rows, residuals, sites): 0 < HHI <= 10,000, hhi_low <= hhi <=
  hhi_high, CR1 <= CR3 <= 100.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chiprisk.graph as cg
from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.algorithms.exposure import exposure_all
from chiprisk.graph.algorithms.montecarlo import montecarlo
from chiprisk.graph.algorithms.scenarios import adhoc_scenario, named_scenarios
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.algorithms.whatif import whatif
from chiprisk.graph.io import synthetic
from chiprisk.graph.io.datadir import TABLE_FILES

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
TOL = 1e-9
SYNTH_SEEDS = (1, 2)

PROPS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def synthetic_dir(seed: int) -> Path:
    """A small synthetic network (300 supply rows), written once per seed."""
    out = Path(tempfile.mkdtemp(prefix=f"chiprisk-synth-{seed}-"))
    return synthetic.generate(out, supply_rows=300, seed=seed)


@cache
def loaded(path: Path) -> cg.KnowledgeGraph:
    return cg.load(path, use_cache=False)


def shuffled_copy(src: Path, dest: Path, seed: int) -> Path:
    """Copy a data directory with the data rows of every CSV file in a random order."""
    shutil.copytree(src, dest)
    rng = random.Random(seed)
    for name in TABLE_FILES:
        p = dest / "seed" / name
        if not p.exists():
            continue
        rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"))))
        body = rows[1:]
        rng.shuffle(body)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([rows[0], *body])
        p.write_text(buf.getvalue(), encoding="utf-8")
    return dest


def assert_same(a: pd.DataFrame, b: pd.DataFrame, key: list[str]) -> None:
    """Same rows (matched on ``key``), numbers equal up to TOL, other cells equal."""
    assert len(a) == len(b)
    a = a.sort_values(key, kind="stable").reset_index(drop=True)
    b = b.sort_values(key, kind="stable").reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            np.testing.assert_allclose(
                x.to_numpy(dtype=float), y.to_numpy(dtype=float), rtol=TOL, atol=TOL, err_msg=col
            )
        else:
            xs = [sorted(v) if isinstance(v, list) else v for v in x.tolist()]
            ys = [sorted(v) if isinstance(v, list) else v for v in y.tolist()]
            assert [_norm(v) for v in xs] == [_norm(v) for v in ys], col


def _norm(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str) and ";" in v:  # id lists: order follows the rows
        return ";".join(sorted(v.split(";")))
    return v


CONC_KEY = ["input", "lens", "basis", "year"]
EXP_KEY = ["product", "entity", "input"]
SIM_KEY = ["scenario", "node"]


def results(kg: cg.KnowledgeGraph) -> dict[str, pd.DataFrame]:
    """The order-sensitive outputs of one graph."""
    t = kg.tables
    scs = named_scenarios(t)
    out = {
        "concentration": concentration(t),
        "exposure": exposure_all(t, by="country"),
        "exposure_firm": exposure_all(t, by="firm"),
        "simulate": simulate(t, scs, include="all"),
        "montecarlo": montecarlo(t, scs, runs=500, seed=3, include="all"),
    }
    return out


KEYS = {
    "concentration": CONC_KEY,
    "exposure": EXP_KEY,
    "exposure_firm": EXP_KEY,
    "simulate": SIM_KEY,
    "montecarlo": ["node"],
}


def _check_order_free(src: Path, seed: int) -> None:
    base = results(loaded(src))
    with tempfile.TemporaryDirectory() as tmp:
        other = results(cg.load(shuffled_copy(src, Path(tmp) / "d", seed), use_cache=False))
    for name, df in base.items():
        drop = [c for c in ("supply_ids", "source_ids") if c in df.columns]
        assert_same(df.drop(columns=drop), other[name].drop(columns=drop), KEYS[name])


@settings(PROPS, max_examples=4)
@given(seed=st.integers(0, 2**32 - 1))
def test_p07_tiny_results_do_not_depend_on_row_order(seed):
    """P07: shuffled CSV rows of the tiny data give the same concentration, exposure,
    simulate and Monte Carlo results (1e-9)."""
    _check_order_free(TINY, seed)


@settings(PROPS, max_examples=3)
@given(synth=st.sampled_from(SYNTH_SEEDS), seed=st.integers(0, 2**32 - 1))
def test_p08_synthetic_results_do_not_depend_on_row_order(synth, seed):
    """P08: the same on a 300-row synthetic network (ranges, residuals, sites, sourcing)."""
    _check_order_free(synthetic_dir(synth), seed)


def test_p12_whatif_does_not_depend_on_row_order():
    """P12: what-if policies applied to shuffled rows give the same before/after tables."""
    src = synthetic_dir(SYNTH_SEEDS[0])
    with tempfile.TemporaryDirectory() as tmp:
        a = loaded(src)
        b = cg.load(shuffled_copy(src, Path(tmp) / "d", 7), use_cache=False)
        pols = list(a.tables["policies"]["id"])
        ra = whatif(a.tables, pols, year=2027, runs=500)
        rb = whatif(b.tables, pols, year=2027, runs=500)
    for name, key in (("inputs", ["input", "capacity_unit", "lens"]), ("products", None)):
        x, y = getattr(ra, name), getattr(rb, name)
        key = key or [c for c in ("product", "scenario") if c in x.columns]
        key = [k for k in key if k in x.columns]
        drop = [c for c in ("source_ids", "policies") if c in x.columns]
        assert_same(x.drop(columns=drop), y.drop(columns=drop), key)


def _targets(kg: cg.KnowledgeGraph) -> list[str]:
    t = kg.tables
    out = [f"org:{i}" for i in t["organizations"]["id"][:8]]
    out += [f"site:{i}" for i in t["sites"]["id"][:5]]
    out += [f"input:{i}" for i in t["inputs"]["id"][:6]]
    out += [f"bloc:{i}" for i in t["blocs"]["id"]]
    out += ["country:TW", "country:US", "country:CN", "country:JP", "country:KR", "country:DE"]
    return out


@st.composite
def adhoc(draw):
    kg = loaded(synthetic_dir(draw(st.sampled_from(SYNTH_SEEDS))))
    targets = draw(st.lists(st.sampled_from(_targets(kg)), min_size=1, max_size=3, unique=True))
    sc = adhoc_scenario(
        targets,
        draw(st.floats(0, 1)),
        duration_weeks=draw(st.none() | st.floats(0, 520)),
        probability=draw(st.floats(0, 1)),
        inventory_weeks=draw(st.none() | st.floats(0, 52)),
        recovery_weeks=draw(st.none() | st.floats(0, 104)),
        tables=kg.tables,
    )
    return kg, sc, draw(st.sampled_from([0.0, 0.1, 0.5, 2.0]))


def _finite_unit(df: pd.DataFrame, cols: list[str]) -> None:
    for c in cols:
        v = df[c].to_numpy(dtype=float)
        assert np.isfinite(v).all(), (c, df[c])
        assert ((v >= 0) & (v <= 1 + 1e-12)).all(), (c, df[c])


@settings(PROPS, max_examples=10)
@given(case=adhoc())
def test_p09_no_nan_or_negative_loss_escapes(case):
    """P09: simulate and montecarlo on random ad hoc scenarios (any severity, duration,
    inventory, spare capacity): losses finite and in 0..1, never NaN."""
    kg, sc, spare = case
    df = simulate(kg.tables, sc, include="all", spare_capacity=spare, network=kg.network())
    _finite_unit(df, ["loss", "output_fraction"])
    if sc.duration_weeks is not None:
        a = df["annual_loss"].to_numpy(dtype=float)
        assert np.isfinite(a).all() and (a >= 0).all()
    prod = df[df["kind"] == "product"]
    if sc.inventory_weeks is not None:  # the TTS/TTR LPs ran for every product
        tts = prod["tts_weeks"].to_numpy(dtype=float)
        assert not np.isnan(tts).any() and (tts >= 0).all(), prod
        if sc.duration_weeks is not None:
            ttr = prod["ttr_lost_weeks"].to_numpy(dtype=float)
            assert np.isfinite(ttr).all() and (ttr >= 0).all(), prod
    mc = montecarlo(kg.tables, [sc], runs=300, seed=1, include="all", spare_capacity=spare)
    _finite_unit(mc, ["eud", "var", "cvar", "p_shortfall", "worst"])
    assert (mc["var"] <= mc["cvar"] + 1e-12).all() and (mc["cvar"] <= mc["worst"] + 1e-12).all()


def test_p13_whatif_losses_are_finite_and_in_range():
    """P13: what-if before/after losses of every product and scenario in 0..1."""
    for synth in SYNTH_SEEDS:
        kg = loaded(synthetic_dir(synth))
        r = whatif(kg.tables, list(kg.tables["policies"]["id"]), year=2027, runs=500)
        num = r.products.select_dtypes("number")
        loss_cols = [c for c in num.columns if any(w in c for w in ("loss", "eud", "cvar"))]
        assert loss_cols, list(r.products.columns)
        vals = num[loss_cols].to_numpy(dtype=float)
        vals = vals[~np.isnan(vals)]
        assert (vals >= -1e-12).all() and (vals <= 1 + 1e-12).all()
        inp = r.inputs
        for c in ("hhi_before", "hhi_after"):
            v = inp[c].dropna().to_numpy(dtype=float)
            assert ((v > 0) & (v <= 10_000 + 1e-6)).all(), c


@settings(PROPS, max_examples=4)
@given(
    synth=st.sampled_from(SYNTH_SEEDS),
    lens=st.sampled_from([None, "firm", "hq", "site", "country"]),
    year=st.sampled_from([None, 2015, 2022, 2023, 2024]),
)
def test_p10_concentration_indices_in_range(synth, lens, year):
    """P10: 0 < HHI <= 10,000, hhi_low <= hhi <= hhi_high, CR1 <= CR3 <= 100 on every
    synthetic share table (ranges, qualitative rows, residuals, sites)."""
    df = concentration(loaded(synthetic_dir(synth)).tables, lens=lens, year=year)
    if df.empty:
        return
    eps = 1e-6
    for c in ("hhi", "hhi_low", "hhi_high", "cr1", "cr3"):
        assert not df[c].isna().any(), c
    assert ((df["hhi"] > 0) & (df["hhi"] <= 10_000 + eps)).all()
    assert (df["hhi_low"] <= df["hhi"] + eps).all() and (df["hhi"] <= df["hhi_high"] + eps).all()
    assert (df["hhi_high"] <= 10_000 + eps).all() and (df["hhi_low"] > 0).all()
    assert ((df["cr1"] > 0) & (df["cr1"] <= df["cr3"] + eps) & (df["cr3"] <= 100 + eps)).all()
    assert (df["effective_n"] >= 1 - eps).all()


def test_p11_order_free_on_the_summary():
    """P11: ``kg.summary()`` (what ``chiprisk summary`` prints) is the same for shuffled rows."""
    src = synthetic_dir(SYNTH_SEEDS[1])
    a = loaded(src).summary()
    with tempfile.TemporaryDirectory() as tmp:
        b = cg.load(shuffled_copy(src, Path(tmp) / "d", 11), use_cache=False).summary()
    keys = {"concentrated": ["input"], "chokepoints": ["kind", "id"], "exposure": ["product"]}
    for name, key in keys.items():
        assert_same(a[name], b[name], key)
