"""Semantic similarity through `planmine.embed`: passages ↔ themes, questions ↔ themes.

Passages and theme descriptions are embedded with the passage prompt through `CachedEmbedder`, so their
vectors live in the store's vector cache (ingest fills it for passages; theme descriptions are embedded
once, on first use). Questions are embedded with the query prompt. Rows have unit length, so a dot
product is the cosine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.themes.taxonomy import Taxonomy, Theme

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder, Embedder


def cached(embedder: Embedder, store: Any) -> CachedEmbedder:
    """The embedder with the store's vector cache in front of it (unchanged when it already has one)."""
    from planmine.embed import CachedEmbedder

    if isinstance(embedder, CachedEmbedder) and embedder.store is store:
        return embedder
    return CachedEmbedder(embedder, store)


def phrasings(theme: Theme) -> list[str]:
    """What a theme is called and how it is defined, in Swedish and English: the texts that are embedded."""
    texts = [
        *theme.describe(),
        theme.label_sv,
        theme.label_en,
        *theme.alt_labels_en,
        *theme.alt_labels[:6],
    ]
    return list(dict.fromkeys(t for t in texts if t.strip()))


class ThemeVectors:
    """Embedded descriptions of every theme: one centroid per theme (its two definitions) and all phrasings."""

    def __init__(self, taxonomy: Taxonomy, embedder: CachedEmbedder) -> None:
        self.ids = taxonomy.ids()
        texts: list[str] = []
        owner: list[int] = []
        for i, theme in enumerate(taxonomy):
            for text in phrasings(theme):
                texts.append(text)
                owner.append(i)
        vecs = embedder.embed_passages(texts)
        self.phrasings = vecs
        self.owner = np.asarray(owner)
        first = [owner.index(i) for i in range(len(self.ids))]
        cents = np.vstack([vecs[k : k + 2].mean(axis=0) for k in first])
        self.centroids = cents / np.linalg.norm(cents, axis=1, keepdims=True)

    def query_scores(self, qvec: np.ndarray) -> np.ndarray:
        """For one question vector: per theme the best cosine over its phrasings."""
        sims = self.phrasings @ qvec
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        return best
