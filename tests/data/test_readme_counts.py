"""data/README.md's row counts are the data's (issue 18): regenerate them when rows change."""

from __future__ import annotations

import re
from pathlib import Path

from chiprisk.graph.io.loader import load_tables

README = Path(__file__).resolve().parents[2] / "data" / "README.md"
ROW = re.compile(r"^\| `(\w+)\.csv` \| (\d+) \|", re.M)


def readme_counts() -> dict[str, int]:
    return {name: int(n) for name, n in ROW.findall(README.read_text(encoding="utf-8"))}


def data_counts() -> dict[str, int]:
    t = load_tables()
    return {name: len(t[name]) for name in readme_counts()}


def test_readme_counts_are_the_data():
    assert readme_counts(), "no table rows found in data/README.md"
    assert readme_counts() == data_counts(), (
        "data/README.md counts are stale: python tests/data/test_readme_counts.py rewrites them"
    )


if __name__ == "__main__":  # rewrite the counts in place
    counts = data_counts()
    text = README.read_text(encoding="utf-8")
    text = ROW.sub(lambda m: f"| `{m[1]}.csv` | {counts[m[1]]} |", text)
    README.write_text(text, encoding="utf-8")
