"""Gather a report's parts from the store: comparison, answers, graph, region summaries, documents.

`ReportRequest` is the analyst's selection (questions, themes, regions, document types, year, language);
`build_report` turns a store and a request into the HTML of `report.html`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from planmine.embed.base import Embedder
from planmine.errors import StoreError
from planmine.graph import ThemeGraph
from planmine.graph.inputs import GraphInputs, graph_inputs, theme_matches_of
from planmine.levels import check_language
from planmine.report.html import DocumentQuality, RegionSummary, render_report
from planmine.report.limits import REPORT_LIMITS
from planmine.report.plots import heatmap_bytes
from planmine.report.region_map import region_map_png
from planmine.report.words import WORDS
from planmine.types import Comparison, Evidence, QueryAnswer

SUMMARY_ITEMS = 8


@dataclass(frozen=True)
class ReportRequest:
    """What the report is about: the analyst's questions and selection, and its language."""

    questions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # ids, labels or abbreviations; () for the whole taxonomy
    regions: tuple[str, ...] = ()  # names or unique parts; () for every region in the store
    types: Sequence[str] | str | None = None  # planmine.genre types (default: policy documents)
    as_of: int | str | None = None
    lang: str = "sv"
    all_regions: bool = False  # a column for each of the 21 regions
    # fit the similarity graph for the discovered themes (needs the model); None: only up to
    # REPORT_LIMITS.passage_graph_max passages, since above that the fit takes minutes
    discovered: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Analysis:
    """The comparison table and the fitted similarity graph of one store."""

    comparison: Comparison
    inputs: GraphInputs
    graph: ThemeGraph


def load_cached_embedder(store: Any) -> Embedder:
    """The project's embedder, caching vectors in ``store``."""
    from planmine.embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder(), store)


def compare_store(store: Any, embedder: Embedder, themes: Sequence[str] | None = None) -> Comparison:
    """The region × theme table of the whole taxonomy (or of ``themes``: ids, labels or abbreviations)."""
    from planmine.compare import compare

    return compare(store, embedder, list(themes) if themes else None)


def analyse(
    store: Any,
    embedder: Embedder,
    *,
    aligner: ThemeGraph | None = None,
    comparison: Comparison | None = None,
) -> Analysis:
    """Compare the regions (unless `comparison` is given) and fit the similarity graph on the store's
    goal and activity passages."""
    if not store.documents():
        raise StoreError("The store has no documents. Ingest some first: planmine ingest corpus/")
    comparison = comparison or compare_store(store, embedder)
    matches = theme_matches_of(store.passages())
    inputs = graph_inputs(store, embedder, theme_matches=matches, comparison=comparison)
    return Analysis(comparison, inputs, inputs.fit(aligner))


def _evidence_of(tag: Any) -> Evidence:
    return Evidence(
        document=tag.document, page=tag.page, section=tag.section, kind=tag.kind, text=tag.text, score=1.0,
        region=tag.region,
    )  # fmt: skip


def region_summaries(
    store: Any, *, items: int = SUMMARY_ITEMS, regions: Sequence[str] | None = None
) -> list[RegionSummary]:
    """Per region: its documents (file names), first goals and activities (binding first), most named
    actors; only `regions` when given."""
    summaries = {r: RegionSummary(r) for r in store.regions()}
    for doc in store.documents():
        summaries.setdefault(doc.region, RegionSummary(doc.region)).documents.append(doc.name)
    by_kind: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for kind in ("goal", "activity"):
        for tag in store.tags(kind=kind):
            by_kind[tag.region, kind].append(tag)
    actors: dict[str, Counter[str]] = defaultdict(Counter)
    for tag in store.tags(kind="actor"):
        actors[tag.region][tag.label or tag.text] += 1
    for region, summary in summaries.items():
        goals, activities = by_kind[region, "goal"], by_kind[region, "activity"]
        binding_first = lambda t: t.commitment != "binding"  # noqa: E731  (stable sort keeps document order)
        summary.goals = [_evidence_of(t) for t in sorted(goals, key=binding_first)[:items]]
        summary.activities = [_evidence_of(t) for t in sorted(activities, key=binding_first)[:items]]
        summary.goal_count, summary.activity_count = len(goals), len(activities)
        summary.actors = sorted(actors[region].items(), key=lambda an: (-an[1], an[0]))[:items]
    wanted = set(regions) if regions is not None else set(summaries)
    return [summaries[r] for r in sorted(summaries) if r in wanted]


def document_quality(store: Any) -> list[DocumentQuality]:
    """Per document: pages, OCR'd pages, repaired words, passages and warnings."""
    return [
        DocumentQuality(
            document=d.name,
            region=d.region,
            pages=d.pages,
            ocr_pages=d.ocr_pages,
            words_repaired=d.repaired_words,
            passages=d.passages,
            warnings=list(d.warnings),
            title=d.meta.title,
            date=_when(d.meta),
            type=d.meta.doc_type or d.meta.genre,
            path=d.path,
        )
        for d in store.documents()
    ]


def _when(meta: Any) -> str:
    """A document's date and the period it covers, as the report shows them: '2023-03-17 (2023–2024)'."""
    date, period = meta.date, meta.period or meta.year
    if date and period and period not in date:
        return f"{date} ({period})"
    return date or period


def build_report(
    store: Any,
    embedder: Embedder | None,
    *,
    analysis: Analysis | None = None,
    answers: Sequence[QueryAnswer] = (),
    request: ReportRequest | None = None,
) -> str:
    """The whole HTML report of `store` for `request` (default: every theme and region, in Swedish).

    The table and the questions follow the request's selection; the discovered themes come from the
    similarity graph of the whole store (skipped without an embedder). Each cell shows its best quotes;
    every quote is in the exports.
    """
    from planmine.api import (
        _optional_filters,
        answer_all_regions,
        comparison_all_regions,
        document_record,
        select_regions,
    )
    from planmine.compare import compare

    request = request or ReportRequest()
    lang = check_language(request.lang)
    if not store.documents():
        raise StoreError("The store has no documents. Ingest some first: planmine ingest corpus/")
    if analysis is not None and not (request.themes or request.types or request.as_of):
        comparison = analysis.comparison
    else:
        filters = _optional_filters(compare, types=request.types, as_of=request.as_of)
        comparison = compare(store, embedder, list(request.themes) or None, **filters)
    if request.all_regions:
        comparison = comparison_all_regions(comparison)
    if request.regions:
        comparison = select_regions(comparison, request.regions)
    asked = list(answers)
    if request.questions:
        from planmine.query import answer

        filters = _optional_filters(answer, types=request.types, as_of=request.as_of)
        asked += answer(list(request.questions), store, embedder, **filters)
    if request.all_regions:
        asked = [answer_all_regions(a) for a in asked]
    if request.regions:
        keep = set(comparison.regions)
        asked = [QueryAnswer(a.query, [r for r in a.regions if r.region in keep]) for a in asked]
    skipped = ""
    if analysis is None and embedder is not None and request.discovered is not False:
        passages = store.counts()["passages"]
        if request.discovered or passages <= REPORT_LIMITS.passage_graph_max:
            analysis = analyse(store, embedder, comparison=comparison)
        else:
            skipped = WORDS[lang]["left_graph"].format(n=passages, k=REPORT_LIMITS.passage_graph_max)
    documents = {d.name: document_record(d) for d in store.documents()}
    shown = set(comparison.regions)
    examples = analysis.inputs.evidence() if analysis else None
    summaries = region_summaries(store, regions=comparison.regions)
    from planmine.pages import label_evidence  # printed page labels on the quotes not yet labelled

    label_evidence(
        store, [*(examples or {}).values(), *(e for s in summaries for e in s.goals + s.activities)]
    )
    return render_report(
        comparison,
        discovered=analysis.graph.themes_ if analysis else (),
        passage_evidence=examples,
        answers=asked,
        heatmap_png=heatmap_bytes(comparison, lang=lang),
        graph_png=region_map_png(comparison, lang=lang),
        region_summaries=summaries,
        document_quality=[d for d in document_quality(store) if d.region in shown],
        notes=_notes(analysis, lang),
        lang=lang,
        documents=documents,
        selection=_selection(request, lang),
        left_out=[skipped] if skipped else [],
        discovered_skipped=skipped,
    )


def _selection(request: ReportRequest, lang: str) -> list[str]:
    words = WORDS[lang]
    lines = []
    if request.themes:
        lines.append(f"{words['themes']}: {', '.join(request.themes)}")
    if request.regions:
        lines.append(f"{words['regions']}: {', '.join(request.regions)}")
    if request.types:
        types = request.types if isinstance(request.types, str) else ", ".join(request.types)
        lines.append(f"{words['types']}: {types}")
    if request.as_of:
        lines.append(f"{words['as_of']}: {request.as_of}")
    return lines


def _notes(analysis: Analysis | None, lang: str) -> list[str]:
    """How the report was made, in plain words (the exact thresholds are in `planmine graph`)."""
    if analysis is None:
        return []
    graph = analysis.graph
    n = len(analysis.inputs.passages)
    if lang == "sv":
        return [
            f"Upptäckta teman: grupper av likartade stycken bland {n} mål och åtgärder, från minst "
            f"{graph.min_regions} regioner; {len(graph.candidate_themes_)} finns inte i temalistan."
        ]
    return [
        f"Discovered themes: groups of similar passages among {n} goals and activities, from at least "
        f"{graph.min_regions} regions; {len(graph.candidate_themes_)} are not in the theme list."
    ]
