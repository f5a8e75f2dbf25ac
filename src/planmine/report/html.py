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
from planmine.report.limits import REPORT_LIMITS, ReportLimits, shorten
from planmine.report.words import KINDS, WORDS
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
    limits: ReportLimits = REPORT_LIMITS,
    left_out: Sequence[str] = (),
    discovered_skipped: str = "",
) -> str:
    """Render the report as one self-contained HTML page, Swedish unless `lang` is "en".

    The page stays under ``limits.max_bytes``: it is rendered with ``limits`` and, while too large, with
    each tighter step; a section near the top says what was left out and where the full evidence is.

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
        limits: how much to show (quotes per cell, documents listed, ...); see planmine.report.limits.
        left_out: lines about what the caller already left out (e.g. the passage graph not fitted).
        discovered_skipped: why the discovered themes were not sought ("" when they were, or none given).
    """
    check_language(lang)
    parts = _ReportParts(
        comparison, list(discovered), passage_evidence or {}, list(answers), list(region_summaries),
        list(document_quality),
    )  # fmt: skip
    step = limits
    while True:
        html = _render(
            parts, step, lang=lang, heatmap_png=heatmap_png, graph_png=graph_png, title=title,
            generated_at=generated_at, notes=notes, documents=documents or {}, selection=selection,
            left_out=left_out, shortened=step != limits, discovered_skipped=discovered_skipped,
        )  # fmt: skip
        if len(html.encode("utf-8")) <= step.max_bytes or step.is_smallest():
            return html
        step = step.tighter()


@dataclass
class _ReportParts:
    comparison: Comparison
    discovered: list[DiscoveredTheme]
    passage_evidence: Mapping[int, Evidence]
    answers: list[QueryAnswer]
    region_summaries: list[RegionSummary]
    document_quality: list[DocumentQuality]


def omissions(parts: _ReportParts, limits: ReportLimits, lang: str) -> list[str]:
    """What the report leaves out under ``limits``, one line each, in the report's language."""
    words = WORDS[lang]
    cells = [c for row in parts.comparison.rows for c in row.cells.values()]
    evidence_lists = [c.evidence for c in cells] + [r.evidence for a in parts.answers for r in a.regions]
    hidden = sum(max(0, len(ev) - limits.quotes_per_cell) for ev in evidence_lists)
    cut = sum(len(e.text) > limits.quote_chars for ev in evidence_lists for e in ev[: limits.quotes_per_cell])
    lines = []
    if hidden:
        lines.append(words["left_quotes"].format(n=hidden, k=limits.quotes_per_cell))
    if cut:
        lines.append(words["left_cut"].format(n=cut, chars=limits.quote_chars))
    if len(parts.discovered) > limits.discovered_themes:
        lines.append(words["left_discovered"].format(k=limits.discovered_themes, n=len(parts.discovered)))
    long_cards = [s for s in parts.region_summaries if len(s.documents) > limits.documents_per_region]
    if long_cards:
        lines.append(words["left_region_docs"].format(k=limits.documents_per_region, n=len(long_cards)))
    if len(parts.document_quality) > limits.documents_listed:
        lines.append(words["left_documents"].format(k=limits.documents_listed, n=len(parts.document_quality)))
    return lines


def _render(
    parts: _ReportParts,
    limits: ReportLimits,
    *,
    lang: str,
    heatmap_png: bytes | None,
    graph_png: bytes | None,
    title: str | None,
    generated_at: datetime | None,
    notes: Sequence[str],
    documents: Mapping[str, Mapping[str, object]],
    selection: Sequence[str],
    left_out: Sequence[str],
    shortened: bool,
    discovered_skipped: str,
) -> str:
    env = _environment()
    template = env.from_string(_template_text())
    evidence_of = parts.passage_evidence
    comparison = parts.comparison
    docs = documents
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

    discovered = sorted(parts.discovered, key=lambda t: -t.size)[: limits.discovered_themes]
    listed = _documents_listed(parts.document_quality, limits.documents_listed)
    words = WORDS[lang]
    left = [*left_out, *omissions(parts, limits, lang)]
    if shortened:
        left.insert(0, words["left_shortened"].format(mb=limits.max_bytes / 1e6))
    return template.render(
        w=words,
        lang=lang,
        title=title or words["title"],
        generated=generated,
        regions=comparison.regions,
        rows=comparison.rows,
        levels=[lv for lv in LEVELS if lv != "no_documents" or _has(comparison, parts.answers, lv)],
        styles=STYLES,
        level_name=lambda lv: level_name(lv, lang),
        level_meaning=lambda lv: STYLES[lv].meaning(lang) if lv in STYLES else "",
        kind_name=lambda k: KINDS[lang].get(k, k),
        quote=lambda text: shorten(text, limits.quote_chars),
        doc_link=link,
        cite=lambda ev: ev.cite(lang),  # 's. 18 (pdf-sida 17)', as the terminal cites it (planmine.pages)
        doc_title=doc_title,
        doc_date=doc_date,
        doc_type=doc_type,
        discovered=discovered,
        discovered_total=len(parts.discovered),
        discovered_skipped=discovered_skipped,
        theme_examples={
            t.id: [evidence_of[p] for p in t.examples if p in evidence_of][:3] for t in discovered
        },
        answers=[
            {"query": a.query, "reading": reading_line(a, lang), "regions": a.regions} for a in parts.answers
        ],
        heatmap_uri=data_uri(heatmap_png),
        graph_uri=data_uri(graph_png),
        region_summaries=parts.region_summaries,
        documents_per_region=limits.documents_per_region,
        document_quality=listed,
        documents_total=len(parts.document_quality),
        notes=list(notes),
        selection=list(selection),
        left_out=left,
        quotes_per_cell=limits.quotes_per_cell,
        script=REPORT_SCRIPT,
        script_hash=script_hash(REPORT_SCRIPT),
    )


def _documents_listed(documents: Sequence[DocumentQuality], limit: int) -> list[DocumentQuality]:
    """At most ``limit`` documents in their given order, those with warnings kept first when cut."""
    if len(documents) <= limit:
        return list(documents)
    keep = sorted(range(len(documents)), key=lambda i: (not documents[i].warnings, i))[:limit]
    return [documents[i] for i in sorted(keep)]


def _has(comparison: Comparison, answers: Sequence[QueryAnswer], level: str) -> bool:
    cells = [c for row in comparison.rows for c in row.cells.values()]
    return any(c.level == level for c in cells) or any(r.level == level for a in answers for r in a.regions)
