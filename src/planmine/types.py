"""Typed records passed between the pipeline stages (ingest → clean → segment → tag → embed → align → answer)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

DocumentFormat = Literal["pdf", "txt", "md", "html", "docx"]
PassageKind = Literal["heading", "paragraph", "list_item", "table_row"]
TagKind = Literal["goal", "activity", "indicator", "actor", "target_group", "time", "requirement"]
Commitment = Literal["binding", "intention", "background"]
# no_documents: the region has documents, but none of the kinds asked for (e.g. only procurement)
Level = Literal["addressed", "mentioned", "not_found", "cannot_assess", "no_documents"]
OwnerKind = Literal["region", "municipality", "joint", "national", "other", "unknown"]
Status = Literal["ok", "partial", "failed", "unchanged", "replaced", "duplicate"]

NATIONAL = "national"


def text_hash(text: str) -> str:
    """Stable short hash of a text, the key of cached vectors."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class Page:
    """One page of a document as read from the file, 1-based number."""

    number: int
    text: str
    ocr: bool = False
    ocr_confidence: float | None = None  # Tesseract's mean word confidence, 0-100
    tables: list[list[list[str]]] = field(default_factory=list)  # tables → rows → cells
    label: str = ""  # the printed page label ("18 (51)", "Sida 3 av 12"), when the page carries one

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"page number must be >= 1, got {self.number}")


@dataclass
class RawDocument:
    """A document as read by an ingest reader, before cleaning."""

    path: str
    format: DocumentFormat
    sha256: str
    pages: list[Page]
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. Markdown front matter, PDF info
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


@dataclass(frozen=True)
class Change:
    """One edit made by cleaning, with offsets into the text *before* that step."""

    step: str
    before: str
    after: str
    reason: str
    page: int = 0
    start: int = 0


@dataclass
class CleanPage:
    """A page after cleaning: the text every later stage and every quote uses."""

    number: int
    text: str
    raw_text: str
    ocr: bool = False
    ocr_confidence: float | None = None
    tables: list[list[list[str]]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    repaired: bool = False  # Swedish OCR repair was applied to this page
    label: str = ""  # the printed page label, when the page carries one


@dataclass
class DocumentMeta:
    """What a document is: region and owner, title, date and period, type and genre, language.

    Every detected field has an `*_evidence` string saying where it came from (a phrase of the text, the
    file's metadata, a manifest).
    """

    region: str
    region_source: Literal["detected", "manifest", "option", "unknown"] = "detected"
    title: str = ""
    year: str = ""  # the year shown in tables: the period's, else the date's ("2023–2024", "2021")
    doc_type: str = ""  # the document's own word for itself: handlingsplan, målbild, avtal, ...
    language: str = "sv"
    region_evidence: str = ""  # why this region: the phrases that decided it
    date: str = ""  # decided / adopted / published, ISO "2021-09-24" or "2021-09" or "2021"
    date_evidence: str = ""
    period: str = ""  # the years the document covers: "2023–2024", "2030"
    period_evidence: str = ""
    genre: str = ""  # planmine.genre.GENRES: plan, agreement, guideline, report, procurement, ...
    genre_confidence: float = 0.0
    genre_evidence: str = ""
    owner_kind: str = "unknown"  # OwnerKind
    municipality: str = ""  # the owning municipality, when a municipality (or its company) owns it
    version_of: int | None = None  # id of the stored document this one succeeds (same owner and series)


@dataclass
class CleanDocument:
    """A cleaned document with its metadata."""

    raw: RawDocument
    pages: list[CleanPage]
    meta: DocumentMeta | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


@dataclass
class Passage:
    """A paragraph, list item, table row or heading, with where it stands.

    Offsets are into the cleaned text of its page: ``page_text[start:end] == text`` for running text;
    table rows (from extracted tables) carry their cells and offsets (0, 0) when not in the running text.
    """

    document_id: int
    page: int
    index: int  # order within the document
    kind: PassageKind
    text: str
    section: tuple[str, ...] = ()
    start: int = 0
    end: int = 0
    cells: tuple[str, ...] = ()
    id: int | None = None  # set by the store

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise ValueError(f"bad passage offsets {self.start}..{self.end}")

    @property
    def section_path(self) -> str:
        return " › ".join(self.section)

    @property
    def hash(self) -> str:
        return text_hash(self.text)


@dataclass
class Tag:
    """A tagged span inside a passage: a goal, activity, indicator, actor, target group or time."""

    kind: TagKind
    text: str
    start: int  # offsets into the passage text
    end: int
    passage_index: int  # Passage.index within its document
    label: str = ""  # normalised name (actors, target groups) or value (time)
    commitment: Commitment | None = None  # goals and activities
    actors: tuple[str, ...] = ()  # responsible actors of a goal/activity
    goal: int | None = None  # for an activity: the index (in the document's tag list) of the goal it serves
    id: int | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"bad tag offsets {self.start}..{self.end} for {self.text!r}")


@dataclass(frozen=True)
class ThemeEvidenceRow:
    """One passage × theme candidate, computed when the passage is stored (planmine.themes.materialise).

    The features the decision weighs, with offsets into the passage text: the term hit, the quote and
    the match inside the quote. `cosine`, `z` and `relevance` are None where the passage had no vector.
    """

    passage_index: int  # Passage.index within its document
    theme: str
    seq: int  # order of the hit in the passage; candidates by meaning only have no term and seq 0
    term: str  # "" for a candidate by meaning only
    surface: str
    start: int  # the hit in the (folded) passage text
    end: int
    lexical: float  # the hit's match quality (0 by meaning only)
    weak: bool  # only a related term
    role: str
    kind: str
    commitment: str | None
    enumeration: int
    terms: str  # the theme's distinct terms in the passage, ", "-joined
    quote_start: int  # the quote is passage.text[quote_start:quote_end]
    quote_end: int
    match_start: int | None  # the matched words in the quote, when OCR folding kept the text's length
    match_end: int | None
    cosine: float | None
    z: float | None
    relevance: float | None

    def __post_init__(self) -> None:
        if not (0 <= self.quote_start <= self.quote_end):
            raise ValueError(f"bad quote offsets {self.quote_start}..{self.quote_end}")


@dataclass
class DocumentEvidence:
    """A document's theme evidence rows and what they were computed under (stored with the document)."""

    fingerprint: str  # taxonomy, relevance model and evidence code (planmine.themes.materialise)
    model: str  # the embedding model of cosine, z and relevance; "" where the rows have none
    rows: list[ThemeEvidenceRow] = field(default_factory=list)


@dataclass
class Evidence:
    """A quote that supports an answer: where it is and how strongly it supports it."""

    document: str
    page: int
    section: str
    kind: str  # passage kind or tag kind (goal, activity, ...)
    text: str
    score: float
    region: str = ""
    why: str = ""  # explanation: matched term, fuzzy score, cosine
    match: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of matched words in `text`
    page_label: str = ""  # the label printed on the page ("18 (51)"), when it carries one
    paged: bool = True  # False for a text without pages: `page` means nothing, cite it "–"

    def cite(self, lang: str = "en", *, bare: bool = False) -> str:
        """The page as a reader cites it: 'p. 18 (pdf p. 17)', 'p. 17' or '–' (planmine.pages)."""
        from planmine.pages import cite_page

        return cite_page(self.page, self.page_label, paged=self.paged, lang=lang, bare=bare)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of one quote (DESIGN.md)."""
        return {
            "document": self.document,
            "page": self.page,
            "page_label": self.page_label,
            "paged": self.paged,
            "page_cited": self.cite(),
            "section": self.section,
            "kind": self.kind,
            "text": self.text,
            "score": round(self.score, 4),
            "why": self.why,
            "match": [list(m) for m in self.match],
        }


@dataclass
class ThemeMatch:
    """A passage matched to a theme (taxonomy or query) with the reasons."""

    passage_id: int
    theme_id: str
    score: float
    term: str = ""  # lexical term that matched, if any
    fuzzy: float = 0.0
    cosine: float = 0.0
    explanation: str = ""


@dataclass
class RegionEvidence:
    """The region-level answer for one theme or question."""

    region: str
    level: Level
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    reason: str = ""

    @property
    def addressed(self) -> bool:
        return self.level == "addressed"

    def to_dict(self) -> dict[str, object]:
        """Level, score and evidence, without the region (the caller keys or adds it)."""
        return {
            "level": self.level,
            "addressed": self.addressed,
            "score": round(self.score, 4),
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class QueryAnswer:
    """The answer to one question: every region in the store with its level and evidence."""

    query: str
    regions: list[RegionEvidence]
    reading: dict[str, object] = field(default_factory=dict)  # how the question was read (DESIGN.md)
    config: dict[str, object] = field(default_factory=dict)  # the decision thresholds that applied
    excluded: list[str] = field(default_factory=list)  # documents left out by the document-type filter

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the CLI contract (DESIGN.md, `planmine query --json`)."""
        return {
            "query": self.query,
            "reading": self.reading,
            "regions": [{"region": r.region, **r.to_dict()} for r in self.regions],
            "excluded_documents": self.excluded,
            "config": self.config,
        }


@dataclass
class ComparisonRow:
    """One theme across regions: a cell (level + evidence) per region."""

    theme_id: str
    label: str
    cells: dict[str, RegionEvidence]


@dataclass
class Comparison:
    """The region × theme table: themes as rows, regions as columns."""

    regions: list[str]
    rows: list[ComparisonRow]
    config: dict[str, object] = field(default_factory=dict)  # the decision thresholds that applied
    excluded: list[str] = field(default_factory=list)  # documents left out by the document-type filter
