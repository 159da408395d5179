"""Small data directories for the concentration tests, in the file contract.

A copy of tests/fixtures/tiny (orgs asml NL, jasm JP -> parent tsmc TW, nvidia
US, samsung KR; sites jasm-fab-1 JP 55,000 wafers/month from 2024 and
tsmc-fab-18 TW 100,000 wafers/month; inputs euv, h100, logic) plus the HBM
makers, with the supplies rows a test writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from chiprisk.graph.io.loader import Tables, load_tables

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
HEADER = (
    "id,supplier,input,buyer,share,share_min,share_max,share_qual,capacity,capacity_unit,"
    "basis,year,confidence,source_id"
)
EXTRA_ORGS = [
    "micron,Micron Technology,US,memory,,,src-a",
    "sk-hynix,SK hynix,KR,memory,,,src-a",
]
EXTRA_INPUTS = ["hbm,High-bandwidth memory,memory,component,,,src-a"]


def sup(
    sid: str,
    supplier: str,
    input_id: str = "logic",
    *,
    share: object = "",
    smin: object = "",
    smax: object = "",
    qual: str = "",
    cap: object = "",
    unit: str = "",
    basis: str = "revenue",
    year: int = 2024,
    buyer: str = "",
    source: str = "src-a",
) -> str:
    """One supplies.csv line."""
    return (
        f"{sid},{supplier},{input_id},{buyer},{share},{smin},{smax},{qual},{cap},{unit},"
        f"{basis},{year},primary,{source}"
    )


def write_dir(tmp_path: Path, rows: list[str]) -> Tables:
    """A copy of the tiny data dir with these supplies rows (plus HBM makers)."""
    dest = tmp_path / "data"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(TINY, dest)
    seed = dest / "seed"
    (seed / "supplies.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    for name, extra in (("organizations.csv", EXTRA_ORGS), ("inputs.csv", EXTRA_INPUTS)):
        text = (seed / name).read_text(encoding="utf-8").rstrip("\n")
        (seed / name).write_text(text + "\n" + "\n".join(extra) + "\n", encoding="utf-8")
    return load_tables(dest)
