"""The SQLite store: documents, pages, passages, tags and cached vectors in one file.

Each document is written in one transaction, so a killed process leaves the store as it was before that
document. Vectors are keyed by (model, text hash): vectors of different models never mix.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from planmine import words
from planmine.errors import DuplicateDocumentError, StoreError, StoreFullError
from planmine.types import (
    Change,
    CleanDocument,
    CleanPage,
    DocumentEvidence,
    DocumentMeta,
    Passage,
    Tag,
)

SCHEMA_VERSION = "1"
SQLITE_FULL = 13  # "database or disk is full"
BUSY_TIMEOUT_S = 30  # how long a write waits for another process's write lock
CELLS_WAIT_MS = 200  # keeping decided cells is worth no longer wait: they are decided again next time
# what str.strip() removes: a passage or page of only these is empty, in SQL as in Python
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    region TEXT NOT NULL,
    region_source TEXT NOT NULL,
    region_evidence TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    year TEXT NOT NULL DEFAULT '',
    doc_type TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'sv',
    status TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE TABLE IF NOT EXISTS pages (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    raw_text TEXT NOT NULL,
    text TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0,
    ocr_confidence REAL,
    tables TEXT NOT NULL DEFAULT '[]',
    changes TEXT NOT NULL DEFAULT '[]',
    repaired INTEGER NOT NULL DEFAULT 0,
    label TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, number)
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    page INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    cells TEXT NOT NULL DEFAULT '[]',
    hash TEXT NOT NULL,
    UNIQUE (document_id, idx)
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(document_id);
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    commitment TEXT,
    actors TEXT NOT NULL DEFAULT '[]',
    goal_id INTEGER REFERENCES tags(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS tags_doc ON tags(document_id);
CREATE INDEX IF NOT EXISTS tags_kind ON tags(kind);
-- per document its counts, kept when it is saved (summing them reads every page's text: seconds at scale)
CREATE TABLE IF NOT EXISTS document_counts (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    pages INTEGER NOT NULL,
    ocr_pages INTEGER NOT NULL,
    low_conf INTEGER NOT NULL,
    repaired_words INTEGER NOT NULL,
    words INTEGER NOT NULL,
    blank_pages INTEGER NOT NULL,
    readable_passages INTEGER NOT NULL,
    readable_chars INTEGER NOT NULL
);
-- passage × theme evidence, computed when the passage is stored (planmine.themes.materialise)
CREATE TABLE IF NOT EXISTS theme_evidence (
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    seq INTEGER NOT NULL,
    term TEXT NOT NULL,
    surface TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    lexical REAL NOT NULL,
    weak INTEGER NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL,
    commitment TEXT,
    enumeration INTEGER NOT NULL,
    terms TEXT NOT NULL,
    quote_start INTEGER NOT NULL,
    quote_end INTEGER NOT NULL,
    match_start INTEGER,
    match_end INTEGER,
    cosine REAL,
    z REAL,
    relevance REAL
);
CREATE INDEX IF NOT EXISTS theme_evidence_theme ON theme_evidence(theme, document_id);
CREATE INDEX IF NOT EXISTS theme_evidence_doc ON theme_evidence(document_id);
CREATE INDEX IF NOT EXISTS theme_evidence_passage ON theme_evidence(passage_id);
-- which documents' evidence is complete, and under what (a missing or different row: rebuilt on read)
CREATE TABLE IF NOT EXISTS theme_evidence_documents (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    model TEXT NOT NULL,
    genre TEXT NOT NULL,
    stamp TEXT NOT NULL  -- new at every write of the rows: decided cells over them key on it
);
-- decided region × theme cells, keyed by everything they depend on (planmine.themes.cells)
CREATE TABLE IF NOT EXISTS theme_cells (
    key TEXT PRIMARY KEY,
    theme TEXT NOT NULL,
    region TEXT NOT NULL,
    cell TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS theme_cells_theme ON theme_cells(theme, region);
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, hash)
);
"""

# Columns added after schema 1, with their definitions: a store written by an older planmine gets them
# (empty) when it is opened, so nothing stored is lost; re-ingest fills them.
_ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "date": "TEXT NOT NULL DEFAULT ''",
        "date_evidence": "TEXT NOT NULL DEFAULT ''",
        "period": "TEXT NOT NULL DEFAULT ''",
        "period_evidence": "TEXT NOT NULL DEFAULT ''",
        "genre": "TEXT NOT NULL DEFAULT ''",
        "genre_confidence": "REAL NOT NULL DEFAULT 0",
        "genre_evidence": "TEXT NOT NULL DEFAULT ''",
        "owner_kind": "TEXT NOT NULL DEFAULT 'unknown'",
        "municipality": "TEXT NOT NULL DEFAULT ''",
        "version_of": "INTEGER",
    },
    "pages": {"label": "TEXT NOT NULL DEFAULT ''"},
}
# per document: pages, OCR'd pages, low-confidence OCR pages, words repaired from OCR, words, pages
# without text, passages with text and their characters ("{}": the documents, e.g. "= ?"; then WHITESPACE
# twice)
_DOCUMENT_COUNTS = """SELECT d.id AS document_id, COALESCE(g.pages, 0) AS pages,
        COALESCE(g.ocr_pages, 0) AS ocr_pages, COALESCE(g.low_conf, 0) AS low_conf,
        COALESCE(g.repaired_words, 0) AS repaired_words, COALESCE(g.words, 0) AS words,
        COALESCE(g.blank_pages, 0) AS blank_pages, COALESCE(t.readable_passages, 0) AS readable_passages,
        COALESCE(t.readable_chars, 0) AS readable_chars
    FROM documents d
    LEFT JOIN (SELECT document_id, COUNT(*) AS pages, SUM(ocr) AS ocr_pages,
                      SUM(CASE WHEN ocr AND ocr_confidence < 60 THEN 1 ELSE 0 END) AS low_conf,
                      SUM((SELECT COUNT(*) FROM json_each(changes)
                           WHERE json_extract(value, '$.step') LIKE 'ocr%')) AS repaired_words,
                      SUM(length(text) - length(replace(text, ' ', '')) + 1) AS words,
                      SUM(CASE WHEN trim(text, :ws) = '' THEN 1 ELSE 0 END) AS blank_pages
               FROM pages WHERE document_id {0} GROUP BY document_id) g ON g.document_id = d.id
    LEFT JOIN (SELECT document_id, COUNT(*) AS readable_passages, SUM(length(text)) AS readable_chars
               FROM passages WHERE document_id {0} AND trim(text, :ws) != '' GROUP BY document_id) t
           ON t.document_id = d.id
    WHERE d.id {0}"""
# ThemeEvidenceRow fields stored in columns of the same name, after passage_id and document_id
_EVIDENCE_COLUMNS = ("passage_id", "document_id", *(
    "theme", "seq", "term", "surface", "start", "end", "lexical", "weak", "role", "kind", "commitment",
    "enumeration", "terms", "quote_start", "quote_end", "match_start", "match_end", "cosine", "z",
    "relevance",
))  # fmt: skip
# DocumentMeta fields stored in columns of the same name
_META_COLUMNS = (
    "region", "region_source", "region_evidence", "title", "year", "doc_type", "language", "date",
    "date_evidence", "period", "period_evidence", "genre", "genre_confidence", "genre_evidence",
    "owner_kind", "municipality", "version_of",
)  # fmt: skip


@dataclass(frozen=True)
class IndexedRow:
    """A stored passage as the free-text path loads it: its tags and its context in the document."""

    passage: Passage
    tags: tuple[tuple[str, str | None, str], ...]  # (kind, commitment, text)
    table_context: str
    quotable: bool


@dataclass
class StoredDocument:
    """A document row with its counts, as `planmine docs` shows it."""

    id: int
    path: str
    name: str
    sha256: str
    format: str
    meta: DocumentMeta
    status: str
    warnings: list[str]
    metadata: dict[str, Any]
    ingested_at: str
    pages: int = 0
    ocr_pages: int = 0
    low_confidence_pages: int = 0
    repaired_words: int = 0
    passages: int = 0
    words: int = 0

    @property
    def region(self) -> str:
        return self.meta.region

    @property
    def ocr_share(self) -> float:
        return self.ocr_pages / self.pages if self.pages else 0.0


@dataclass
class StoredTag:
    """A tag with where it stands: document, region, page, section, and the goal an activity serves."""

    id: int
    kind: str
    text: str
    label: str
    commitment: str | None
    actors: list[str]
    document_id: int
    document: str
    region: str
    page: int
    section: str
    passage_id: int
    passage_kind: str
    passage_text: str
    goal_id: int | None = None
    goal: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _doc_from_row(row: sqlite3.Row) -> StoredDocument:
    meta = DocumentMeta(**{name: row[name] for name in _META_COLUMNS})
    return StoredDocument(
        id=row["id"],
        path=row["path"],
        name=row["name"],
        sha256=row["sha256"],
        format=row["format"],
        meta=meta,
        status=row["status"],
        warnings=json.loads(row["warnings"]),
        metadata=json.loads(row["metadata"]),
        ingested_at=row["ingested_at"],
    )


class Store:
    """An open planmine store. Use as a context manager; each write is its own transaction."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        no_store = (
            f"No store at '{self.path}'. Ingest documents first (planmine ingest corpus/) "
            "or pass --store / set PLANMINE_STORE."
        )
        if not create and not self.path.exists():
            raise StoreError(no_store)
        if self.path.is_dir():
            raise StoreError(
                f"Cannot open store '{self.path}': it is a folder. Pass a file, e.g. --store {self.path}/planmine.db."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create store '{self.path}': its folder cannot be made ({exc.strerror or exc}; "
                "is a part of the path a file?). Pass another --store."
            ) from None
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            planmine = self._check_own_file()  # before anything is written: a foreign file stays as it was
            if not planmine and not create:
                self.conn.close()
                raise StoreError(no_store)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.executescript(_SCHEMA)
            self.conn.executescript(words.SCHEMA)
            self._add_columns()
        except sqlite3.DatabaseError as exc:
            if _is_full(exc):
                raise StoreFullError(self.path) from exc
            raise StoreError(
                f"Cannot open store '{self.path}': {exc}. Is it a planmine SQLite file?"
            ) from exc
        except OSError as exc:
            raise StoreError(f"Cannot open store '{self.path}': {exc.strerror or exc}.") from None
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"Store '{self.path}' has schema version {version}, this planmine reads {SCHEMA_VERSION}. "
                "Ingest into a new store (--store NEW.db)."
            )
        words.ensure_built(self)

    def _check_own_file(self) -> bool:
        """Whether the file is a planmine store (False: a new, empty file); StoreError for a foreign one.

        Reads only: a foreign SQLite file (another program's database) is refused without a change.
        """
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return False
        if "meta" in tables and "documents" in tables:
            columns = {r["name"] for r in self.conn.execute("PRAGMA table_info(meta)")}
            if {"key", "value"} <= columns and self.conn.execute(
                "SELECT 1 FROM meta WHERE key = 'schema_version'"
            ).fetchone():
                return True
        names = ", ".join(sorted(tables)[:8])
        self.conn.close()
        raise StoreError(
            f"'{self.path}' is an SQLite database of another program (tables: {names}), not a planmine "
            "store; planmine leaves it unchanged. Pass another --store (a new file is created)."
        )

    def _add_columns(self) -> None:
        """Add the columns a store from an older planmine lacks (see _ADDED_COLUMNS), and content UNIQUE."""
        for table, columns in _ADDED_COLUMNS.items():
            have = {r["name"] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            for name, definition in columns.items():
                if name not in have:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
        try:  # one document per content: concurrent ingests of copies cannot store both
            self.conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS documents_sha_unique ON documents(sha256)")
        except sqlite3.IntegrityError:  # an older store already holds copies: save_document still checks
            log.warning("store %s holds documents with equal content; re-ingest to remove copies", self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- meta ---------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def generation(self) -> int:
        """A counter bumped by every write of documents, passages or tags (caches key on it)."""
        value = self.get_meta("generation")
        return int(value) if value else 0

    # -- documents ----------------------------------------------------------------------------------
    def find_document(self, *, path: str | None = None, sha256: str | None = None) -> StoredDocument | None:
        """The stored document at `path`, or else one with the same content hash."""
        if path is not None:
            row = self.conn.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
        else:
            row = self.conn.execute("SELECT * FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else _doc_from_row(row)

    def document(self, ref: str | int) -> StoredDocument:
        """A document by id, file name or path."""
        docs = self.documents()
        for doc in docs:
            if str(doc.id) == str(ref) or doc.name == ref or doc.path == ref:
                return doc
        names = ", ".join(f"{d.id}:{d.name}" for d in docs[:10]) or "none (ingest some first)"
        raise StoreError(f"No document '{ref}' in the store. Stored: {names}.")

    def documents(self) -> list[StoredDocument]:
        """All documents with their page, OCR, repair and passage counts, by region then name."""
        docs = [_doc_from_row(r) for r in self.conn.execute("SELECT * FROM documents ORDER BY region, name")]
        counts = self._document_counts()
        passages = dict(
            self.conn.execute("SELECT document_id, COUNT(*) FROM passages GROUP BY document_id").fetchall()
        )
        for doc in docs:
            if row := counts.get(doc.id):
                doc.pages = row["pages"]
                doc.ocr_pages = row["ocr_pages"] or 0
                doc.low_confidence_pages = row["low_conf"] or 0
                doc.words = row["words"] or 0
                doc.repaired_words = row["repaired_words"] or 0
            doc.passages = passages.get(doc.id, 0)
        return docs

    def save_document(
        self,
        doc: CleanDocument,
        meta: DocumentMeta,
        passages: list[Passage],
        tags: list[Tag],
        *,
        status: str = "ok",
        warnings: list[str] | None = None,
        evidence: DocumentEvidence | None = None,
    ) -> int:
        """Store a document whole (replacing an earlier version at the same path) in one transaction,
        with its theme evidence when given (else it is computed on first read)."""
        raw = doc.raw
        name = Path(raw.path).name
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction():
            # The content check and the insert are one transaction (BEGIN IMMEDIATE holds the write lock):
            # of two processes storing copies of one file, the second finds the first's row.
            twin = self.conn.execute(
                "SELECT id, name FROM documents WHERE sha256 = ? AND path != ?", (raw.sha256, raw.path)
            ).fetchone()
            if twin:
                raise DuplicateDocumentError(twin["id"], twin["name"])
            # A new version of a stored file keeps its id, so that users' references stay valid.
            old = self.conn.execute("SELECT id FROM documents WHERE path = ?", (raw.path,)).fetchone()
            if old:
                words.remove_document(self.conn, old["id"])
            self.conn.execute("DELETE FROM documents WHERE path = ?", (raw.path,))
            columns = ("id", "path", "name", "sha256", "format", *_META_COLUMNS, "status", "warnings",
                       "metadata", "ingested_at")  # fmt: skip
            values = (
                old["id"] if old else None,
                raw.path,
                name,
                raw.sha256,
                raw.format,
                *(getattr(meta, column) for column in _META_COLUMNS),
                status,
                json.dumps(warnings if warnings is not None else doc.warnings, ensure_ascii=False),
                json.dumps(raw.metadata, ensure_ascii=False, default=str),
                now,
            )
            cur = self.conn.execute(
                f"INSERT INTO documents({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                values,
            )
            document_id = int(cur.lastrowid or 0)
            self.conn.executemany(
                """INSERT INTO pages(document_id, number, raw_text, text, ocr, ocr_confidence, tables,
                       changes, repaired, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        document_id,
                        p.number,
                        p.raw_text,
                        p.text,
                        int(p.ocr),
                        p.ocr_confidence,
                        json.dumps(p.tables, ensure_ascii=False),
                        json.dumps([c.__dict__ for c in p.changes], ensure_ascii=False),
                        int(p.repaired),
                        p.label,
                    )
                    for p in doc.pages
                ],
            )
            passage_ids = self._insert_analysis(document_id, passages, tags)
            self._count_document(document_id)
            if evidence is not None:
                self._insert_evidence(document_id, passage_ids, evidence, meta.genre)
        return document_id

    def replace_analysis(self, document_id: int, passages: list[Passage], tags: list[Tag]) -> None:
        """Replace a document's passages and tags (after the tagger changed), in one transaction."""
        with self._transaction():
            words.remove_document(self.conn, document_id)
            self.conn.execute("DELETE FROM tags WHERE document_id = ?", (document_id,))
            # its theme evidence goes with the passages (cascade); rebuilt from the new tags on next read
            self.conn.execute("DELETE FROM theme_evidence_documents WHERE document_id = ?", (document_id,))
            self.conn.execute("DELETE FROM passages WHERE document_id = ?", (document_id,))
            self._insert_analysis(document_id, passages, tags)
            self._count_document(document_id)

    def _insert_analysis(self, document_id: int, passages: list[Passage], tags: list[Tag]) -> dict[int, int]:
        """Insert passages and tags; returns the passages' ids by `Passage.index`."""
        passage_ids: dict[int, int] = {}
        for p in passages:
            cur = self.conn.execute(
                """INSERT INTO passages(document_id, idx, page, kind, section, text, start, end, cells, hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    document_id,
                    p.index,
                    p.page,
                    p.kind,
                    json.dumps(list(p.section), ensure_ascii=False),
                    p.text,
                    p.start,
                    p.end,
                    json.dumps(list(p.cells), ensure_ascii=False),
                    p.hash,
                ),
            )
            passage_ids[p.index] = int(cur.lastrowid or 0)
            p.id = passage_ids[p.index]
            p.document_id = document_id
        tag_ids: list[int] = []
        for i, t in enumerate(tags):
            if t.passage_index not in passage_ids:
                raise StoreError(f"tag {t.text!r} points to passage {t.passage_index}, which does not exist")
            cur = self.conn.execute(
                """INSERT INTO tags(document_id, passage_id, idx, kind, text, start, end, label, commitment,
                       actors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    document_id,
                    passage_ids[t.passage_index],
                    i,
                    t.kind,
                    t.text,
                    t.start,
                    t.end,
                    t.label,
                    t.commitment,
                    json.dumps(list(t.actors), ensure_ascii=False),
                ),
            )
            tag_ids.append(int(cur.lastrowid or 0))
            t.id = tag_ids[-1]
        for t, tag_id in zip(tags, tag_ids, strict=True):
            if t.goal is not None and 0 <= t.goal < len(tag_ids):
                self.conn.execute("UPDATE tags SET goal_id = ? WHERE id = ?", (tag_ids[t.goal], tag_id))
        words.index_passages(self.conn, document_id, passages)
        return passage_ids

    # -- theme evidence -----------------------------------------------------------------------------
    def _insert_evidence(
        self, document_id: int, passage_ids: dict[int, int], evidence: DocumentEvidence, genre: str
    ) -> None:
        self.conn.execute("DELETE FROM theme_evidence WHERE document_id = ?", (document_id,))
        self.conn.executemany(
            f"INSERT INTO theme_evidence({', '.join(_EVIDENCE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_EVIDENCE_COLUMNS))})",
            [
                (
                    passage_ids[r.passage_index],
                    document_id,
                    *(getattr(r, c) for c in _EVIDENCE_COLUMNS[2:]),
                )
                for r in evidence.rows
            ],
        )
        self.conn.execute(
            "INSERT OR REPLACE INTO theme_evidence_documents(document_id, fingerprint, model, genre, stamp) "
            "VALUES (?, ?, ?, ?, ?)",
            (document_id, evidence.fingerprint, evidence.model, genre, uuid.uuid4().hex),
        )

    def put_theme_evidence(self, document_id: int, evidence: DocumentEvidence) -> None:
        """Replace a stored document's theme evidence (computed after it was stored), in one transaction."""
        with self._transaction():
            row = self.conn.execute("SELECT genre FROM documents WHERE id = ?", (document_id,)).fetchone()
            if row is None:  # deleted meanwhile: nothing to keep
                return
            ids = dict(
                self.conn.execute("SELECT idx, id FROM passages WHERE document_id = ?", (document_id,))
            )
            self._insert_evidence(document_id, ids, evidence, row["genre"])

    def stale_evidence(self, fingerprint: str, model: str | None) -> list[int]:
        """Documents whose theme evidence is missing, or was computed under another fingerprint, another
        genre, or (`model` given) without that model's vectors."""
        rows = self.conn.execute(
            """SELECT d.id FROM documents d LEFT JOIN theme_evidence_documents s ON s.document_id = d.id
               WHERE s.document_id IS NULL OR s.fingerprint != ? OR s.genre != d.genre
                     OR (? IS NOT NULL AND s.model != ?)
               ORDER BY d.id""",
            (fingerprint, model, model),
        )
        return [int(r[0]) for r in rows]

    def theme_evidence_rows(
        self, theme: str, *, semantic: bool, min_z: float, regions: list[str] | None = None
    ) -> list[sqlite3.Row]:
        """A theme's stored candidates with their passage's and document's fields, in document order
        (per region: the candidates with a term, then those by meaning only). Without `semantic`, only
        candidates with a term; candidates by meaning only from `min_z` up; only of `regions` if given
        ("unknown" for documents without a region)."""
        where = "e.theme = ? AND (e.term != ''" + (" OR e.z >= ?)" if semantic else ")")
        args: list[Any] = [theme, min_z] if semantic else [theme]
        if regions is not None:
            names = [r for r in regions if r != "unknown"] + (["", "unknown"] if "unknown" in regions else [])
            where += f" AND e.document_id IN (SELECT id FROM documents WHERE region IN ({','.join('?' * len(names))}))"
            args += names
        return self.conn.execute(
            f"""SELECT e.*, substr(p.text, e.quote_start + 1, e.quote_end - e.quote_start) AS quote,
                       p.page AS page, p.section AS section, d.region AS region, d.name AS document,
                       d.genre AS genre
                FROM theme_evidence e JOIN passages p ON p.id = e.passage_id
                     JOIN documents d ON d.id = e.document_id
                WHERE {where}
                ORDER BY d.region, e.term = '', d.name, d.id, p.idx, e.seq""",
            args,
        ).fetchall()

    def evidence_stamps(self) -> dict[int, str]:
        """Per document the stamp of its stored theme evidence (new at every write of its rows)."""
        return {
            int(r[0]): str(r[1])
            for r in self.conn.execute("SELECT document_id, stamp FROM theme_evidence_documents")
        }

    def cells(self, keys: list[str]) -> dict[str, str]:
        """Stored decided cells (JSON) by key, of those asked for."""
        found: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.conn.execute(f"SELECT key, cell FROM theme_cells WHERE key IN ({marks})", chunk)
            )
        return found

    def put_cells(self, theme: str, cells: list[tuple[str, str, str]], kept: int) -> None:
        """Keep decided cells (key, region, JSON) of a theme, and the `kept` newest per region.

        Derived data: the write does not bump the generation (no answer changes by it), and it waits at
        most `CELLS_WAIT_MS` for another writer (an ingest) before giving up with OperationalError.
        """
        self.conn.execute(f"PRAGMA busy_timeout = {CELLS_WAIT_MS}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        try:
            for key, region, cell in cells:
                self.conn.execute(
                    "INSERT OR REPLACE INTO theme_cells(key, theme, region, cell) VALUES (?, ?, ?, ?)",
                    (key, theme, region, cell),
                )
                self.conn.execute(
                    """DELETE FROM theme_cells WHERE theme = ? AND region = ? AND rowid NOT IN (
                           SELECT rowid FROM theme_cells WHERE theme = ? AND region = ?
                           ORDER BY rowid DESC LIMIT ?)""",
                    (theme, region, theme, region, kept),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def readable_counts(self) -> dict[int, tuple[int, int, int]]:
        """Per document: its passages with text, their characters, and its pages without text."""
        return {
            doc_id: (r["readable_passages"], r["readable_chars"], r["blank_pages"])
            for doc_id, r in self._document_counts().items()
        }

    def _count_document(self, document_id: int) -> None:
        """Keep a document's counts (inside the transaction that wrote its pages and passages)."""
        self.conn.execute(
            f"INSERT OR REPLACE INTO document_counts {_DOCUMENT_COUNTS.format('= :id')}",
            {"id": document_id, "ws": WHITESPACE},
        )

    def _document_counts(self) -> dict[int, sqlite3.Row]:
        """Every document's counts; those of a store from before document_counts are counted (and kept,
        unless the file is read-only or a read transaction is open)."""
        counts = {r["document_id"]: r for r in self.conn.execute("SELECT * FROM document_counts")}
        missing = "IN (SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM document_counts))"
        if self.conn.execute(f"SELECT 1 FROM documents WHERE id {missing} LIMIT 1").fetchone():
            rows = self.conn.execute(_DOCUMENT_COUNTS.format(missing), {"ws": WHITESPACE}).fetchall()
            counts.update({r["document_id"]: r for r in rows})
            if not self.conn.in_transaction:  # derived data: no generation bump
                with contextlib.suppress(sqlite3.OperationalError):
                    marks = ", ".join("?" * len(rows[0].keys())) if rows else ""
                    self.conn.executemany(
                        f"INSERT OR REPLACE INTO document_counts VALUES ({marks})", [tuple(r) for r in rows]
                    )
        return counts

    def delete_document(self, document_id: int) -> None:
        with self._transaction():
            words.remove_document(self.conn, document_id)
            self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.path)

    # -- pages, passages, tags --------------------------------------------------------------------
    def documents_named(self, names: set[str]) -> list[tuple[int, str, str]]:
        """(id, name, metadata JSON) of the documents with these file names, in `documents()` order."""
        found: list[sqlite3.Row] = []
        wanted = sorted(names)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            found += self.conn.execute(
                f"SELECT id, name, metadata, region FROM documents WHERE name IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        found.sort(key=lambda r: (r[3], r[1]))
        return [(int(r[0]), str(r[1]), str(r[2])) for r in found]

    def page_labels(self, document_id: int) -> dict[int, str]:
        """The printed labels of a document's pages that carry one, by page number."""
        rows = self.conn.execute(
            "SELECT number, label FROM pages WHERE document_id = ? AND label != '' ORDER BY number",
            (document_id,),
        )
        return {int(r[0]): str(r[1]) for r in rows}

    def pages(self, document_id: int) -> list[CleanPage]:
        rows = self.conn.execute(
            "SELECT * FROM pages WHERE document_id = ? ORDER BY number", (document_id,)
        ).fetchall()
        return [
            CleanPage(
                number=r["number"],
                text=r["text"],
                raw_text=r["raw_text"],
                ocr=bool(r["ocr"]),
                ocr_confidence=r["ocr_confidence"],
                tables=json.loads(r["tables"]),
                changes=[Change(**c) for c in json.loads(r["changes"])],
                repaired=bool(r["repaired"]),
                label=r["label"],
            )
            for r in rows
        ]

    def passages(self, document_id: int | None = None, region: str | None = None) -> list[Passage]:
        """Passages in document order, optionally of one document or one region."""
        sql = "SELECT p.* FROM passages p JOIN documents d ON d.id = p.document_id"
        where, args = _filters(document_id=document_id, region=region)
        rows = self.conn.execute(f"{sql}{where} ORDER BY d.region, d.name, p.idx", args).fetchall()
        return [_passage(r) for r in rows]

    def tags(
        self, kind: str | None = None, region: str | None = None, document_id: int | None = None
    ) -> list[StoredTag]:
        """Tags with their document, region, page, section and (for activities) goal text."""
        sql = """SELECT t.*, d.name AS document, d.region AS region, p.page AS page, p.section AS section,
                        p.kind AS passage_kind, p.text AS passage_text, g.text AS goal_text
                 FROM tags t JOIN passages p ON p.id = t.passage_id JOIN documents d ON d.id = t.document_id
                 LEFT JOIN tags g ON g.id = t.goal_id"""
        where, args = _filters(document_id=document_id, region=region, alias="t")
        if kind:
            where += (" AND" if where else " WHERE") + " t.kind = ?"
            args.append(kind)
        rows = self.conn.execute(f"{sql}{where} ORDER BY d.region, d.name, t.idx", args).fetchall()
        return [
            StoredTag(
                id=r["id"],
                kind=r["kind"],
                text=r["text"],
                label=r["label"],
                commitment=r["commitment"],
                actors=json.loads(r["actors"]),
                document_id=r["document_id"],
                document=r["document"],
                region=r["region"],
                page=r["page"],
                section=" › ".join(json.loads(r["section"])),
                passage_id=r["passage_id"],
                passage_kind=r["passage_kind"],
                passage_text=r["passage_text"],
                goal_id=r["goal_id"],
                goal=r["goal_text"],
            )
            for r in rows
        ]

    def indexed_passages(self, ids: Iterable[int]) -> Iterator[IndexedRow]:
        """Readable passages by id with their tags (kind, commitment, text) and context (planmine.words)."""
        wanted = [int(i) for i in ids]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            tags: dict[int, list[tuple[str, str | None, str]]] = {}
            for r in self.conn.execute(
                f"SELECT passage_id, kind, commitment, text FROM tags WHERE passage_id IN ({marks}) ORDER BY id",
                chunk,
            ):
                tags.setdefault(r[0], []).append((r[1], r[2], r[3]))
            rows = self.conn.execute(
                f"""SELECT p.*, c.quotable, c.table_context FROM passages p
                    JOIN passage_context c ON c.passage_id = p.id WHERE p.id IN ({marks})""",
                chunk,
            ).fetchall()
            for r in rows:
                yield IndexedRow(
                    _passage(r),
                    tuple(tags.get(r["id"], ())),
                    r["table_context"],
                    bool(r["quotable"]),
                )

    def regions(self) -> list[str]:
        """Regions that have documents in the store."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT region FROM documents ORDER BY region")]

    def counts(self) -> dict[str, int]:
        """Row counts per table (for checks that re-ingest changes nothing)."""
        return {
            table: int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("documents", "pages", "passages", "tags", "vectors")
        }

    def uid(self) -> str:
        """A random id given to this store file once, so files kept beside it know it is the same store."""
        value = self.get_meta("uid")
        if value is None:
            import uuid

            self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('uid', ?)", (uuid.uuid4().hex,))
            value = self.get_meta("uid") or ""
        return value

    def passage_hashes(self) -> tuple[np.ndarray, list[str]]:
        """(passage ids in id order, their text hashes): what an index over the passages must hold."""
        rows = self.conn.execute("SELECT id, hash FROM passages ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]

    def passage_vectors(
        self, model: str, ids: np.ndarray, *, batch: int = 2_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(passage ids, their vectors of `model`) in batches, for the given ids that have a vector."""
        for start in range(0, len(ids), batch):
            chunk = [int(i) for i in ids[start : start + batch]]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"""SELECT p.id, v.vector FROM passages p JOIN vectors v ON v.model = ? AND v.hash = p.hash
                    WHERE p.id IN ({marks})""",
                (model, *chunk),
            ).fetchall()
            if rows:
                found = np.array([r[0] for r in rows], dtype=np.int64)
                vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
                yield found, vectors

    # -- vectors ------------------------------------------------------------------------------------
    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Cached vectors of `model` for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})", (model, *chunk)
            ):
                found[r["hash"]] = np.frombuffer(r["vector"], dtype=np.float32).copy()
        return found

    def vector_dim(self, model: str) -> int | None:
        """The length of the vectors cached for `model`, None when it has none."""
        row = self.conn.execute("SELECT dim FROM vectors WHERE model = ? LIMIT 1", (model,)).fetchone()
        return int(row[0]) if row else None

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self._transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors(model, hash, dim, vector) VALUES (?, ?, ?, ?)",
                [
                    (model, h, int(v.shape[-1]), np.asarray(v, dtype=np.float32).tobytes())
                    for h, v in vectors.items()
                ],
            )


def _filters(
    *, document_id: int | None = None, region: str | None = None, alias: str = "p"
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if document_id is not None:
        clauses.append(f"{alias}.document_id = ?")
        args.append(document_id)
    if region is not None:
        clauses.append("d.region = ?")
        args.append(region)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the connection runs in autocommit mode)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_full(exc):
                raise StoreFullError(self.path) from exc
            raise
        # every write bumps the store's generation, so caches over the store know they are stale
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.DatabaseError as commit_error:
                exc = commit_error
        if self.conn.in_transaction:  # SQLite may have rolled back by itself (SQLITE_FULL does)
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                log.warning("rollback failed on %s; SQLite restores the store on next open", self.path)
        if exc is not None and _is_full(exc):
            raise StoreFullError(self.path) from exc
        if exc_type is None and exc is not None:
            raise exc


def _is_full(exc: BaseException) -> bool:
    """Whether an error means the disk (or the database's size limit) is full."""
    if isinstance(exc, sqlite3.DatabaseError):
        return getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL or "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _passage(r: sqlite3.Row) -> Passage:
    """A passage from its row of the passages table."""
    return Passage(
        document_id=r["document_id"],
        page=r["page"],
        index=r["idx"],
        kind=r["kind"],
        text=r["text"],
        section=tuple(json.loads(r["section"])),
        start=r["start"],
        end=r["end"],
        cells=tuple(json.loads(r["cells"])),
        id=r["id"],
    )
