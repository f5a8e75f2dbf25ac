"""The ThemeGraph aligner: a similarity graph of passages, themes and regions, and the themes it discovers.

Follows scikit-learn conventions: ``__init__`` only stores parameters, ``fit`` reads as named steps and
sets attributes ending in ``_``. Inputs are plain records and arrays, so the aligner is tested on
synthetic data; :mod:`planmine.graph.inputs` builds them from the store.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from planmine.errors import UsageError
from planmine.graph.labels import class_tfidf, simple_lemmas
from planmine.graph.similarity import (
    SimilarPair,
    StoredNeighbours,
    centre,
    cross_region_cosines,
    cross_region_neighbours,
)
from planmine.types import Comparison, Passage, ThemeMatch

LEVEL_WEIGHTS = {"addressed": 1.0, "mentioned": 0.5}


@dataclass
class DiscoveredTheme:
    """A community of similar passages from at least two regions, labelled by its distinctive lemmas."""

    id: str  # "D1", "D2", ... by decreasing size
    label: str  # top lemmas joined by " · "
    terms: list[str]
    passage_ids: list[int]
    regions: list[str]
    closest_theme: str = ""  # nearest taxonomy theme by (centred) centroid cosine ("" without theme vectors)
    closest_cosine: float = 0.0
    taxonomy_theme: str = ""  # the taxonomy theme it matches, "" when none
    matched_by: str = ""  # "matches" (most passages matched it) or "centroid" (centroid close enough)
    candidate: bool = False  # matches no taxonomy theme and spans >= min_regions regions
    examples: list[int] = field(default_factory=list)  # passage ids closest to the centroid

    @property
    def size(self) -> int:
        return len(self.passage_ids)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "terms": self.terms,
            "size": self.size,
            "regions": self.regions,
            "passage_ids": self.passage_ids,
            "closest_theme": self.closest_theme,
            "closest_cosine": round(self.closest_cosine, 4),
            "taxonomy_theme": self.taxonomy_theme,
            "matched_by": self.matched_by,
            "candidate": self.candidate,
            "examples": self.examples,
        }


def passage_node(passage_id: int) -> str:
    return f"passage:{passage_id}"


def theme_node(theme_id: str) -> str:
    return f"theme:{theme_id}"


def region_node(region: str) -> str:
    return f"region:{region}"


def discovered_node(theme_id: str) -> str:
    return f"discovered:{theme_id}"


class ThemeGraph:
    """Build the passage–theme–region similarity graph and discover cross-region themes.

    Args:
        k: neighbours each passage proposes among other regions' passages.
        threshold: minimum (centred) cosine of a passage–passage edge, or "auto" to calibrate it as the
            ``edge_quantile`` of all cross-region pair cosines.
        edge_quantile: the quantile used by "auto".
        mutual_quantile: a lower quantile that suffices for mutual nearest neighbours (two passages that
            are each other's top-``k`` across regions); ignored with a fixed ``threshold``.
        center: compare passages after subtracting the corpus mean vector (removes the genre direction).
        resolution: Louvain resolution; higher gives more, smaller discovered themes (2.0: on the seed
            corpus 1.0 merges e.g. SIP with person-centred care into broad "how we work" communities).
        min_size: smallest community reported as a discovered theme.
        min_regions: regions a community must span to be reported.
        theme_threshold: centroid cosine (in the centred space) from which a discovered theme matches a
            taxonomy theme, or "auto": per theme, the ``theme_quantile`` of all passages' cosines to it.
        theme_quantile: the quantile used by "auto".
        match_share: share of a community's passages matched to one taxonomy theme that makes it that theme.
        n_terms: lemmas in a discovered theme's label.
        n_examples: example passages kept per discovered theme.
        seed: seed of the pair sampling and of Louvain, for deterministic results.
    """

    def __init__(
        self,
        *,
        k: int = 5,
        threshold: float | str = "auto",
        edge_quantile: float = 0.99,
        mutual_quantile: float = 0.95,
        center: bool = True,
        resolution: float = 2.0,
        min_size: int = 3,
        min_regions: int = 2,
        theme_threshold: float | str = "auto",
        theme_quantile: float = 0.95,
        match_share: float = 0.5,
        n_terms: int = 5,
        n_examples: int = 3,
        seed: int = 0,
    ) -> None:
        self.k = k
        self.threshold = threshold
        self.edge_quantile = edge_quantile
        self.mutual_quantile = mutual_quantile
        self.center = center
        self.resolution = resolution
        self.min_size = min_size
        self.min_regions = min_regions
        self.theme_threshold = theme_threshold
        self.theme_quantile = theme_quantile
        self.match_share = match_share
        self.n_terms = n_terms
        self.n_examples = n_examples
        self.seed = seed

    def _stored_neighbours(
        self, index: Any, passages: Sequence[Passage], vectors: np.ndarray
    ) -> StoredNeighbours | None:
        if index is None or any(p.id is None for p in passages):
            return None
        shift = vectors.mean(axis=0) if self.center else 0.0
        return StoredNeighbours(index, np.array([p.id for p in passages], dtype=np.int64), shift)

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        regions: Sequence[str],
        theme_matches: Iterable[ThemeMatch] = (),
        region_levels: Comparison | None = None,
        *,
        documents: Sequence[str] | None = None,
        roles: Sequence[str] | None = None,
        lemmas: Sequence[Sequence[str]] | None = None,
        theme_vectors: Mapping[str, np.ndarray] | None = None,
        theme_labels: Mapping[str, str] | None = None,
        neighbour_index: Any = None,
    ) -> ThemeGraph:
        """Fit the graph.

        Args:
            passages: goal/activity passages (``id`` set, else their position is their id).
            vectors: one L2-normalised embedding per passage, shape (n, d).
            regions: the region of each passage.
            theme_matches: passage → taxonomy theme matches (``passage_id`` refers to passage ids).
            region_levels: the region × theme table; addressed/mentioned cells become region–theme edges.
            documents: document name per passage (node attribute).
            roles: "goal" / "activity" per passage (node attribute).
            lemmas: lowercased lemmas per passage for the labels (a word tokenizer when absent).
            theme_vectors: embedding per taxonomy theme id, to name a discovered theme's closest theme.
            theme_labels: display label per taxonomy theme id.
            neighbour_index: the store's persistent passage index (planmine.vector_index), used for the
                kNN of a large graph instead of building an index for this fit.
        """
        matches = list(theme_matches)
        vectors = self._check_inputs(passages, vectors, regions, documents, roles, lemmas)
        self.passage_ids_ = [p.id if p.id is not None else i for i, p in enumerate(passages)]
        self.similarity_vectors_ = centre(vectors) if self.center else vectors
        self.threshold_, self.mutual_threshold_ = self._calibrate_edge_thresholds(
            self.similarity_vectors_, regions
        )
        self.similar_pairs_ = cross_region_neighbours(
            self.similarity_vectors_,
            vectors,
            regions,
            k=self.k,
            threshold=self.threshold_,
            mutual_threshold=self.mutual_threshold_,
            stored=self._stored_neighbours(neighbour_index, passages, vectors),
        )
        self.graph_ = nx.Graph(name="planmine similarity graph")
        self._add_region_and_theme_nodes(regions, matches, region_levels, theme_labels)
        self._add_passage_nodes(passages, regions, documents, roles)
        self._add_similarity_edges(self.similar_pairs_)
        self._add_match_edges(matches)
        self._add_level_edges(region_levels)
        communities = self._detect_communities()
        self.theme_ids_, self.theme_space_ = self._theme_space(vectors, theme_vectors)
        self.theme_thresholds_ = self._calibrate_theme_thresholds()
        self.themes_ = self._describe_communities(communities, passages, regions, lemmas, matches)
        self._add_discovered_nodes(self.themes_, regions)
        self.graph_.graph.update(self._graph_attributes())
        return self

    @property
    def candidate_themes_(self) -> list[DiscoveredTheme]:
        """Discovered themes that match no taxonomy theme: candidates for the taxonomy."""
        return [t for t in self.themes_ if t.candidate]

    # ---------------------------------------------------------------- steps
    def _check_inputs(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        regions: Sequence[str],
        documents: Sequence[str] | None,
        roles: Sequence[str] | None,
        lemmas: Sequence[Sequence[str]] | None,
    ) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        n = len(passages)
        if vectors.ndim != 2 or vectors.shape[0] != n:
            raise UsageError(
                f"ThemeGraph.fit needs one vector per passage: got {n} passages and vectors of shape "
                f"{vectors.shape}. Embed exactly the passages you pass."
            )
        for name, values in (
            ("regions", regions),
            ("documents", documents),
            ("roles", roles),
            ("lemmas", lemmas),
        ):
            if values is not None and len(values) != n:
                raise UsageError(
                    f"ThemeGraph.fit needs one of {name} per passage: got {len(values)} for {n}."
                )
        if not isinstance(self.k, int) or self.k < 1:
            raise UsageError(f"k must be a positive integer, got {self.k!r}.")
        ids = [p.id if p.id is not None else i for i, p in enumerate(passages)]
        if len(set(ids)) != n:
            raise UsageError("ThemeGraph.fit got passages with duplicate ids; pass each passage once.")
        return vectors

    def _calibrate_edge_thresholds(self, vectors: np.ndarray, regions: Sequence[str]) -> tuple[float, float]:
        """(threshold for any kNN pair, threshold for mutual nearest neighbours)."""
        if self.threshold == "auto":
            cosines = cross_region_cosines(vectors, regions, seed=self.seed)
            if cosines.size == 0:
                return 1.0, 1.0  # one region only: no cross-region edge can exist
            for name, q in (("edge_quantile", self.edge_quantile), ("mutual_quantile", self.mutual_quantile)):
                if not 0.0 < q < 1.0:
                    raise UsageError(f"{name} must be between 0 and 1 (exclusive), got {q}.")
            high, low = np.quantile(cosines, [self.edge_quantile, self.mutual_quantile])
            return float(high), float(min(low, high))
        if isinstance(self.threshold, int | float) and not isinstance(self.threshold, bool):
            return float(self.threshold), float(self.threshold)
        raise UsageError(f"threshold must be a number or 'auto', got {self.threshold!r}.")

    def _add_region_and_theme_nodes(
        self,
        regions: Sequence[str],
        matches: Sequence[ThemeMatch],
        region_levels: Comparison | None,
        theme_labels: Mapping[str, str] | None,
    ) -> None:
        labels = dict(theme_labels or {})
        all_regions = set(regions)
        if region_levels is not None:
            all_regions.update(region_levels.regions)
            for row in region_levels.rows:
                labels.setdefault(row.theme_id, row.label)
        for m in matches:
            labels.setdefault(m.theme_id, m.theme_id)
        for region in sorted(all_regions):
            self.graph_.add_node(region_node(region), type="region", label=region, region=region)
        for theme_id in sorted(labels):
            self.graph_.add_node(
                theme_node(theme_id), type="theme", label=labels[theme_id], theme_id=theme_id
            )

    def _add_passage_nodes(
        self,
        passages: Sequence[Passage],
        regions: Sequence[str],
        documents: Sequence[str] | None,
        roles: Sequence[str] | None,
    ) -> None:
        for i, p in enumerate(passages):
            self.graph_.add_node(
                passage_node(self.passage_ids_[i]),
                type="passage",
                label=_shorten(p.text, 60),
                text=p.text,
                region=regions[i],
                document=documents[i] if documents is not None else str(p.document_id),
                page=int(p.page),
                kind=p.kind,
                role=roles[i] if roles is not None else "",
                section=p.section_path,
                community="",
            )

    def _add_similarity_edges(self, pairs: Sequence[SimilarPair]) -> None:
        for pair in pairs:
            self.graph_.add_edge(
                passage_node(self.passage_ids_[pair.source]),
                passage_node(self.passage_ids_[pair.target]),
                type="similar",
                weight=round(pair.cosine, 6),
                similarity=round(pair.centred, 6),
            )

    def _add_match_edges(self, matches: Sequence[ThemeMatch]) -> None:
        known = set(self.passage_ids_)
        for m in sorted(matches, key=lambda m: (m.passage_id, m.theme_id)):
            if m.passage_id not in known:
                continue  # a match of a passage that is not in the graph (e.g. not a goal or activity)
            u, v = passage_node(m.passage_id), theme_node(m.theme_id)
            if not self.graph_.has_edge(u, v) or self.graph_.edges[u, v]["weight"] < m.score:
                self.graph_.add_edge(u, v, type="match", weight=round(float(m.score), 6), term=m.term)

    def _add_level_edges(self, region_levels: Comparison | None) -> None:
        if region_levels is None:
            return
        for row in region_levels.rows:
            for region, cell in sorted(row.cells.items()):
                if cell.level not in LEVEL_WEIGHTS:
                    continue  # not_found / cannot_assess: no relation to draw
                self.graph_.add_edge(
                    region_node(region),
                    theme_node(row.theme_id),
                    type="level",
                    level=cell.level,
                    weight=LEVEL_WEIGHTS[cell.level],
                    score=round(float(cell.score), 6),
                )

    def _detect_communities(self) -> list[list[int]]:
        """Louvain communities of the passage–passage subgraph, as lists of input positions."""
        similar = nx.Graph()
        similar.add_nodes_from(
            sorted({n for pair in self.similar_pairs_ for n in (pair.source, pair.target)})
        )
        similar.add_weighted_edges_from(
            (pair.source, pair.target, max(pair.centred, 1e-6)) for pair in self.similar_pairs_
        )
        if similar.number_of_edges() == 0:
            return []
        found = nx.community.louvain_communities(
            similar, weight="weight", resolution=self.resolution, seed=self.seed
        )
        communities = [sorted(c) for c in found if len(c) >= self.min_size]
        communities.sort(key=lambda c: (-len(c), c[0]))
        return communities

    def _theme_space(
        self, vectors: np.ndarray, theme_vectors: Mapping[str, np.ndarray] | None
    ) -> tuple[list[str], np.ndarray]:
        """Taxonomy theme ids and their vectors in the passages' comparison space (centred like them)."""
        if not theme_vectors:
            return [], np.zeros((0, vectors.shape[1]), dtype=np.float32)
        ids = sorted(theme_vectors)
        matrix = np.stack([np.asarray(theme_vectors[t], dtype=np.float32) for t in ids])
        if self.center:
            matrix = matrix - vectors.mean(axis=0, keepdims=True)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return ids, matrix

    def _calibrate_theme_thresholds(self) -> dict[str, float]:
        """Per taxonomy theme, the centroid cosine from which a discovered theme is that theme.

        "auto": the ``theme_quantile`` of the cosines of all passages to that theme, so a theme whose
        description is close to everything (a broad one) needs a closer centroid than a specific one.
        """
        if not self.theme_ids_:
            return {}
        if self.theme_threshold == "auto":
            cosines = self.similarity_vectors_ @ self.theme_space_.T
            return dict(
                zip(self.theme_ids_, np.quantile(cosines, self.theme_quantile, axis=0).tolist(), strict=True)
            )
        if isinstance(self.theme_threshold, int | float) and not isinstance(self.theme_threshold, bool):
            return dict.fromkeys(self.theme_ids_, float(self.theme_threshold))
        raise UsageError(f"theme_threshold must be a number or 'auto', got {self.theme_threshold!r}.")

    def _describe_communities(
        self,
        communities: Sequence[Sequence[int]],
        passages: Sequence[Passage],
        regions: Sequence[str],
        lemmas: Sequence[Sequence[str]] | None,
        matches: Sequence[ThemeMatch],
    ) -> list[DiscoveredTheme]:
        terms_of = list(lemmas) if lemmas is not None else [simple_lemmas(p.text) for p in passages]
        kept = [c for c in communities if len({regions[i] for i in c}) >= self.min_regions]
        clustered = {i for c in kept for i in c}
        background = [terms_of[i] for i in range(len(passages)) if i not in clustered]
        labels = class_tfidf([[terms_of[i] for i in c] for c in kept] + [background], top_n=self.n_terms)
        themes_of_passage: dict[int, set[str]] = {}
        for m in matches:
            themes_of_passage.setdefault(m.passage_id, set()).add(m.theme_id)
        vectors = self.similarity_vectors_
        discovered = []
        for number, (members, label) in enumerate(zip(kept, labels, strict=False), start=1):
            centroid = vectors[members].mean(axis=0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
            ids = [self.passage_ids_[i] for i in members]
            order = np.argsort(-(vectors[members] @ centroid), kind="stable")[: self.n_examples]
            theme = DiscoveredTheme(
                id=f"D{number}",
                label=" · ".join(term for term, _ in label) or f"theme {number}",
                terms=[term for term, _ in label],
                passage_ids=ids,
                regions=sorted({regions[i] for i in members}),
                examples=[ids[j] for j in order.tolist()],
            )
            if self.theme_ids_:
                cosines = self.theme_space_ @ centroid
                best = int(np.argmax(cosines))
                theme.closest_theme, theme.closest_cosine = self.theme_ids_[best], float(cosines[best])
            self._match_taxonomy(theme, themes_of_passage)
            theme.candidate = not theme.taxonomy_theme and len(theme.regions) >= self.min_regions
            discovered.append(theme)
        return discovered

    def _match_taxonomy(self, theme: DiscoveredTheme, themes_of_passage: Mapping[int, set[str]]) -> None:
        votes = Counter(t for pid in theme.passage_ids for t in themes_of_passage.get(pid, ()))
        if votes:
            top_theme, top_votes = min(votes.items(), key=lambda tv: (-tv[1], tv[0]))
            if top_votes / theme.size >= self.match_share:
                theme.taxonomy_theme, theme.matched_by = top_theme, "matches"
                return
        if theme.closest_theme and theme.closest_cosine >= self.theme_thresholds_[theme.closest_theme]:
            theme.taxonomy_theme, theme.matched_by = theme.closest_theme, "centroid"

    def _add_discovered_nodes(self, themes: Sequence[DiscoveredTheme], regions: Sequence[str]) -> None:
        region_of = dict(zip(self.passage_ids_, regions, strict=True))
        for theme in themes:
            node = discovered_node(theme.id)
            self.graph_.add_node(
                node,
                type="discovered",
                label=theme.label,
                theme_id=theme.id,
                taxonomy_theme=theme.taxonomy_theme,
                candidate=theme.candidate,
                size=theme.size,
                regions="; ".join(theme.regions),
            )
            for pid in theme.passage_ids:
                self.graph_.nodes[passage_node(pid)]["community"] = theme.id
                self.graph_.add_edge(passage_node(pid), node, type="member", weight=1.0)
            for region, count in sorted(Counter(region_of[pid] for pid in theme.passage_ids).items()):
                self.graph_.add_edge(
                    region_node(region), node, type="region_share", weight=count / theme.size
                )

    def _graph_attributes(self) -> dict[str, object]:
        params = {
            k: getattr(self, k)
            for k in (
                "k",
                "threshold",
                "edge_quantile",
                "center",
                "resolution",
                "min_size",
                "min_regions",
                "seed",
            )
        }
        return {
            "threshold": round(self.threshold_, 6),
            "mutual_threshold": round(self.mutual_threshold_, 6),
            "theme_thresholds": json.dumps({t: round(v, 6) for t, v in self.theme_thresholds_.items()}),
            "parameters": json.dumps(params, sort_keys=True),
        }


def cross_region_cosine_summary(
    vectors: np.ndarray, regions: Sequence[str], *, center: bool = True
) -> dict[str, float]:
    """Quantiles of cross-region cosines: what the calibrated threshold is read from (for reports)."""
    cosines = cross_region_cosines(centre(vectors) if center else vectors, regions)
    if cosines.size == 0:
        return {}
    qs = (0.5, 0.9, 0.95, 0.99, 0.999)
    return {f"q{q:g}": float(v) for q, v in zip(qs, np.quantile(cosines, qs), strict=True)}


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
