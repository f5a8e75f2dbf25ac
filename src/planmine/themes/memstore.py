"""An in-memory stand-in for the SQLite store's read API, built from plain-text plans.

Tests, benchmarks and quick experiments use it to run matching, `answer()` and `compare()` without the
ingest pipeline: it splits a text into paragraphs, list items, table rows and headings the simple way.
The real pipeline (ingest → clean → segment → tag → embed) fills the SQLite store with the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planmine.types import CleanPage, Passage

SEED_REGIONS = {
    "kalmar": "Region Kalmar län",
    "orebro": "Region Örebro län",
    "ostergotland": "Region Östergötland",
    "skane": "Region Skåne",
    "varmland": "Region Värmland",
    "stockholm": "Region Stockholm",
}
_BULLET = re.compile(r"^\s*(?:[-•*–]|[oe](?=\s+[A-ZÅÄÖa-zåäö]))\s+")


@dataclass
class MemoryDocument:
    """What the store says about a document (the fields `answer()` and `compare()` read)."""

    id: int
    region: str
    title: str
    path: str = ""
    pages: int = 1
    passages: int = 0
    ocr_share: float = 0.0
    ocr_confidence: float | None = None
    failed_pages: int = 0
    warnings: list[str] = field(default_factory=list)


def _is_heading(line: str) -> bool:
    s = line.strip().strip("*#")
    return 0 < len(s) <= 70 and not s.endswith((".", ",", ";")) and not _BULLET.match(line) and "\t" not in s


def split_passages(text: str, document_id: int) -> list[Passage]:
    """Paragraphs, list items, table rows and headings of a plain-text plan, with section paths."""
    passages: list[Passage] = []
    section: list[str] = []
    blocks = re.split(r"\n\s*\n", text)
    pos = 0
    for block in blocks:
        start = text.find(block, pos)
        pos = start + len(block)
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        one_per_line = (
            len(lines) == 1
            or any("\t" in ln or _BULLET.match(ln) for ln in lines)
            or sum(len(ln) for ln in lines) / len(lines) > 110
            or all(_is_heading(ln) for ln in lines)
        )
        units: list[str] = lines if one_per_line else [" ".join(ln.strip() for ln in lines)]
        if not one_per_line and _is_heading(lines[0]) and len(lines[0]) < 50 and len(lines) > 1:
            units = [lines[0], " ".join(ln.strip() for ln in lines[1:])]
        for unit in units:
            body = unit.strip()
            if not body:
                continue
            if "\t" in body:
                kind = "table_row"
            elif _BULLET.match(unit):
                kind = "list_item"
                body = _BULLET.sub("", unit).strip()
            elif _is_heading(body):
                kind = "heading"
            else:
                kind = "paragraph"
            if kind == "heading":
                section = [body.strip("*# ")]
            off = text.find(unit.strip()[:40], start)
            off = max(off, 0)
            passages.append(
                Passage(
                    document_id=document_id,
                    page=1,
                    index=len(passages),
                    kind=kind,  # type: ignore[arg-type]
                    text=body,
                    section=tuple(section),
                    start=off,
                    end=off + len(unit.strip()),
                    id=document_id * 100_000 + len(passages),
                )
            )
    return passages


class MemoryStore:
    """Documents and passages held in memory, with the read API of `planmine.store.Store`."""

    def __init__(self) -> None:
        self._docs: list[MemoryDocument] = []
        self._passages: dict[int, list[Passage]] = {}
        self._pages: dict[int, list[CleanPage]] = {}
        self._vectors: dict[tuple[str, str], np.ndarray] = {}
        self.path = ":memory:"

    def add_text(
        self, text: str, region: str, title: str = "", path: str = "", ocr_confidence: float | None = None
    ) -> MemoryDocument:
        doc_id = len(self._docs) + 1
        passages = split_passages(text, doc_id)
        doc = MemoryDocument(
            id=doc_id,
            region=region,
            title=title or Path(path).stem or f"document {doc_id}",
            path=path,
            passages=len(passages),
            ocr_share=1.0 if ocr_confidence is not None else 0.0,
            ocr_confidence=ocr_confidence,
        )
        self._docs.append(doc)
        self._passages[doc_id] = passages
        self._pages[doc_id] = [
            CleanPage(
                number=1,
                text=text,
                raw_text=text,
                ocr=ocr_confidence is not None,
                ocr_confidence=ocr_confidence,
            )
        ]
        return doc

    @classmethod
    def from_files(cls, paths: list[Path]) -> MemoryStore:
        """Load seed-corpus text files; the region comes from the file name's first word."""
        store = cls()
        for p in sorted(paths):
            key = p.name.split("_")[0].lower()
            region = SEED_REGIONS.get(key, key.title())
            store.add_text(p.read_text(encoding="utf-8"), region, title=p.stem, path=str(p))
        return store

    # --- the Store read API -------------------------------------------------------------------------
    def documents(self) -> list[MemoryDocument]:
        return list(self._docs)

    def pages(self, doc_id: int) -> list[CleanPage]:
        return list(self._pages.get(doc_id, []))

    def passages(self, document_id: int | None = None, region: str | None = None) -> list[Passage]:
        out: list[Passage] = []
        for doc in self._docs:
            if document_id is not None and doc.id != document_id:
                continue
            if region is not None and doc.region != region:
                continue
            out.extend(self._passages[doc.id])
        return out

    def tags(self, kind: str | None = None, region: str | None = None) -> list[object]:
        return []

    def vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        return {h: self._vectors[(model, h)] for h in hashes if (model, h) in self._vectors}

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        for h, v in vectors.items():
            self._vectors[(model, h)] = np.asarray(v, dtype=np.float32)
