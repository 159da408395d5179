"""Export controls as data (issue 18): hand-computed effects on the tiny data.

The tiny data plus: SMIC (CN) has 10% of ``logic`` capacity from 2025 (TSMC 80%,
Samsung 10%); ``logic`` needs ``euv`` (installed, decay 0.2/year, no spares)
and ``resist`` (consumable, no stock); the H100 buys its logic from TSMC only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chiprisk.graph.algorithms.restrictions import (
    restriction_availability,
    restrictions_in_force,
)
from chiprisk.graph.algorithms.scenarios import Scenario
from chiprisk.graph.algorithms.simulate import simulate
from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.loader import load_tables
from chiprisk.graph.model.propagation import build_network

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
HEAD = (
    "id,policy,item_input,from_country,to_country,effective_date,end_date,threshold,"
    "threshold_node,threshold_performance,restricts_service,source_id,note"
)
EUV_2025 = "rx-euv,us-ctl,euv,US,CN,2025-01-01,,,,,,src-a,"
NONE = Scenario("(no disruption)", "no disruption", (), 0.0)


def _append(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _dir(tmp_path: Path, rows: list[str]) -> Path:
    dest = tmp_path / "rx-data"
    shutil.copytree(TINY, dest)
    seed = dest / "seed"
    (seed / "inputs.csv").write_text(
        "id,name,stage,kind,is_type_of,substitutability,flow,buffer_weeks,"
        "service_decay_per_year,timing_source_id,source_id\n"
        "euv,EUV lithography,equipment,tool,,0,installed,0,0.2,src-b,src-a\n"
        "h100,H100,product,product,,,consumable,0,,src-b,src-a\n"
        "logic,Leading-edge logic,fabrication,process,,0.2,consumable,0,,src-b,src-a\n"
        "resist,Photoresist,materials,material,,,consumable,0,,src-b,src-a\n",
        encoding="utf-8",
    )
    _append(
        seed / "organizations.csv", ["smic,SMIC,CN,foundry,,,src-a", "jsr,JSR,JP,materials,,,src-a"]
    )
    _append(
        seed / "sites.csv", ["smic-sn1,SMIC SN1,smic,CN,Shanghai,,,fab,N+1,operating,2020,,,src-a"]
    )
    _append(seed / "requirements.csv", ["logic,resist,src-a"])
    _append(
        seed / "supplies.csv",
        [
            "s-logic-tsmc-25,tsmc,logic,,80,,,,,,capacity,2025,primary,src-a",
            "s-logic-samsung-25,samsung,logic,,10,,,,,,capacity,2025,primary,src-a",
            "s-logic-smic-25,smic,logic,,10,,,,,,capacity,2025,primary,src-a",
            "s-resist-jsr,jsr,resist,,100,,,,,,capacity,2025,primary,src-a",
        ],
    )
    _append(
        seed / "policies.csv",
        [
            "us-ctl,US control,US,export-control,in-force,2025-01-01,,,src-a",
            "jp-ctl,JP control,JP,export-control,in-force,2025-01-01,,,src-a",
        ],
    )
    (seed / "restrictions.csv").write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return dest


def _output(t, year: int, policies=None) -> dict[str, float]:
    net = build_network(t, year)
    a, _ = restriction_availability(net, t, year, policies)
    out = simulate(t, NONE, network=net, include="all", baseline_availability=a)
    return dict(zip(out["node"], out["output_fraction"], strict=True))


def test_tool_control_cuts_chinese_production_only_from_its_effective_year(tmp_path):
    t = load_tables(_dir(tmp_path, [EUV_2025]))
    # 2024: not in force; the 2024 logic table has no Chinese supplier anyway
    assert _output(t, 2024)["logic"] == pytest.approx(1.0)
    # end of 2025: one year without new EUV tools: SMIC keeps 0.8 of its 10%
    assert _output(t, 2025)["logic"] == pytest.approx(0.9 + 0.1 * 0.8)
    # end of 2026: two years: 0.8 ** 2 = 0.64
    out = _output(t, 2026)
    assert out["logic"] == pytest.approx(0.9 + 0.1 * 0.64)
    # Taiwan-made H100 (its logic is TSMC's) and the tool's own makers: untouched
    assert out["h100"] == pytest.approx(1.0)
    assert out["euv"] == pytest.approx(1.0)


def test_not_in_force_before_effective_date_or_after_end(tmp_path):
    rows = ["rx-euv,us-ctl,euv,US,CN,2026-06-01,2027-03-01,,,,,src-a,"]
    t = load_tables(_dir(tmp_path, rows))
    assert _output(t, 2025)["logic"] == pytest.approx(1.0)
    # 2026-06-01 is day 151 of 365: 1 - 151/365 of a year in force by the end of 2026
    assert _output(t, 2026)["logic"] == pytest.approx(0.9 + 0.1 * 0.8 ** (1 - 151 / 365))
    assert _output(t, 2027)["logic"] == pytest.approx(1.0)  # ended in 2027


def test_two_controls_on_the_same_item_do_not_compound(tmp_path):
    rows = [EUV_2025, "rx-euv-jp,jp-ctl,euv,JP,CN,2025-07-01,,,,,yes,src-a,"]
    t = load_tables(_dir(tmp_path, rows))
    rx = restrictions_in_force(t, 2026)
    assert rx.set_index("restriction_id")["strongest"].to_dict() == {
        "rx-euv": True,
        "rx-euv-jp": False,
    }
    # one rule counts (the earlier: 0.64 left), not 0.64 x 0.8 ** 1.5
    assert _output(t, 2026)["logic"] == pytest.approx(0.9 + 0.1 * 0.64)
    assert _output(t, 2026, "jp-ctl")["logic"] == pytest.approx(0.9 + 0.1 * 0.8 ** (2 - 181 / 365))


def test_consumable_is_cut_fully_installed_tool_only_by_decay(tmp_path):
    resist = "rx-resist,jp-ctl,resist,JP,CN,2025-01-01,,,,,,src-a,"
    t = load_tables(_dir(tmp_path, [EUV_2025, resist]))
    # resist alone: SMIC's 10% stops
    assert _output(t, 2026, "jp-ctl")["logic"] == pytest.approx(0.9)
    # the tool alone: decay only
    assert _output(t, 2026, "us-ctl")["logic"] == pytest.approx(0.964)
    # both: SMIC keeps the least of the two (0), not a product of the two
    assert _output(t, 2026)["logic"] == pytest.approx(0.9)


def test_rule_to_every_destination_is_listed_not_modelled(tmp_path):
    rows = ["rx-resist-all,jp-ctl,resist,JP,,2025-01-01,,,,,,src-a,"]
    t = load_tables(_dir(tmp_path, rows))
    a, notes = restriction_availability(build_network(t, 2026), t, 2026)
    assert a is None and "not modelled" in notes[0]


def test_loader_rejects_a_rule_on_its_own_country_and_an_end_before_start(tmp_path):
    rows = ["rx-bad,us-ctl,euv,US,US,2025-01-01,2024-01-01,,,,,src-a,"]
    with pytest.raises(DataErrors) as exc:
        load_tables(_dir(tmp_path, rows))
    got = {(e.file, e.column) for e in exc.value.errors}
    assert {("restrictions.csv", "to_country"), ("restrictions.csv", "end_date")} <= got


def test_builtin_us_2022_rule_does_not_touch_non_chinese_supply():
    t = load_tables()
    net = build_network(t, 2026)
    a, _ = restriction_availability(net, t, 2026, "us-bis-advanced-computing-2022")
    cn = net.countries.index("CN")
    touched = a < 1
    assert (net.L[touched][:, cn].toarray().ravel() > 0).all()
