"""The on-disk cache: keyed by the data, atomic, never required."""

from __future__ import annotations

from chiprisk.graph.io import cache
from chiprisk.graph.io.datadir import data_hash
from chiprisk.graph.knowledge_graph import load


def test_second_load_is_a_cache_hit(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(tmp_path / "c"))
    key = data_hash(tiny_dir)
    assert cache.get(key, "tables.npz") is None
    first = load(tiny_dir)
    assert cache.get(key, "tables.npz") is not None
    second = load(tiny_dir)
    assert second.counts() == first.counts()


def test_changed_data_changes_the_key(tiny_dir):
    before = data_hash(tiny_dir)
    p = tiny_dir / "seed/organizations.csv"
    p.write_text(p.read_text().replace("NVIDIA,US", "NVIDIA Corp,US"))
    assert data_hash(tiny_dir) != before


def test_cache_off(tiny_dir, monkeypatch):
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", "off")
    assert cache.cache_root() is None
    assert load(tiny_dir).counts()["organizations"] == 5


def test_torn_entry_is_rebuilt(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(tmp_path / "c"))
    key = data_hash(tiny_dir)
    cache.put(key, "tables.npz", b"\x80\x05garbage")
    assert load(tiny_dir).counts()["inputs"] == 3


def test_unwritable_cache_is_skipped(tiny_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(blocker / "sub"))
    assert load(tiny_dir).counts()["sites"] == 2


def test_two_folders_with_the_same_files_keep_their_own_origin(tiny_dir, tmp_path):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(tiny_dir, twin)
    assert load(tiny_dir).tables.origin == str(tiny_dir)
    assert load(twin).tables.origin == str(twin)


def test_entries_are_keyed_by_code_as_well_as_data(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(tmp_path))
    cache.put("k" * 64, "x.bin", b"1")
    (entry,) = tmp_path.iterdir()
    assert cache.code_fingerprint() in entry.name
    assert cache.chiprisk_version() in entry.name


def test_built_network_is_cached_beside_the_rows(tiny_dir, tmp_path, monkeypatch):
    import numpy as np

    from chiprisk.graph.knowledge_graph import KnowledgeGraph

    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(tmp_path / "c"))
    key = data_hash(tiny_dir)
    first = load(tiny_dir).network(2024)
    (name,) = [p.name for p in (tmp_path / "c").rglob("network-2024*.npz")]
    assert cache.get(key, name) is not None
    assert not list((tmp_path / "c").rglob("network-latest*"))
    second = load(tiny_dir).network(2024)
    assert second is not first and second.nodes == first.nodes
    assert np.array_equal(second.W.toarray(), first.W.toarray())
    # a torn network entry is rebuilt, and in-memory tables never write one
    cache.put(key, name, b"\x80\x05garbage")
    assert load(tiny_dir).network(2024).nodes == first.nodes
    KnowledgeGraph(load(tiny_dir).tables).network()
    assert cache.get(key, "network-latest.pkl") is None


def test_cached_rows_rebuild_the_id_kinds_on_first_use(tiny_dir, tmp_path, monkeypatch):
    import pickle

    from chiprisk.graph.io.loader import load_tables

    monkeypatch.setenv("CHIPRISK_CACHE_DIR", str(tmp_path / "c"))
    fresh = load_tables(tiny_dir)
    blob = pickle.dumps(fresh, pickle.HIGHEST_PROTOCOL)
    assert pickle.dumps(dict(fresh.kinds)) not in blob  # the map is not stored
    again = pickle.loads(blob)
    assert dict(again.kinds) == dict(fresh.kinds) and len(again.kinds) == len(fresh.kinds)
    assert again.kind_of("jasm") == "organizations" and again.kind_of("TW") == "countries"
    assert "no-such-id" not in again.kinds
    # and the cache hands back the same map
    load(tiny_dir)
    assert dict(load(tiny_dir).tables.kinds) == dict(fresh.kinds)


def test_pickled_rows_come_back_identical_column_by_column():
    import pickle

    import numpy as np
    import pandas as pd

    from chiprisk.graph.io.loader import Tables

    n = 12_000  # large enough to be packed
    cycle = np.array(["a", "b", None], dtype=object)[np.arange(n) % 3]
    frame = pd.DataFrame(
        {
            "text_none": pd.Series(cycle, dtype=object),
            "text_nan": pd.Series(np.where(cycle == None, np.nan, cycle), dtype=object),  # noqa: E711
            "text_na": pd.Series(np.where(cycle == None, pd.NA, cycle), dtype=object),  # noqa: E711
            "mixed_missing": pd.Series([None, np.nan, "x"] * (n // 3), dtype=object),
            "numbers_as_objects": pd.Series([1, 1.0, True] * (n // 3), dtype=object),
            "ids": pd.Series([f"id-{i}" for i in range(n)], dtype=object),
            "pandas_str": pd.Series(["p", "q"] * (n // 2), dtype="str"),
            "category": pd.Series(["c", "d"] * (n // 2), dtype="category"),
            "ints": pd.array(np.arange(n), dtype="Int64"),
            "floats": np.linspace(0, 1, n),
        },
        index=pd.RangeIndex(5, n + 5),
    )
    frame.attrs["note"] = "kept"
    t = Tables({"supplies": frame}, pd.DataFrame(columns=["id"]), "test", "h")
    back = pickle.loads(pickle.dumps(t, pickle.HIGHEST_PROTOCOL))["supplies"]
    assert list(back.columns) == list(frame.columns) and back.index.equals(frame.index)
    assert back.attrs == {"note": "kept"}
    for col in frame.columns:
        assert back[col].dtype == frame[col].dtype, col
        before, after = frame[col].tolist(), back[col].tolist()
        assert [type(v) for v in after] == [type(v) for v in before], col
        assert [None if pd.isna(v) else v for v in after] == [
            None if pd.isna(v) else v for v in before
        ], col
