"""A region × region similarity map: regions close when their plans address the same themes.

Each line joins two regions that address shared themes; its width is their overlap (Jaccard of the
themes each addresses) and its label names the shared themes. Only each region's strongest links are
drawn, so the picture stays readable on one slide with 21 regions.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from planmine.levels import STYLES
from planmine.types import Comparison

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class RegionMapConfig:
    """What the map draws: the strongest links per region, the weakest overlap worth a line, label length."""

    links_per_region: int = 3
    min_overlap: float = 0.2  # Jaccard of the two regions' addressed themes
    themes_per_label: int = 2  # the rarest shared themes are named: they tell the pair apart
    size_inches: tuple[float, float] = (13.3, 7.5)  # a 16:9 slide


@dataclass(frozen=True)
class RegionLink:
    """Two regions and the themes both address."""

    a: str
    b: str
    shared: tuple[str, ...]  # theme labels, rarest first (addressed by the fewest regions)
    overlap: float  # Jaccard of their addressed themes


def addressed_themes(comparison: Comparison) -> dict[str, list[str]]:
    """Region → labels of the themes it addresses, in table order."""
    return {
        region: [row.label for row in comparison.rows if (c := row.cells.get(region)) and c.addressed]
        for region in comparison.regions
    }


def region_links(comparison: Comparison, config: RegionMapConfig | None = None) -> list[RegionLink]:
    """The links the map draws: per region its strongest overlaps (≥ min_overlap), strongest first."""
    config = config or RegionMapConfig()
    themes = addressed_themes(comparison)
    how_many = {t: sum(t in ts for ts in themes.values()) for ts in themes.values() for t in ts}
    every = []
    for a, b in combinations(comparison.regions, 2):
        ta, tb = set(themes[a]), set(themes[b])
        union = ta | tb
        overlap = len(ta & tb) / len(union) if union else 0.0
        if overlap >= config.min_overlap:
            shared = sorted(
                (t for t in themes[a] if t in tb), key=lambda t: how_many[t]
            )  # stable: table order
            every.append(RegionLink(a, b, tuple(shared), overlap))
    every.sort(key=lambda link: (-link.overlap, link.a, link.b))
    kept: list[RegionLink] = []
    degree: dict[str, int] = {}
    for link in every:
        # a link stays when it is among the strongest of either of its regions
        if degree.get(link.a, 0) < config.links_per_region or degree.get(link.b, 0) < config.links_per_region:
            kept.append(link)
            degree[link.a] = degree.get(link.a, 0) + 1
            degree[link.b] = degree.get(link.b, 0) + 1
    return kept


def region_map_figure(
    comparison: Comparison, *, lang: str = "sv", config: RegionMapConfig | None = None
) -> Figure:
    """The map as a matplotlib figure: regions on a circle, links labelled with their shared themes."""
    from matplotlib.figure import Figure

    config = config or RegionMapConfig()
    regions = list(comparison.regions)
    themes = addressed_themes(comparison)
    links = region_links(comparison, config)
    n = max(len(regions), 1)
    pos = {r: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
           for i, r in enumerate(regions)}  # fmt: skip
    fig = Figure(figsize=config.size_inches)
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.axis("off")
    colour = STYLES["addressed"].fill
    placed: list[tuple[float, float]] = []
    for link in links:
        (x1, y1), (x2, y2) = pos[link.a], pos[link.b]
        ax.plot([x1, x2], [y1, y2], color=colour, alpha=0.35 + 0.5 * link.overlap, lw=1 + 9 * link.overlap,
                solid_capstyle="round", zorder=1)  # fmt: skip
        shown = [short_label(t) for t in link.shared[: config.themes_per_label]]
        n_shared = f"{len(link.shared)} " + ("gemensamma" if lang == "sv" else "shared")
        label = "\n".join([n_shared, *shown])
        x, y = _label_spot((x1, y1), (x2, y2), placed)
        placed.append((x, y))
        ax.text(x, y, label, fontsize=7, ha="center", va="center", zorder=3,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#cccccc", "alpha": 0.9})  # fmt: skip
    most = max([len(t) for t in themes.values()] + [1])
    for region in regions:
        x, y = pos[region]
        count = len(themes[region])
        ax.scatter([x], [y], s=300 + 1700 * count / most, color=colour if count else "#f0f0f0",
                   edgecolors="#333333", zorder=2)  # fmt: skip
        word = ("tema" if count == 1 else "teman") if lang == "sv" else ("theme" if count == 1 else "themes")
        name = region.removeprefix("Region ")
        ax.text(x * 1.32, y * 1.2, f"{name}\n{count} {word}", fontsize=10, ha="center", va="center",
                fontweight="bold", zorder=4)  # fmt: skip
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.3, 1.3)
    title = "Regioner som arbetar med samma teman" if lang == "sv" else "Regions that work on the same themes"
    ax.set_title(title, fontsize=14)
    fig.tight_layout()
    return fig


_LABEL_BOX = (0.42, 0.16)  # a line label's width and height in axis units (7 pt text, three lines)


def _label_spot(
    a: tuple[float, float], b: tuple[float, float], placed: list[tuple[float, float]]
) -> tuple[float, float]:
    """The first point along the line (middle first) whose label box does not cover a placed one."""
    spots = [(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])) for t in (0.5, 0.36, 0.64, 0.26, 0.74)]
    for x, y in spots:
        if all(abs(x - px) > _LABEL_BOX[0] or abs(y - py) > _LABEL_BOX[1] for px, py in placed):
            return x, y
    return spots[0]


def short_label(label: str, width: int = 24) -> str:
    """A theme label short enough for a line label: its abbreviation in parentheses, else clipped."""
    if label.endswith(")") and "(" in label:
        inner = label[label.rindex("(") + 1 : -1].strip()
        if 0 < len(inner) <= width:
            return inner
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def region_map_png(comparison: Comparison, *, lang: str = "sv", dpi: int = 100) -> bytes:
    """The map as PNG bytes (for the report)."""
    fig = region_map_figure(comparison, lang=lang)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
