"""CachedEmbedder: vectors come from the store by (model, text hash); a second call computes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pytest

from planmine.embed import CachedEmbedder, Embedder, l2_normalise
from planmine.types import text_hash


class CountingEmbedder(Embedder):
    """Deterministic vectors from the text's bytes; counts the texts it is asked to embed."""

    def __init__(self, name: str = "toy", dim: int = 8) -> None:
        self.name = name
        self.dim = dim
        self.passages_seen: list[str] = []
        self.queries_seen: list[str] = []

    def _vectors(self, texts: Sequence[str], salt: int) -> np.ndarray:
        rows = []
        for t in texts:
            rng = np.random.default_rng(int(text_hash(t)[:8], 16) + salt)
            rows.append(rng.normal(size=self.dim))
        return l2_normalise(np.array(rows).reshape(len(texts), self.dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_seen.extend(texts)
        return self._vectors(texts, 0)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries_seen.extend(texts)
        return self._vectors(texts, 1)


class FakeStore:
    """The two vector methods of planmine.store.Store, in memory."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], np.ndarray] = {}
        self.lookups = 0

    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        self.lookups += 1
        return {h: self.rows[(model, h)].copy() for h in hashes if (model, h) in self.rows}

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        for h, v in vectors.items():
            self.rows[(model, h)] = np.asarray(v, dtype=np.float32).copy()


TEXTS = ["Fast vårdkontakt", "Samordnad individuell plan", "Fast vårdkontakt", "Hälsofrämjande arbete"]


def test_second_call_computes_nothing() -> None:
    store, inner = FakeStore(), CountingEmbedder()
    first = CachedEmbedder(inner, store).embed_passages(TEXTS)
    assert inner.passages_seen == ["Fast vårdkontakt", "Samordnad individuell plan", "Hälsofrämjande arbete"]
    inner.passages_seen.clear()
    cached = CachedEmbedder(inner, store)
    second = cached.embed_passages(TEXTS)
    assert inner.passages_seen == [] and cached.computed == 0
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[2])
    assert first.shape == (4, 8) and first.dtype == np.float32


def test_only_new_texts_are_computed_and_order_is_kept() -> None:
    store, inner = FakeStore(), CountingEmbedder()
    cached = CachedEmbedder(inner, store)
    cached.embed_passages(TEXTS[:2])
    inner.passages_seen.clear()
    out = cached.embed_passages(["Ny text", *TEXTS])
    assert inner.passages_seen == ["Ny text", "Hälsofrämjande arbete"]
    np.testing.assert_allclose(out, inner._vectors(["Ny text", *TEXTS], 0), atol=1e-7)
    assert set(store.rows) == {("toy", text_hash(t)) for t in ["Ny text", *TEXTS]}


def test_models_never_share_vectors() -> None:
    store = FakeStore()
    CachedEmbedder(CountingEmbedder("model-a"), store).embed_passages(TEXTS)
    other = CountingEmbedder("model-b")
    CachedEmbedder(other, store).embed_passages(TEXTS)
    assert len(other.passages_seen) == 3
    assert {m for m, _ in store.rows} == {"model-a", "model-b"}


def test_model_name_recorded_in_store_meta() -> None:
    class MetaStore(FakeStore):
        def __init__(self) -> None:
            super().__init__()
            self.meta: dict[str, str] = {}

        def set_meta(self, key: str, value: str) -> None:
            self.meta[key] = value

    store = MetaStore()
    CachedEmbedder(CountingEmbedder("e5-test"), store).embed_passages(["x"])
    assert store.meta["embedding_model"] == "e5-test"


def test_queries_are_not_stored_but_computed_once() -> None:
    store, inner = FakeStore(), CountingEmbedder()
    cached = CachedEmbedder(inner, store)
    a = cached.embed_queries(["fallprevention", "fallprevention"])
    b = cached.embed_queries(["fallprevention"])
    assert inner.queries_seen == ["fallprevention"] and store.rows == {}
    np.testing.assert_array_equal(a[0], b[0])
    assert cached.embed_queries([]).shape == (0, 8)


def test_empty_input_touches_nothing() -> None:
    store, inner = FakeStore(), CountingEmbedder()
    out = CachedEmbedder(inner, store).embed_passages([])
    assert out.shape == (0, 8) and store.lookups == 0


def test_wrong_dimension_in_store_is_an_error() -> None:
    store = FakeStore()
    store.put_vectors("toy", {text_hash("a"): np.ones(3, dtype=np.float32)})
    with pytest.raises(ValueError, match="dimension"):
        CachedEmbedder(CountingEmbedder(), store).embed_passages(["a"])


def test_with_the_real_store_across_sessions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from planmine.store import Store

    path = tmp_path / "planmine.db"
    with Store(path) as store:
        inner = CountingEmbedder("e5-store-test")
        first = CachedEmbedder(inner, store).embed_passages(TEXTS)
        assert len(inner.passages_seen) == 3
    with Store(path) as store:
        inner = CountingEmbedder("e5-store-test")
        cached = CachedEmbedder(inner, store)
        again = cached.embed_passages(TEXTS)
        assert inner.passages_seen == [] and cached.computed == 0
        assert store.get_meta("embedding_model") == "e5-store-test"
    np.testing.assert_array_equal(first, again)
