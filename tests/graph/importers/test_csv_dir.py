"""Importing an analyst's own tables: checked, canonical, merged on request."""

from __future__ import annotations

import pandas as pd
import pytest

from chiprisk.graph.errors import DataErrors, UsageError
from chiprisk.graph.io.contract import TABLES
from chiprisk.graph.io.importers.csv_dir import import_csv
from chiprisk.graph.io.loader import load_tables


def test_import_writes_a_loadable_canonical_copy(tiny_dir, tmp_path):
    report = import_csv(tiny_dir, tmp_path / "out")
    src, out = load_tables(tiny_dir), load_tables(tmp_path / "out")
    for name in TABLES:
        pd.testing.assert_frame_equal(out[name], src[name], obj=name)
    assert report.rows["supplies"] == len(src["supplies"])


def test_bad_cell_is_located_and_nothing_written(tiny_dir, tmp_path):
    f = tiny_dir / "seed" / "supplies.csv"
    lines = f.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("share")] = "130"
    lines[1] = ",".join(cells)
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataErrors, match=r"supplies.csv, line 2, column share"):
        import_csv(tiny_dir, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_merge_with_builtin_refuses_colliding_ids(tiny_dir, tmp_path):
    # the tiny fixture reuses built-in ids (tsmc, ...): a merge must say so
    with pytest.raises(DataErrors, match="rows in both data sets"):
        import_csv(tiny_dir, tmp_path / "out", merge_builtin=True)


def test_source_must_differ_from_output(tiny_dir):
    with pytest.raises(UsageError):
        import_csv(tiny_dir, tiny_dir)
