"""Regenerate the golden query results after a deliberate data change.

Run ``python tests/golden/update.py`` and review the diff before committing:
every changed row should be explained by the data change.
"""

from pathlib import Path

import chiprisk.graph as cg
from chiprisk.ontology import resources

OUT = Path(__file__).parent / "queries"

if __name__ == "__main__":
    kg = cg.load()
    for name in resources.query_names():
        kg.named_query(name).to_csv(OUT / f"{name}.csv", index=False, lineterminator="\n")
        print("wrote", name)
