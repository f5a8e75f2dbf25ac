"""Case and diacritic folding: the one home of `fold` (ingest, tagging, themes and owners all use it).

Folding runs over every document and passage several times, so the marks are removed by one regular
expression (a C-level scan) instead of a Python loop per character; the result is exactly that of the
per-character definition, ``"".join(c for c in NFKD(text) if not unicodedata.combining(c))``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _combining_marks() -> re.Pattern[str]:
    """The combining marks of the Basic Multilingual Plane as one character class (built once).

    Marks beyond it would turn the class into a slow one; the rare text holding such characters takes
    the per-character path.
    """
    marks = (chr(cp) for cp in range(0x10000) if unicodedata.combining(chr(cp)))
    return re.compile("[" + "".join(re.escape(mark) for mark in marks) + "]")


def strip_marks(text: str) -> str:
    """The text in NFKD without its combining marks ('Örebro län' → 'Orebro lan'), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():  # most tokens: nothing to strip
        return decomposed
    if _ASTRAL.search(decomposed) is None:
        return _combining_marks().sub("", decomposed)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase and strip diacritics, so that OCR-damaged 'Orebro lan' meets 'Örebro län'."""
    return strip_marks(text.lower())
