"""The done-when checks of issue 18 (bills of materials by process, markets apart)."""

from __future__ import annotations

import pytest

import chiprisk.graph as cg

EUV_CLASSES = {"logic-3nm-class", "logic-5nm-class", "logic-2nm-class", "logic-7nm-euv", "dram-euv"}
NODE_CLASSES = EUV_CLASSES | {"logic-7nm-class", "logic-7nm-duv", "dram-duv", "logic-foundry"}


@pytest.fixture(scope="module")
def kg():
    return cg.load()


def _losses(kg, target):
    df = kg.simulate(disrupt=[target])
    df = df[df["kind"] == "product"]
    return dict(zip(df["input"], df["loss"], strict=True))


def test_no_product_fully_exposed_to_euv_unless_all_its_classes_use_euv(kg):
    req = kg.tables["requirements"]
    for product, loss in _losses(kg, "input:euv-lithography").items():
        classes = set(req.loc[req["product"] == product, "input"]) & NODE_CLASSES
        if loss >= 1 - 1e-9:
            assert classes and classes <= EUV_CLASSES, (product, classes)


def test_ascend_910b_needs_no_euv(kg):
    assert _losses(kg, "input:euv-lithography")["huawei-ascend-910b"] == pytest.approx(0.0)


def test_ascend_910b_nl_exposure_only_from_what_it_needs(kg):
    ex = kg.exposure("huawei-ascend-910b", by="country")
    nl = ex[(ex["entity"] == "NL") & (ex["input"] != "(total)")]
    # the Dutch inputs it needs are DUV scanners (its logic and HBM dies); never EUV
    assert "euv-lithography" not in set(nl["input"])


def test_cxmt_outage_does_not_touch_non_chinese_accelerators(kg):
    losses = _losses(kg, "org:cxmt")
    for p in (
        "nvidia-h100",
        "nvidia-h200",
        "nvidia-b200",
        "amd-mi300x",
        "google-tpu-v5p",
        "aws-trainium2",
    ):
        assert losses[p] == pytest.approx(0.0), p


def test_summary_lists_no_market_among_the_most_concentrated_inputs(kg):
    parts = kg.summary(top=50)
    inputs = kg.tables["inputs"]
    markets = set(inputs.loc[inputs["kind"] == "market", "id"])
    assert markets == {"ai-accelerators", "datacenter-gpus"}
    assert not set(parts["concentrated"]["input"]) & markets
    assert set(parts["markets"]["input"]) <= markets


def test_markets_have_members_and_no_bill_of_materials(kg):
    inputs = kg.tables["inputs"].set_index("id")
    members = set(inputs.index[inputs["is_type_of"] == "datacenter-gpus"])
    assert {"nvidia-h100", "nvidia-b200", "amd-mi300x"} <= members
    assert not kg.tables["requirements"]["product"].isin(["ai-accelerators"]).any()
