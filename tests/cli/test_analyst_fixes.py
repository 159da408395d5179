"""Small things an analyst trips over (issue 19), each with the test that failed before:
``by="all"`` in the API, the README's Python tour, file modes under the umask,
unknown ``--param`` prefixes, units of ``optimize``, overrides of named scenarios
and the default duration of ad hoc ones, the policy ranking and its chart."""

from __future__ import annotations

import json
import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import chiprisk.graph as cg
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.atomic import atomic_write

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def kg():
    return cg.load()


@pytest.fixture(scope="module")
def ranked(kg):
    return kg.policies(rank=True, year=2030)


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# ------------------------------------------------------------------- API


def test_concentration_by_all_is_every_lens(kg):
    every = kg.concentration("hbm", by=None)
    pd.testing.assert_frame_equal(kg.concentration("hbm", by="all"), every)
    assert set(every["lens"]) >= {"firm", "hq"}
    with pytest.raises(UsageError, match="all"):
        kg.concentration("hbm", by="everything")


def test_readme_shows_concentration_and_exposure(kg):
    lines = [x for x in README.splitlines() if x.startswith(("kg.concentration(", "kg.exposure("))]
    assert len(lines) == 2, lines
    for line in lines:  # and they run as written
        df = eval(line.split("  #")[0], {"kg": kg})  # noqa: S307 - the README's own line
        assert isinstance(df, pd.DataFrame) and len(df)


# ------------------------------------------------------------- file modes


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_gives_new_files_the_mode_open_would(tmp_path, mask, mode):
    with umask(mask):
        atomic_write(tmp_path / "a.txt", b"x")
        with open(tmp_path / "b.txt", "wb") as f:
            f.write(b"x")
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == mode


def test_atomic_write_keeps_an_existing_files_mode(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"old")
    p.chmod(0o640)
    with umask(0o022):
        atomic_write(p, b"new")
    assert p.read_bytes() == b"new" and stat.S_IMODE(p.stat().st_mode) == 0o640


def test_cli_output_file_respects_the_umask(invoke, tmp_path):
    out = tmp_path / "s.csv"
    with umask(0o022):
        r = invoke("search", "hbm", "--format", "csv", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


# ------------------------------------------------------------ query params


def test_param_with_an_unknown_prefix_is_a_usage_error(invoke):
    r = invoke("query", "--named", "bill-of-materials", "--param", "product=foo:x")
    assert r.exit_code == 2
    assert "unknown prefix 'foo:'" in r.output


def test_param_with_crid_prefix_names_the_entity(invoke):
    args = ("query", "--named", "bill-of-materials", "--format", "csv", "--param")
    plain = invoke(*args, "product=nvidia-h100")
    prefixed = invoke(*args, "product=crid:nvidia-h100")
    assert plain.exit_code == prefixed.exit_code == 0
    assert prefixed.output == plain.output and len(plain.output.splitlines()) > 2
    r = invoke("query", "--named", "bill-of-materials", "--param", "product=crid:x")
    assert r.exit_code == 2 and "unknown entity 'x'" in r.output


# ------------------------------------------------------------------ units


def test_optimize_eud_is_a_labelled_fraction_like_whatif(invoke):
    args = ("optimize", "--input", "hbm", "--budget", "20", "--cost", "US=1", "--cost", "JP=0.9")
    rows = json.loads(invoke(*args, "--format", "json").stdout)
    before, optimum = rows[0]["before"], rows[0]["optimum"]
    assert 0 < optimum <= before < 1  # a fraction of a year's output, as whatif's eud
    table = invoke(*args, env={"COLUMNS": "250"}).output
    flat = re.sub(r"[┃│\s]+", " ", table)
    assert "before (eud, share of output)" in flat and "optimum (eud, share of output)" in flat
    wi = invoke("whatif", "--add-capacity", "JP:hbm:30000", "--year", "2030", "--runs", "500")
    assert "(share of output)" in re.sub(r"[┃│\s]+", " ", wi.output)


# --------------------------------------------------------------- scenarios


def test_named_scenario_overrides_apply_and_are_printed(invoke):
    base = ("--no-cache", "simulate", "taiwan-strait-blockade", "--products", "--format", "json")
    plain = {r["node"]: r for r in json.loads(invoke(*base).stdout)}
    r = invoke(*base, "--duration-weeks", "13", "--severity", "0.5")
    assert r.exit_code == 0, r.output
    changed = {row["node"]: row for row in json.loads(r.stdout)}  # stdout stays JSON
    assert "severity 0.5" in r.stderr and "duration_weeks 13" in r.stderr
    h100, h100_plain = changed["nvidia-h100"], plain["nvidia-h100"]
    assert h100["trough"] == pytest.approx(0.5, abs=1e-6) != h100_plain["trough"]
    assert h100["annual_loss"] < h100_plain["annual_loss"]
    table = invoke("--no-cache", "simulate", "taiwan-strait-blockade", "--severity", "0.5")
    assert "Overrides of the scenario files" in table.output


def test_bad_overrides_are_usage_errors(invoke):
    r = invoke("simulate", "taiwan-strait-blockade", "--severity", "1.5")
    assert r.exit_code == 2 and "severity must be in 0..1" in r.output
    r = invoke(
        "simulate", "taiwan-strait-blockade", "--disrupt", "country:KR", "--duration-weeks", "4"
    )
    assert r.exit_code == 2 and "not both" in r.output


def test_adhoc_disruption_lasts_13_weeks_by_default(kg):
    df = kg.simulate(disrupt=["country:TW"], include="products")
    assert set(df["duration_weeks"]) == {13.0}
    assert df.attrs["overrides"] == []
    assert "severity 1, 13 weeks" in " ".join(README.split())


# ---------------------------------------------------------- policy ranking


def test_policies_without_effect_are_listed_apart_with_a_reason(ranked):
    no_effect = ranked["reason"].notna()
    assert no_effect.any() and (~no_effect).any()
    assert ranked.loc[no_effect, "rank"].isna().all()  # never ranked (not 1-4 at zero)
    assert ranked.loc[~no_effect, "rank"].notna().all()  # and no NaN among the ranked
    first_apart = int(np.argmax(no_effect.to_numpy()))
    assert not no_effect.iloc[:first_apart].any() and no_effect.iloc[first_apart:].all()


def test_policy_ties_share_a_rank(ranked):
    r = ranked[ranked["reason"].isna()]
    key = ["loss_reduced_per_bn_usd", "loss_reduced"]
    for _, group in r.round(12).groupby(key, dropna=False):
        tw = (group["taiwan_share_without"] - group["taiwan_share_with"]).round(9)
        for _, same in group.groupby(tw):
            assert same["rank"].nunique() == 1
    ranks = r["rank"].astype(int).tolist()
    assert ranks == sorted(ranks)
    # competition ranking: a rank is 1 + the number of rows strictly ahead
    assert all(k == 1 + sum(x < k for x in ranks) for k in ranks)


def test_policy_chart_plots_what_its_axes_say(ranked):
    from chiprisk.graph.report.policy_sections import _policy_chart

    df = ranked[ranked["rank"].notna()].copy()
    # an export control that raises the expected loss: loss_reduced < 0
    df.loc[df.index[0], ["expected_loss_with", "expected_loss_without"]] = [0.03, 0.01]
    df.loc[df.index[0], "loss_reduced"] = 0.01 - 0.03
    fig = _policy_chart(df)
    a1, a2 = fig.axes[:2]
    assert "without minus with" in a1.get_xlabel() and "removes" in a2.get_xlabel()
    d = df.sort_values("rank", ascending=False)
    tw = [p.get_width() for p in a1.patches]
    loss = [p.get_width() for p in a2.patches]
    assert tw == pytest.approx(list(d["taiwan_share_without"] - d["taiwan_share_with"]))
    assert loss == pytest.approx(list(100 * (d["expected_loss_without"] - d["expected_loss_with"])))
    assert min(loss) == pytest.approx(-2.0)  # raising the loss plots below zero


def test_loss_reduced_is_without_minus_with(ranked):
    r = ranked[ranked["rank"].notna()]
    diff = r["expected_loss_without"] - r["expected_loss_with"]
    assert np.allclose(r["loss_reduced"], diff)
