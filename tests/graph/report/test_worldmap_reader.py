"""The numpy shapefile reader gives the rings pyshp gives, on the real file and edge cases."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import shapefile  # pyshp (test extra): the reference reader

from chiprisk.graph.report import worldmap


def _rings_with_pyshp(path, grid):
    out = []
    with shapefile.Reader(str(path)) as reader:
        names = [f[0] for f in reader.fields[1:]]
        key = "ISO_A2_EH" if "ISO_A2_EH" in names else "ISO_A2"
        for sr in reader.iterShapeRecords():
            pts = np.asarray(sr.shape.points, dtype=float)
            parts = [*sr.shape.parts, len(pts)]
            for a, b in zip(parts[:-1], parts[1:], strict=True):
                ring = pts[a:b]
                if grid > 0:
                    ring = np.round(ring / grid) * grid
                    keep = np.ones(len(ring), dtype=bool)
                    keep[1:] = np.any(np.diff(ring, axis=0) != 0, axis=1)
                    ring = ring[keep]
                if len(ring) >= 4:
                    out.append((str(sr.record[key]), ring))
    return out


def _same(got, want):
    assert [c for c, _ in got] == [c for c, _ in want]
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("grid", [0.1, 0.0])
def test_the_natural_earth_rings_equal_pyshp(grid):
    worldmap.country_rings.cache_clear()
    got = worldmap.country_rings(grid)
    _same(got, _rings_with_pyshp(worldmap.boundaries_path(), grid))
    assert len(got) > 3000


def test_null_shapes_short_codes_and_repeated_points(tmp_path, monkeypatch):
    base = tmp_path / "world"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON) as w:
        w.field("NAME", "C", size=20)
        w.field("ISO_A2", "C", size=4)
        square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
        dense = [(10.0, 10.0), (10.01, 10.0), (10.0, 12.0), (12.0, 12.0), (10.0, 10.0)]
        w.poly([square, dense])
        w.record("Two parts", "TW")
        w.null()
        w.record("No shape", "-99")
        w.poly([[(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (5.0, 5.0)]])
        w.record("Taiwan-ish", "X")
    zipped = tmp_path / "world.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for ext in (".shp", ".shx", ".dbf"):
            z.write(base.with_suffix(ext), f"world{ext}")
    monkeypatch.setattr(worldmap, "boundaries_path", lambda: zipped)
    worldmap.country_rings.cache_clear()
    try:
        for grid in (0.1, 0.0):
            got = worldmap.country_rings(grid)
            _same(got, _rings_with_pyshp(base.with_suffix(".shp"), grid))
        assert [c for c, _ in worldmap.country_rings(0.1)] == ["TW", "TW", "X"]
    finally:
        worldmap.country_rings.cache_clear()
