"""A SYNTHETIC store of N passages for timing compare/gaps on stored theme evidence (bench_scale.py).

Ingesting a million passages takes hours here, so the store is filled by SQL: each synthetic document
is a copy of one real document of a source store (the seed plans, ingested with the model) under a new
path, name and one of the 21 regions, with its pages, passages, tags, theme-evidence rows and their
state. The candidate rates per theme are therefore the real ones of real passages; the texts repeat
(each seed passage about N / 849 times), which the vector cache and the evidence table do not care
about. Dates are cleared so that no copy supersedes another (planmine.versions).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_DOC_COLUMNS = (
    "path, name, sha256, format, region, region_source, region_evidence, title, year, doc_type, language, "
    "status, warnings, metadata, ingested_at, date, date_evidence, period, period_evidence, genre, "
    "genre_confidence, genre_evidence, owner_kind, municipality"
)


def prepared_source(source: Path, work: Path) -> Path:
    """A copy of `source` whose theme evidence is complete (built once, with the model, if missing)."""
    from planmine.embed import CachedEmbedder
    from planmine.store import Store
    from planmine.themes.index import ThemeIndex
    from planmine.themes.semantic import configured_embedder

    copy = work / "evidence-source.db"
    if not copy.exists():
        src = sqlite3.connect(source)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
    with Store(copy) as store:
        index = ThemeIndex(store, CachedEmbedder(configured_embedder(), store))
        assert index.stored is not None, "the source store's evidence cannot be stored"
    return copy


def synthetic_store(source: Path, target: Path, passages: int) -> tuple[int, int]:
    """Fill `target` with copies of `source`'s documents until it holds about `passages` passages;
    returns (documents, passages)."""
    from planmine.regions import all_regions
    from planmine.store import Store

    if target.exists():
        target.unlink()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    src.backup(dst)  # schema, meta, the vector cache (theme definitions, the seed passages)
    src.close()
    dst.close()
    regions = [r.name for r in all_regions()][:21]
    with Store(target) as store:
        conn = store.conn
        conn.execute("DELETE FROM documents")  # cascades to pages, passages, tags, evidence
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        docs = conn.execute("SELECT id, name FROM src.documents ORDER BY id").fetchall()
        sizes = dict(conn.execute("SELECT document_id, COUNT(*) FROM src.passages GROUP BY document_id"))
        total, k = 0, 0
        conn.execute("BEGIN")
        while total < passages:
            source_id, name = docs[k % len(docs)]
            cur = conn.execute(
                f"""INSERT INTO documents({_DOC_COLUMNS})
                    SELECT ?, ?, ?, format, ?, 'synthetic', '', title || ' (' || ? || ')', '', doc_type,
                           language, status, warnings, metadata, ingested_at, '', '', '', '', genre,
                           genre_confidence, genre_evidence, owner_kind, municipality
                    FROM src.documents WHERE id = ?""",
                (f"/synthetic/{k:07}/{name}", f"{k:07}_{name}", f"synthetic-{k}", regions[k % 21], k,
                 source_id),
            )  # fmt: skip
            doc_id = cur.lastrowid
            conn.execute(
                """INSERT INTO pages(document_id, number, raw_text, text, ocr, ocr_confidence, tables,
                       changes, repaired, label)
                   SELECT ?, number, raw_text, text, ocr, ocr_confidence, tables, changes, repaired, label
                   FROM src.pages WHERE document_id = ?""",
                (doc_id, source_id),
            )
            conn.execute(
                """INSERT INTO passages(document_id, idx, page, kind, section, text, start, end, cells, hash)
                   SELECT ?, idx, page, kind, section, text, start, end, cells, hash
                   FROM src.passages WHERE document_id = ? ORDER BY idx""",
                (doc_id, source_id),
            )
            conn.execute(
                """INSERT INTO tags(document_id, passage_id, idx, kind, text, start, end, label, commitment,
                       actors)
                   SELECT ?, np.id, t.idx, t.kind, t.text, t.start, t.end, t.label, t.commitment, t.actors
                   FROM src.tags t JOIN src.passages sp ON sp.id = t.passage_id
                        JOIN passages np ON np.document_id = ? AND np.idx = sp.idx
                   WHERE t.document_id = ?""",
                (doc_id, doc_id, source_id),
            )
            conn.execute(
                """INSERT INTO theme_evidence
                   SELECT np.id, ?, e.theme, e.seq, e.term, e.surface, e.start, e.end, e.lexical, e.weak,
                          e.role, e.kind, e.commitment, e.enumeration, e.terms, e.quote_start, e.quote_end,
                          e.match_start, e.match_end, e.cosine, e.z, e.relevance
                   FROM src.theme_evidence e JOIN src.passages sp ON sp.id = e.passage_id
                        JOIN passages np ON np.document_id = ? AND np.idx = sp.idx
                   WHERE e.document_id = ? ORDER BY e.rowid""",
                (doc_id, doc_id, source_id),
            )
            conn.execute(
                """INSERT INTO theme_evidence_documents
                   SELECT ?, fingerprint, model, genre, stamp || ? FROM src.theme_evidence_documents
                   WHERE document_id = ?""",
                (doc_id, f"-{k}", source_id),
            )
            total += sizes.get(source_id, 0)
            k += 1
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
        store.documents()  # keeps the page counts, as ingest does
        conn.execute("ANALYZE")
    return k, total
