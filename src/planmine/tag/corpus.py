"""Cleaned documents for tests and benchmarks, built straight from the seed corpus text files.

Uses the real readers and cleaner (``planmine.ingest`` / ``planmine.clean``) when they are installed, and
otherwise a minimal stand-in: one page per file (split on form feeds) with HTML tags removed from
tab-separated table lines, which is what the cleaner does to Kalmar's cells.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from planmine.types import CleanDocument, CleanPage, Page, RawDocument

_HTML_TAG = re.compile(r"<[^>]{1,200}>")


def _strip_table_html(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if "\t" in line and "<" in line:
            cells = [re.sub(r"[ ]{2,}", " ", _HTML_TAG.sub(" ", c)).strip() for c in line.split("\t")]
            line = "\t".join(cells)
        lines.append(line)
    return "\n".join(lines)


def minimal_clean_document(path: str | Path) -> CleanDocument:
    """A CleanDocument from a text file without the clean stage (one page per form feed)."""
    path = Path(path)
    data = path.read_bytes()
    text = data.decode("utf-8").replace("\r\n", "\n")
    chunks = text.split("\f")
    pages = [Page(number=i + 1, text=chunk) for i, chunk in enumerate(chunks)]
    raw = RawDocument(path=str(path), format="txt", sha256=hashlib.sha256(data).hexdigest(), pages=pages)
    clean_pages = [CleanPage(number=p.number, text=_strip_table_html(p.text), raw_text=p.text) for p in pages]
    return CleanDocument(raw=raw, pages=clean_pages)


def load_clean_document(path: str | Path, *, use_clean_stage: bool | None = None) -> CleanDocument:
    """A cleaned document: through the real reader and cleaner when available (or asked for)."""
    if use_clean_stage is not False:
        try:
            from planmine.clean import clean_document  # type: ignore[attr-defined]
            from planmine.ingest import read_document  # type: ignore[attr-defined]
        except ImportError:
            if use_clean_stage:
                raise
        else:
            return clean_document(read_document(Path(path)))
    return minimal_clean_document(path)


def corpus_files(root: str | Path = "corpus") -> list[Path]:
    """The seed plans (*.txt) under `root`, sorted by name."""
    return sorted(Path(root).glob("*.txt"))
