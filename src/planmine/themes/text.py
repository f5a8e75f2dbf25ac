"""Text helpers for matching: accent folding, tokens, a Swedish stemmer, sentences and background cues."""

from __future__ import annotations

import re
from functools import lru_cache

from planmine.folding import fold

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\t+")
_OCR_MAP = str.maketrans({"&": "a", "|": "i"})

# Swedish stopwords (folded), used by BM25 and query analysis.
STOPWORDS = frozenset(
    [
        "och",
        "i",
        "att",
        "det",
        "som",
        "en",
        "pa",
        "ar",
        "av",
        "for",
        "med",
        "till",
        "den",
        "har",
        "inte",
        "om",
        "ett",
        "de",
        "var",
        "jag",
        "men",
        "sa",
        "fran",
        "ska",
        "vi",
        "kan",
        "eller",
        "nar",
        "sig",
        "vid",
        "under",
        "efter",
        "hur",
        "vad",
        "vilka",
        "vilken",
        "vilket",
        "alla",
        "samt",
        "ocksa",
        "utan",
        "inom",
        "mellan",
        "genom",
        "dess",
        "deras",
        "detta",
        "dessa",
        "man",
        "bade",
        "aven",
        "mer",
        "mest",
        "nagon",
        "nagot",
        "nagra",
        "sin",
        "sitt",
        "sina",
        "hos",
        "blir",
        "bli",
        "ha",
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
        "on",
        "with",
        "which",
        "what",
        "who",
        "how",
        "do",
        "does",
        "regions",
        "region",
        "work",
        "working",
        "are",
        "is",
        "be",
        "by",
        "that",
        "this",
        "there",
        "their",
        "they",
        "at",
        "as",
        "or",
        "from",
        "an",
        "any",
        "have",
        "has",
        "regioner",
        "regionerna",
        "arbetar",
        "jobbar",
        "nagot",
        "gor",
        "gora",
        "finns",
        "vilken",
        "vilket",
        "hur",
    ]
)


def tokens(text: str) -> list[str]:
    """Folded word tokens; hyphens and slashes split words ('SIP-utbildning' → sip, utbildning)."""
    return _TOKEN.findall(fold(text))


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """Unfolded tokens with their offsets (for case-sensitive abbreviations)."""
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage (also split at tabs and line breaks: table cells, list lines)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


_VOWELS = set("aeiouy")
_STEP1 = sorted(
    [
        "a",
        "arna",
        "erna",
        "heterna",
        "orna",
        "ad",
        "e",
        "ade",
        "ande",
        "arne",
        "are",
        "aste",
        "en",
        "anden",
        "aren",
        "heten",
        "ern",
        "ar",
        "er",
        "heter",
        "or",
        "as",
        "arnas",
        "ernas",
        "ornas",
        "es",
        "ades",
        "andes",
        "ens",
        "arens",
        "hetens",
        "erns",
        "at",
        "andet",
        "het",
        "ast",
    ],
    key=len,
    reverse=True,
)
_S_ENDING = set("bcdfghjklmnoprtvy")
_STEP2 = ("dd", "gd", "nn", "dt", "gt", "kt", "tt")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Swedish Snowball stemmer (Porter's algorithm) on a folded word: 'planerna' → 'plan'."""
    w = word
    r1 = len(w)
    for i in range(1, len(w)):
        if w[i] not in _VOWELS and w[i - 1] in _VOWELS:
            r1 = max(i + 1, 3)
            break
    for suf in _STEP1:
        if w.endswith(suf) and len(w) - len(suf) >= r1:
            w = w[: -len(suf)]
            break
    else:
        if w.endswith("s") and len(w) - 1 >= r1 and len(w) > 1 and w[-2] in _S_ENDING:
            w = w[:-1]
    if len(w) - 2 >= r1 and w[-2:] in _STEP2:
        w = w[:-1]
    if (len(w) - 4 >= r1 and w.endswith("fullt")) or (len(w) - 4 >= r1 and w.endswith("lost")):
        w = w[:-1]
    elif (len(w) - 3 >= r1 and w.endswith("lig")) or (len(w) - 3 >= r1 and w.endswith("els")):
        w = w[:-3]
    elif len(w) - 2 >= r1 and w.endswith("ig"):
        w = w[:-2]
    return w


def stems(text: str) -> list[str]:
    """Stems of the content words of a text (folded, stopwords dropped)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


# Background cues: a statistic or a list of examples, where a theme is named in passing.
_BACKGROUND = re.compile(
    r"(\d+[,.]?\d*\s*(%|procent|miljon\w*|miljard\w*|kronor|ar\b|dagar)|\b(t\.?\s?ex|exempelvis|bland annat"
    r"|till exempel|sasom|kan vara|vanligast\w*|orsakar|statistik|andel\w*|kostade|okade)\b)"
)


def is_background(sentence: str) -> bool:
    """Is this (folded) sentence a statistic, an example list or a description of how things are?"""
    return bool(_BACKGROUND.search(sentence))


_PARENS = re.compile(r"\([^()]*\)")
_ITEM_SEPARATOR = re.compile(r",|\b(?:och|samt|eller)\b")
_WORDS = re.compile(r"[^\W_]+")


def enumeration_size(sentence: str, start: int, end: int) -> int:
    """How many items the list around [start, end) of a (folded) sentence has: 'A, B och C' is 3.

    The list runs from the last colon before the match; parenthesised explanations do not count. The match
    must be (nearly) a whole item: a clause after a comma ("..., där insatserna ...") is no list.
    """
    left = sentence.rfind(":", 0, start) + 1
    piece = _PARENS.sub(lambda m: " " * len(m.group(0)), sentence[left:])
    if "," not in piece:
        return 1
    bounds = [0, *(x for m in _ITEM_SEPARATOR.finditer(piece) for x in m.span()), len(piece)]
    items = [(bounds[k], bounds[k + 1]) for k in range(0, len(bounds) - 1, 2)]
    items = [(a, b) for a, b in items if _WORDS.search(piece[a:b])]
    s, e = start - left, end - left
    mine = next(((a, b) for a, b in items if a <= s < b), None)
    if len(items) < 3 or mine is None:
        return 1
    extra = len(_WORDS.findall(piece[mine[0] : mine[1]])) - len(_WORDS.findall(piece[s:e]))
    return len(items) if extra <= 2 else 1


def ocr_fold(text: str) -> str:
    """Fold plus the commonest OCR slips of the seed corpus ('&r' → 'ar')."""
    return fold(text.translate(_OCR_MAP))


# A table-of-contents line ("3. Bättre läkemedelsanvändning ........ 45"), an empty form field
# ("Namn: ______"), a footnote ("12 Socialstyrelsen 2019, s. 4") or a bare page number.
_TOC = re.compile(r"(\.\s?){4,}|…{2,}|_{3,}|\s\.{2,}\s*\d+\s*$")
_TOC_END = re.compile(r"^\s*(\d+(\.\d+)*\.?\s+)?[^.!?]{3,120}?\s+\d{1,3}\s*$")
_FORM = re.compile(r"^[^:]{1,60}:\s*(_+|\.+|\[\s*\]|☐)?\s*$")
_FOOTNOTE = re.compile(r"^\s*\d{1,3}\s+(https?://|www\.|[A-ZÅÄÖ][^.]{0,80}\b(19|20)\d\d\b)")
_NUMBERED_HEADING = re.compile(
    r"\b(mal|delmal|omrade|fokusomrade|malomrade|atgard|aktivitet|steg|bilaga|kapitel|fas|nr|nummer|"
    r"insats|punkt|version|ar|sfs)\s+\d{1,3}\s*$"
)
_PAGE = re.compile(r"^\s*(sid(a|an)?\s*)?\d{1,4}(\s*(\(|av|/)\s*\d{1,4}\)?)?\s*$", re.IGNORECASE)


def unquotable(text: str, repeats: int = 1) -> bool:
    """Is a passage no evidence a reader could check: a table-of-contents line, a running header or
    footer (the same short text on three or more pages), a footnote, an empty form field, a page number?"""
    line = " ".join(text.split())
    if not line or _PAGE.match(line) or _TOC.search(line) or _FORM.match(line):
        return True
    if len(line) <= 120 and _TOC_END.match(line) and not _NUMBERED_HEADING.search(fold(line)):
        return len(_TOKEN.findall(line)) <= 14
    if repeats >= 3 and len(line) <= 150 and re.search(r"\d", line):
        return True  # the same short line with a number on many pages: a running header or footer
    return bool(_FOOTNOTE.match(line)) and len(line) <= 250
