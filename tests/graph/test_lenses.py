"""Where a firm's share is: site weights narrowed to the input's process nodes."""

from __future__ import annotations

import pandas as pd
import pytest

from chiprisk.graph.algorithms.concentration import concentration
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.lenses import (
    canonical_nodes,
    country_site_weights,
    group_site_weights,
    site_weights,
    ultimate_parents,
)
from chiprisk.graph.model.propagation import build_network


def _with_nodes(tiny_dir, nodes: str):
    p = tiny_dir / "seed" / "inputs.csv"
    rows = p.read_text().splitlines()
    rows[0] = rows[0].replace("substitutability,", "substitutability,process_nodes,")
    out = [rows[0]]
    for r in rows[1:]:
        cells = r.split(",")
        cells.insert(6, nodes if cells[0] == "logic" else "")
        out.append(",".join(cells))
    p.write_text("\n".join(out) + "\n")
    return load_tables(tiny_dir)


def test_without_nodes_a_firm_is_spread_over_all_its_fabs(tiny_dir):
    w, basis = group_site_weights(load_tables(tiny_dir), "tsmc", "fabrication", 2025)
    assert basis == "capacity"
    assert w == pytest.approx({"TW": 100 / 155, "JP": 55 / 155})


def test_nodes_narrow_the_sites_case_insensitively(tiny_dir):
    t = _with_nodes(tiny_dir, "n5;N4")
    w, basis = group_site_weights(t, "tsmc", "fabrication", 2025, "n5;N4")
    assert (w, basis) == ({"TW": 1.0}, "capacity (node)")
    # no site lists the node: every fab of the group, as without nodes
    w, basis = group_site_weights(t, "tsmc", "fabrication", 2025, "N7")
    assert basis == "capacity" and w == pytest.approx({"TW": 100 / 155, "JP": 55 / 155})


def test_vectorised_weights_equal_the_one_key_function(tiny_dir):
    t = _with_nodes(tiny_dir, "N5")
    keys = pd.DataFrame(
        {
            "firm": ["tsmc", "tsmc", "tsmc"],
            "stage": ["fabrication"] * 3,
            "year": [2025, 2025, 2023],
            "nodes": [canonical_nodes("N5"), "", canonical_nodes("N12")],
        }
    )
    cw = country_site_weights(site_weights(t, keys))
    for _, k in keys.iterrows():
        got = cw[(cw["year"] == k["year"]) & (cw["nodes"] == k["nodes"])]
        w, basis = group_site_weights(t, "tsmc", "fabrication", int(k["year"]), k["nodes"])
        assert dict(zip(got["country"], got["weight"], strict=True)) == pytest.approx(w)
        assert set(got["site_basis"]) == {basis}


def test_site_lens_and_network_use_the_node_sites(tiny_dir):
    t = _with_nodes(tiny_dir, "N5;N3")
    net = build_network(t)
    j = net.supplier_index["tsmc@fabrication[n3;n5]"]
    loc = dict(zip(net.countries, net.L.toarray()[j], strict=True))
    assert loc["TW"] == 1.0 and loc.get("JP", 0.0) == 0.0
    assert net.location_basis[j] == "capacity (node)"
    site = concentration(t, inputs="logic", lens="site", basis="revenue")
    row = site.iloc[0]
    assert "capacity (node)" in row["site_basis"]


def test_ultimate_parents_chains_cycles_and_unknown_parents():
    orgs = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "x", "y", "z", "w"],
            "parent": [None, "a", "b", "", "y", "x", "nowhere", "z"],
        }
    )
    roots = ultimate_parents(orgs)
    # chains end at the organisation without a parent (empty counts as none)
    assert [roots[k] for k in "abcd"] == ["a", "a", "a", "d"]
    # a cycle (impossible after loading) is cut at the first repeat
    assert (roots["x"], roots["y"]) == ("y", "x")
    # a parent that is not an organisation ends its chain as the root
    assert (roots["z"], roots["w"]) == ("nowhere", "nowhere")
    # a repeated id (rejected by the loader): its last row wins, as in a dict
    dup = pd.DataFrame({"id": ["a", "b", "a"], "parent": [None, "a", "q"]})
    assert ultimate_parents(dup) == {"a": "q", "b": "q"}


def test_ultimate_parents_deep_chain():
    n = 5000  # deeper than any pointer-jumping shortcut: a straight line of parents
    ids = [f"o{i}" for i in range(n)]
    orgs = pd.DataFrame({"id": ids, "parent": [None, *ids[:-1]]})
    roots = ultimate_parents(orgs)
    assert set(roots.values()) == {"o0"} and len(roots) == n
