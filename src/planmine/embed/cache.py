"""Vectors cached in the store by (model name, text hash), so re-ingest and re-runs recompute nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np

from planmine.embed.base import Embedder
from planmine.types import text_hash

EMBEDDING_MODEL_KEY = "embedding_model"
QUERY_SUFFIX = "#query"  # stored query-prompt vectors live under "<model>#query"


class VectorStore(Protocol):
    """The two store methods the cache needs (planmine.store.Store has them)."""

    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]: ...

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None: ...


class MemoryVectors:
    """A `VectorStore` in this process's memory: one task's vectors, computed once however often asked."""

    def __init__(self) -> None:
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        return {h: self._vectors[model, h] for h in hashes if (model, h) in self._vectors}

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self._vectors.update(((model, h), v) for h, v in vectors.items())


class CachedEmbedder(Embedder):
    """Wraps an embedder: passage vectors come from the store when known and are stored when computed.

    Query vectors are not stored (they are few and use another prompt); they are kept in memory for the
    life of this object. ``computed`` counts the passages actually sent to the model.
    """

    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store
        self.name = embedder.name
        self.dim = embedder.dim
        self.computed = 0
        self._queries: dict[str, np.ndarray] = {}
        self._recorded = False

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        hashes = [text_hash(t) for t in texts]
        known = dict(self.store.vectors(self.name, sorted(set(hashes))))
        missing = _missing(hashes, texts, known)
        if missing:
            known.update(self.keep(missing, self.embedder.embed_passages(list(missing.values()))))
        out = np.stack([np.asarray(known[h], dtype=np.float32) for h in hashes])
        if out.shape[1] != self.dim:
            raise ValueError(
                f"cached vectors for {self.name!r} have dimension {out.shape[1]}, expected {self.dim}"
            )
        return out

    def missing(self, texts: Sequence[str]) -> dict[str, str]:
        """The passages not cached yet, by text hash, in first-seen order: what `embed_passages` would compute."""
        hashes = [text_hash(t) for t in texts]
        return _missing(hashes, texts, self.store.vectors(self.name, sorted(set(hashes))))

    def keep(self, missing: dict[str, str], fresh: np.ndarray) -> dict[str, np.ndarray]:
        """Cache vectors computed (elsewhere, e.g. on another thread) for `missing`, in its order."""
        self._record_model()
        new = {h: fresh[i] for i, h in enumerate(missing)}
        self.store.put_vectors(self.name, new)
        self.computed += len(missing)
        return new

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if todo:
            for t, v in zip(todo, self.embedder.embed_queries(todo), strict=True):
                self._queries[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._queries[t] for t in texts])

    def embed_stored_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query-prompt vectors of fixed texts (theme definitions), cached in the store like passages.

        Questions go through `embed_queries` (kept in memory only); texts asked for again and again by
        every process, such as a taxonomy's definitions, are worth keeping under "<model>#query".
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.name + QUERY_SUFFIX
        hashes = [text_hash(t) for t in texts]
        known = dict(self.store.vectors(model, sorted(set(hashes))))
        missing: dict[str, str] = {}
        for h, t in zip(hashes, texts, strict=True):
            if h not in known:
                missing.setdefault(h, t)
        if missing:
            fresh = self.embedder.embed_queries(list(missing.values()))
            new = {h: fresh[i] for i, h in enumerate(missing)}
            self.store.put_vectors(model, new)
            known.update(new)
        return np.stack([np.asarray(known[h], dtype=np.float32) for h in hashes])

    def _record_model(self) -> None:
        """Note in the store which model its vectors come from (stores without metadata are skipped)."""
        if self._recorded:
            return
        set_meta = getattr(self.store, "set_meta", None)
        if callable(set_meta):
            set_meta(EMBEDDING_MODEL_KEY, self.name)
        self._recorded = True


def _missing(hashes: Sequence[str], texts: Sequence[str], known: Mapping[str, object]) -> dict[str, str]:
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in known:
            missing.setdefault(h, t)
    return missing
