"""Write the similarity graph: GraphML and GEXF (Gephi), node-link JSON, or a PNG picture, by suffix."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import networkx as nx

from planmine.errors import UsageError

FORMATS = (".graphml", ".gexf", ".json", ".png")
LEVEL_COLOURS = {"addressed": "#1b7837", "mentioned": "#e08214"}
DISCOVERED_EDGE = "#5e3c99"
CANDIDATE_NODE = "#d6604d"


def safe_value(value: object) -> str | int | float | bool:
    """A GraphML/GEXF-safe attribute value: None becomes "", lists are joined, mappings JSON-encoded."""
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else 0.0
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "; ".join(str(v) for v in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if hasattr(value, "item"):  # numpy scalars
        return safe_value(value.item())
    return str(value)


def safe_graph(graph: nx.Graph) -> nx.Graph:
    """A copy whose graph, node and edge attributes are all str/int/float/bool."""
    out = nx.Graph()
    out.graph.update({k: safe_value(v) for k, v in graph.graph.items()})
    out.add_nodes_from((n, {k: safe_value(v) for k, v in d.items()}) for n, d in graph.nodes(data=True))
    out.add_edges_from((u, v, {k: safe_value(x) for k, x in d.items()}) for u, v, d in graph.edges(data=True))
    return out


def write_graph(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` to ``path`` in the format its suffix names (.graphml, .gexf, .json, .png)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"Cannot write a graph to '{path}': unknown suffix '{path.suffix}'. "
            f"Use one of {', '.join(FORMATS)} (e.g. -o outputs/graph.graphml)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        path.write_bytes(region_theme_png(graph))
        return path
    safe = safe_graph(graph)
    if suffix == ".graphml":
        nx.write_graphml(safe, path)
    elif suffix == ".gexf":
        gexf = safe.copy()
        gexf.graph = {"name": str(safe.graph.get("name", "planmine"))}  # GEXF keeps no free graph attributes
        nx.write_gexf(gexf, path)
    else:
        data = nx.node_link_data(safe, edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_graph(path: str | Path) -> nx.Graph:
    """Read a graph written by :func:`write_graph` (GraphML, GEXF or node-link JSON)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        return nx.read_graphml(path)
    if suffix == ".gexf":
        return nx.read_gexf(path)
    if suffix == ".json":
        return nx.node_link_graph(
            json.loads(path.read_text(encoding="utf-8")), edges="edges", multigraph=False
        )
    raise UsageError(f"Cannot read a graph from '{path}': use .graphml, .gexf or .json.")


def region_theme_graph(graph: nx.Graph) -> nx.Graph:
    """The region–theme projection the picture shows: regions, themes with a level edge, discovered themes."""
    picture = nx.Graph()
    for u, v, d in graph.edges(data=True):
        if d.get("type") not in ("level", "region_share"):
            continue
        region, theme = (u, v) if graph.nodes[u].get("type") == "region" else (v, u)
        picture.add_node(region, **graph.nodes[region])
        picture.add_node(theme, **graph.nodes[theme])
        picture.add_edge(region, theme, **d)
    return picture


def region_theme_png(graph: nx.Graph, *, dpi: int = 120) -> bytes:
    """PNG bytes of the bipartite picture: regions left, themes right, edge width by weight."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    picture = region_theme_graph(graph)
    regions = sorted(n for n, d in picture.nodes(data=True) if d.get("type") == "region")
    themes = sorted(
        (n for n, d in picture.nodes(data=True) if d.get("type") != "region"),
        key=lambda n: (
            picture.nodes[n].get("type") != "theme",
            int(str(picture.nodes[n].get("theme_id", "D0"))[1:] or 0)
            if picture.nodes[n].get("type") == "discovered"
            else 0,
            str(picture.nodes[n].get("label", n)),
        ),
    )
    height = max(4.0, 0.32 * max(len(themes), len(regions)) + 1.5)
    fig = Figure(figsize=(11, height))  # no pyplot: no global backend switch, nothing left open
    ax = fig.subplots()
    ax.set_axis_off()
    if not regions:
        ax.text(0.5, 0.5, "No region–theme relations to draw", ha="center", va="center")
    else:
        pos = {n: (0.0, 1.0 - i / max(len(regions) - 1, 1)) for i, n in enumerate(regions)}
        pos.update({n: (1.0, 1.0 - i / max(len(themes) - 1, 1)) for i, n in enumerate(themes)})
        for u, v, d in picture.edges(data=True):
            colour = LEVEL_COLOURS.get(str(d.get("level", "")), DISCOVERED_EDGE)
            (x0, y0), (x1, y1) = pos[u], pos[v]
            ax.plot(
                [x0, x1],
                [y0, y1],
                color=colour,
                alpha=0.55,
                linewidth=0.6 + 3.4 * float(d.get("weight", 0.5)),
            )
        for n in regions:
            x, y = pos[n]
            ax.scatter([x], [y], s=160, color="#2166ac", zorder=3)
            ax.text(x - 0.03, y, str(picture.nodes[n].get("label", n)), ha="right", va="center", fontsize=9)
        for n in themes:
            data = picture.nodes[n]
            discovered = data.get("type") == "discovered"
            colour = CANDIDATE_NODE if data.get("candidate") else ("#762a83" if discovered else "#4d4d4d")
            ax.scatter([1.0], [pos[n][1]], s=90, color=colour, marker="s" if discovered else "o", zorder=3)
            name = str(data.get("label", n))
            if discovered:
                name = f"{data.get('theme_id', '')}: {name}" + (" (new?)" if data.get("candidate") else "")
            ax.text(1.03, pos[n][1], name[:70], ha="left", va="center", fontsize=8)
        ax.set_xlim(-0.9, 2.0)
        ax.legend(
            handles=[
                Line2D([0], [0], color=LEVEL_COLOURS["addressed"], lw=3, label="addressed"),
                Line2D([0], [0], color=LEVEL_COLOURS["mentioned"], lw=2, label="mentioned"),
                Line2D([0], [0], color=DISCOVERED_EDGE, lw=2, label="share of a discovered theme"),
            ],
            loc="lower left",
            fontsize=8,
            frameon=False,
        )
    ax.set_title("Regions and themes (squares: discovered themes)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
