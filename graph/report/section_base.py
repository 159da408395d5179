"""One section of the report: its heading, paragraph, charts, tables and notes.

Examples
--------
>>> not_available("x", "X", "the x table").notes
['Not available in this version: the x table.']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Section", "not_available"]


@dataclass
class Section:
    """One section of the report: a heading, a paragraph, charts, tables, notes."""

    key: str
    title: str
    intro: str
    charts: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def not_available(key: str, title: str, what: str) -> Section:
    """A section that says what the data or the graph cannot give."""
    return Section(key, title, "", notes=[f"Not available in this version: {what}."])
