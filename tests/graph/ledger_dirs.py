"""A three-site capacity ledger on the tiny data directory, for hand-computed tests.

Sites (capability ``logic``, wafers/month; jasm's parent is tsmc, so all three
are TSMC's):

| site | country | 2024 | 2026 | 2027 |
| --- | --- | --- | --- | --- |
| tsmc-fab-18 | TW | 100,000 operating | | |
| tsmc-arizona | US | 0 under construction | 25,000 operating | |
| jasm-fab-1 | JP | 50,000 operating | | 50,000 paused |

Policies: ``us-chips`` funds tsmc-arizona (USD 6.6 bn), ``jp-jasm-aid`` funds
jasm-fab-1 (the tiny data's own), ``eu-act`` funds nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from chiprisk.graph.io.loader import Tables, load_tables

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"

CAPACITY = """id,site,input,year,quantity,unit,status,confidence,source_id,note
cap-az-2024,tsmc-arizona,logic,2024,0,wafers/month,under-construction,primary,src-a,
cap-az-2026,tsmc-arizona,logic,2026,25000,wafers/month,operating,primary,src-a,
cap-f18-2024,tsmc-fab-18,logic,2024,100000,wafers/month,operating,primary,src-a,
cap-jasm-2024,jasm-fab-1,logic,2024,50000,wafers/month,operating,primary,src-a,
cap-jasm-2027,jasm-fab-1,logic,2027,50000,wafers/month,paused,primary,src-a,
"""


def _append(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def ledger_dir(tmp_path: Path, capacity: str = CAPACITY) -> Path:
    """Write the tiny data with the three-site ledger; return the directory."""
    dest = tmp_path / "ledger-data"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(TINY, dest)
    seed = dest / "seed"
    _append(
        seed / "sites.csv",
        ["tsmc-arizona,TSMC Arizona,tsmc,US,Phoenix,33.75,-112.13,fab,N4,operating,2025,,,src-a"],
    )
    inputs = (seed / "inputs.csv").read_text(encoding="utf-8").splitlines()
    header = inputs[0] + ",capacity_unit"
    rows = [r + (",wafers/month" if r.startswith("logic,") else ",") for r in inputs[1:]]
    (seed / "inputs.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    _append(
        seed / "policies.csv",
        ["us-chips,CHIPS incentives,US,subsidy,enacted,2022-08-09,6600000000,USD,src-a"],
    )
    _append(
        seed / "policy_actions.csv",
        ["pa-us-az,us-chips,funds,tsmc-arizona,6600000000,USD,,,logic,2026,,src-a"],
    )
    (seed / "capacity.csv").write_text(capacity, encoding="utf-8")
    return dest


def ledger_tables(tmp_path: Path, capacity: str = CAPACITY) -> Tables:
    """The checked rows of :func:`ledger_dir`."""
    return load_tables(ledger_dir(tmp_path, capacity))
