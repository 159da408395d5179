"""On-disk cache of built data, keyed by the data's hash and chiprisk's version.

Entries are written to a temporary file and renamed into place, so two
processes building the same entry at once never leave a torn file: the last
rename wins and both wrote the same bytes.

Every entry starts with a header naming its key, its name, its length and the
sha256 of its payload; :func:`get` returns the payload only when all four
match, and deletes the entry otherwise, so a truncated, corrupted, misplaced
or hand-planted entry is rebuilt, never used. Entries hold data only (text,
JSON, or :mod:`~chiprisk.graph.io.cache_codec` archives: never pickles), so
reading one cannot run code.

The folder is ``$CHIPRISK_CACHE_DIR``, else ``$XDG_CACHE_HOME/chiprisk``, else
``~/.cache/chiprisk``. Setting ``CHIPRISK_CACHE_DIR=off`` disables the cache.
It is created private (mode 0700); a folder that another user owns, or that
others may write to, is not used at all (a warning says so once): whoever can
write the cache decides what a later command prints.

Examples
--------
>>> import tempfile, os
>>> os.environ["CHIPRISK_CACHE_DIR"] = tempfile.mkdtemp()
>>> put("abc", "summary.json", b"{}")
>>> get("abc", "summary.json")
b'{}'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import stat
import sys
import tempfile
from pathlib import Path


def chiprisk_version() -> str:
    """The installed chiprisk version (from the package metadata)."""
    from importlib.metadata import PackageNotFoundError, version  # 15 ms to import

    try:
        return version("chiprisk")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off (or the folder is not private)."""
    env = os.environ.get("CHIPRISK_CACHE_DIR")
    if env == "off":
        return None
    if env:
        root = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = Path(base) / "chiprisk"
    return root if _private(str(root)) else None


@functools.cache
def _private(root: str) -> bool:
    """True when ``root`` is (or was made) a folder only this user can write."""
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
        st = os.lstat(root)
    except OSError:
        return False  # cannot be made: put() and get() fail quietly anyway
    getuid = getattr(os, "getuid", None)
    problem = None
    if not stat.S_ISDIR(st.st_mode):
        problem = "is not a folder"
    elif getuid is not None and st.st_uid != getuid():
        problem = "belongs to another user"
    elif st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        problem = "can be written by other users"
    if problem is None:
        return True
    print(
        f"warning: not using the cache folder {root}: it {problem} "
        "(chmod 700 it, or set CHIPRISK_CACHE_DIR to a private folder)",
        file=sys.stderr,
    )
    return False


@functools.cache
def code_fingerprint() -> str:
    """A short hash of chiprisk's own code files (names, sizes, mtimes).

    Part of every cache key, so an edited or reinstalled chiprisk never reads
    results an older version of the code computed (the version number alone
    does not change during development). Stats about a hundred files: ~1 ms.
    """
    h = hashlib.sha256()
    for pkg in ("chiprisk.graph", "chiprisk.cli", "chiprisk.ontology"):
        spec = importlib.util.find_spec(pkg)
        for root in spec.submodule_search_locations or ():
            for dirpath, dirnames, files in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for f in sorted(files):
                    if f.endswith((".py", ".ttl", ".rq", ".jsonld")):
                        st = os.stat(os.path.join(dirpath, f))
                        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:12]


def _entry(key: str, name: str) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    return root / f"{chiprisk_version()}-{code_fingerprint()}-{key[:32]}" / name


_MAGIC = b"CHIPRISK-CACHE 1\n"


def _header(key: str, name: str, payload: bytes) -> bytes:
    meta = {
        "key": key[:32],
        "name": name,
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    return _MAGIC + json.dumps(meta, sort_keys=True).encode() + b"\n"


def get(key: str, name: str) -> bytes | None:
    """Return the cached bytes of ``name`` under ``key``, or None.

    None also when the entry does not match its header (key, name, size,
    sha256): such an entry is deleted so that it is rebuilt.
    """
    path = _entry(key, name)
    if path is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, sep, payload = blob[len(_MAGIC) :].partition(b"\n")
    if blob.startswith(_MAGIC) and sep and head + sep == _header(key, name, payload)[len(_MAGIC) :]:
        return payload
    discard(key, name)
    return None


def discard(key: str, name: str) -> None:
    """Delete one entry (a bad one), if it can be deleted."""
    path = _entry(key, name)
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def put(key: str, name: str, payload: bytes) -> None:
    """Store ``payload`` atomically; a cache that cannot be written is skipped silently."""
    path = _entry(key, name)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_header(key, name, payload))
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
