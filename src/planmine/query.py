"""Free-text questions: 'which regions address X?' for any Swedish or English phrase.

Each question is first read (`themes.reading.read_question`): a taxonomy theme when the question asks for
one, otherwise its own concept. A theme is answered with that theme's matching (`ThemeIndex`), a concept
by the passages that carry it (`themes.concept`); a region, municipality or period in the question and
the document types (`--types`, default: policy documents) restrict the documents. The decision module
gives every region in scope a level, a score and its best evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from planmine.genre import selected
from planmine.themes.concept import concept_evidence
from planmine.themes.decision import decide, decide_free
from planmine.themes.evidence import PassageEvidence, QuestionReading, RegionQuality
from planmine.themes.index import ThemeIndex, get_index
from planmine.themes.reading import choose_theme, question_core, read_question, split_required
from planmine.themes.taxonomy import Taxonomy
from planmine.types import QueryAnswer

if TYPE_CHECKING:
    from planmine.embed import Embedder
    from planmine.store import Store

__all__ = [
    "QUERY_THREADS", "Scope", "answer", "answer_one", "choose_theme", "in_force_scope", "question_core", "scope_of",
]  # fmt: skip

# Questions are short: one torch thread embeds one in ~25 ms, while two threads on a shared 2-core machine
# stall for up to a second waiting for each other (benchmarks/bench_query.py).
QUERY_THREADS = 1


@dataclass
class Scope:
    """The documents an answer looks at, the regions shown, and what was left out and why."""

    documents: set[int]
    regions: list[str]
    quality: dict[str, RegionQuality]
    excluded: list[str] = field(default_factory=list)  # "name (genre)" of documents left out by type
    notes: list[str] = field(default_factory=list)

    def keep(self, evidence: dict[str, list[PassageEvidence]]) -> dict[str, list[PassageEvidence]]:
        return {r: [e for e in ev if e.document_id in self.documents] for r, ev in evidence.items()}


def _overlaps(doc_period: str, want: tuple[int, int]) -> bool | None:
    """Does a document's period/year ("2023–2024", "2021") overlap the asked period? None: unknown."""
    import re

    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", doc_period)]
    if not years:
        return None
    return min(years) <= want[1] and max(years) >= want[0]


def scope_of(
    index: ThemeIndex,
    types: frozenset[str] | None = None,
    region: str | None = None,
    municipality: str | None = None,
    period: tuple[int, int] | None = None,
) -> Scope:
    """Which documents count: of the asked types (default policy), region, municipality and period."""
    docs = index.documents
    kept: set[int] = set()
    excluded: list[str] = []
    notes: list[str] = []
    in_scope: set[str] = set()
    if municipality and not any(d.meta.municipality == municipality for d in docs.values()):
        notes.append(f"no document of {municipality} itself: all of {region}")
        municipality = None
    for doc_id, d in docs.items():
        if region and (d.region or "unknown") != region:
            continue
        if municipality and d.meta.municipality != municipality:
            continue
        if period is not None:
            fits = _overlaps(d.meta.period or d.meta.year or d.meta.date, period)
            if fits is False:
                continue
        in_scope.add(d.region or "unknown")
        if not selected(d.meta.genre, types):
            excluded.append(f"{d.name} ({d.meta.genre or 'unclassified'})")
            continue
        kept.add(doc_id)
    regions = [r for r in index.regions if not region or r == region]
    if region and region not in index.regions:
        notes.append(f"no document of {region} in the store")
    quality = index.quality_of(kept)
    if region or municipality or period:
        regions = [r for r in regions if r in in_scope or r == region]
        quality = {r: q for r, q in quality.items() if r in regions}
    for r in regions:
        quality.setdefault(r, RegionQuality(region=r))
    return Scope(kept, regions, quality, excluded, notes)


def in_force_scope(index: ThemeIndex, scope: Scope, as_of: int | None) -> Scope:
    """`scope` narrowed to the documents in force (`as_of`, else the newest version of each series).

    The documents left out by version are named with the reason (planmine.versions.in_force), and a
    region whose documents are all left out keeps its column with the reason in its quality.
    """
    from planmine.versions import in_force

    force = in_force(index.documents.values(), as_of)
    if force.documents >= scope.documents:
        return scope
    kept = scope.documents & force.documents
    quality = index.quality_of(kept)
    why = f"not in force in {as_of}" if as_of is not None else "superseded by a newer version"
    for doc_id in scope.documents - kept:  # left out by version, not by type: say so, not its genre
        q = quality[index.doc_quality[doc_id].region]
        q.excluded_genres = [*scope.quality[q.region].excluded_genres, why]
    quality = {r: q for r, q in quality.items() if r in scope.regions}
    for region in scope.regions:
        quality.setdefault(region, RegionQuality(region=region))
    named = {e.split(" (", 1)[0] for e in scope.excluded}
    dropped = [d.name for i, d in index.documents.items() if i in scope.documents - kept]
    excluded = scope.excluded + [
        why
        for why in force.left_out
        if why.split(" (", 1)[0] not in named and why.split(" (", 1)[0] in dropped
    ]
    return replace(scope, documents=kept, quality=quality, excluded=excluded)


def question_evidence(
    index: ThemeIndex, reading: QuestionReading, qvec: np.ndarray | None
) -> dict[str, list[PassageEvidence]]:
    """Evidence candidates per region for a read question (theme matching or the concept's passages)."""
    if reading.theme is not None:
        return index.theme_evidence(reading.theme)
    required, optional, weights = split_required(index, reading.terms, index.thresholds)
    t = index.thresholds
    return concept_evidence(index, required, optional, weights, qvec, t.free_semantic_z, t.concept_coverage)


def answer_one(
    index: ThemeIndex,
    question: str,
    qvec: np.ndarray | None,
    top_k: int = 5,
    types: frozenset[str] | None = None,
    as_of: int | None = None,
) -> QueryAnswer:
    """Every region's level and evidence for one question, with how it was read.

    `as_of`: only the documents in force in that year (of each series the version started by then, as
    in `compare`); None: every version in scope.
    """
    reading = read_question(index, question, qvec, types=types)
    scope = scope_of(index, types, reading.region, reading.municipality, reading.period)
    if as_of is not None:
        scope = in_force_scope(index, scope, as_of)
    evidence = scope.keep(question_evidence(index, reading, qvec))
    t = index.thresholds
    regions = []
    for region in scope.regions:
        quality = scope.quality[region]
        if reading.theme is not None:
            result = decide(region, evidence.get(region, []), quality, t, top_k)
        else:
            result = decide_free(region, evidence.get(region, []), quality, reading.concept, t, top_k)
        read = reading.line() if as_of is None else f"{reading.line()}; in force in {as_of}"
        result.reason = f"{read}; {result.reason}"
        regions.append(result)
    regions.sort(key=lambda r: (-r.score, r.region))
    info = reading.to_dict()
    if scope.notes:
        info["notes"] = scope.notes
    if as_of is not None:
        info["as_of"] = as_of
    return QueryAnswer(
        query=question, regions=regions, reading=info, config=t.to_dict(), excluded=scope.excluded
    )


def answer(
    queries: list[str],
    store: Store,
    embedder: Embedder | None,
    top_k: int = 5,
    taxonomy: Taxonomy | None = None,
    types: frozenset[str] | None = None,
    as_of: int | None = None,
) -> list[QueryAnswer]:
    """Answer each question over the store: every region with level, score and evidence, best first.

    Args:
        queries: phrases or questions, Swedish or English.
        store: the store after `planmine ingest` (passage vectors are read from its cache).
        embedder: the loaded embedding model (`planmine.embed.load_embedder()`); None for lexical
            matching only.
        top_k: evidence passages per region.
        types: document genres to look at (`planmine.genre.parse_types`); None: policy documents.
        as_of: only the documents in force in this year (planmine.versions); None: all versions.
    """
    index = get_index(store, embedder, taxonomy)
    qvecs = index.embed_questions([question_core(q) for q in queries])
    answers = [answer_one(index, q, v, top_k, types, as_of) for q, v in zip(queries, qvecs, strict=True)]
    from planmine.pages import label_answers  # printed page labels on every quote

    label_answers(store, answers)
    return answers
