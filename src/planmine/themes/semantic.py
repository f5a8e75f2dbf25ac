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
