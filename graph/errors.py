"""Errors that name what is wrong and where.

Examples
--------
>>> e = DataError("supplies.csv", 7, "share", "130 is not in 0..100")
>>> str(e)
'supplies.csv, line 7, column share: 130 is not in 0..100'
"""

from __future__ import annotations

from dataclasses import dataclass


class ChipriskError(Exception):
    """Base class of every error chiprisk raises on purpose."""


@dataclass(frozen=True)
class DataError:
    """One problem in one cell, row or file of a data directory."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class DataErrors(ChipriskError):
    """Raised when a data directory fails its checks; holds every problem found."""

    def __init__(self, errors: list[DataError]):
        self.errors = list(errors)
        shown = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"{len(self.errors)} problem(s) in the data:\n{shown}{more}")


class UsageError(ChipriskError):
    """A bad argument: an unknown id, a malformed parameter, a missing file."""


class QueryError(ChipriskError):
    """A SPARQL query that cannot be parsed or run."""
