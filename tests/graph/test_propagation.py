"""The AND/OR propagation engine on hand-built data directories (values computed by hand)."""

from __future__ import annotations

import csv
import io
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, hhi_by_firm, propagate

HEADERS = {
    "sources": "id,url,title,publisher,confidence",
    "organizations": "id,name,hq_country,parent,source_id",
    "sites": "id,name,operator,country,kind,status,start_year,capacity,capacity_unit,source_id",
    "inputs": "id,name,stage,kind,substitutability,source_id",
    "requirements": "product,input,source_id",
    "supplies": (
        "id,supplier,input,buyer,share,share_min,share_max,share_qual,capacity,capacity_unit,"
        "basis,year,confidence,source_id"
    ),
}


def write_dir(
    root: Path,
    *,
    orgs: list[tuple] = (),
    sites: list[tuple] = (),
    inputs: list[tuple] = (),
    reqs: list[tuple] = (),
    supplies: list[dict] = (),
    shuffle: int | None = None,
) -> Path:
    """Write a data directory in the file contract.

    orgs: (id, hq[, parent]); sites: (id, operator, country, kind[, start, capacity]);
    inputs: (id, stage[, substitutability]); reqs: (product, input);
    supplies: dicts with supplier, input and share/share_min/... (basis revenue, year 2024).
    """
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(shuffle)

    def write(name: str, rows: list[list]) -> None:
        if shuffle is not None:
            rows = list(rows)
            rng.shuffle(rows)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        buf.write(HEADERS[name] + "\n")
        w.writerows(rows)
        (root / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")

    write("sources", [["src", "https://example.org/s", "Test", "Tests", "primary"]])
    write(
        "organizations",
        [[o[0], o[0].upper(), o[1], o[2] if len(o) > 2 else "", "src"] for o in orgs],
    )
    site_rows = []
    for s in sites:
        start = s[4] if len(s) > 4 else ""
        cap = s[5] if len(s) > 5 else ""
        site_rows.append(
            [
                s[0],
                s[0],
                s[1],
                s[2],
                s[3],
                "operating",
                start,
                cap,
                "wpm" if cap != "" else "",
                "src",
            ]
        )
    write("sites", site_rows)
    in_rows = []
    for i in inputs:
        kind = "product" if i[1] == "product" else "component"
        in_rows.append([i[0], i[0], i[1], kind, i[2] if len(i) > 2 else "", "src"])
    write("inputs", in_rows)
    write("requirements", [[p, i, "src"] for p, i in reqs])
    sup_rows = []
    for n, s in enumerate(supplies):
        sup_rows.append(
            [
                s.get("id", f"sup-{n}"),
                s["supplier"],
                s["input"],
                s.get("buyer", ""),
                s.get("share", ""),
                s.get("share_min", ""),
                s.get("share_max", ""),
                s.get("share_qual", ""),
                s.get("capacity", ""),
                "wpm" if s.get("capacity", "") != "" else "",
                s.get("basis", "sourcing" if s.get("buyer") else "revenue"),
                s.get("year", 2024),
                "primary",
                "src",
            ]
        )
    write("supplies", sup_rows)
    return root


def sup(supplier: str, input_: str, share=None, **kw) -> dict:
    d = {"supplier": supplier, "input": input_, **kw}
    if share is not None:
        d["share"] = share
    return d


def avail(net, a: dict[str, float], node: str, **kw) -> float:
    """Availability of one node with the named supplier ids (any stage) at given values."""
    vec = np.ones(net.n_suppliers)
    for j, sid in enumerate(net.supplier_id):
        if sid in a:
            vec[j] = a[sid]
    return float(propagate(net, vec, **kw)[net.node_index[node]])


# ---------------------------------------------------------------- AND / OR


@pytest.fixture
def and_or(tmp_path):
    """P needs A and B; A from x 60 / y 40; B from z alone."""
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "JP"), ("z", "KR")],
        inputs=[("p", "product"), ("a", "materials"), ("b", "materials")],
        reqs=[("p", "a"), ("p", "b")],
        supplies=[sup("x", "a", 60), sup("y", "a", 40), sup("z", "b", 100)],
    )
    return build_network(load_tables(d))


def test_and_takes_the_min(and_or):
    assert avail(and_or, {"x": 0.0}, "p") == pytest.approx(0.4)
    assert avail(and_or, {"z": 0.5}, "p") == pytest.approx(0.5)
    assert avail(and_or, {"x": 0.0, "z": 0.5}, "p") == pytest.approx(0.4)
    assert avail(and_or, {"z": 0.0}, "p") == 0.0
    assert avail(and_or, {}, "p") == 1.0


def test_or_sums_shares(and_or):
    assert avail(and_or, {"x": 0.5}, "a") == pytest.approx(0.3 + 0.4)
    assert avail(and_or, {"x": 0.5, "y": 0.5}, "a") == pytest.approx(0.5)


def test_vectorised_equals_one_scenario_at_a_time(and_or):
    rng = np.random.default_rng(0)
    a = rng.random((and_or.n_suppliers, 50))
    many = propagate(and_or, a)
    one = np.column_stack([propagate(and_or, a[:, s]) for s in range(a.shape[1])])
    np.testing.assert_allclose(many, one)
    assert many.shape == (and_or.n_nodes, 50)


def test_topological_order_and_levels(and_or):
    net = and_or
    for k in range(net.n_nodes):
        kids = net.R.indices[net.R.indptr[k] : net.R.indptr[k + 1]]
        assert (kids < k).all()
        assert all(net.level[j] < net.level[k] for j in kids)
    assert net.level[net.node_index["p"]] == 1
    assert list(np.diff(net.level) >= 0) == [True] * (net.n_nodes - 1)


def test_input_cap_removes_an_input(and_or):
    cap = np.ones(and_or.n_nodes)
    cap[and_or.node_index["b"]] = 0.25
    assert avail(and_or, {}, "p", input_cap=cap) == pytest.approx(0.25)


def test_bad_shape_is_refused(and_or):
    with pytest.raises(ValueError, match="rows"):
        propagate(and_or, np.ones(and_or.n_suppliers + 1))


# ------------------------------------------------------------ buyer-specific


def test_buyer_rows_override_market_shares(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "JP"), ("t", "NL")],
        inputs=[("p", "product"), ("q", "product"), ("a", "fabrication"), ("tool", "equipment")],
        reqs=[("p", "a"), ("q", "a"), ("a", "tool")],
        supplies=[
            sup("x", "a", 60),
            sup("y", "a", 40),
            sup("y", "a", 100, buyer="p"),
            sup("t", "tool", 100),
        ],
    )
    net = build_network(load_tables(d))
    assert "a@p" in net.node_index
    assert avail(net, {"x": 0.0}, "p") == 1.0  # p buys from y alone
    assert avail(net, {"y": 0.0}, "p") == 0.0
    assert avail(net, {"x": 0.0}, "q") == pytest.approx(0.4)  # q buys on the market
    assert avail(net, {"t": 0.0}, "p") == 0.0  # a@p needs a's own requirements
    e = net.edges.set_index(["product", "input"])
    assert e.loc[("p", "a"), "sourcing"] == "buyer-specific"
    assert e.loc[("p", "a"), "child_node"] == "a@p"
    assert e.loc[("q", "a"), "sourcing"] == "market"
    used = net.tables_used.set_index("node")
    assert used.loc["a@p", "sourcing"] == "buyer-specific"
    assert used.loc["a@p", "basis"] == "sourcing"


def test_buyer_rows_of_an_organisation_make_its_output_depend_on_them(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "JP")],
        inputs=[("p", "product"), ("a", "materials")],
        reqs=[("p", "a")],
        supplies=[sup("x", "a", 100), sup("y", "a", 100, buyer="x")],
    )
    net = build_network(load_tables(d))
    assert "a@x" in net.node_index and net.notes == []  # multi-tier firms (firm_tiers.py)
    a = np.ones(net.n_suppliers)
    a[net.supplier_id.index("y")] = 0.0  # x's own supplier offline: x, then p, stop
    assert propagate(net, a)[net.node_index["p"]] == 0.0


# ------------------------------------------------------------ share tables


def test_implicit_and_explicit_residual(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW")],
        inputs=[("p", "product"), ("a", "materials"), ("b", "materials")],
        reqs=[("p", "a"), ("p", "b")],
        supplies=[sup("x", "a", 70), sup("x", "b", 80), sup("other", "b", 20)],
    )
    net = build_network(load_tables(d))
    assert avail(net, {"x": 0.0}, "a") == pytest.approx(0.3)
    assert avail(net, {"x": 0.0}, "b") == pytest.approx(0.2)
    assert avail(net, {"x": 0.0}, "p") == pytest.approx(0.2)
    used = net.tables_used.set_index("node")
    assert used.loc["a", "implicit_residual"] == pytest.approx(0.3)
    assert used.loc["b", "implicit_residual"] == 0.0
    other = net.supplier_index["other"]
    assert net.L[other].nnz == 0 and net.supplier_firm[other] == -1


def test_ranges_and_qualitative_midpoints(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "JP"), ("z", "KR")],
        inputs=[("a", "materials"), ("b", "materials"), ("c", "materials")],
        supplies=[
            sup("x", "a", share_min=40, share_max=60),
            sup("y", "a", 50),
            sup("x", "b", share_qual="major"),
            sup("y", "b", share_qual="minor"),
            sup("z", "b", share_qual="negligible"),
            sup("x", "c", share_min=90),  # open range: 90..100 -> 95, gap 5 to other
        ],
    )
    net = build_network(load_tables(d))
    assert avail(net, {"x": 0.0}, "a") == pytest.approx(0.5)
    total = 55 + 5.5 + 0.5
    assert avail(net, {"x": 0.0}, "b") == pytest.approx((5.5 + 0.5) / total)
    assert avail(net, {"x": 0.0}, "c") == pytest.approx(0.05)
    used = net.tables_used.set_index("node")
    assert used.loc["b", "values"] == "qualitative"
    assert used.loc["a", "values"] == "exact+range"


def test_basis_preference_latest_year_and_as_of_year(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW"), ("y", "JP")],
        inputs=[("a", "materials")],
        supplies=[
            sup("x", "a", 90, basis="revenue", year=2024),
            sup("y", "a", 10, basis="revenue", year=2024),
            sup("x", "a", capacity=1, basis="capacity", year=2020),
            sup("y", "a", capacity=3, basis="capacity", year=2020),
            sup("x", "a", capacity=1, basis="capacity", year=2022),
            sup("y", "a", capacity=1, basis="capacity", year=2022),
        ],
    )
    t = load_tables(d)
    net = build_network(t)
    assert avail(net, {"x": 0.0}, "a") == pytest.approx(0.5)  # capacity 2022 wins
    row = net.tables_used.iloc[0]
    assert (row["basis"], row["year"], row["values"]) == ("capacity", 2022, "capacity")
    assert row["supply_ids"] == ["sup-4", "sup-5"] and row["source_ids"] == ["src"]
    assert avail(build_network(t, year=2021), {"x": 0.0}, "a") == pytest.approx(0.75)
    assert build_network(t, year=2019).gaps == ["a"]


def test_unknown_inputs_are_gaps_with_availability_one(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("x", "TW")],
        inputs=[("p", "product"), ("a", "materials"), ("g", "design")],
        reqs=[("p", "a"), ("p", "g")],
        supplies=[sup("x", "a", 100)],
    )
    net = build_network(load_tables(d))
    assert net.gaps == ["g"]
    assert avail(net, {}, "g") == 1.0
    assert avail(net, {"x": 0.5}, "p") == pytest.approx(0.5)


# ------------------------------------------------------------- locations


def test_location_per_stage_and_firm_rollup(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("grp", "US"), ("sub", "JP", "grp"), ("lone", "DE")],
        sites=[
            ("fab-tw", "grp", "TW", "fab", "", 300),
            ("fab-jp", "sub", "JP", "fab", "", 100),
            ("pkg-my", "grp", "MY", "packaging"),
        ],
        inputs=[("p", "product"), ("die", "fabrication"), ("pkg", "packaging"), ("m", "materials")],
        reqs=[("p", "die"), ("p", "pkg"), ("p", "m")],
        supplies=[
            sup("sub", "die", 100),
            sup("grp", "pkg", 100),
            sup("lone", "m", 50),
            sup("fab-tw", "m", 50),
        ],
    )
    net = build_network(load_tables(d))
    L = net.L.toarray()
    c = {x: j for j, x in enumerate(net.countries)}
    die = net.supplier_index["sub@fabrication"]
    pkg = net.supplier_index["grp@packaging"]
    assert L[die, c["TW"]] == pytest.approx(0.75) and L[die, c["JP"]] == pytest.approx(0.25)
    assert L[pkg, c["MY"]] == 1.0
    assert L[net.supplier_index["lone@materials"], c["DE"]] == 1.0  # no site: hq
    assert L[net.supplier_index["fab-tw"], c["TW"]] == 1.0
    np.testing.assert_allclose(L.sum(axis=1), 1.0)
    basis = dict(zip(net.suppliers, net.location_basis, strict=True))
    assert basis["sub@fabrication"] == "capacity" and basis["lone@materials"] == "hq"
    assert net.firms[net.supplier_firm[die]] == "grp"
    assert net.firms[net.supplier_firm[net.supplier_index["fab-tw"]]] == "grp"
    S = net.S.toarray()
    s = {x: j for j, x in enumerate(net.sites)}
    assert S[die, s["fab-tw"]] == pytest.approx(0.75)
    # country TW offline: die keeps 25 %, m keeps lone's 50 %
    a = 1.0 - L[:, c["TW"]]
    out = propagate(net, a)
    assert out[net.node_index["die"]] == pytest.approx(0.25)
    assert out[net.node_index["m"]] == pytest.approx(0.5)
    assert out[net.node_index["p"]] == pytest.approx(0.25)


def test_hhi_by_firm_rolls_up_and_treats_residual_as_fragmented(tmp_path):
    d = write_dir(
        tmp_path / "d",
        orgs=[("grp", "US"), ("sub", "JP", "grp"), ("y", "KR")],
        inputs=[("a", "materials")],
        supplies=[
            sup("grp", "a", 30),
            sup("sub", "a", 30),
            sup("y", "a", 20),
            sup("other", "a", 20),
        ],
    )
    net = build_network(load_tables(d))
    assert hhi_by_firm(net)[net.node_index["a"]] == pytest.approx(60**2 + 20**2)


# ---------------------------------------------------------------- properties


@st.composite
def small_networks(draw):
    n_sup = draw(st.integers(1, 4))
    n_in = draw(st.integers(1, 4))
    orgs = [(f"f{k}", "TW") for k in range(n_sup)]
    inputs = [("p", "product")] + [(f"i{k}", "materials") for k in range(n_in)]
    reqs = [("p", f"i{k}") for k in range(n_in)]
    supplies = []
    for k in range(n_in):
        who = draw(st.lists(st.integers(0, n_sup - 1), min_size=1, max_size=n_sup, unique=True))
        for w in who:
            supplies.append(sup(f"f{w}", f"i{k}", draw(st.integers(1, 100))))
    return orgs, inputs, reqs, supplies


@settings(max_examples=25, deadline=None)
@given(small_networks(), st.integers(0, 2**16))
def test_availability_in_unit_interval_and_row_order_free(spec, seed):
    orgs, inputs, reqs, supplies = spec
    with tempfile.TemporaryDirectory() as tmp:
        kw = dict(orgs=orgs, inputs=inputs, reqs=reqs, supplies=supplies)
        n1 = build_network(load_tables(write_dir(Path(tmp) / "a", **kw)))
        n2 = build_network(load_tables(write_dir(Path(tmp) / "b", shuffle=seed, **kw)))
    rng = np.random.default_rng(seed)
    a = rng.random((n1.n_suppliers, 8))
    out1 = propagate(n1, a)
    assert ((out1 >= 0) & (out1 <= 1)).all()
    perm = [n2.supplier_index[s] for s in n1.suppliers]
    b = np.empty_like(a)
    b[perm] = a
    out2 = propagate(n2, b)
    order = [n2.node_index[x] for x in n1.nodes]
    np.testing.assert_allclose(out1, out2[order])


def test_built_in_h100_sources_its_logic_die_and_cowos_from_tsmc():
    net = build_network(load_tables())
    e = net.edges.set_index(["product", "input"])
    assert e.loc[("nvidia-h100", "logic-5nm-class"), "sourcing"] == "buyer-specific"
    assert e.loc[("nvidia-h100", "cowos-packaging"), "sourcing"] == "buyer-specific"
    tsmc = net.supplier_firm == net.firms.index("tsmc")
    a = np.ones(net.n_suppliers)
    a[tsmc] = 0.0
    out = propagate(net, a)
    assert out[net.node_index["nvidia-h100"]] == 0.0
    assert out[net.node_index["huawei-ascend-910b"]] > 0.0  # SMIC makes its die
