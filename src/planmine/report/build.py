"""Gather a report's parts from the store: comparison, graph, region summaries and document quality."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from planmine.errors import StoreError
from planmine.graph import ThemeGraph, region_theme_png
from planmine.graph.inputs import GraphInputs, PassageEmbedder, graph_inputs, theme_matches_of
from planmine.report.html import DocumentQuality, RegionSummary, render_report
from planmine.report.plots import heatmap_bytes
from planmine.types import Comparison, Evidence, QueryAnswer

SUMMARY_ITEMS = 8


@dataclass
class Analysis:
    """The comparison table and the fitted similarity graph of one store."""

    comparison: Comparison
    inputs: GraphInputs
    graph: ThemeGraph


def load_cached_embedder(store: Any) -> PassageEmbedder:
    """The project's embedder, caching vectors in ``store``."""
    from planmine.embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder(), store)


def compare_store(store: Any, embedder: PassageEmbedder, themes: Sequence[str] | None = None) -> Comparison:
    """The region × theme table of the whole taxonomy (or of ``themes``: ids, labels or abbreviations)."""
    from planmine.compare import compare

    return compare(store, embedder, list(themes) if themes else None)  # type: ignore[arg-type]


def analyse(store: Any, embedder: PassageEmbedder, *, aligner: ThemeGraph | None = None) -> Analysis:
    """Compare the regions and fit the similarity graph on the store's goal and activity passages."""
    if not store.documents():
        raise StoreError("The store has no documents. Ingest some first: planmine ingest corpus/")
    comparison = compare_store(store, embedder)
    matches = theme_matches_of(store.passages())
    inputs = graph_inputs(store, embedder, theme_matches=matches, comparison=comparison)
    return Analysis(comparison, inputs, inputs.fit(aligner))


def _evidence_of(tag: Any) -> Evidence:
    return Evidence(
        document=tag.document, page=tag.page, section=tag.section, kind=tag.kind, text=tag.text, score=1.0,
        region=tag.region,
    )  # fmt: skip


def region_summaries(store: Any, *, items: int = SUMMARY_ITEMS) -> list[RegionSummary]:
    """Per region: its documents, first goals and activities (binding first), most named actors."""
    summaries = {r: RegionSummary(r) for r in store.regions()}
    for doc in store.documents():
        summaries.setdefault(doc.region, RegionSummary(doc.region)).documents.append(
            doc.meta.title or doc.name
        )
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
    return [summaries[r] for r in sorted(summaries)]


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
        )
        for d in store.documents()
    ]


def build_report(
    store: Any,
    embedder: PassageEmbedder,
    *,
    analysis: Analysis | None = None,
    answers: Sequence[QueryAnswer] = (),
) -> str:
    """The whole HTML report of ``store`` (analysing it unless ``analysis`` is given)."""
    analysis = analysis or analyse(store, embedder)
    graph = analysis.graph
    notes = [
        f"Similarity edges: k={graph.k} nearest passages of other regions with centred cosine ≥ "
        f"{graph.threshold_:.3f} (the {graph.edge_quantile:.0%} quantile of cross-region pairs); "
        f"{len(graph.similar_pairs_)} edges over {len(analysis.inputs.passages)} goal/activity passages.",
        f"Discovered themes: Louvain communities (resolution {graph.resolution}, seed {graph.seed}) "
        f"spanning ≥ {graph.min_regions} regions; {len(graph.candidate_themes_)} match no taxonomy theme.",
    ]
    return render_report(
        analysis.comparison,
        discovered=graph.themes_,
        passage_evidence=analysis.inputs.evidence(),
        answers=answers,
        heatmap_png=heatmap_bytes(analysis.comparison),
        graph_png=region_theme_png(graph.graph_),
        region_summaries=region_summaries(store),
        document_quality=document_quality(store),
        notes=notes,
    )
