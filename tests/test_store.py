from __future__ import annotations

import numpy as np
import pytest

from planmine.errors import StoreError
from planmine.store import Store
from planmine.types import CleanDocument, CleanPage, DocumentMeta, Passage, RawDocument, Tag


def _doc(path: str = "/x/plan.txt", sha: str = "abc") -> CleanDocument:
    raw = RawDocument(path=path, format="txt", sha256=sha, pages=[])
    pages = [CleanPage(number=1, text="Mål\n\n- Utveckla SIP.", raw_text="Mål\n\no Utveckla SIP.")]
    return CleanDocument(raw=raw, pages=pages)


def _analysis() -> tuple[list[Passage], list[Tag]]:
    passages = [
        Passage(document_id=0, page=1, index=0, kind="heading", text="Mål", section=(), start=0, end=3),
        Passage(
            document_id=0,
            page=1,
            index=1,
            kind="list_item",
            text="Utveckla SIP.",
            section=("Mål",),
            start=7,
            end=20,
        ),
    ]
    tags = [
        Tag(kind="goal", text="Mål", start=0, end=3, passage_index=0, commitment="binding"),
        Tag(
            kind="activity",
            text="Utveckla SIP.",
            start=0,
            end=13,
            passage_index=1,
            goal=0,
            commitment="binding",
            actors=("Kommunerna",),
        ),
    ]
    return passages, tags


def test_roundtrip_of_document_passages_and_tags(tmp_path):
    with Store(tmp_path / "s.db") as store:
        passages, tags = _analysis()
        doc_id = store.save_document(_doc(), DocumentMeta(region="Region Skåne"), passages, tags)
        [stored] = store.documents()
        assert (stored.id, stored.region, stored.pages, stored.passages) == (doc_id, "Region Skåne", 1, 2)
        assert [p.text for p in store.passages(region="Region Skåne")] == ["Mål", "Utveckla SIP."]
        activity = store.tags(kind="activity")[0]
        assert activity.goal == "Mål" and activity.actors == ["Kommunerna"] and activity.section == "Mål"
        assert store.pages(doc_id)[0].raw_text.startswith("Mål")


def test_saving_the_same_path_replaces_without_duplicates(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.save_document(_doc(sha="a"), DocumentMeta(region="Region Skåne"), *_analysis())
        store.save_document(_doc(sha="b"), DocumentMeta(region="Region Skåne"), *_analysis())
        assert store.counts()["documents"] == 1 and store.counts()["passages"] == 2
        assert store.documents()[0].sha256 == "b"


def test_a_failing_save_leaves_the_store_as_it_was(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.save_document(_doc(sha="a"), DocumentMeta(region="Region Skåne"), *_analysis())
        before = store.counts()
        passages, tags = _analysis()
        tags.append(Tag(kind="goal", text="x", start=0, end=1, passage_index=99))  # points nowhere
        with pytest.raises(StoreError):
            store.save_document(_doc(sha="b"), DocumentMeta(region="Region Skåne"), passages, tags)
        assert store.counts() == before
        assert store.documents()[0].sha256 == "a"


def test_vectors_are_keyed_by_model(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_vectors("m1", {"h1": np.ones(4, dtype=np.float32)})
        assert set(store.vectors("m1", ["h1", "h2"])) == {"h1"}
        assert store.vectors("m2", ["h1"]) == {}
        np.testing.assert_array_equal(store.vectors("m1", ["h1"])["h1"], np.ones(4))


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="planmine ingest"):
        Store(tmp_path / "none.db", create=False)


def test_other_schema_version_is_refused(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.set_meta("schema_version", "0")
    with pytest.raises(StoreError, match="schema version 0"):
        Store(tmp_path / "s.db")


def test_every_metadata_field_and_page_label_round_trip(tmp_path):
    meta = DocumentMeta(
        region="Region Kalmar län",
        title="Handlingsplaner",
        year="2023–2024",
        date="2023-03-01",
        date_evidence="Fastställd 2023-03-01",
        period="2023–2024",
        period_evidence="Handlingsplaner 2023–2024",
        genre="plan",
        genre_confidence=0.93,
        genre_evidence="cue words: handlingsplan",
        owner_kind="joint",
        municipality="",
        version_of=None,
    )
    doc = _doc()
    doc.pages[0].label = "2 (51)"
    with Store(tmp_path / "s.db") as store:
        doc_id = store.save_document(doc, meta, *_analysis())
        [stored] = store.documents()
        assert stored.meta == meta
        assert store.pages(doc_id)[0].label == "2 (51)"


def test_a_store_of_schema_1_gains_the_new_columns_and_keeps_its_documents(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with Store(path) as store:
        store.save_document(_doc(), DocumentMeta(region="Region Skåne"), *_analysis())
    conn = sqlite3.connect(path)
    for column in ("genre", "period", "municipality"):
        conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    conn.execute("ALTER TABLE pages DROP COLUMN label")
    conn.commit()
    conn.close()
    with Store(path) as store:
        [stored] = store.documents()
        assert (stored.region, stored.meta.genre, stored.meta.period) == ("Region Skåne", "", "")
        assert store.pages(stored.id)[0].label == ""


def test_readable_counts_leave_out_what_str_strip_empties(tmp_path):
    """Passages and pages of only whitespace (no-break and ideographic spaces too) are not readable text."""
    passages, tags = _analysis()
    blank = "\u00a0\u3000 \n"
    passages.append(Passage(document_id=0, page=1, index=2, kind="paragraph", text=blank, start=0, end=0))
    doc = _doc()
    doc.pages.append(CleanPage(number=2, text=blank, raw_text=blank))
    with Store(tmp_path / "s.db") as store:
        doc_id = store.save_document(doc, DocumentMeta(region="Region Skåne"), passages, tags)
        readable = [p for p in store.passages(document_id=doc_id) if p.text.strip()]
        assert store.readable_counts()[doc_id] == (len(readable), sum(len(p.text) for p in readable), 1)
        assert len(readable) == 2
