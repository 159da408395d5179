"""Where a data directory's files are, and their hash (no pandas, no rdflib).

Kept light on purpose: ``chiprisk info`` answers from the cache after only
hashing the files.

Examples
--------
>>> len(data_hash())
64
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path

from chiprisk.data import resources as data_resources
from chiprisk.graph.errors import DataError, DataErrors

TABLE_FILES = (
    "sources.csv",
    "organizations.csv",
    "sites.csv",
    "blocs.csv",
    "inputs.csv",
    "requirements.csv",
    "supplies.csv",
    "capacity.csv",
    "events.csv",
    "policies.csv",
    "policy_actions.csv",
    "restrictions.csv",
    "fx_rates.csv",
)
"""The contract's table files, in load order (checked against the contract by a test)."""


class NotADataDir(DataErrors):
    """The path given as a data directory is not a folder (a DataErrors naming the path)."""

    def __init__(self, path: str):
        super().__init__([DataError(path, None, None, "is not a directory")])


class DataDir:
    """A data directory: the built-in package data or a folder on disk.

    Made once from ``--data DIR`` (or ``None``: the built-in data) and passed
    down as is: every function that takes a data directory accepts a
    ``DataDir``, and ``DataDir(other_data_dir)`` is the same directory,
    not checked again (as ``Path(path)``).

    Parameters
    ----------
    data_dir : DataDir, str or Path, optional
        The folder; ``None`` for the built-in data.

    Raises
    ------
    NotADataDir
        When the path is not a folder (a DataErrors naming the path).

    Examples
    --------
    >>> d = DataDir()
    >>> d.origin, DataDir(d).origin, d.table_file("sources.csv").name
    ('built-in', 'built-in', 'sources.csv')
    """

    def __init__(self, data_dir: DataDir | str | Path | None = None):
        if isinstance(data_dir, DataDir):  # already resolved
            self.origin = data_dir.origin
            self.tables_dir = data_dir.tables_dir
            self.scenarios_dir = data_dir.scenarios_dir
            return
        root: Traversable | Path
        if data_dir is None:
            root, self.origin = data_resources.root(), "built-in"
        else:
            root, self.origin = Path(data_dir), str(data_dir)
            if not root.is_dir():
                raise NotADataDir(str(data_dir))
        seed = root.joinpath("seed")
        self.tables_dir = seed if seed.is_dir() else root
        self.scenarios_dir = root.joinpath("scenarios")

    def table_file(self, file_name: str) -> Traversable | Path | None:
        """The file of one table, or None when absent."""
        f = self.tables_dir.joinpath(file_name)
        return f if f.is_file() else None

    def scenario_files(self) -> list[Traversable | Path]:
        """The scenario YAML files, sorted by name."""
        if not self.scenarios_dir.is_dir():
            return []
        return sorted(
            (p for p in self.scenarios_dir.iterdir() if p.name.endswith((".yaml", ".yml"))),
            key=lambda p: p.name,
        )

    def files(self) -> Iterator[tuple[str, Traversable | Path]]:
        """(name, file) of every file the directory holds, in load order."""
        for name in TABLE_FILES:
            f = self.table_file(name)
            if f is not None:
                yield name, f
        for f in self.scenario_files():
            yield f"scenarios/{f.name}", f


def hash_update(h: hashlib._Hash, name: str, raw: bytes) -> None:
    """Fold one file into a data hash (the one scheme both hashers use)."""
    _fold(h, name, hashlib.sha256(raw).digest())


def _fold(h: hashlib._Hash, name: str, digest: bytes) -> None:
    h.update(name.encode() + b"\0" + digest)


def data_hash(data_dir: DataDir | str | Path | None = None) -> str:
    """The sha256 of a data directory's file names and bytes.

    Files are hashed in chunks as they are read (no copy of a large file in
    memory); the result equals folding each file's bytes with :func:`hash_update`.
    """
    h = hashlib.sha256()
    for name, f in DataDir(data_dir).files():
        with f.open("rb") as stream:
            _fold(h, name, hashlib.file_digest(stream, "sha256").digest())
    return h.hexdigest()
