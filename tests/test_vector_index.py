"""The persistent vector index beside the store: built once, updated incrementally, never stale."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from planmine.embed.cache import CachedEmbedder
from planmine.store import Store
from planmine.vector_index import INDEX_CONFIG, index_folder, nearest_passages, passage_index
from scale_fixtures import HashEmbedder, add_document, synthetic_store


def embed_all(store: Store, embedder: HashEmbedder | None = None) -> CachedEmbedder:
    cached = CachedEmbedder(embedder or HashEmbedder(), store)
    cached.embed_passages([p.text for p in store.passages()])
    return cached


def vector_of(store: Store, passage_id: int) -> np.ndarray:
    text = next(p.text for p in store.passages() if p.id == passage_id)
    return HashEmbedder().embed_passages([text])[0]


@pytest.fixture
def store(tmp_path: Path):
    db = synthetic_store(tmp_path / "planmine.db", documents=8, passages=6)
    embed_all(db)
    yield db
    db.close()


def manifest(store: Store) -> dict:
    return json.loads((index_folder(store.path) / "hash-test.json").read_text())


def test_the_index_is_built_once_and_finds_each_passage_first(store):
    index = passage_index(store)
    assert index.update.rebuilt and index.update.added == 48 and len(index) == 48
    target = store.passages()[17].id
    assert target is not None
    ids, sims = index.search(vector_of(store, target), 3)
    assert ids[0, 0] == target and sims[0, 0] == pytest.approx(1.0, abs=1e-4)
    written = manifest(store)["index_file"]
    again = passage_index(store)  # nothing changed: read as it is, nothing rewritten
    assert not again.update.rebuilt and again.update.added == again.update.removed == 0
    assert again.index.expansion_search == INDEX_CONFIG.expansion_search  # not the library's default
    assert manifest(store)["index_file"] == written
    store.put_vectors("hash-test#query", {"q": np.ones(4, dtype=np.float32)})  # a write that moves no passage
    assert store.generation() != manifest(store)["generation"]
    synced = passage_index(store)
    assert (synced.update.added, synced.update.removed, len(synced)) == (0, 0, 48)
    assert manifest(store)["index_file"] == written and manifest(store)["generation"] == store.generation()
    assert nearest_passages(store, vector_of(store, target)[None], 1) == [
        [(target, pytest.approx(1.0, abs=1e-4))]
    ]


def test_new_and_removed_documents_update_the_index_incrementally(store):
    passage_index(store)
    new_id = add_document(store, 100, 5)
    embed_all(store)
    index = passage_index(store)
    assert not index.update.rebuilt and (index.update.added, index.update.removed) == (5, 0)
    new_passage = store.passages(document_id=new_id)[2].id
    assert index.search(vector_of(store, new_passage), 1)[0][0, 0] == new_passage
    gone = store.passages(document_id=1)
    store.delete_document(1)
    index = passage_index(store)
    assert (index.update.added, index.update.removed) == (0, len(gone))
    ids, _ = index.search(np.stack([HashEmbedder().embed_passages([p.text])[0] for p in gone]), 5)
    assert not set(ids.ravel().tolist()) & {p.id for p in gone}
    assert len(index) == 48 + 5 - len(gone)


def test_a_reused_passage_id_with_new_text_is_not_served_stale(store):
    """SQLite reuses the highest rowids: a replaced last document's passages get the old ids back."""
    passage_index(store)
    last = max(d.id for d in store.documents())
    old = store.passages(document_id=last)
    store.delete_document(last)
    add_document(store, 200, len(old), seed=9)
    embed_all(store)
    index = passage_index(store)
    reused = {p.id for p in store.passages()} & {p.id for p in old}
    assert reused, "the test needs SQLite to reuse the ids"
    assert index.update.removed >= len(reused)
    _, sims = index.search(HashEmbedder().embed_passages([old[0].text]), 1)
    assert sims[0, 0] < 0.99  # the old text's vector is gone from the index


def test_passages_without_vectors_are_counted_and_added_once_embedded(tmp_path):
    db = synthetic_store(tmp_path / "p.db", documents=3, passages=4)
    embedder = CachedEmbedder(HashEmbedder(), db)
    embedder.embed_passages([p.text for p in db.passages()[:5]])
    index = passage_index(db)
    assert (len(index), index.update.unembedded) == (5, 7)
    embed_all(db)
    index = passage_index(db)
    assert (len(index), index.update.unembedded, index.update.added) == (12, 0, 7)
    db.close()


def test_an_unreadable_or_half_written_index_is_rebuilt(store):
    passage_index(store)
    data = index_folder(store.path) / manifest(store)["index_file"]
    data.write_bytes(data.read_bytes()[:100])  # a truncated file
    index = passage_index(store)
    assert index.update.rebuilt and len(index) == 48
    (index_folder(store.path) / "hash-test.json").write_text("{not json")
    assert passage_index(store).update.rebuilt


def test_another_model_or_another_store_at_the_same_path_gets_its_own_index(tmp_path):
    db = synthetic_store(tmp_path / "m.db", documents=2, passages=3)
    embed_all(db)
    embed_all(db, HashEmbedder(name="other-model", dim=16))
    assert passage_index(db, "other-model").dim == 16 and passage_index(db, "hash-test").dim == 32
    db.close()
    (tmp_path / "m.db").unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp_path / 'm.db'}{suffix}").unlink(missing_ok=True)
    db = synthetic_store(tmp_path / "m.db", documents=2, passages=3, seed=5)
    embed_all(db)
    index = passage_index(db, "hash-test")
    assert index.update.rebuilt  # a new store file: the old index is not trusted
    first = db.passages()[0]
    assert index.search(vector_of(db, first.id), 1)[0][0, 0] == first.id
    db.close()


def test_a_large_graph_takes_its_neighbours_from_the_stores_index(store, monkeypatch):
    from dataclasses import replace

    from planmine.graph import similarity
    from planmine.graph.inputs import graph_inputs

    embedder = CachedEmbedder(HashEmbedder(), store)
    assert graph_inputs(store, embedder).neighbour_index is None  # small: the exact search needs none
    monkeypatch.setattr(similarity, "NEIGHBOURS", replace(similarity.NEIGHBOURS, ann_min_nodes=1))
    inputs = graph_inputs(store, embedder)
    assert inputs.neighbour_index is not None and len(inputs.neighbour_index) == 48
    assert {p.id for p in inputs.passages} <= set(inputs.neighbour_index.ids.tolist())
