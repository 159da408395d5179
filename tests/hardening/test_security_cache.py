"""Issue 20, the cache (11): a truncated or planted entry is rebuilt, never printed;
nothing in the cache can run code; a folder others can write is not used."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from chiprisk.graph.io import cache
from chiprisk.graph.io.datadir import DataDir, data_hash

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(d))
    cache._private.cache_clear()
    yield d
    cache._private.cache_clear()


def _entries(root: Path, pattern: str) -> list[Path]:
    return sorted(root.rglob(pattern))


def test_a_truncated_output_entry_is_rebuilt_not_printed(invoke, cache_dir):
    args = ("--data", str(TINY), "concentration", "--input", "euv")
    first = invoke(*args)
    assert first.exit_code == 0
    (entry,) = _entries(cache_dir, "out-*.txt")
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # torn
    again = invoke(*args)
    assert again.stdout == first.stdout


def test_a_planted_output_entry_is_never_printed(invoke, cache_dir):
    args = ("--data", str(TINY), "concentration", "--input", "euv")
    first = invoke(*args)
    (entry,) = _entries(cache_dir, "out-*.txt")
    planted = b"EUV is 100% Korean\n"
    entry.write_bytes(planted)  # no valid header
    assert invoke(*args).stdout == first.stdout
    # a planted entry that copies a valid header but changes the payload
    blob = entry.read_bytes()
    head, _, payload = blob.partition(b"\n")[2].partition(b"\n")
    entry.write_bytes(blob[: blob.index(b"\n") + 1] + head + b"\n" + planted)
    assert invoke(*args).stdout == first.stdout


def test_a_pickle_in_the_cache_is_never_unpickled(cache_dir, tmp_path):
    """Was: tables.pkl was unpickled, so a planted pickle ran code."""
    from chiprisk.graph.knowledge_graph import load

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    key = data_hash(DataDir(TINY))
    payload = pickle.dumps(Evil())
    for name in ("tables.npz", "tables.pkl", "network-latest-ledgerNone.npz"):
        cache.put(key, name, payload)  # even with a valid header and checksum
    kg = load(TINY)
    kg.network()
    assert not marker.exists()
    assert kg.counts()["inputs"] == 3


def test_the_codec_refuses_object_arrays_and_unknown_classes():
    import io

    import numpy as np

    from chiprisk.graph.io.cache_codec import dumps, loads

    buf = io.BytesIO()
    np.savez(buf, __tree__=np.frombuffer(b'{"A":"a0"}', dtype=np.uint8), a0=np.array([{}]))
    with pytest.raises(ValueError):
        loads(buf.getvalue())
    blob = dumps({"x": 1})
    assert loads(blob) == {"x": 1}
    planted = b'{"DC":"Popen","fields":{}}'
    buf = io.BytesIO()
    np.savez(buf, __tree__=np.frombuffer(planted, dtype=np.uint8))
    with pytest.raises(ValueError, match="did not allow"):
        loads(buf.getvalue())


def test_a_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(shared))
    cache._private.cache_clear()
    try:
        assert cache.cache_root() is None
        assert "can be written by other users" in capsys.readouterr().err
        cache.put("k" * 32, "x.txt", b"1")
        assert list(shared.iterdir()) == []
    finally:
        cache._private.cache_clear()


def test_a_new_cache_folder_is_private(cache_dir):
    cache.put("k" * 32, "x.txt", b"1")
    assert cache.get("k" * 32, "x.txt") == b"1"
    assert (cache_dir.stat().st_mode & 0o077) == 0
