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

from planmine.levels import LEVELS, STYLES, check_language, level_name
from planmine.report.words import KINDS, WORDS
from planmine.types import Comparison, Evidence, QueryAnswer

QUOTES_PER_CELL = 3  # the report shows the best quotes; every quote is in the exports

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
    title: str = ""
    date: str = ""
    type: str = ""
    path: str = ""

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


def source_uri(path: str, page: int | None = None) -> str:
    """A file:// link to a source document (at its page for a PDF); "" when the path is not absolute."""
    from pathlib import Path

    if not path or not Path(path).is_absolute():
        return ""
    uri = Path(path).as_uri()
    return f"{uri}#page={page}" if page and path.lower().endswith(".pdf") else uri


def reading_line(answer: QueryAnswer, lang: str) -> str:
    """How the question was read, in words ('läst som temat Fallprevention' / 'fri fråga: ...'), if known."""
    reading = answer.to_dict().get("reading")
    if not isinstance(reading, dict) or not reading:
        return ""
    if lang == "sv" and reading.get("line"):
        return str(reading["line"])  # the answer core's own words
    words = WORDS[lang]
    theme = reading.get("theme_label") or reading.get("theme")
    if theme:
        return f"{words['read_as_theme']} {theme}"
    concept = reading.get("concept") or answer.query
    return f"{words['read_as_free']}: {concept}"


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
    title: str | None = None,
    generated_at: datetime | None = None,
    notes: Sequence[str] = (),
    lang: str = "sv",
    documents: Mapping[str, Mapping[str, object]] | None = None,
    selection: Sequence[str] = (),
    quotes_per_cell: int = QUOTES_PER_CELL,
) -> str:
    """Render the report as one self-contained HTML page, Swedish unless `lang` is "en".

    Args:
        comparison: the region × theme table; each cell's best quotes become an expandable list.
        discovered: themes found by the similarity graph (new ones are flagged).
        passage_evidence: passage id → its quote, for the discovered themes' examples.
        answers: answers to the analyst's questions, shown with their evidence.
        heatmap_png / graph_png: PNG bytes embedded as data URIs (graph: the region similarity map).
        region_summaries / document_quality: per-region and per-document sections.
        generated_at: the time printed in the header (now, in UTC, when absent).
        notes: short lines about how the report was made.
        documents: document file name → its record (title, date, type, path) for quotes and links.
        selection: lines describing the selection (themes, regions, types) the report was made for.
        quotes_per_cell: quotes shown per cell (the report stays small; exports carry all of them).
    """
    check_language(lang)
    env = _environment()
    template = env.from_string(_template_text())
    evidence_of = passage_evidence or {}
    docs = documents or {}
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z").strip()

    def doc(name: str) -> Mapping[str, object]:
        return docs.get(name, {})

    def link(name: str, page: int | None = None) -> str:
        return source_uri(str(doc(name).get("path") or ""), page)

    def doc_title(name: str) -> str:
        return str(doc(name).get("title") or name)

    def doc_type(name: str) -> str:
        d = doc(name)
        return str(d.get("type") or d.get("genre") or "")

    def doc_date(name: str) -> str:
        d = doc(name)
        return str(d.get("date") or d.get("year") or "")

    return template.render(
        w=WORDS[lang],
        lang=lang,
        title=title or WORDS[lang]["title"],
        generated=generated,
        regions=comparison.regions,
        rows=comparison.rows,
        levels=[lv for lv in LEVELS if lv != "no_documents" or _has(comparison, answers, lv)],
        styles=STYLES,
        level_name=lambda lv: level_name(lv, lang),
        level_meaning=lambda lv: STYLES[lv].meaning(lang) if lv in STYLES else "",
        kind_name=lambda k: KINDS[lang].get(k, k),
        doc_link=link,
        doc_title=doc_title,
        doc_date=doc_date,
        doc_type=doc_type,
        discovered=list(discovered),
        theme_examples={
            t.id: [evidence_of[p] for p in t.examples if p in evidence_of][:3] for t in discovered
        },
        answers=[{"query": a.query, "reading": reading_line(a, lang), "regions": a.regions} for a in answers],
        heatmap_uri=data_uri(heatmap_png),
        graph_uri=data_uri(graph_png),
        region_summaries=list(region_summaries),
        document_quality=list(document_quality),
        notes=list(notes),
        selection=list(selection),
        quotes_per_cell=quotes_per_cell,
        script=REPORT_SCRIPT,
        script_hash=script_hash(REPORT_SCRIPT),
    )


def _has(comparison: Comparison, answers: Sequence[QueryAnswer], level: str) -> bool:
    cells = [c for row in comparison.rows for c in row.cells.values()]
    return any(c.level == level for c in cells) or any(r.level == level for a in answers for r in a.regions)
