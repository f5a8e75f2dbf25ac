"""Semantic similarity through `planmine.embed`: passages ↔ themes, questions ↔ themes.

Passages are embedded with the passage prompt through `CachedEmbedder`, so their vectors come from the
store's vector cache (ingest fills it; missing ones are computed and cached once). Questions and theme
definitions are embedded with the query prompt; the definitions' vectors are cached in the store too
(embedding them in a fresh process takes seconds). Rows have unit length, so a dot product is the cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.embed import Embedder  # light: the backend (torch) is imported when a model loads
from planmine.themes.taxonomy import Taxonomy, Theme

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder


def configured_embedder(**options: Any) -> Embedder:
    """The configured model behind a stand-in that loads it on first use.

    A command whose vectors are all in the store's cache (`planmine compare` after ingest) then never
    pays the seconds of loading the model; the model's name and dimension come from its folder.
    """
    from planmine.embed import model_info

    info = model_info()
    if not info.built or not info.dimension:
        from planmine.embed import load_embedder

        return load_embedder(**options)  # raises the ModelError that says how to install it
    return _LazyEmbedder(info.name, int(info.dimension), options)


class _LazyEmbedder(Embedder):
    """`load_embedder(**options)`, called only when a text has to be embedded."""

    def __init__(self, name: str, dim: int, options: dict[str, Any]) -> None:
        self.name = name
        self.dim = dim
        self.options = options

    def _model(self) -> Embedder:
        from planmine.embed import load_embedder

        return load_embedder(**self.options)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_queries(texts)


def cache_theme_vectors(store: Any, embedder: Embedder, taxonomy: Taxonomy | None = None) -> None:
    """Embed the taxonomy's definitions into the store's vector cache (ingest does, after the passages),
    so that the first `planmine query` or `compare` after ingest finds every vector it needs."""
    from planmine.themes.taxonomy import load_taxonomy

    ThemeVectors(taxonomy or load_taxonomy(), cached(embedder, store))


def cached(embedder: Embedder, store: Any) -> CachedEmbedder:
    """The embedder with the store's vector cache in front of it (unchanged when it already has one)."""
    from planmine.embed import CachedEmbedder

    if isinstance(embedder, CachedEmbedder) and embedder.store is store:
        return embedder
    return CachedEmbedder(embedder, store)


def phrasings(theme: Theme) -> list[str]:
    """How a theme is defined, in Swedish and English, with and without its label: the texts embedded.

    Definitions only: short labels ("Äldre", "Kost") lie close to many unrelated questions, while the
    definitions separate the themes (measured in benchmarks/eval_themes.py).
    """
    texts = [*theme.describe(), theme.definition, theme.definition_en]
    return list(dict.fromkeys(t for t in texts if t.strip()))


class ThemeVectors:
    """Embedded definitions of every theme (query prompt): one centroid per theme and all its phrasings."""

    def __init__(self, taxonomy: Taxonomy, embedder: CachedEmbedder) -> None:
        self.ids = taxonomy.ids()
        texts: list[str] = []
        owner: list[int] = []
        for i, theme in enumerate(taxonomy):
            for text in phrasings(theme):
                texts.append(text)
                owner.append(i)
        vecs = embedder.embed_stored_queries(texts)
        self.phrasings = vecs
        self.owner = np.asarray(owner)
        cents = np.vstack([vecs[self.owner == i].mean(axis=0) for i in range(len(self.ids))])
        self.centroids = cents / np.linalg.norm(cents, axis=1, keepdims=True)

    def query_scores(self, qvec: np.ndarray) -> np.ndarray:
        """For one question vector: per theme the best cosine over its phrasings."""
        sims = self.phrasings @ qvec
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        return best


class QuestionSimilarity:
    """One question's cosine and z (against its own background over the store) for passages by id."""

    def __init__(
        self,
        ids: np.ndarray,
        cos: np.ndarray,
        z: np.ndarray,
        *,
        qvec: np.ndarray | None = None,
        background: tuple[float, float] = (0.0, 1.0),
        vectors: Any = None,
    ) -> None:
        self.ids, self.cos, self.z = ids, cos, z
        self._row = {int(pid): k for k, pid in enumerate(ids.tolist())}
        self._qvec, self._background, self._vectors = qvec, background, vectors
        self._more: dict[int, tuple[float, float]] = {}

    def scores(self, pids: Sequence[int]) -> dict[int, tuple[float, float]]:
        """(cosine, z) per passage id; passages outside the searched set are scored from their stored
        vectors (none stored: 0, 0)."""
        missing = [p for p in pids if p not in self._row and p not in self._more]
        if missing and self._vectors is not None and self._qvec is not None:
            mu, sd = self._background
            for found, vecs in self._vectors(np.asarray(missing, dtype=np.int64)):
                cos = vecs @ self._qvec
                for pid, c in zip(found.tolist(), cos.tolist(), strict=True):
                    self._more[int(pid)] = (float(c), float((c - mu) / sd))
        out: dict[int, tuple[float, float]] = {}
        for p in pids:
            if p in self._row:
                k = self._row[p]
                out[p] = (float(self.cos[k]), float(self.z[k]))
            else:
                out[p] = self._more.get(p, (0.0, 0.0))
        return out

    def above(self, z_min: float) -> list[int]:
        """Ids of the searched passages at least `z_min` above the background."""
        return [int(self.ids[k]) for k in np.nonzero(self.z >= z_min)[0].tolist()]


class SemanticSearch:
    """Question → passage similarity for free questions: exact with every passage vector in a small store
    (background: all of them), else the persistent ANN index's nearest neighbours, with the background a
    fixed, seeded random sample of the store's vectors, so no pass over every vector is made.
    The switch is `DecisionConfig.dense_max_passages`."""

    SEED = 0

    def __init__(self, index: Any) -> None:
        self.index = index
        t = index.thresholds
        self.exact = index.passage_count <= t.dense_max_passages
        self._ann: Any = None
        self._sample: np.ndarray | None = None

    def similarity(self, qvec: np.ndarray) -> QuestionSimilarity | None:
        if self.exact:
            vecs = self.index.vectors()
            if vecs is None or not len(vecs):
                return None
            cos = vecs @ qvec
            z = (cos - cos.mean()) / (cos.std() + 1e-6)
            ids = np.asarray([it.passage.id for it in self.index.items], dtype=np.int64)
            return QuestionSimilarity(ids, cos, z)
        ann, sample = self._prepare()
        if not len(ann):
            return None
        background = sample @ qvec
        mu, sd = float(background.mean()), float(background.std() + 1e-6)
        ids, cos = ann.search(qvec, self.index.thresholds.free_semantic_neighbours)
        keep = ids[0] >= 0
        ids, cos = ids[0][keep], cos[0][keep].astype(np.float32)
        return QuestionSimilarity(
            ids,
            cos,
            (cos - mu) / sd,
            qvec=qvec,
            background=(mu, sd),
            vectors=lambda pids: self.index.store.passage_vectors(ann.model, pids),
        )

    def _prepare(self) -> tuple[Any, np.ndarray]:
        """The ANN index (brought up to date) and the background sample's vectors, once per process."""
        if self._ann is None:
            from planmine.vector_index import passage_index

            self._ann = passage_index(self.index.store)
            ids = self._ann.ids
            n = min(len(ids), self.index.thresholds.free_background_sample)
            rng = np.random.default_rng(self.SEED)
            take = np.sort(ids[rng.choice(len(ids), size=n, replace=False)]) if n else ids[:0]
            vectors = self._ann.index.get(take) if n else ()  # from the index's own (memory-mapped) copy
            self._sample = (
                np.vstack(vectors).astype(np.float32) if n else np.zeros((0, self._ann.dim), dtype=np.float32)
            )
        assert self._sample is not None
        return self._ann, self._sample
