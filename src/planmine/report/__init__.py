"""Plots and the self-contained HTML report of the region × theme comparison."""

from __future__ import annotations

from planmine.report.html import DocumentQuality, RegionSummary, render_report
from planmine.report.plots import heatmap_bytes, heatmap_figure, plot_heatmap

__all__ = [
    "DocumentQuality",
    "RegionSummary",
    "heatmap_bytes",
    "heatmap_figure",
    "plot_heatmap",
    "render_report",
]
