"""What the pages show, computed from the Python API: answers, filtered tables, marked quotes, readings.

No decisions are made here: levels, scores and evidence come from `planmine.api`. The only reshaping is a
choice of rows and columns, and (when the API cannot filter by document type or year itself) keeping only
the quotes of the chosen documents.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from planmine.api import ComparisonTable
from planmine.errors import UsageError
from planmine.genre import parse_types, selected
from planmine.types import Comparison, ComparisonRow, RegionEvidence

if TYPE_CHECKING:
    from planmine.api import Planmine
    from planmine.store import StoredDocument
    from planmine.themes.taxonomy import Taxonomy

LEVELS = ("addressed", "mentioned", "not_found", "cannot_assess", "no_documents")
_QUOTED = re.compile(r"'([^']{2,60})'")
_WORD = re.compile(r"[^\W\d_]{4,}")
_READ_AS = re.compile(r"read as theme '([^']+)'")


@dataclass(frozen=True)
class CompareFilters:
    """The comparison the user asked for: themes (or a theme group), regions, document types, a year."""

    themes: tuple[str, ...] = ()
    group: str = ""
    regions: tuple[str, ...] = ()
    types: str = ""
    as_of: int | None = None

    def query(self) -> list[tuple[str, str]]:
        """The filters as query parameters (for the download links of exactly what is shown)."""
        items = [("theme", t) for t in self.themes] + [("region", r) for r in self.regions]
        items += [("group", self.group)] if self.group else []
        items += [("types", self.types)] if self.types else []
        items += [("as_of", str(self.as_of))] if self.as_of is not None else []
        return items


@dataclass
class Reading:
    """How the question was read: a taxonomy theme, or a free question with its words."""

    theme: str | None
    label: str
    terms: list[str] = field(default_factory=list)


def document_year(doc: StoredDocument) -> int | None:
    """The year a document was decided or published (its date, else the first year of its period)."""
    for text in (doc.meta.date, doc.meta.year, doc.meta.period):
        if m := re.search(r"(19|20)\d\d", text or ""):
            return int(m.group(0))
    return None


def theme_groups(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """(id, label) of the themes that group others (those with narrower themes), by label."""
    groups = {t.id: t.label_sv for t in taxonomy if t.narrower}
    for t in taxonomy:
        for parent in t.broader:
            if parent in {x.id for x in taxonomy}:
                groups.setdefault(parent, taxonomy.get(parent).label_sv)
    return sorted(groups.items(), key=lambda item: item[1])


def group_members(taxonomy: Taxonomy, group: str) -> list[str]:
    """The group theme and every theme below it (following `broader` and `narrower`), in taxonomy order."""
    ids = taxonomy.ids()
    if group not in ids:
        raise UsageError(
            f"Unknown theme group '{group}'. Allowed: {', '.join(g for g, _ in theme_groups(taxonomy))}."
        )
    members = {group}
    while True:
        grown = set(members)
        for t in taxonomy:
            if t.id in members:
                grown.update(n for n in t.narrower if n in ids)
            elif any(b in members for b in t.broader):
                grown.add(t.id)
        if grown == members:
            break
        members = grown
    return [i for i in ids if i in members]


def comparison(pm: Planmine, filters: CompareFilters, top_k: int) -> ComparisonTable:
    """The region × theme table for `filters`, from `Planmine.compare`."""
    themes = list(filters.themes)
    if filters.group:
        members = group_members(pm.taxonomy, filters.group)
        themes = [t for t in themes if t in members] if themes else members
    types = parse_types(filters.types) if filters.types else None
    from planmine.compare import compare as compare_core

    # Planmine.compare forwards types= and as_of= to the answer core where it takes them (an error if not)
    accepted = inspect.signature(compare_core).parameters
    options: dict[str, Any] = {"top_k": top_k}
    if types is not None and "types" in accepted:
        options["types"] = filters.types
    if filters.as_of is not None and "as_of" in accepted:
        options["as_of"] = filters.as_of
    shown = pm.compare(themes or None, **options)
    table = shown.comparison
    regions = list(table.regions)
    if filters.regions:
        unknown = [r for r in filters.regions if r not in regions]
        if unknown:
            raise UsageError(
                f"No region '{unknown[0]}' in the store. Regions with documents: {', '.join(regions)}."
            )
        regions = [r for r in regions if r in filters.regions]
    keep_doc = None
    if (types is not None and "types" not in accepted) or (
        filters.as_of is not None and "as_of" not in accepted
    ):
        keep_doc = _document_filter(pm, types if "types" not in accepted else None,
                                    filters.as_of if "as_of" not in accepted else None)  # fmt: skip
    rows = [
        ComparisonRow(
            row.theme_id,
            row.label,
            {r: _kept(row.cells[r], keep_doc) if keep_doc else row.cells[r] for r in regions},
        )
        for row in table.rows
    ]
    return ComparisonTable(Comparison(regions=regions, rows=rows), *_facts(shown))


def _facts(shown: ComparisonTable) -> list[Any]:
    """The table's document facts (titles, dates for the exports), where this planmine has them."""
    return [shown.documents] if hasattr(shown, "documents") else []


def _document_filter(pm: Planmine, types: frozenset[str] | None, as_of: int | None) -> set[str]:
    """Names of the documents of the chosen types that existed in `as_of`."""
    keep = set()
    for doc in pm.store.documents():
        year = document_year(doc)
        if types is not None and not selected(doc.meta.genre, types):
            continue
        if as_of is not None and year is not None and year > as_of:
            continue
        keep.add(doc.name)
    return keep


def _kept(cell: RegionEvidence, documents: set[str]) -> RegionEvidence:
    evidence = [e for e in cell.evidence if e.document in documents]
    if len(evidence) == len(cell.evidence):
        return cell
    if evidence or cell.level in ("cannot_assess", "no_documents"):
        return replace(cell, evidence=evidence)
    return replace(cell, level="not_found", score=0.0, evidence=[], reason="no quote in the chosen documents")


def reading_of(answer: dict[str, Any], taxonomy: Taxonomy, lang: str) -> Reading:
    """The answer's `reading` object when it has one, else what its reasons say."""
    reading = answer.get("reading")
    if isinstance(reading, dict):
        theme = reading.get("theme")
        terms = [_term_text(t) for t in reading.get("terms") or []]
        return Reading(theme, _theme_label(taxonomy, theme, lang) if theme else "", terms)
    reasons = [str(r.get("reason", "")) for r in answer.get("regions", [])]
    for reason in reasons:
        if m := _READ_AS.search(reason):
            theme = m.group(1)
            return Reading(theme, _theme_label(taxonomy, theme, lang), _theme_terms(taxonomy, theme))
    return Reading(None, "", _WORD.findall(str(answer.get("query", "")).lower()))


def _term_text(term: object) -> str:
    """A reading's term: a string, or an object naming it ({"term": ...} / {"text": ...})."""
    if isinstance(term, dict):
        return str(term.get("term") or term.get("text") or term.get("label") or "")
    return str(term)


def _theme_label(taxonomy: Taxonomy, theme_id: str, lang: str) -> str:
    try:
        t = taxonomy.get(theme_id)
    except Exception:
        return theme_id
    return t.label_en if lang == "en" and t.label_en else t.label_sv


def _theme_terms(taxonomy: Taxonomy, theme_id: str) -> list[str]:
    try:
        t = taxonomy.get(theme_id)
    except Exception:
        return []
    return [*t.swedish_terms(), *t.abbreviations]


def quote_terms(why: str, reading: Reading) -> list[str]:
    """The words to mark in one quote: those its explanation names, then those of the reading."""
    return [*_QUOTED.findall(why or ""), *reading.terms]


def mark(text: str, terms: list[str]) -> Markup:
    """`text` escaped, with each occurrence of `terms` (case-insensitive, word start) in <mark>."""
    words = sorted({t.strip() for t in terms if len(t.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return Markup(escape(text))
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(Markup("<mark>") + escape(m.group(0)) + Markup("</mark>"))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def document_ids(pm: Planmine) -> dict[str, int]:
    """Stored file name → document id (the first one stored under that name)."""
    ids: dict[str, int] = {}
    for doc in pm.store.documents():
        ids.setdefault(doc.name, doc.id)
    return ids
