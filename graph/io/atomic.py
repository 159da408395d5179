"""Write files so that a reader never sees half of one.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> atomic_write(p, b"hello")
>>> p.read_bytes()
b'hello'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from chiprisk.graph.errors import UsageError


def current_umask() -> int:
    """The process's umask, read without changing it where the OS allows.

    Examples
    --------
    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def _mode_like_open(path: Path) -> int:
    """The permission bits ``open(path, "wb")`` would leave ``path`` with."""
    try:
        st = path.stat()
    except OSError:
        return 0o666 & ~current_umask()
    return st.st_mode & 0o777


def atomic_write(path: str | Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file and a rename.

    On any failure the temporary file is removed and ``path`` is untouched.
    The file gets the permissions ``open()`` would give it: a new file 0666
    minus the umask, an existing one keeps its mode.
    An existing device or pipe (``/dev/stdout``, ``/dev/null``) is written
    through instead: renaming onto it would replace the device node.

    Raises
    ------
    UsageError
        When the folder does not exist or cannot be written.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"cannot write {path}: folder {folder} {what}")
    if path.exists() and not path.is_file() and not path.is_dir():
        # A device or pipe (/dev/stdout, /dev/null): a rename would replace the
        # device node itself, so write through it (nothing to be atomic about).
        try:
            with open(path, "wb") as f:
                f.write(payload)
                f.flush()
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        # mkstemp makes the file 0600; give it the mode open() would: an existing
        # file's own mode, else 0666 minus the umask.
        os.fchmod(fd, _mode_like_open(path))
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        raise
