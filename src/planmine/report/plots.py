"""Plots of the region × theme table: a heatmap with the levels as colours (PNG or SVG)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from planmine.errors import UsageError
from planmine.levels import STYLES, level_name
from planmine.types import Comparison

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# One colour scheme for every output (planmine.levels); the heatmap shows the four levels of a store.
LEVELS = ("addressed", "mentioned", "not_found", "cannot_assess")
LEVEL_COLOURS = {level: STYLES[level].fill for level in LEVELS}
LEVEL_NAMES = {level: STYLES[level].name_en for level in LEVELS}
PLOT_FORMATS = (".png", ".svg")


def heatmap_figure(comparison: Comparison, *, title: str | None = None, lang: str = "en") -> Figure:
    """A matplotlib figure: one row per theme, one column per region, each cell coloured by its level."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    regions = list(comparison.regions)
    rows = comparison.rows
    title = title or ("Teman i regionernas planer" if lang == "sv" else "Themes across regions")
    shown = list(LEVELS) + (["no_documents"] if _has_no_documents(comparison) else [])
    codes = np.full((max(len(rows), 1), max(len(regions), 1)), LEVELS.index("cannot_assess"), dtype=int)
    for i, row in enumerate(rows):
        for j, region in enumerate(regions):
            cell = row.cells.get(region)
            level = cell.level if cell is not None else "cannot_assess"
            codes[i, j] = shown.index(level) if level in shown else shown.index("cannot_assess")
    width = 3.5 + 1.1 * len(regions)
    height = 1.8 + 0.34 * len(rows)
    # a bare Figure (no pyplot): no global backend switch, nothing left open, safe in threads and notebooks
    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    cmap = ListedColormap([STYLES[level].fill for level in shown])
    ax.imshow(codes, cmap=cmap, vmin=-0.5, vmax=len(shown) - 0.5, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(regions)), labels=[_short_region(r) for r in regions], rotation=35, ha="right")
    ax.set_yticks(range(len(rows)), labels=[row.label or row.theme_id for row in rows])
    ax.set_xticks(np.arange(-0.5, len(regions), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(labelsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.legend(
        handles=[
            Patch(facecolor=STYLES[lv].fill, edgecolor="#999999", label=level_name(lv, lang)) for lv in shown
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title)
    fig.tight_layout()
    return fig


def heatmap_bytes(comparison: Comparison, *, fmt: str = "png", dpi: int = 120, lang: str = "en") -> bytes:
    """The heatmap encoded as PNG or SVG bytes (for embedding in the HTML report)."""
    import matplotlib

    if fmt not in ("png", "svg"):
        raise UsageError(f"Cannot draw the heatmap as '{fmt}': use png or svg.")
    # a fixed hash salt and no date: the same table gives the same bytes
    with matplotlib.rc_context({"svg.hashsalt": "planmine"}):
        fig = heatmap_figure(comparison, lang=lang)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()


def plot_heatmap(comparison: Comparison, path: str | Path) -> Path:
    """Write the heatmap to ``path``: PNG or SVG by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise UsageError(
            f"Cannot write the heatmap to '{path}': unknown suffix '{path.suffix}'. Use .png or .svg."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(heatmap_bytes(comparison, fmt=suffix[1:]))
    return path


def _has_no_documents(comparison: Comparison) -> bool:
    return any(c.level == "no_documents" for row in comparison.rows for c in row.cells.values())


def _short_region(region: str) -> str:
    return region.removeprefix("Region ").strip() or region
