"""The self-contained HTML report: one file, inline CSS and script, images as data URIs, all text escaped.

Every string that comes from a document goes through Jinja2's autoescaping, so a plan that contains
``<script>`` shows it as text. As a second guard, a Content-Security-Policy allows no network access and
only the report's own inline script (by its SHA-256 hash), so even a missed escape could not run code.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from planmine.report.plots import LEVEL_COLOURS, LEVEL_NAMES, LEVELS
from planmine.types import Comparison, Evidence, QueryAnswer

if TYPE_CHECKING:
    from jinja2 import Environment

    from planmine.graph import DiscoveredTheme

# The report's only script: expand/collapse all evidence. Kept free of document text on purpose.
REPORT_SCRIPT = """
document.querySelectorAll("[data-toggle-all]").forEach(function (button) {
  button.addEventListener("click", function () {
    var open = button.getAttribute("data-toggle-all") === "open";
    document.querySelectorAll("details.evidence").forEach(function (d) { d.open = open; });
  });
});
""".strip()


@dataclass
class RegionSummary:
    """What one region's plans contain: goals, activities and the actors named most often."""

    region: str
    documents: list[str] = field(default_factory=list)
    goals: list[Evidence] = field(default_factory=list)
    activities: list[Evidence] = field(default_factory=list)
    actors: list[tuple[str, int]] = field(default_factory=list)  # (actor, times named), most first
    goal_count: int = 0
    activity_count: int = 0


@dataclass
class DocumentQuality:
    """How well one document was read: OCR'd pages, repaired words, warnings."""

    document: str
    region: str
    pages: int
    ocr_pages: int = 0
    words_repaired: int = 0
    passages: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ocr_share(self) -> float:
        return self.ocr_pages / self.pages if self.pages else 0.0


def data_uri(payload: bytes | None, mime: str = "image/png") -> str:
    """A base64 data URI for an image embedded in the report ("" when there is none)."""
    if not payload:
        return ""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def script_hash(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f} %"
    env.filters["num"] = lambda x: f"{float(x):.2f}"
    return env


def _template_text() -> str:
    return files("planmine.report").joinpath("templates/report.html.j2").read_text(encoding="utf-8")


def render_report(
    comparison: Comparison,
    *,
    discovered: Sequence[DiscoveredTheme] = (),
    passage_evidence: Mapping[int, Evidence] | None = None,
    answers: Sequence[QueryAnswer] = (),
    heatmap_png: bytes | None = None,
    graph_png: bytes | None = None,
    region_summaries: Sequence[RegionSummary] = (),
    document_quality: Sequence[DocumentQuality] = (),
    title: str = "Nära vård: themes across regions",
    generated_at: datetime | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Render the report as one self-contained HTML page.

    Args:
        comparison: the region × theme table; each cell's evidence becomes an expandable quote list.
        discovered: themes found by the similarity graph (candidates for the taxonomy are flagged).
        passage_evidence: passage id → its quote, for the discovered themes' examples.
        answers: answers to example questions, shown with their evidence.
        heatmap_png / graph_png: PNG bytes embedded as data URIs.
        region_summaries / document_quality: per-region and per-document sections.
        generated_at: the time printed in the footer (now, in UTC, when absent).
        notes: short lines about how the report was made (model, thresholds).
    """
    env = _environment()
    template = env.from_string(_template_text())
    evidence_of = passage_evidence or {}
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z").strip()
    return template.render(
        title=title,
        generated=generated,
        regions=comparison.regions,
        rows=comparison.rows,
        levels=LEVELS,
        level_names=LEVEL_NAMES,
        level_colours=LEVEL_COLOURS,
        discovered=list(discovered),
        theme_examples={t.id: [evidence_of[p] for p in t.examples if p in evidence_of] for t in discovered},
        answers=list(answers),
        heatmap_uri=data_uri(heatmap_png),
        graph_uri=data_uri(graph_png),
        region_summaries=list(region_summaries),
        document_quality=list(document_quality),
        notes=list(notes),
        script=REPORT_SCRIPT,
        script_hash=script_hash(REPORT_SCRIPT),
    )
