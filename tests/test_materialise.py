"""Theme evidence computed at ingest and read from the store answers as matching every passage in memory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from planmine.embed import Embedder
from planmine.store import Store
from planmine.themes.decision import decide
from planmine.themes.index import ThemeIndex
from planmine.themes.materialise import EvidenceBuilder, fingerprint
from planmine.themes.taxonomy import load_taxonomy

pytestmark = pytest.mark.slow  # the seed store is ingested with the embedding model


def _copy(store: Store, path: Path) -> Store:
    target = sqlite3.connect(path)
    try:
        store.conn.backup(target)
    finally:
        target.close()
    return Store(path)


@pytest.fixture
def store_copy(seed_store: Store, tmp_path: Path) -> Iterator[Store]:
    with _copy(seed_store, tmp_path / "copy.db") as copy:
        yield copy


def _answers(index: ThemeIndex) -> dict[tuple[str, str], tuple]:
    """Per theme and region: the level, score, reason, and each quote with its match and explanation."""
    out = {}
    for theme in index.taxonomy.ids():
        evidence = index.theme_evidence(theme)
        for region in index.regions:
            cell = decide(region, evidence.get(region, []), index.quality[region], index.thresholds)
            quotes = [(e.document, e.page, e.text, tuple(e.match), e.why, e.score) for e in cell.evidence]
            out[theme, region] = (cell.level, cell.score, cell.reason, quotes)
    return out


def _features(index: ThemeIndex) -> dict[str, list[dict]]:
    return {
        theme: [
            vars(e) | {"weight": 0.0} for r in index.regions for e in index.theme_evidence(theme).get(r, [])
        ]
        for theme in index.taxonomy.ids()
    }


@pytest.mark.parametrize("with_model", [True, False], ids=["model", "no-model"])
def test_stored_evidence_answers_as_matching_in_memory(
    seed_store: Store, embedder: Embedder, with_model: bool
) -> None:
    model = embedder if with_model else None
    stored = ThemeIndex(seed_store, model)
    memory = ThemeIndex(seed_store, model, materialised=False)
    assert stored.stored is not None and memory.stored is None
    assert stored._items is None  # compare's evidence needs no passage in memory
    assert _answers(stored) == _answers(memory)
    assert _features(stored) == _features(memory)  # every feature, to the last bit
    assert stored._items is None
    levels = {cell[0] for cell in _answers(stored).values()}
    assert {"addressed", "mentioned", "not_found"} <= levels  # the comparison is not trivially equal


def test_ingest_stores_the_evidence_so_the_first_read_computes_nothing(
    seed_store: Store, embedder: Embedder
) -> None:
    key = fingerprint(load_taxonomy())
    assert seed_store.stale_evidence(key, embedder.name) == []
    rows = seed_store.conn.execute(
        "SELECT COUNT(*), COUNT(relevance), SUM(term = '') FROM theme_evidence"
    ).fetchone()
    assert rows[0] > 500 and rows[1] == rows[0]  # every candidate has its relevance
    assert rows[2] >= 1  # and some are close in meaning without a term


def test_an_older_store_gets_its_table_on_first_open(store_copy: Store, embedder: Embedder) -> None:
    expected = _answers(ThemeIndex(store_copy, embedder, materialised=False))
    store_copy.conn.execute("DROP TABLE theme_evidence")
    store_copy.conn.execute("DROP TABLE theme_evidence_documents")
    path = store_copy.path
    store_copy.close()
    with Store(path) as older:  # opening creates the (empty) tables: no answer may come from them
        assert older.conn.execute("SELECT COUNT(*) FROM theme_evidence").fetchone()[0] == 0
        key = fingerprint(load_taxonomy())
        assert len(older.stale_evidence(key, embedder.name)) == len(older.documents())
        index = ThemeIndex(older, embedder)
        assert older.stale_evidence(key, embedder.name) == []
        assert _answers(index) == expected


def test_a_changed_genre_or_model_rebuilds_that_documents_rows(store_copy: Store, embedder: Embedder) -> None:
    key = fingerprint(load_taxonomy())
    doc = store_copy.documents()[0]
    store_copy.conn.execute("UPDATE documents SET genre = 'procurement' WHERE id = ?", (doc.id,))
    assert store_copy.stale_evidence(key, embedder.name) == [doc.id]
    assert store_copy.stale_evidence(key, "another-model") == sorted(d.id for d in store_copy.documents())
    memory = _answers(ThemeIndex(store_copy, embedder, materialised=False))
    assert _answers(ThemeIndex(store_copy, embedder)) == memory
    assert store_copy.stale_evidence(key, embedder.name) == []


def test_deleting_or_retagging_a_document_removes_its_rows(store_copy: Store) -> None:
    first, second = store_copy.documents()[:2]
    count = "SELECT COUNT(*) FROM theme_evidence WHERE document_id = ?"
    assert store_copy.conn.execute(count, (first.id,)).fetchone()[0] > 0
    store_copy.delete_document(first.id)
    assert store_copy.conn.execute(count, (first.id,)).fetchone()[0] == 0
    passages = store_copy.passages(document_id=second.id)
    store_copy.replace_analysis(second.id, passages, [])
    assert store_copy.conn.execute(count, (second.id,)).fetchone()[0] == 0
    assert second.id in store_copy.stale_evidence(fingerprint(load_taxonomy()), None)


def test_a_pinned_reader_with_missing_rows_matches_in_memory(store_copy: Store, embedder: Embedder) -> None:
    store_copy.conn.execute("DELETE FROM theme_evidence_documents")
    store_copy.conn.execute("BEGIN")  # a web snapshot's read transaction: it must not write
    try:
        index = ThemeIndex(store_copy, embedder)
        assert index.stored is None
        assert index.theme_evidence("sip")  # answered from the passages
    finally:
        store_copy.conn.execute("ROLLBACK")


def test_document_rows_depend_on_the_document_alone(seed_store: Store, embedder: Embedder) -> None:
    """The rows a document gets at ingest equal those computed for it again inside the full store."""
    from planmine.themes.semantic import cached

    builder = EvidenceBuilder(load_taxonomy(), cached(embedder, seed_store))
    doc = seed_store.documents()[0]
    passages = seed_store.passages(document_id=doc.id)
    by_id = {p.id: p.index for p in passages}
    from planmine.types import Tag

    tags = [
        Tag(
            kind=t.kind,
            text=t.text,
            start=0,
            end=len(t.text),
            passage_index=by_id[t.passage_id],
            commitment=t.commitment,
        )
        for t in seed_store.tags(document_id=doc.id)
    ]
    rows = builder.document_evidence(passages, tags, doc.meta.genre).rows
    stored = seed_store.conn.execute(
        "SELECT theme, seq, term, quote_start, quote_end, role, relevance FROM theme_evidence "
        "WHERE document_id = ? ORDER BY rowid",
        (doc.id,),
    ).fetchall()
    assert [tuple(r) for r in stored] == [
        (r.theme, r.seq, r.term, r.quote_start, r.quote_end, r.role, r.relevance) for r in rows
    ]


def test_decided_cells_are_kept_and_only_a_changed_region_is_decided_again(
    store_copy: Store, embedder: Embedder
) -> None:
    from planmine.compare import compare
    from planmine.themes.index import get_index

    first = compare(store_copy, embedder)  # ingest decided these cells: this reads them
    cells = store_copy.conn.execute("SELECT COUNT(*) FROM theme_cells").fetchone()[0]
    assert cells >= len(first.rows) * len(first.regions)
    fresh = ThemeIndex(store_copy, embedder)
    for row in first.rows:  # each kept cell is what deciding the stored evidence gives now
        evidence = fresh.theme_evidence(row.theme_id)
        for region in first.regions:
            cell = decide(region, evidence.get(region, []), fresh.quality[region], fresh.thresholds)
            kept = row.cells[region]
            assert (cell.level, cell.score, cell.reason) == (kept.level, kept.score, kept.reason)
            assert [(e.text, e.why, e.match) for e in cell.evidence] == [
                (e.text, e.why, e.match) for e in kept.evidence
            ]
    before = get_index(store_copy, embedder).cell_keys(None, fresh.quality, 5)
    doc = store_copy.documents()[0]
    builder = EvidenceBuilder(load_taxonomy(), fresh.embedder)
    from planmine.themes.materialise import rebuild

    rebuild(store_copy, builder, [doc.id])  # the same rows written again: a new stamp
    after = ThemeIndex(store_copy, embedder).cell_keys(None, fresh.quality, 5)
    changed = {r for r in before if before[r] != after[r]}
    assert changed == {doc.region}
    again = compare(store_copy, embedder)
    assert [[c.level for c in r.cells.values()] for r in again.rows] == [
        [c.level for c in r.cells.values()] for r in first.rows
    ]


def test_compare_beside_another_writer_does_not_wait_for_its_lock(
    store_copy: Store, embedder: Embedder
) -> None:
    import time

    from planmine.compare import compare

    store_copy.conn.execute("DELETE FROM theme_cells")
    other = sqlite3.connect(store_copy.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # an ingest holding the write lock
    try:
        started = time.perf_counter()
        table = compare(store_copy, embedder, ["sip", "fallprevention"])
        assert time.perf_counter() - started < 10  # not 2 × 30 s waiting for the lock
        assert table.rows[1].cells["Region Kalmar län"].level == "addressed"
        assert store_copy.conn.execute("SELECT COUNT(*) FROM theme_cells").fetchone()[0] == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
