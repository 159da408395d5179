"""The report wing: DataFrames -> charts, the world map and the HTML report.

It owns the pictures, the headline summary and the self-contained HTML
report. The charts' frames are computed from the checked rows (and the
supply network) by calling the algorithms directly, never from the
:class:`~chiprisk.graph.knowledge_graph.KnowledgeGraph`; the report takes any
object with the methods of :class:`~chiprisk.graph.report.sections.ReportSource`.
It may import every wing below it (io, model, rdf, algorithms); nothing below
imports it.

``build_report`` is re-exported here: ``from chiprisk.graph.report import
build_report``.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["build_report"]


def __getattr__(name: str) -> object:
    if name == "build_report":
        return import_module("chiprisk.graph.report.html").build_report
    raise AttributeError(f"module 'chiprisk.graph.report' has no attribute {name!r}")
