"""The capacity ledger's loader checks: units, keys and status rules, named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiprisk.graph.errors import DataErrors
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.loader import load_tables

HEADER = "id,site,input,year,quantity,unit,status,confidence,source_id,note\n"
INPUTS = (
    "id,name,stage,kind,is_type_of,substitutability,capacity_unit,source_id\n"
    "euv,EUV lithography,equipment,tool,,0,,src-a\n"
    "h100,H100,product,product,,,,src-a\n"
    "logic,Leading-edge logic,fabrication,process,,0.2,wafers/month,src-a\n"
)
GOOD = [
    "cap-fab18-2024,tsmc-fab-18,logic,2024,100000,wafers/month,operating,secondary,src-a,",
    "cap-fab18-2025,tsmc-fab-18,logic,2025,110000,wafers/month,operating,estimate,src-b,range",
    "cap-jasm-2024,jasm-fab-1,logic,2024,0,wafers/month,under-construction,secondary,src-a,",
]


def _ledger(d: Path, rows: list[str], inputs: str = INPUTS) -> Path:
    (d / "seed/inputs.csv").write_text(inputs, encoding="utf-8")
    (d / "seed/capacity.csv").write_text(HEADER + "".join(r + "\n" for r in rows), "utf-8")
    return d


def _errors(d: Path) -> list[str]:
    with pytest.raises(DataErrors) as exc:
        load_tables(d)
    return [str(e) for e in exc.value.errors]


def test_absent_file_gives_an_empty_typed_table(tiny_dir):
    cap = load_tables(tiny_dir)["capacity"]
    assert cap.empty
    assert list(cap.columns) == TABLES["capacity"].column_names
    assert cap["year"].dtype.name == "int64" and cap["quantity"].dtype.name == "float64"


def test_good_ledger_loads_typed(tiny_dir):
    t = load_tables(_ledger(tiny_dir, GOOD))
    cap = t["capacity"]
    assert len(cap) == 3
    assert cap["year"].dtype.name == "int64"
    assert cap["quantity"].dtype.name == "float64"
    assert cap["year"].tolist() == [2024, 2025, 2024]
    assert t.kind_of("cap-jasm-2024") == "capacity"
    assert t["inputs"].set_index("id").at["logic", "capacity_unit"] == "wafers/month"


def test_unit_mismatch_is_named(tiny_dir):
    rows = [GOOD[0], GOOD[1].replace("wafers/month", "wafers/year")]
    (err,) = _errors(_ledger(tiny_dir, rows))
    assert err == (
        "capacity.csv, line 3, column unit: unit 'wafers/year' is not the capacity_unit "
        "of input 'logic' (expected 'wafers/month', as in inputs.csv)"
    )


def test_input_without_capacity_unit_is_named(tiny_dir):
    inputs = INPUTS.replace(",0.2,wafers/month,", ",0.2,,")
    (err,) = _errors(_ledger(tiny_dir, GOOD, inputs))
    assert err.startswith(
        "inputs.csv, line 4, column capacity_unit: input 'logic' has rows in capacity.csv "
        "(first on line 2) but no capacity_unit"
    )


def test_duplicate_site_input_year(tiny_dir):
    dup = GOOD[0].replace("cap-fab18-2024", "cap-fab18-2024-again")
    (err,) = _errors(_ledger(tiny_dir, [*GOOD, dup]))
    assert err.startswith(
        "capacity.csv, line 5, column year: duplicate site/input/year "
        "'tsmc-fab-18/logic/2024' (first on line 2)"
    )


def test_operating_after_cancelled_is_rejected(tiny_dir):
    rows = [
        "cap-jasm-2024,jasm-fab-1,logic,2024,0,wafers/month,cancelled,secondary,src-a,",
        "cap-jasm-2026,jasm-fab-1,logic,2026,50000,wafers/month,operating,estimate,src-b,",
        "cap-jasm-2023,jasm-fab-1,logic,2023,1000,wafers/month,operating,estimate,src-b,",
    ]
    (err,) = _errors(_ledger(tiny_dir, rows))
    assert err.startswith(
        "capacity.csv, line 3, column status: status 'operating' in 2026, but this site "
        "and input are 'cancelled' in 2024 (line 2)"
    )


def test_paused_then_operating_is_allowed(tiny_dir):
    rows = [
        "cap-jasm-2024,jasm-fab-1,logic,2024,0,wafers/month,paused,secondary,src-a,",
        "cap-jasm-2026,jasm-fab-1,logic,2026,50000,wafers/month,operating,estimate,src-b,",
    ]
    assert len(load_tables(_ledger(tiny_dir, rows))["capacity"]) == 2


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (",100000,", ",-5,", "column quantity: -5 is below the allowed range 0.."),
        (",100000,", ",inf,", "column quantity: 'inf' is not a number"),
        (",operating,", ",running,", "column status: 'running' is not one of: operating"),
        ("tsmc-fab-18,", "tsmc-fab-99,", "column site: unknown id 'tsmc-fab-99'"),
        (",2024,", ",twenty,", "column year: 'twenty' is not a whole number"),
    ],
)
def test_cell_rules(tiny_dir, old, new, expected):
    (err,) = _errors(_ledger(tiny_dir, [GOOD[0].replace(old, new, 1)]))
    assert err.startswith("capacity.csv, line 2, ") and expected in err, err


def test_requirement_quantity_needs_a_unit(tiny_dir):
    (tiny_dir / "seed/requirements.csv").write_text(
        "product,input,quantity,unit,source_id\nh100,logic,65,,src-a\nlogic,euv,,,src-a\n",
        encoding="utf-8",
    )
    (err,) = _errors(tiny_dir)
    assert err.startswith("requirements.csv, line 2, column unit: quantity is set but has no unit")


def test_requirement_quantity_loads(tiny_dir):
    (tiny_dir / "seed/requirements.csv").write_text(
        "product,input,quantity,unit,source_id\n"
        "h100,logic,65,good dies/wafer,src-a\nlogic,euv,,,src-a\n",
        encoding="utf-8",
    )
    req = load_tables(tiny_dir)["requirements"]
    assert req["quantity"].tolist()[0] == 65.0 and req["unit"].tolist()[0] == "good dies/wafer"
