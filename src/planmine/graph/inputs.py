"""Build the ThemeGraph's inputs from the store: goal/activity passages, vectors, regions, lemmas, themes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planmine.embed.base import Embedder
from planmine.graph.aligner import DiscoveredTheme, ThemeGraph
from planmine.graph.labels import simple_lemmas
from planmine.types import Comparison, Evidence, Passage, ThemeMatch

log = logging.getLogger(__name__)

GRAPH_ROLES = ("goal", "activity")
MIN_WORDS = 3  # without tags, shorter passages (page furniture, labels) only add noise


@dataclass
class GraphInputs:
    """Everything ThemeGraph.fit needs, gathered from the store."""

    passages: list[Passage]
    vectors: np.ndarray
    regions: list[str]
    documents: list[str]
    roles: list[str]
    lemmas: list[list[str]]
    theme_matches: list[ThemeMatch] = field(default_factory=list)
    comparison: Comparison | None = None
    theme_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    theme_labels: dict[str, str] = field(default_factory=dict)
    neighbour_index: Any = None  # the store's persistent passage index, for a large graph's kNN

    def fit(self, aligner: ThemeGraph | None = None) -> ThemeGraph:
        """Fit ``aligner`` (a default ThemeGraph when absent) on these inputs."""
        return (aligner or ThemeGraph()).fit(
            self.passages,
            self.vectors,
            self.regions,
            self.theme_matches,
            self.comparison,
            documents=self.documents,
            roles=self.roles,
            lemmas=self.lemmas,
            theme_vectors=self.theme_vectors or None,
            theme_labels=self.theme_labels or None,
            neighbour_index=self.neighbour_index,
        )

    def evidence(self) -> dict[int, Evidence]:
        """Passage id → a quote record, for showing discovered themes' examples."""
        return {
            p.id if p.id is not None else i: Evidence(
                document=self.documents[i],
                page=p.page,
                section=p.section_path,
                kind=self.roles[i] or p.kind,
                text=p.text,
                score=0.0,
                region=self.regions[i],
            )
            for i, p in enumerate(self.passages)
        }


def graph_passages(store: Any, also: Mapping[int, str] | None = None) -> tuple[list[Passage], list[str]]:
    """The passages the graph is about and their role: those tagged as goals or activities.

    ``also`` adds passages by id with a role of their own (e.g. "theme" for passages that name a taxonomy
    theme without being tagged as a goal or activity: what a plan says about SIP matters even in a
    paragraph the tagger reads as background). Without any goal or activity tag in the store (the tagger
    did not run), every non-heading passage of at least ``MIN_WORDS`` words is used, with an empty role.
    """
    roles: dict[int, str] = {}
    for kind in GRAPH_ROLES:
        for tag in store.tags(kind=kind):
            roles.setdefault(tag.passage_id, kind)  # a passage with a goal and activities counts as a goal
    passages = store.passages()
    if not roles:
        log.info("no goal/activity tags in the store: the graph uses all passages")
        chosen = [p for p in passages if p.kind != "heading" and len(p.text.split()) >= MIN_WORDS]
        return chosen, [""] * len(chosen)
    for passage_id, role in (also or {}).items():
        roles.setdefault(passage_id, role)
    chosen = [p for p in passages if p.id in roles]
    return chosen, [roles[p.id] for p in chosen if p.id is not None]


def passage_lemmas(texts: Sequence[str]) -> list[list[str]]:
    """Lowercased lemmas per text from the tagger's lemmatizer, or word tokens when it is unavailable."""
    try:
        from planmine.tag import lemmatize
    except ImportError:
        return [simple_lemmas(t) for t in texts]
    return [list(lemmas) for lemmas in lemmatize(list(texts))]


def taxonomy_texts() -> tuple[dict[str, str], dict[str, str]]:
    """(theme id → text to embed, theme id → label) of the taxonomy; empty when it is not available."""
    try:
        from planmine.themes.taxonomy import load_taxonomy
    except ImportError:
        return {}, {}
    texts, labels = {}, {}
    for theme in load_taxonomy():
        texts[theme.id] = f"{theme.label_sv}: {theme.definition}"
        labels[theme.id] = theme.label_sv
    return texts, labels


def theme_matches_of(passages: Sequence[Passage]) -> list[ThemeMatch]:
    """Lexical taxonomy matches of each passage (strong terms only; weak ones only hint at a theme)."""
    from planmine.themes.matcher import ThemeMatcher
    from planmine.themes.taxonomy import load_taxonomy

    matcher = ThemeMatcher(load_taxonomy())
    matches: list[ThemeMatch] = []
    for p in passages:
        best: dict[str, ThemeMatch] = {}
        for hit in matcher.hits(p.text):
            if hit.strength != "strong" or p.id is None:
                continue
            if hit.theme_id not in best or hit.quality > best[hit.theme_id].score:
                best[hit.theme_id] = ThemeMatch(
                    passage_id=p.id, theme_id=hit.theme_id, score=hit.quality, term=hit.term, fuzzy=hit.fuzzy
                )
        matches.extend(best[t] for t in sorted(best))
    return matches


def graph_inputs(
    store: Any,
    embedder: Embedder,
    *,
    theme_matches: Sequence[ThemeMatch] = (),
    comparison: Comparison | None = None,
    theme_texts: Mapping[str, str] | None = None,
    theme_labels: Mapping[str, str] | None = None,
    extra_roles: Mapping[int, str] | None = None,
) -> GraphInputs:
    """Gather the graph's inputs from ``store``; passage vectors come from ``embedder`` (cache it).

    ``extra_roles`` (passage id → role) adds passages beyond the goals and activities; by default the
    passages with a ``theme_matches`` entry are added with the role "theme".
    """
    if extra_roles is None:
        extra_roles = {m.passage_id: "theme" for m in theme_matches}
    passages, roles = graph_passages(store, extra_roles)
    docs = {d.id: d for d in store.documents()}
    texts = [p.text for p in passages]
    vectors = embedder.embed_passages(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    if theme_texts is None:
        theme_texts, default_labels = taxonomy_texts()
        theme_labels = theme_labels or default_labels
    theme_ids = sorted(theme_texts)
    # Definitions are descriptive sentences compared with passage centroids: embedded as passages, they
    # share the passages' distribution (E5 query vectors sit in another part of the space).
    theme_vectors = (
        dict(zip(theme_ids, embedder.embed_passages([theme_texts[t] for t in theme_ids]), strict=True))
        if theme_ids
        else {}
    )
    labels = dict(theme_labels or {})
    if comparison is not None:
        for row in comparison.rows:
            labels.setdefault(row.theme_id, row.label)
    return GraphInputs(
        passages=passages,
        vectors=np.asarray(vectors, dtype=np.float32),
        regions=[docs[p.document_id].region for p in passages],
        documents=[docs[p.document_id].name for p in passages],
        roles=roles,
        lemmas=passage_lemmas(texts),
        theme_matches=list(theme_matches),
        comparison=comparison,
        theme_vectors=theme_vectors,
        theme_labels=labels,
        neighbour_index=_stored_index(store, embedder, len(passages)),
    )


def _stored_index(store: Any, embedder: Embedder, nodes: int) -> Any:
    """The store's persistent passage index for a graph large enough to search by index, else None."""
    from planmine.graph.similarity import NEIGHBOURS

    if nodes < NEIGHBOURS.ann_min_nodes or not hasattr(store, "passage_hashes"):
        return None
    from planmine.errors import PlanmineError
    from planmine.vector_index import passage_index

    try:
        return passage_index(store, embedder.name)
    except (PlanmineError, OSError) as exc:
        log.warning("no persistent vector index for the graph (%s): building one for this fit", exc)
        return None


def discover_themes(store: Any, embedder: Embedder, **graph_options: Any) -> list[DiscoveredTheme]:
    """The cross-region themes discovered in the store's goal and activity passages (for `planmine themes`).

    ``graph_options`` are ThemeGraph parameters (seed, resolution, ...).
    """
    inputs = graph_inputs(store, embedder, theme_matches=theme_matches_of(store.passages()))
    return inputs.fit(ThemeGraph(**graph_options)).themes_
