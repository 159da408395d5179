"""Single points of failure by the AND/OR removal test, and the dominator reference cases."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.algorithms.chokepoints import COLUMNS, chokepoints, or_layer_dominators
from chiprisk.graph.errors import UsageError
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, propagate

_spec = importlib.util.spec_from_file_location(
    "_propagation_helpers", Path(__file__).parents[1] / "test_propagation.py"
)
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
write_dir, sup = _helpers.write_dir, _helpers.sup


@pytest.fixture
def and_case(tmp_path):
    """methods.md 3.2: P needs A and B; X is A's only supplier; B from Y and Z."""
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "NL"), ("y", "US"), ("z", "JP")],
        sites=[("x-plant", "x", "NL", "materials")],
        inputs=[("p", "product"), ("a", "materials", 0.25), ("b", "materials")],
        reqs=[("p", "a"), ("p", "b")],
        supplies=[sup("x", "a", 100), sup("y", "b", 50), sup("z", "b", 50)],
    )
    return load_tables(d)


def test_and_induced_spof_found_though_not_a_dominator(and_case):
    df = chokepoints(and_case)
    assert list(df.columns) == COLUMNS
    firms = df[df["kind"] == "firm"]
    assert list(firms["id"]) == ["x"]  # y and z have a co-supplier
    x = firms.iloc[0]
    assert x["products"] == ["p"] and x["sole_supplier_of"] == ["a"]
    assert list(df.loc[df["kind"] == "site", "id"]) == ["x-plant"]  # x's only plant
    assert set(df.loc[df["kind"] == "input", "id"]) == {"a", "b"}
    # the plain graph: a super-source feeds every supplier; x does not dominate p
    g = nx.DiGraph(
        [("s", "x"), ("s", "y"), ("s", "z"), ("x", "a"), ("y", "b"), ("z", "b")]
        + [("a", "p"), ("b", "p")]
    )
    assert nx.immediate_dominators(g, "s")["p"] == "s"


def test_scores_by_hand(and_case):
    df = chokepoints(and_case, betweenness=False).set_index("id")
    # a: 1 product x HHI 10,000 x (1 - 0.25); b: 1 x 5,000 x (1 - 0, missing -> flagged)
    assert df.loc["a", "hhi"] == 10_000 and df.loc["a", "score"] == pytest.approx(0.75)
    assert not df.loc["a", "substitutability_assumed"]
    assert df.loc["b", "hhi"] == 5_000 and df.loc["b", "score"] == pytest.approx(0.5)
    assert df.loc["b", "substitutability_assumed"]
    assert df.loc["x", "score"] == pytest.approx(0.75)
    assert df.loc["x", "substitutability"] == 0.25
    assert list(df["rank"]) == [1, 2, 3, 4]
    assert df.index[-1] == "b"
    assert "substitutability unknown" in df.loc["b", "reason"]


def test_removal_of_a_reported_spof_stops_the_product(and_case):
    net = build_network(and_case)
    p = net.node_index["p"]
    for firm, spof in (("x", True), ("y", False), ("z", False)):
        a = np.where(net.supplier_firm == net.firms.index(firm), 0.0, 1.0)
        assert bool(propagate(net, a)[p] == 0.0) == spof


def test_or_layer_dominators(and_case):
    net = build_network(and_case)
    assert or_layer_dominators(net, "a") == ["x", "x@materials"]
    assert or_layer_dominators(net, "b") == []
    assert or_layer_dominators(net, "p") == []  # no suppliers of its own


def test_firm_rollup_makes_two_subsidiaries_one_spof(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("grp", "TW"), ("s1", "TW", "grp"), ("s2", "JP", "grp")],
        inputs=[("p", "product"), ("a", "fabrication")],
        reqs=[("p", "a")],
        supplies=[sup("s1", "a", 50), sup("s2", "a", 50)],
    )
    df = chokepoints(load_tables(d), betweenness=False)
    assert list(df.loc[df["kind"] == "firm", "id"]) == ["grp"]
    assert df.loc[df["id"] == "a", "hhi"].item() == 10_000


def test_unknown_product(and_case):
    with pytest.raises(UsageError, match="unknown product"):
        chokepoints(and_case, product="nope")


def test_reference_r3_1_r3_2_dominators():
    g = nx.DiGraph([(1, 2), (1, 3), (2, 5), (3, 4), (4, 5)])
    idom = nx.immediate_dominators(g, 1)
    assert {k: v for k, v in idom.items() if k != 1} == {2: 1, 3: 1, 4: 3, 5: 1}
    df = nx.dominance_frontiers(g, 1)
    assert {k: sorted(v) for k, v in df.items()} == {1: [], 2: [5], 3: [5], 4: [5], 5: []}


@st.composite
def networks(draw):
    n_sup = draw(st.integers(1, 4))
    orgs = [(f"f{k}", "TW") for k in range(n_sup)]
    n_in = draw(st.integers(1, 4))
    inputs = [("p", "product")] + [(f"i{k}", "materials") for k in range(n_in)]
    reqs = [("p", f"i{k}") for k in range(n_in)]
    supplies = []
    for k in range(n_in):
        who = draw(st.lists(st.integers(0, n_sup - 1), min_size=1, max_size=n_sup, unique=True))
        for w in who:
            supplies.append(sup(f"f{w}", f"i{k}", draw(st.integers(1, 100))))
    return dict(orgs=orgs, inputs=inputs, reqs=reqs, supplies=supplies)


@settings(max_examples=25, deadline=None)
@given(networks(), st.integers(0, 2**16))
def test_spofs_are_exactly_the_removals_that_stop_the_product(spec, seed):
    with tempfile.TemporaryDirectory() as tmp:
        t = load_tables(write_dir(Path(tmp) / "a", **spec))
        t2 = load_tables(write_dir(Path(tmp) / "b", shuffle=seed, **spec))
    df = chokepoints(t, betweenness=False)
    df2 = chokepoints(t2, betweenness=False)
    cols = ["kind", "id", "products_affected", "hhi", "score", "rank"]
    assert df[cols].equals(df2[cols])
    net = build_network(t)
    reported = set(df.loc[df["kind"] == "firm", "id"])
    for j, firm in enumerate(net.firms):
        a = np.where(net.supplier_firm == j, 0.0, 1.0)
        stops = bool(propagate(net, a)[net.node_index["p"]] == 0.0)
        assert stops == (firm in reported)


def test_built_in_euv_and_asml_stop_exactly_the_euv_products():
    df = chokepoints(load_tables())
    row = df[df["id"] == "asml"].iloc[0]
    assert row["kind"] == "firm" and row["sole_supplier_of"] == ["euv-lithography"]
    # ASML is EUV's sole supplier: it stops exactly the products whose dies need EUV
    # (since the bills of materials follow the process: not Ascend 910B, TPU v5p, Trainium2)
    euv = df[df["id"] == "euv-lithography"].iloc[0]
    assert row["products_affected"] == euv["products_affected"]
    assert (
        set(row["products"])
        == set(euv["products"])
        == {
            "amd-mi300x",
            "intel-gaudi-3",
            "nvidia-b200",
            "nvidia-h100",
            "nvidia-h200",
        }
    )
    # inputs every accelerator needs from a near-monopoly rank above them
    assert df["id"].head(3).tolist()[0] == "arf-immersion-lithography"
    tsmc = df[df["id"] == "tsmc"].iloc[0]
    assert "huawei-ascend-910b" not in tsmc["products"]  # SMIC makes most of its die
    assert df["score"].dropna().is_monotonic_decreasing
