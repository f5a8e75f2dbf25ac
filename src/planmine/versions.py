"""Plan versions over time: documents of the same owner and series linked as versions, the newest chosen.

A series is what stays when the years are taken out of a title ("Handlingsplan ... 2019–2022" and
"Handlingsplan ... 2023–2026"), within one owner (region, owner kind, municipality) and document type.
`select_documents` picks the documents in force at a year; `store_subset` gives a temporary store of
chosen documents, so that any question or comparison can be asked of them alone.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from planmine.regions import fold
from planmine.store import Store, StoredDocument


@dataclass(frozen=True)
class VersionConfig:
    """When two documents are versions of one series (one home for the threshold)."""

    min_title_similarity: float = 80.0  # rapidfuzz token_sort_ratio of titles without years


CONFIG = VersionConfig()

_YEARS = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:\s*[–—-]\s*(?:19|20)?\d{2})?(?!\d)")


def start_year(doc: StoredDocument) -> int | None:
    """The first year a document covers: its period's start, else its date's year."""
    for value in (doc.meta.period, doc.meta.date, doc.meta.year):
        if match := re.match(r"((?:19|20)\d{2})", value or ""):
            return int(match.group(1))
    return None


def end_year(doc: StoredDocument) -> int | None:
    """The last year a document covers ('2023–2026' → 2026; a target year or a date: that year)."""
    years = re.findall(r"(?:19|20)\d{2}", doc.meta.period or "")
    return int(years[-1]) if years else start_year(doc)


def period_key(doc: StoredDocument) -> str:
    """The period a timeline shows a document under: its period, else its date's year, else 'undated'."""
    return doc.meta.period or (doc.meta.date[:4] if doc.meta.date else "") or "undated"


def series_key(doc: StoredDocument) -> tuple[str, str, str, str]:
    """(region, owner kind, municipality, document type): documents that may be versions of each other."""
    return (doc.region, doc.meta.owner_kind, doc.meta.municipality, doc.meta.doc_type)


def _bare_title(title: str) -> str:
    return " ".join(_YEARS.sub(" ", fold(title)).split())


def same_series(a: StoredDocument, b: StoredDocument) -> bool:
    """True when two documents are versions of one series: same owner and type, titles alike but years."""
    if a.region == "unknown" or series_key(a) != series_key(b):
        return False
    score = fuzz.token_sort_ratio(_bare_title(a.meta.title), _bare_title(b.meta.title))
    return score >= CONFIG.min_title_similarity


def link_versions(docs: Iterable[StoredDocument]) -> dict[int, int | None]:
    """For each document, the id of the version it succeeds (None for the first of a series).

    Only documents of one series key can be versions of each other (`same_series`), so each document
    is compared with the earlier ones of its own key: thousands of documents link in milliseconds.
    """
    dated = sorted(docs, key=lambda d: (start_year(d) or 0, d.id))
    starts = {d.id: start_year(d) for d in dated}
    links: dict[int, int | None] = {}
    earlier_of: dict[tuple[str, str, str, str], list[StoredDocument]] = {}
    for doc in dated:
        links[doc.id] = None
        start = starts[doc.id]
        group = earlier_of.setdefault(series_key(doc), [])
        for earlier in reversed(group) if start else ():  # an undated document succeeds none
            earlier_start = starts[earlier.id]
            if earlier_start and start and earlier_start < start and same_series(earlier, doc):
                links[doc.id] = earlier.id
                break
        group.append(doc)
    return links


def link_store(store: Store) -> int:
    """Write `version_of` for every stored document; returns how many links changed."""
    docs = store.documents()
    links = link_versions(docs)
    changed = [(links[d.id], d.id) for d in docs if d.meta.version_of != links[d.id]]
    if changed:
        store.conn.execute("BEGIN IMMEDIATE")
        try:
            store.conn.executemany("UPDATE documents SET version_of = ? WHERE id = ?", changed)
            store.conn.execute("COMMIT")
        except sqlite3.Error:
            store.conn.execute("ROLLBACK")
            raise
    return len(changed)


def select_documents(docs: Iterable[StoredDocument], as_of: int | None = None) -> list[StoredDocument]:
    """The documents in force: of each series the newest version (started by `as_of`, when given).

    Documents that started after `as_of` are left out; undated documents are kept (nothing says they
    are not in force).
    """
    docs = list(docs)
    if as_of is not None:
        docs = [d for d in docs if (start_year(d) or as_of) <= as_of]
    present = {d.id for d in docs}
    links = link_versions(docs)  # links among the chosen documents (a later version may be left out)
    superseded = {p for p in links.values() if p is not None and p in present}
    return [d for d in docs if d.id not in superseded]


@contextmanager
def store_subset(store: Store, document_ids: Iterable[int]) -> Iterator[Store]:
    """A temporary copy of the store holding only the given documents (with their cached vectors)."""
    keep = set(document_ids)
    folder = Path(tempfile.mkdtemp(prefix="planmine-subset-"))
    try:
        copy = folder / "subset.db"
        target = sqlite3.connect(copy)
        try:
            store.conn.backup(target)
        finally:
            target.close()
        with Store(copy) as subset:
            for doc in subset.documents():
                if doc.id not in keep:
                    subset.delete_document(doc.id)
            yield subset
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class InForce:
    """The documents in force (ids) and those left out, as 'name (why)'."""

    documents: set[int]
    left_out: list[str]


def in_force(docs: Iterable[StoredDocument], as_of: int | None = None) -> InForce:
    """`select_documents` with the reason each other document was left out (superseded, or later)."""
    docs = list(docs)
    chosen = select_documents(docs, as_of)
    kept = {d.id for d in chosen}
    by_id = {d.id: d for d in docs}
    successor: dict[int, str] = {}
    for doc_id, earlier in link_versions(chosen + [d for d in docs if d.id not in kept]).items():
        if earlier is not None and doc_id in kept:
            successor[earlier] = by_id[doc_id].name
    left_out = []
    for d in docs:
        if d.id in kept:
            continue
        start = start_year(d)
        if as_of is not None and start is not None and start > as_of:
            left_out.append(f"{d.name} (from {start}, after {as_of})")
        else:
            newer = successor.get(d.id, "a newer version")
            left_out.append(f"{d.name} (superseded by {newer})")
    return InForce(kept, left_out)
