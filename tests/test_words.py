"""The persistent word index (planmine.words) and the free-text path over it (themes.concept).

The reference for every lookup is the in-memory index the free path used before: `ThemeIndex.token_passages`
over every loaded passage, scanned word by word.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.scale_fixtures import HashEmbedder, add_document, synthetic_store

from planmine.store import Store
from planmine.themes.concept import MIN_QUALITY, concept_evidence, term_passages, word_matches
from planmine.themes.evidence import DEFAULT_CONFIG, ConceptTerm
from planmine.themes.index import ThemeIndex
from planmine.themes.matcher import match_part
from planmine.themes.text import fold
from planmine.words import WORD_INDEX_KEY

PROBES = ["vard", "aldre", "samverkan", "hemsjukvard", "primarvard", "psykisk", "barn", "digital",
          "lakemedel", "kommun", "patient", "fallprevention", "sjukdom", "ab"]  # fmt: skip


def _stored_postings(store: Store) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for token, pid in store.conn.execute(
        "SELECT w.token, p.passage_id FROM words w JOIN word_passages p ON p.word_id = w.id"
    ):
        out.setdefault(token, set()).add(pid)
    return out


def _reference_postings(store: Store) -> dict[str, set[int]]:
    """Token → passage ids from every passage loaded in memory (the lookup the free path replaced)."""
    index = ThemeIndex(store)
    ids = [int(it.passage.id or 0) for it in index.items]
    return {tok: {ids[i] for i in rows} for tok, rows in index.token_passages().items()}


def _reference_matches(index: ThemeIndex, word: str) -> set[str]:
    """`word_matches` as it was: a scan of the in-memory vocabulary."""
    vocab = index.token_passages()
    found = {word} if word in vocab else set()
    long = len(word) >= 7
    for tok in vocab:
        if tok[:3] != word[:3] and not (long and word in tok):
            continue
        if match_part(tok, word, True, long) >= MIN_QUALITY:
            found.add(tok)
    return found


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return synthetic_store(tmp_path / "words.db", documents=6, passages=12)


def test_the_word_index_holds_every_word_of_every_passage(store: Store) -> None:
    assert _stored_postings(store) == _reference_postings(store)
    assert store.get_meta(WORD_INDEX_KEY) == "1"


def test_the_word_index_follows_re_ingest_replace_and_delete(store: Store) -> None:
    words_before = store.conn.execute("SELECT COUNT(*) FROM words").fetchone()[0]
    add_document(store, 2, 12)  # the same document again: replaced at its path (new passage ids)
    assert _stored_postings(store) == _reference_postings(store)
    assert store.conn.execute("SELECT COUNT(*) FROM words").fetchone()[0] == words_before
    add_document(store, 3, 5, seed=7, folder="/synthetic")  # another version of a file: new text
    assert _stored_postings(store) == _reference_postings(store)
    doc = store.documents()[0]
    store.replace_analysis(doc.id, store.passages(document_id=doc.id)[:3], [])
    assert _stored_postings(store) == _reference_postings(store)
    store.delete_document(store.documents()[-1].id)
    after = _stored_postings(store)
    assert after == _reference_postings(store)
    # no posting of a passage that is gone, no word without a passage, no passage context left over
    alive = {r[0] for r in store.conn.execute("SELECT id FROM passages")}
    assert {p for ps in after.values() for p in ps} <= alive
    assert store.conn.execute("SELECT COUNT(*) FROM words").fetchone()[0] == len(after)
    context = {r[0] for r in store.conn.execute("SELECT passage_id FROM passage_context")}
    assert context <= alive
    dupes = store.conn.execute(
        "SELECT COUNT(*) FROM (SELECT word_id, passage_id FROM word_passages GROUP BY 1, 2 HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert dupes == 0


def test_a_store_without_the_word_index_gets_it_on_first_open(store: Store, tmp_path: Path) -> None:
    want = _stored_postings(store)
    generation = store.generation()
    for table in ("word_passages", "passage_context", "words"):
        store.conn.execute(f"DELETE FROM {table}")
    store.conn.execute("DELETE FROM meta WHERE key = ?", (WORD_INDEX_KEY,))
    path = store.path
    store.close()
    with Store(path) as reopened:
        assert _stored_postings(reopened) == want
        assert reopened.generation() == generation  # derived data: caches over the store stay valid


def test_word_lookups_match_the_in_memory_scan(store: Store) -> None:
    index = ThemeIndex(store)
    ids = [int(it.passage.id or 0) for it in index.items]
    vocab = index.token_passages()
    probes = PROBES + sorted(vocab)[::37]
    for word in probes:
        assert word_matches(index, word) == _reference_matches(index, word), word
        term = ConceptTerm(word, ((word,),))
        reference = {ids[i] for tok in _reference_matches(index, word) for i in vocab[tok]}
        assert term_passages(index, term) == reference, word
    assert index.passage_count == len(index.items)
    assert index.quality == ThemeIndex(store).quality


def test_free_evidence_loads_only_the_passages_it_hits(store: Store) -> None:
    index = ThemeIndex(store)
    term = ConceptTerm("samverkan", (("samverkan",),), key=True)
    out = concept_evidence(index, [term], [], {"samverkan": 1.0}, None, 5.0, 0.45)
    hit = {e.passage_id for ev in out.values() for e in ev}
    assert hit == term_passages(index, term) and hit
    assert index._items is None  # no passage beyond those was loaded
    assert set(index._by_id) == hit


def test_ann_and_exact_semantic_paths_agree_on_a_small_store(store: Store) -> None:
    embedder = HashEmbedder()
    exact = ThemeIndex(store, embedder)
    exact.vectors()  # fills the vector cache the ANN index is built from
    ann = ThemeIndex(store, embedder, thresholds=replace(DEFAULT_CONFIG, dense_max_passages=0))
    qvec = exact.embed_questions(["hemsjukvård för äldre"])[0]
    a, b = exact.semantic(), ann.semantic()
    assert a is not None and b is not None and a.exact and not b.exact
    sa, sb = a.similarity(qvec), b.similarity(qvec)  # type: ignore[arg-type]
    assert sa is not None and sb is not None
    ids = [int(i) for i in sa.ids]
    for pid, (cos, z) in sb.scores(ids).items():  # the sample is the whole store here: same background
        assert sa.scores([pid])[pid] == pytest.approx((cos, z), abs=1e-4)
    assert set(sb.above(2.0)) == set(sa.above(2.0))


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_fold_drops_exactly_the_combining_marks(text: str) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    assert fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
