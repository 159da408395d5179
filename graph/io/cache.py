"""On-disk cache of built data, keyed by the data's hash and chiprisk's version.

Entries are written to a temporary file and renamed into place, so two
processes building the same entry at once never leave a torn file: the last
rename wins and both wrote the same bytes.

The folder is ``$CHIPRISK_CACHE_DIR``, else ``$XDG_CACHE_HOME/chiprisk``, else
``~/.cache/chiprisk``. Setting ``CHIPRISK_CACHE_DIR=off`` disables the cache.

Examples
--------
>>> import tempfile, os
>>> os.environ["CHIPRISK_CACHE_DIR"] = tempfile.mkdtemp()
>>> put("abc", "summary.json", b"{}")
>>> get("abc", "summary.json")
b'{}'
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def chiprisk_version() -> str:
    """The installed chiprisk version (from the package metadata)."""
    try:
        return version("chiprisk")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off."""
    env = os.environ.get("CHIPRISK_CACHE_DIR")
    if env == "off":
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chiprisk"


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


def get(key: str, name: str) -> bytes | None:
    """Return the cached bytes of ``name`` under ``key``, or None."""
    path = _entry(key, name)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def put(key: str, name: str, payload: bytes) -> None:
    """Store ``payload`` atomically; a cache that cannot be written is skipped silently."""
    path = _entry(key, name)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
