"""Multi-tier firms: a firm's output depends on what it buys, to full depth; firm cycles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chiprisk.graph.algorithms.chokepoints import chokepoints
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network, propagate

SEED = {
    "sources.csv": [
        "id,url,title,publisher,published,confidence,note",
        "src-a,https://example.org/a,Chain,Test,2025-01-01,estimate,",
    ],
    "organizations.csv": ["id,name,hq_country,roles,parent,wikidata,source_id"]
    + [f"f{k},Firm {k},US,,,,src-a" for k in (1, 2, 3, 4, 5)]
    + ["oem,OEM,US,designer,,,src-a"],
    "inputs.csv": [
        "id,name,stage,kind,is_type_of,substitutability,source_id",
        "phone,Phone,product,product,,,src-a",
        "module,Module,packaging,component,,,src-a",
        "die,Die,fabrication,component,,,src-a",
        "wafer,Wafer,materials,material,,,src-a",
        "ingot,Ingot,materials,material,,,src-a",
    ],
    "requirements.csv": ["product,input,source_id", "phone,module,src-a"],
}
HEADER = "id,supplier,input,buyer,share,basis,year,confidence,source_id"
# tier 1: f1 makes the module; it buys dies from f2 (tier 2), which buys wafers
# from f3 (tier 3), which buys ingots from f4 (tier 4)
CHAIN = [
    "s1,f1,module,,100,units,2025,estimate,src-a",
    "s2,f2,die,f1,100,sourcing,2025,estimate,src-a",
    "s3,f3,wafer,f2,100,sourcing,2025,estimate,src-a",
    "s4,f4,ingot,f3,100,sourcing,2025,estimate,src-a",
    "s5,f2,die,,100,units,2025,estimate,src-a",
    "s6,f3,wafer,,100,units,2025,estimate,src-a",
    "s7,f4,ingot,,100,units,2025,estimate,src-a",
]


def _dir(tmp_path: Path, supplies: list[str]) -> Path:
    seed = tmp_path / "data" / "seed"
    seed.mkdir(parents=True)
    for name, lines in SEED.items():
        (seed / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (seed / "supplies.csv").write_text("\n".join([HEADER, *supplies]) + "\n", encoding="utf-8")
    return tmp_path / "data"


def _offline(net, *firms: str) -> np.ndarray:
    a = np.ones(net.n_suppliers)
    for f in firms:
        a[[k for k, s in enumerate(net.supplier_id) if s == f]] = 0.0
    return a


def test_tier3_failure_reaches_the_product(tmp_path):
    net = build_network(load_tables(_dir(tmp_path, CHAIN)))
    assert net.notes == []
    phone = net.node_index["phone"]
    assert propagate(net, _offline(net))[phone] == 1.0
    for firm in ("f1", "f2", "f3", "f4"):  # every tier, down to the fourth
        assert propagate(net, _offline(net, firm))[phone] == 0.0, firm
    # the firm's purchases are nodes of their own, below the product
    assert {"die@f1", "wafer@f2", "ingot@f3"} <= set(net.nodes)
    assert net.level[phone] > net.level[net.node_index["ingot@f3"]]


def test_partial_sourcing_carries_its_share(tmp_path):
    rows = [*CHAIN[:2], "s3,f3,wafer,f2,60,sourcing,2025,estimate,src-a"]
    rows += ["s3b,f5,wafer,f2,40,sourcing,2025,estimate,src-a", *CHAIN[3:]]
    net = build_network(load_tables(_dir(tmp_path, rows)))
    out = propagate(net, _offline(net, "f3"))
    assert out[net.node_index["phone"]] == pytest.approx(0.4)
    assert out[net.node_index["wafer"]] == 0.0  # the market table: f3 alone


def test_chokepoints_see_the_deep_tiers(tmp_path):
    df = chokepoints(load_tables(_dir(tmp_path, CHAIN)), betweenness=False)
    firms = set(df.query("kind == 'firm' and products_affected > 0")["id"])
    assert firms == {"f1", "f2", "f3", "f4"}


def test_firm_cycle_is_reported_not_looped(tmp_path):
    rows = [*CHAIN, "s8,f1,ingot,f4,100,sourcing,2025,estimate,src-a"]  # f4 buys from f1
    net = build_network(load_tables(_dir(tmp_path, rows)))
    assert len(net.notes) == 1 and "cycle between firms" in net.notes[0]
    assert all(f in net.notes[0] for f in ("f1", "f2", "f3", "f4"))
    phone = net.node_index["phone"]
    assert propagate(net, _offline(net, "f1"))[phone] == 0.0
    assert "f4's output not made to depend on ingot" in net.notes[0]  # the deepest tier's
    for firm in ("f2", "f3", "f4"):  # the chain from the product down is kept
        assert propagate(net, _offline(net, firm))[phone] == 0.0, firm
