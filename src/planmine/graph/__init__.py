"""The similarity graph of passages, themes and regions, and the cross-region themes it discovers."""

from __future__ import annotations

from planmine.graph.aligner import DiscoveredTheme, ThemeGraph, cross_region_cosine_summary
from planmine.graph.export import read_graph, region_theme_png, write_graph
from planmine.graph.inputs import GraphInputs, discover_themes, graph_inputs
from planmine.graph.similarity import calibrate_threshold, centre

__all__ = [
    "DiscoveredTheme",
    "GraphInputs",
    "ThemeGraph",
    "calibrate_threshold",
    "centre",
    "cross_region_cosine_summary",
    "discover_themes",
    "graph_inputs",
    "read_graph",
    "region_theme_png",
    "write_graph",
]
