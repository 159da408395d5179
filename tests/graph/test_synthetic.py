"""The synthetic-network generator: loads, validates, is deterministic, honours sizes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.io.synthetic import generate, parse_size
from chiprisk.graph.knowledge_graph import KnowledgeGraph
from chiprisk.graph.model.lenses import (
    STAGE_SITE_KINDS,
    country_site_weights,
    group_site_weights,
    site_weights,
    ultimate_parents,
)
from chiprisk.graph.model.propagation import build_network, propagate


def _digest(d: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(d.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(d).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("syn"), supply_rows=1_000, seed=7)


def test_loads_and_honours_sizes(small):
    t = load_tables(small)
    assert len(t["supplies"]) == 1_000
    assert len(t["organizations"]) == 100  # default: rows / 10
    assert len(t["inputs"]) == 14  # default floor
    assert (t["inputs"]["stage"] == "product").sum() >= 2
    assert len(t.scenarios) == 5


def test_explicit_sizes(tmp_path):
    d = generate(tmp_path, supply_rows=3_000, suppliers=300, inputs=40, products=4, seed=1)
    t = load_tables(d)
    assert len(t["supplies"]) == 3_000
    assert len(t["organizations"]) == 300
    assert len(t["inputs"]) == 40
    assert (t["inputs"]["stage"] == "product").sum() == 4


def test_validates_with_shacl_and_rules(small):
    report = KnowledgeGraph(load_tables(small)).validate()
    assert report.conforms, report.text()


def test_deterministic_for_a_seed(tmp_path):
    a = generate(tmp_path / "a", supply_rows=800, seed=11)
    b = generate(tmp_path / "b", supply_rows=800, seed=11)
    c = generate(tmp_path / "c", supply_rows=800, seed=12)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_realistic_shape(small):
    t = load_tables(small)
    s = t["supplies"]
    market = s[s["buyer"].isna()]
    # every market table sums to 100 (exact rows) and some carry an 'other' residual
    exact = market.groupby(["input", "basis", "year"]).filter(lambda g: g["share"].notna().all())
    sums = exact.groupby(["input", "basis", "year"])["share"].sum()
    assert np.allclose(sums, 100.0, atol=1e-6)
    assert (market["supplier"] == "other").any()
    assert s["buyer"].notna().any()  # buyer-specific sourcing
    assert s["supplier"].isin(t["sites"]["id"]).any()  # site-level rows
    assert s["supplier"].str.fullmatch(r"[A-Z]{2}").any()  # country totals
    assert t["organizations"]["parent"].notna().any()
    # heavy tail: the largest share table is several times the smallest
    sizes = market.groupby(["input", "basis", "year"]).size()
    assert sizes.max() >= 3 * sizes.min()
    # tiers: products need fabrication, fabrication needs equipment
    stage = dict(zip(t["inputs"]["id"], t["inputs"]["stage"], strict=True))
    pairs = {
        (stage[p], stage[i])
        for p, i in zip(t["requirements"]["product"], t["requirements"]["input"], strict=True)
    }
    assert ("product", "fabrication") in pairs and ("fabrication", "equipment") in pairs


def test_network_propagates(small):
    t = load_tables(small)
    net = build_network(t)
    assert net.products and net.level.max() >= 2
    out = propagate(net, np.ones(net.n_suppliers))
    assert np.all(out[[net.node_index[p] for p in net.products]] == 1.0)


def test_vectorised_site_weights_match_single_firm_function(small):
    t = load_tables(small)
    roots = ultimate_parents(t["organizations"])
    firms = sorted(set(roots.values()))[:40]
    keys = pd.DataFrame(
        [(f, st, y) for f in firms for st in (*STAGE_SITE_KINDS, "design") for y in (2000, None)],
        columns=["firm", "stage", "year"],
    )
    cw = country_site_weights(site_weights(t, keys))
    got: dict = {}
    for r in cw.itertuples(index=False):
        y = None if r.year != r.year else int(r.year)
        w, basis = got.setdefault((r.firm, r.stage, y), ({}, set()))
        w[r.country] = r.weight
        basis.add(r.site_basis)
    for f, st, y in keys.itertuples(index=False):
        y = None if y != y else int(y)
        ref, basis = group_site_weights(t, f, st, y)
        assert got[(f, st, y)] == (ref, {basis})


def test_capacity_ledger(small):
    t = load_tables(small)  # the loader's unit, key and status checks pass
    cap, inputs = t["capacity"], t["inputs"].set_index("id")
    assert len(cap) > 20 and cap["site"].nunique() > 5
    assert cap["year"].between(2022, 2030).all() and (cap["quantity"] >= 0).all()
    assert (cap["unit"] == cap["input"].map(inputs["capacity_unit"])).all()
    stages = set(inputs.loc[cap["input"].unique(), "stage"])
    assert stages <= {"fabrication", "memory", "packaging"}
    assert {"operating", "planned"} <= set(cap["status"])
    # a ramp grows (or pauses) and never runs before a future site's start
    s = t["sites"].set_index("id")
    early = cap[cap["year"] < cap["site"].map(s["start_year"]).astype(int)]
    future = early["site"].map(s["status"]).isin(["under-construction", "announced"])
    assert (early.loc[future, "quantity"] == 0).all()


def test_ledger_leaves_the_other_files_alone(tmp_path, monkeypatch):
    """The ledger has its own random stream: without it every other file is the same."""
    import chiprisk.graph.io.synthetic as synthetic

    with_ledger = generate(tmp_path / "with", supply_rows=800, seed=5)
    real = synthetic.draw_ledger
    monkeypatch.setattr(synthetic, "draw_ledger", lambda *a: real(*a).iloc[0:0])
    without = generate(tmp_path / "without", supply_rows=800, seed=5)
    assert len(load_tables(without)["capacity"]) == 0
    for f in (with_ledger / "seed").iterdir():
        if f.name != "capacity.csv":
            assert f.read_bytes() == (without / "seed" / f.name).read_bytes(), f.name


def test_parse_size_and_bad_sizes(tmp_path):
    assert parse_size("10k") == 10_000 and parse_size("1M") == 1_000_000
    with pytest.raises(UsageError, match="row count"):
        parse_size("lots")
    with pytest.raises(UsageError, match="at least 50"):
        generate(tmp_path, supply_rows=10)


def test_cli_synth_is_hidden_but_runs(invoke, tmp_path):
    res = invoke("synth", str(tmp_path / "net"), "--rows", "600", "--seed", "2")
    assert res.exit_code == 0, res.output
    assert "600 supply rows" in res.output
    assert len(load_tables(tmp_path / "net")["supplies"]) == 600
    assert "synth" not in invoke("--help").output
