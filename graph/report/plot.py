"""The charts accessor ``kg.plot``: each chart drawn from its frame, by name.

Each chart has a *frame* function (checked rows -> DataFrame with documented
columns, readable names beside ids, and the ``source_ids`` behind each row;
:mod:`chiprisk.graph.report.frames`) and a *chart* function (DataFrame ->
Figure; :mod:`chiprisk.graph.report.charts`). :class:`Plots` composes the two
and is what analysts reach as ``kg.plot``; :mod:`chiprisk.graph.report.html`
uses the same functions, so a notebook and the report show the same charts.
The frame and chart functions are re-exported here.

Examples
--------
>>> import chiprisk.graph as cg
>>> kg = cg.load()
>>> fig = kg.plot.concentration()
>>> type(fig).__name__
'Figure'

Notes
-----
Each frame costs one call of the analytics it wraps (concentration: ~0.1 s
on the built-in data; the stage/lens frame adds one batched lens split, also
~0.1 s); a chart costs ~0.1-0.3 s to draw, the map's boundaries ~0.1 s to
read on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from chiprisk.graph.io.loader import Tables
from chiprisk.graph.report.charts import (
    HHI_BANDS_2023,
    STATUS_COLOURS,
    chokepoints_chart,
    concentration_chart,
    exposure_chart,
    site_map_chart,
    stage_country_chart,
)
from chiprisk.graph.report.frames import (
    BASIS_PREFERENCE,
    NetworkSource,
    chokepoints_frame,
    concentration_frame,
    exposure_frame,
    sites_frame,
)
from chiprisk.graph.report.stage_frame import stage_country_frame

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "BASIS_PREFERENCE",
    "HHI_BANDS_2023",
    "STATUS_COLOURS",
    "Plots",
    "chokepoints_chart",
    "chokepoints_frame",
    "concentration_chart",
    "concentration_frame",
    "exposure_chart",
    "exposure_frame",
    "site_map_chart",
    "sites_frame",
    "stage_country_chart",
    "stage_country_frame",
]


class Plots:
    """The charts of one set of checked rows: ``kg.plot.<chart>()`` returns a Figure.

    Every method also takes ``data=`` (the frame from the matching
    ``*_frame`` function) to redraw without recomputing, and ``frame(name)``
    returns the table behind a chart.

    Parameters
    ----------
    tables : Tables
        The checked rows the frames are computed from.
    network : SupplyNetwork, callable or None
        The supply network for the frames that propagate through it: a
        callable ``network(year)`` (the facade passes its cached
        ``kg.network``), one network, or None (built when needed).

    Examples
    --------
    >>> import chiprisk.graph as cg
    >>> kg = cg.load()
    >>> sorted(kg.plot.charts())[:3]
    ['chokepoints', 'concentration', 'exposure']
    >>> kg.plot.frame("sites").columns[0]
    'site'
    >>> Plots(kg.tables, kg.network).frame("chokepoints", top=2)["rank"].tolist()
    [1, 2]
    """

    _FRAMES = {
        "concentration": concentration_frame,
        "stage_countries": stage_country_frame,
        "sites": sites_frame,
        "exposure": exposure_frame,
        "chokepoints": chokepoints_frame,
    }
    _NEEDS_NETWORK = frozenset({"exposure", "chokepoints"})
    _CHARTS = {
        "concentration": ("concentration", concentration_chart),
        "stage_countries": ("stage_countries", stage_country_chart),
        "site_map": ("sites", site_map_chart),
        "exposure": ("exposure", exposure_chart),
        "chokepoints": ("chokepoints", chokepoints_chart),
    }

    def __init__(self, tables: Tables, network: NetworkSource = None):
        self._tables = tables
        self._network = network

    def __repr__(self) -> str:
        return f"<Plots: {', '.join(self.charts())}>"

    @staticmethod
    def charts() -> list[str]:
        """Names of the charts (each is a method)."""
        return list(Plots._CHARTS)

    def frame(self, name: str, **kwargs: Any) -> pd.DataFrame:
        """The table behind a chart: ``concentration``, ``stage_countries``, ``sites``,
        ``exposure`` or ``chokepoints``."""
        from chiprisk.graph.errors import UsageError

        fn = self._FRAMES.get(name)
        if fn is None:
            raise UsageError(f"unknown frame {name!r}; choose one of {', '.join(self._FRAMES)}")
        if name in self._NEEDS_NETWORK:
            return fn(self._tables, self._network, **kwargs)
        return fn(self._tables, **kwargs)

    def _draw(self, chart: str, data: pd.DataFrame | None, **kwargs: Any) -> Figure:
        frame_name, draw = self._CHARTS[chart]
        df = data if data is not None else self.frame(frame_name, **kwargs)
        return draw(df)

    def concentration(
        self, *, year: int | None = None, stage: str | None = None, data=None
    ) -> Figure:
        """HHI per input (firm lens) with bounds and the 2023 bands."""
        return self._draw("concentration", data, year=year, stage=stage)

    def stage_countries(self, *, year: int | None = None, data=None) -> Figure:
        """Country shares per stage, owned (HQ) vs located (site)."""
        return self._draw("stage_countries", data, year=year)

    def site_map(self, *, data=None) -> Figure:
        """World map of sites by status and capacity (offline boundaries)."""
        return self._draw("site_map", data)

    def exposure(self, *, year: int | None = None, data=None) -> Figure:
        """Heatmap of each accelerator's loss if one country goes offline."""
        return self._draw("exposure", data, year=year)

    def chokepoints(self, *, year: int | None = None, top: int = 15, data=None) -> Figure:
        """Top single points of failure by score."""
        return self._draw("chokepoints", data, year=year, top=top)
