"""Text helpers for matching: accent folding, tokens, a Swedish stemmer, sentences and commitment cues."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def fold(text: str) -> str:
    """Lowercase without diacritics: 'Läkemedelsgenomgångar' → 'lakemedelsgenomgangar'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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


# Commitment cues: a sentence that says what will be done (goal/activity), not how things are.
_COMMIT = re.compile(
    r"\b(ska|skall|kommer att|behover|bor|maste|avser|planerar|prioriter\w*|mal(et|en|omrade\w*)?|malsattning\w*"
    r"|syftar|syfte|viktigt|viktig|avgorande|nodvandig\w*|fortsatt|satsa\w*|stark\w*|utveckla\w*|implementer\w*"
    r"|infor\w*|erbjud\w*|sakerstall\w*|arbeta\w*|genomfor\w*|stodja|stodj\w*|utoka\w*|oka|forbattra\w*"
    r"|etablera\w*|skapa|ta fram|tillskapa|sprida|revidera\w*|delta|bevaka|kartlagga|utbilda\w*|webbinari\w*"
    r"|utbildning\w*|initiera|samverka\w*|mojliggora|underlatta|uppratta\w*|insats\w*|aktivitet\w*)\b"
)
_BACKGROUND = re.compile(
    r"(\d+[,.]?\d*\s*(%|procent|miljon\w*|miljard\w*|kronor|ar\b|dagar)|\b(t\.?\s?ex|exempelvis|bland annat"
    r"|till exempel|sasom|kan vara|vanligast\w*|orsakar|statistik|andel\w*|kostade|okade)\b)"
)


def is_commitment(sentence: str) -> bool:
    """Does this (folded) sentence state a goal, an intention or an activity?"""
    return bool(_COMMIT.search(sentence))


def is_background(sentence: str) -> bool:
    """Is this (folded) sentence a statistic, an example list or a description of how things are?"""
    return bool(_BACKGROUND.search(sentence))


_IMPERATIVE = re.compile(
    r"^\W*(utveckla|starka?|stark|arbeta|implementera|erbjud|utoka|oka|skapa|sakerstall\w*|mojliggora"
    r"|underlatta|tydliggora|ta fram|bygg|gor|se over|vidareutveckla|infora|genomfora|stodja|sprida"
    r"|tillskapa|revidera|bevaka|folja|identifiera|kartlagga|etablera|delta|samverka\w*|utbilda|minska"
    r"|forbattra|riktad|sikra|satsa)\b"
)


def is_imperative(text: str) -> bool:
    """Does a (folded) list item or table cell start with an action verb ('Utöka den mobila vården')?"""
    return bool(_IMPERATIVE.match(text))


def enumeration_size(sentence: str, start: int, end: int) -> int:
    """How many items the comma/och list around [start, end) of a sentence has (1 = not a list)."""
    left = sentence.rfind(":", 0, start)
    piece = sentence[left + 1 :] if left >= 0 else sentence
    return piece.count(",") + 1 if piece.count(",") >= 2 else 1


def ocr_fold(text: str) -> str:
    """Fold plus the commonest OCR slips of the seed corpus ('&r' → 'ar')."""
    return fold(text.translate(_OCR_MAP))
