"""Write a whole output folder at once: built fresh, swapped in, never over someone's files.

Commands that write a folder (``report -o DIR``, ``export --format csv -o DIR``,
``import ... -o DIR``) build it in a fresh sibling folder and rename it into
place, so a reader never sees half of one and a failed build leaves the old
folder as it was. An existing ``DIR`` is replaced only when it is

- empty, or
- an *unchanged* previous output of the same command: its marker file
  (:data:`MARKER`) lists every file that command wrote with its sha256, and
  the folder holds exactly those files with those contents;

anything else (a user's own tables, a folder with one extra or edited file)
is refused with a :class:`~chiprisk.graph.errors.UsageError` that names a
file that would be lost, unless the caller passes ``force=True``
(``--force``).

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> def build(tmp):
...     (tmp / "a.txt").write_text("1")
>>> write_folder(out, build, command="demo").name
'out'
>>> sorted(p.name for p in out.iterdir())
['.chiprisk-output.json', 'a.txt']
>>> _ = write_folder(out, build, command="demo")  # an unchanged previous output: replaced
>>> (out / "mine.txt").write_text("keep me")
7
>>> try:
...     write_folder(out, build, command="demo")
... except Exception as exc:
...     print(type(exc).__name__)
UsageError
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from chiprisk.graph.errors import UsageError

__all__ = ["MARKER", "check_replaceable", "folder_files", "write_folder"]

MARKER = ".chiprisk-output.json"
"""The marker file: which command wrote the folder, and the sha256 of every file."""


def folder_files(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (the marker left out).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "x").write_bytes(b"")
    >>> folder_files(d)
    {'x': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}
    """
    out: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(dirpath) / name
            rel = p.relative_to(folder).as_posix()
            if rel == MARKER:
                continue
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            out[rel] = h.hexdigest()
    return out


def check_replaceable(folder: str | Path, command: str, *, force: bool = False) -> None:
    """Raise unless ``folder`` may be replaced by a new output of ``command``.

    Raises
    ------
    UsageError
        When ``folder`` is a file, or holds anything but an unchanged previous
        output of ``command`` (and ``force`` is False).

    Examples
    --------
    >>> import tempfile
    >>> check_replaceable(tempfile.mkdtemp(), "report")  # empty: fine
    """
    folder = Path(folder)
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise UsageError(f"cannot write {folder}: it exists and is not a directory")
    if force or not any(folder.iterdir()):
        return
    hint = f"choose a new or empty folder, or pass --force to replace {folder} and all in it"
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        listed = dict(marker["files"])
        wrote = marker["command"]
    except (OSError, ValueError, KeyError, TypeError):
        sample = sorted(p.name for p in folder.iterdir())[:3]
        raise UsageError(
            f"cannot write {folder}: it is not empty ({', '.join(sample)}) and was not "
            f"written by chiprisk {command}; {hint}"
        ) from None
    if wrote != command:
        raise UsageError(f"cannot write {folder}: it holds the output of chiprisk {wrote}; {hint}")
    present = folder_files(folder)
    changed = sorted(k for k in present if listed.get(k) != present[k])
    if changed:
        raise UsageError(
            f"cannot write {folder}: {changed[0]} was added or edited since chiprisk "
            f"{command} wrote the folder, and would be lost; {hint}"
        )


def write_folder(
    folder: str | Path,
    build: Callable[[Path], object],
    *,
    command: str,
    force: bool = False,
    mode: int = 0o755,
) -> Path:
    """Build a folder with ``build(tmp)`` in a fresh sibling, then swap it in.

    Parameters
    ----------
    folder : str or Path
        The output folder; its parent must exist.
    build : callable
        Writes the folder's files into the path it is given.
    command : str
        The command's name, recorded in the marker (``report``, ``export``).
    force : bool
        Replace ``folder`` whatever it holds.
    mode : int
        Permissions of the new folder.

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    UsageError
        See :func:`check_replaceable`; also when the parent is missing.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {folder}: folder {parent} does not exist")
    check_replaceable(folder, command, force=force)
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as exc:
        raise UsageError(f"cannot write {folder}: {exc.strerror}") from None
    try:
        build(tmp)
        marker = {"command": command, "files": folder_files(tmp)}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True), encoding="utf-8")
        os.chmod(tmp, mode)
        # checked again just before the swap: the folder may have changed meanwhile
        check_replaceable(folder, command, force=force)
        if folder.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.old."))
            os.replace(folder, old / folder.name)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from None
        raise
    return folder
