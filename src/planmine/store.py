"""The SQLite store: documents, pages, passages, tags and cached vectors in one file.

Each document is written in one transaction, so a killed process leaves the store as it was before that
document. Vectors are keyed by (model, text hash): vectors of different models never mix.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from planmine.errors import DuplicateDocumentError, StoreError, StoreFullError
from planmine.types import Change, CleanDocument, CleanPage, DocumentMeta, Passage, Tag

SCHEMA_VERSION = "1"
SQLITE_FULL = 13  # "database or disk is full"

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
# DocumentMeta fields stored in columns of the same name
_META_COLUMNS = (
    "region", "region_source", "region_evidence", "title", "year", "doc_type", "language", "date",
    "date_evidence", "period", "period_evidence", "genre", "genre_confidence", "genre_evidence",
    "owner_kind", "municipality", "version_of",
)  # fmt: skip


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
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            planmine = self._check_own_file()  # before anything is written: a foreign file stays as it was
            if not planmine and not create:
                self.conn.close()
                raise StoreError(no_store)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.executescript(_SCHEMA)
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
        counts = {
            r["document_id"]: r
            for r in self.conn.execute(
                """SELECT document_id, COUNT(*) AS pages, SUM(ocr) AS ocr_pages,
                          SUM(CASE WHEN ocr AND ocr_confidence < 60 THEN 1 ELSE 0 END) AS low_conf,
                          SUM((SELECT COUNT(*) FROM json_each(changes)
                               WHERE json_extract(value, '$.step') LIKE 'ocr%')) AS repaired_words,
                          SUM(length(text) - length(replace(text, ' ', '')) + 1) AS words
                   FROM pages GROUP BY document_id"""
            )
        }
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
    ) -> int:
        """Store a document whole (replacing an earlier version at the same path) in one transaction."""
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
            self._insert_analysis(document_id, passages, tags)
        return document_id

    def replace_analysis(self, document_id: int, passages: list[Passage], tags: list[Tag]) -> None:
        """Replace a document's passages and tags (after the tagger changed), in one transaction."""
        with self._transaction():
            self.conn.execute("DELETE FROM tags WHERE document_id = ?", (document_id,))
            self.conn.execute("DELETE FROM passages WHERE document_id = ?", (document_id,))
            self._insert_analysis(document_id, passages, tags)

    def _insert_analysis(self, document_id: int, passages: list[Passage], tags: list[Tag]) -> None:
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

    def delete_document(self, document_id: int) -> None:
        with self._transaction():
            self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.path)

    # -- pages, passages, tags --------------------------------------------------------------------
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
        return [
            Passage(
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
            for r in rows
        ]

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
