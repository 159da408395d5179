"""The ledger's coverage findings on the three-site ledger (tests/graph/ledger_dirs.py)."""

from __future__ import annotations

from ledger_dirs import CAPACITY, ledger_tables

from chiprisk.graph.model.coverage import coverage
from chiprisk.graph.model.ledger_coverage import ledger_findings


def test_samsung_has_a_logic_share_but_no_ledger_site(tmp_path):
    rows = list(ledger_findings(ledger_tables(tmp_path)))
    missing = [r for r in rows if r["check"] == "ledger-missing-firms"]
    assert [(r["entity"], r["count"]) for r in missing] == [("logic", 1)]
    assert "samsung" in missing[0]["detail"]
    # every first row is in the ledger's first year or not yet operating: no late start
    assert not [r for r in rows if r["check"] == "ledger-late-start"]


def test_a_site_first_seen_operating_later_is_a_late_start(tmp_path):
    late = CAPACITY.replace(
        "cap-jasm-2024,jasm-fab-1,logic,2024,50000,wafers/month,operating",
        "cap-jasm-2024,jasm-fab-1,logic,2026,50000,wafers/month,operating",
    )
    report = coverage(ledger_tables(tmp_path, late), as_of=2026)
    hit = report[report["check"] == "ledger-late-start"]
    assert hit["entity"].tolist() == ["logic"]
    assert "jasm-fab-1 (2026)" in hit["detail"].iloc[0]
