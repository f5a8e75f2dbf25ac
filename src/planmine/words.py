"""The persistent word index of a store: every OCR-folded word of a readable passage and where it occurs.

A vocabulary table in the store (``words``: token; ``word_passages``: token → passage ids) rather than
SQLite FTS5 or bm25s, because concept matching compares the store's vocabulary itself with a term
(inflections, compound parts, OCR-noisy forms: `matcher.match_part`), which FTS5's prefix queries and
bm25s's scores do not express. It is written in the transaction that stores a document's passages
(`Store.save_document`, `replace_analysis`; the Dask writer commits through the same call) and removed
with them, so it is never stale; a store from before it is indexed once when it is opened.

Beside the words, ``passage_context`` keeps what a passage's reading needs from its document (the table it
is a row of, whether it is quotable) so that a free question loads only the passages its words hit.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planmine.store import Store
    from planmine.types import Passage

TOKEN = re.compile(r"[^\W_]+")  # a word of folded text (the matcher's and the concept path's)
WORD_INDEX_FORMAT = "1"  # bump when tokens or context change: stores are re-indexed on open
WORD_INDEX_KEY = "word_index"

SCHEMA = """
CREATE TABLE IF NOT EXISTS words (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS word_passages (
    word_id INTEGER NOT NULL,
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    PRIMARY KEY (word_id, passage_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS word_passages_passage ON word_passages(passage_id);
CREATE TABLE IF NOT EXISTS passage_context (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL,
    quotable INTEGER NOT NULL,
    table_context TEXT NOT NULL,
    chars INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS passage_context_doc ON passage_context(document_id);
"""


def index_passages(conn: sqlite3.Connection, document_id: int, passages: Sequence[Passage]) -> None:
    """Add one document's readable passages (stored: with ids) to the word index (inside its transaction)."""
    from planmine.themes.index import index_document  # the one home of folding, table context, quotability

    items = index_document(passages, {}, region="", document="", document_id=document_id, genre="")
    tokens = {it.passage.id: list(dict.fromkeys(TOKEN.findall(it.folded))) for it in items}
    vocabulary = sorted({t for toks in tokens.values() for t in toks})
    conn.executemany("INSERT OR IGNORE INTO words(token) VALUES (?)", [(t,) for t in vocabulary])
    ids: dict[str, int] = {}
    for start in range(0, len(vocabulary), 500):
        chunk = vocabulary[start : start + 500]
        marks = ",".join("?" * len(chunk))
        ids.update(conn.execute(f"SELECT token, id FROM words WHERE token IN ({marks})", chunk).fetchall())
    conn.executemany(
        "INSERT OR IGNORE INTO word_passages(word_id, passage_id) VALUES (?, ?)",
        [(ids[t], pid) for pid, toks in tokens.items() for t in toks],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO passage_context(passage_id, document_id, quotable, table_context, chars) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (it.passage.id, document_id, int(it.quotable), it.table_context, len(it.passage.text))
            for it in items
        ],
    )


def remove_document(conn: sqlite3.Connection, document_id: int) -> None:
    """Remove a document's passages from the word index, and the words no other passage holds."""
    of_document = "SELECT id FROM passages WHERE document_id = ?"
    word_ids = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT word_id FROM word_passages WHERE passage_id IN ({of_document})", (document_id,)
        )
    ]
    conn.execute(f"DELETE FROM word_passages WHERE passage_id IN ({of_document})", (document_id,))
    conn.execute("DELETE FROM passage_context WHERE document_id = ?", (document_id,))
    for start in range(0, len(word_ids), 500):
        chunk = word_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(
            f"DELETE FROM words WHERE id IN ({marks}) AND NOT EXISTS "
            "(SELECT 1 FROM word_passages w WHERE w.word_id = words.id)",
            chunk,
        )


def ensure_built(store: Store) -> bool:
    """Index every document of a store written before the word index (or by another format of it); True
    when it did. Derived data: the store's generation stays, so no cache over the store goes stale."""
    conn = store.conn
    if store.get_meta(WORD_INDEX_KEY) == WORD_INDEX_FORMAT:
        return False
    if not conn.execute("SELECT 1 FROM passages LIMIT 1").fetchone():
        store.set_meta(WORD_INDEX_KEY, WORD_INDEX_FORMAT)
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        if store.get_meta(WORD_INDEX_KEY) == WORD_INDEX_FORMAT:  # another process built it meanwhile
            conn.execute("COMMIT")
            return False
        conn.execute("DELETE FROM word_passages")
        conn.execute("DELETE FROM passage_context")
        conn.execute("DELETE FROM words")
        for (document_id,) in conn.execute("SELECT id FROM documents ORDER BY id").fetchall():
            index_passages(conn, document_id, store.passages(document_id=document_id))
        store.set_meta(WORD_INDEX_KEY, WORD_INDEX_FORMAT)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


class WordIndex:
    """The store's vocabulary in memory (sorted, for prefix ranges, and as one string, for substrings) and
    the passages of a word read from the store on demand (cached for the process)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        rows = store.conn.execute("SELECT token, id FROM words ORDER BY token").fetchall()
        self.tokens: list[str] = [r[0] for r in rows]
        self._ids: dict[str, int] = {r[0]: r[1] for r in rows}
        self._joined = "\n" + "\n".join(self.tokens) + "\n"
        self._passages: dict[str, frozenset[int]] = {}

    def __contains__(self, token: object) -> bool:
        return token in self._ids

    def __len__(self) -> int:
        return len(self.tokens)

    def with_prefix(self, prefix: str) -> list[str]:
        """Tokens that start with `prefix`."""
        lo = bisect.bisect_left(self.tokens, prefix)
        hi = bisect.bisect_left(self.tokens, prefix + "\U0010ffff")
        return self.tokens[lo:hi]

    def containing(self, part: str) -> list[str]:
        """Tokens that hold `part` anywhere."""
        out: list[str] = []
        text, at = self._joined, 0
        while (at := text.find(part, at)) >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            out.append(text[start:end])
            at = end
        return out

    def passages(self, token: str) -> frozenset[int]:
        """Ids of the readable passages that hold `token`."""
        if token not in self._passages:
            word_id = self._ids.get(token)
            rows = (
                self.store.conn.execute("SELECT passage_id FROM word_passages WHERE word_id = ?", (word_id,))
                if word_id is not None
                else ()
            )
            self._passages[token] = frozenset(r[0] for r in rows)
        return self._passages[token]

    def passages_of(self, tokens: Iterable[str]) -> set[int]:
        """Ids of the passages that hold any of `tokens`."""
        out: set[int] = set()
        for token in tokens:
            out |= self.passages(token)
        return out
