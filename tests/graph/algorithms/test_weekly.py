"""The weekly model: hand-computed curves on a 3-node chain, properties, and the static link."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.scenarios import adhoc_scenario, named_scenarios
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.algorithms.weekly import WeeklyParams, node_params
from chiprisk.graph.algorithms.weekly_scenarios import run_weekly, summarize, weekly_summary
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network

INPUT_HEAD = (
    "id,name,stage,kind,flow,buffer_weeks,lead_time_weeks,restart_weeks,"
    "service_decay_per_year,timing_source_id,source_id\n"
)


def chain(root: Path, raw: str = ",,,,", part: str = ",,,,", prod: str = ",,,,") -> Path:
    """raw -> part -> prod; each ``flow,buffer,lead,restart,decay`` (blank: defaults)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "sources": "id,url,title,publisher,confidence\nsrc,https://example.org/s,T,T,primary\n",
        "organizations": "id,name,hq_country,source_id\na,A,JP,src\nb,B,TW,src\n",
        "inputs": INPUT_HEAD
        + f"raw,Raw,materials,material,{raw},src,src\n"
        + f"part,Part,fabrication,process,{part},src,src\n"
        + f"prod,Prod,product,product,{prod},src,src\n",
        "requirements": "product,input,source_id\nprod,part,src\npart,raw,src\n",
        "supplies": "id,supplier,input,share,basis,year,confidence,source_id\n"
        "s1,a,raw,100,revenue,2024,primary,src\ns2,b,part,100,revenue,2024,primary,src\n",
    }
    for name, text in files.items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    return root


def curve(tmp_path: Path, target: str = "input:raw", weeks: int = 30, **kw) -> np.ndarray:
    """Weekly output of ``prod`` when ``target`` is cut fully for 10 weeks from week 2."""
    t = load_tables(chain(tmp_path / "d", **kw))
    sc = adhoc_scenario([target], 1.0, duration_weeks=10, start_week=2, tables=t)
    run = run_weekly(t, sc, weeks=weeks)
    return 1.0 - run.loss[run.net.node_index["prod"], 0]


def test_no_stocks_is_the_cut_while_it_lasts(tmp_path):
    out = curve(tmp_path)
    assert out[:2].tolist() == [1.0, 1.0]
    assert out[2:12].tolist() == [0.0] * 10
    assert (out[12:] == 1.0).all()


def test_buffer_delays_the_drop_by_exactly_its_weeks(tmp_path):
    out = curve(tmp_path, raw="consumable,3,,,")
    assert out[:5].tolist() == [1.0] * 5  # weeks 2, 3, 4 covered by 3 weeks of stock
    assert out[5:12].tolist() == [0.0] * 7
    assert (out[12:] == 1.0).all()  # not refilled, but the cause is over
    s = summarize(1.0 - out[None, :], np.array([2.0]))
    assert s["tts_weeks"][0] == 3.0 and s["ttr_weeks"][0] == 10.0


def test_restart_delays_the_recovery(tmp_path):
    out = curve(tmp_path, raw="consumable,,,4,")
    # a linear ramp over 4 weeks after the cause ends (week 12), as weekly means
    assert out[12:16] == pytest.approx([0.125, 0.375, 0.625, 0.875])
    assert (out[16:] == 1.0).all()
    s = summarize(1.0 - out[None, :], np.array([2.0]))
    assert s["ttr_weeks"][0] == 14.0  # 10 weeks + 4 of restart
    assert s["lost_weeks_of_output"][0] == pytest.approx(10 + 4 / 2)


def test_restart_applies_where_the_cause_hits_not_downstream(tmp_path):
    # part is only starved: its restart does not apply; raw's lead time does
    out = curve(tmp_path, raw="consumable,,3,,", part="consumable,,,6,")
    assert out[12:15].tolist() == [0.0, 0.0, 0.0]  # raw's pipeline refills for 3 weeks
    assert (out[15:] == 1.0).all()


def test_lead_times_add_up_along_the_chain(tmp_path):
    out = curve(tmp_path, raw="consumable,,2,,", part="consumable,,3,,", prod="consumable,,1,,")
    assert (out[2:18] == 0.0).all() and out[18] == 1.0  # 10 + 2 + 3 + 1 weeks


def test_installed_capacity_decays_at_its_service_rate(tmp_path):
    t = load_tables(chain(tmp_path / "d", raw="installed,,,,0.5"))
    sc = adhoc_scenario(["input:raw"], 1.0, duration_weeks=52, tables=t)
    run = run_weekly(t, sc, weeks=60)
    out = 1.0 - run.loss[run.net.node_index["prod"], 0]
    weeks_cut = np.arange(1, 53)
    assert out[:52] == pytest.approx(0.5 ** (weeks_cut / 52))  # half lost after a year
    assert out[25] == pytest.approx(0.5**0.5)
    assert (out[52:] == 1.0).all()  # service back at once (no lead or restart)


def test_installed_spares_delay_the_decay_and_a_half_cut_decays_slower(tmp_path):
    t = load_tables(chain(tmp_path / "d", raw="installed,4,,,0.5"))
    run = run_weekly(t, adhoc_scenario(["input:raw"], 1.0, duration_weeks=20, tables=t), weeks=30)
    out = 1.0 - run.loss[run.net.node_index["prod"], 0]
    assert out[:4].tolist() == [1.0] * 4
    assert out[4] == pytest.approx(0.5 ** (1 / 52))
    half = run_weekly(t, adhoc_scenario(["input:raw"], 0.5, duration_weeks=20, tables=t), weeks=30)
    assert (half.loss <= run.loss + 1e-12).all()


def test_static_annual_loss_is_the_curve_mean_without_stocks():
    t = load_tables()
    net = build_network(t)
    scs = named_scenarios(t)
    zero = WeeklyParams.zeros(net.n_nodes, len(scs))
    run = run_weekly(t, scs, network=net, params=zero, weeks=52)
    static = simulate(t, scs, network=net, include="all")
    for k, sc in enumerate(scs):
        rows = static[static["scenario"] == sc.id]
        idx = [net.node_index[n] for n in rows["node"]]
        expect = rows["loss"].to_numpy() * min(sc.duration_weeks, 52) / 52
        assert run.loss[idx, k].mean(axis=-1) == pytest.approx(expect, abs=1e-12), sc.id


def test_tiny_fixture_annual_loss_unchanged():
    """Data without the stock-and-flow columns keep the static annual loss."""
    tiny = load_tables(Path(__file__).parents[2] / "fixtures" / "tiny")
    df = simulate(tiny, named_scenarios(tiny, "tw-blockade"))
    h100 = df[df["node"] == "h100"].iloc[0]
    assert h100["annual_loss"] == pytest.approx(h100["loss"] * 26 / 52)
    assert h100["trough"] == pytest.approx(h100["output_fraction"])


# ------------------------------------------------------------------ properties

_T = load_tables()
_NET = build_network(_T)
_SCS = named_scenarios(_T)


@st.composite
def params(draw):
    n = _NET.n_nodes
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    p = WeeklyParams(
        rng.random((n, 1)) < 0.3,
        rng.integers(0, 8, (n, 1)).astype(float),
        rng.integers(0, 6, (n, 1)).astype(float),
        rng.integers(0, 6, (n, 1)).astype(float),
        rng.random((n, 1)),
    )
    return p, draw(st.sampled_from(_SCS))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=params(), extra=st.floats(0.5, 10), seed=st.integers(0, 999))
def test_more_buffer_never_loses_more(case, extra, seed):
    p, sc = case
    more = WeeklyParams(p.installed, p.buffer.copy(), p.lead, p.restart, p.decay)
    rows = np.random.default_rng(seed).random(_NET.n_nodes) < 0.5
    more.buffer[rows] += extra
    a = run_weekly(_T, sc, network=_NET, params=p, weeks=80).loss
    b = run_weekly(_T, sc, network=_NET, params=more, weeks=80).loss
    assert (b <= a + 1e-12).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=params(), d1=st.floats(0, 60), extra=st.floats(0, 30))
def test_longer_duration_never_loses_less(case, d1, extra):
    p, sc = case
    short = adhoc_scenario(sc.targets, sc.severity, duration_weeks=d1)
    long = adhoc_scenario(sc.targets, sc.severity, duration_weeks=d1 + extra)
    a = run_weekly(_T, short, network=_NET, params=p, weeks=80).loss
    b = run_weekly(_T, long, network=_NET, params=p, weeks=80).loss
    assert (b >= a - 1e-12).all()
    assert b.sum() >= a.sum() - 1e-9


def test_overrides_and_start_week_apply(tmp_path):
    t = load_tables(chain(tmp_path / "d"))
    sc = adhoc_scenario(["input:raw"], 1.0, duration_weeks=4, start_week=3, tables=t)
    from dataclasses import replace

    sc = replace(sc, overrides='{"raw": {"buffer_weeks": 2.0}}')
    p = node_params(build_network(t), t, [sc])
    assert p.buffer[:, 0].max() == 2.0
    df = weekly_summary(t, sc, weeks=12).set_index("product")
    assert df.loc["prod", "tts_weeks"] == 2.0  # from the start week
    assert df.loc["prod", "trough_week"] == 5.0


# ------------------------------------------------------------ the checks

TSMC_MADE = ["nvidia-h100", "nvidia-h200", "nvidia-b200", "amd-mi300x", "intel-gaudi-3"]


@pytest.fixture(scope="module")
def named():
    return weekly_summary(_T, _SCS, network=_NET)


def test_every_product_has_tts_trough_and_ttr_in_every_named_scenario(named):
    assert set(named["scenario"]) == {s.id for s in _SCS}
    for c in ("tts_weeks", "trough", "ttr_weeks"):
        assert named[c].notna().all(), c
    assert len(named) == len(_SCS) * len(_NET.products)


def test_dutch_ban_loses_under_ten_percent_in_the_first_half_year():
    run = run_weekly(_T, named_scenarios(_T, "dutch-lithography-export-ban"), network=_NET)
    prods = [_NET.node_index[p] for p in _NET.products]
    assert run.loss[prods, 0, :27].max() < 0.10
    static = simulate(_T, named_scenarios(_T, "dutch-lithography-export-ban"), network=_NET)
    assert static.set_index("node").loc["nvidia-h100", "loss"] == 1.0  # the flow-only figure


def test_taiwan_blockade_is_deep_and_recovers_after_the_restart(named):
    tw = named[named["scenario"] == "taiwan-strait-blockade"].set_index("product")
    restart = _T["inputs"].set_index("id").loc["logic-5nm-class", "restart_weeks"]
    for p in TSMC_MADE:
        assert tw.loc[p, "trough"] < 0.5, p
        assert tw.loc[p, "ttr_weeks"] >= 26 + restart, p
        assert np.isfinite(tw.loc[p, "ttr_weeks"]), p
