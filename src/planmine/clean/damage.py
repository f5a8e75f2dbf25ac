"""Is a text OCR-damaged? Few å/ä/ö, OCR symbols inside words, many words no lexicon knows."""

from __future__ import annotations

from dataclasses import dataclass

from planmine.clean import patterns as P
from planmine.clean.lexicon import Lexicon

EXPECTED_DIACRITIC_RATE = 0.055  # å/ä/ö per letter in the clean seed plans: 5.1–7.0 %
_SYMBOLS = frozenset("6¢&4|1")


@dataclass(frozen=True)
class Damage:
    """How OCR-damaged a text looks, and whether repair should run."""

    words: int
    diacritic_rate: float  # å/ä/ö per letter
    symbol_share: float  # share of words holding OCR symbols (6kar, &r, l4n)
    unknown_share: float  # share of words no lexicon accepts
    strip_rate: float  # estimated share of å/ä/ö that lost their marks
    damaged: bool
    reason: str


# About 60,000 words: enough for stable shares; a 5 MB page would take half a minute in full.
MAX_ASSESS_CHARS = 400_000


def assess_damage(text: str, lexicon: Lexicon) -> Damage:
    """Judge whether ``text`` is OCR-damaged: few å/ä/ö, OCR symbols inside words, many unknown words."""
    text = text[:MAX_ASSESS_CHARS]  # a verdict from a sample: the shares do not change with more text
    text = P.URL.sub(" ", text)  # percent-encoded URLs ("%C3%B6r") are full of "B6r"-like tokens
    words = [m.group(0) for m in P.OCR_TOKEN.finditer(text) if len(m.group(0)) > 1]
    words = [w for w in words if not w.isupper() and not w.isdigit()]
    letters = sum(ch.isalpha() for w in words for ch in w)
    marks = sum(ch in P.DIACRITICS for w in words for ch in w)
    rate = marks / letters if letters else 0.0
    symbols = sum(1 for w in words if _ocr_symbol_word(w))
    lowered = {w.lower() for w in words if w.isalpha()}
    unlisted = {w for w in lowered if lexicon.zipf(w) < 2.5 and not lexicon.in_corpus(w)}
    verdict = lexicon.valid(unlisted)
    unknown = sum(1 for w in words if w.lower() in unlisted and not verdict.get(w.lower(), False))
    n = max(len(words), 1)
    strip = min(max(1.0 - rate / EXPECTED_DIACRITIC_RATE, 0.02), 0.97)
    reasons = []
    if letters >= 200 and rate < 0.015:
        reasons.append(f"almost no å/ä/ö ({rate:.1%} of letters, clean Swedish ~5.5%)")
    if symbols / n > 0.01 and symbols >= 3:
        reasons.append(f"{symbols} words with OCR symbols")
    if unknown / n > 0.08 and len(words) >= 20:
        reasons.append(f"{unknown / n:.0%} unknown words")
    return Damage(
        words=len(words),
        diacritic_rate=rate,
        symbol_share=symbols / n,
        unknown_share=unknown / n,
        strip_rate=strip if reasons else 0.02,
        damaged=bool(reasons),
        reason="; ".join(reasons) or "looks clean",
    )


def _ocr_symbol_word(word: str) -> bool:
    """A word with an OCR symbol for a letter ("6kar", "&r", "l4n"), not an id, a code or "1a"."""
    digits = sum(ch.isdigit() for ch in word)
    letters = sum(ch.isalpha() for ch in word)
    return (
        any(s in word for s in _SYMBOLS)
        and letters >= 1
        and digits <= 2
        and len(word) <= 25
        and not (word[0].isdigit() and word.lstrip("0123456789").isalpha() and letters <= 2)
        and not word[-1].isdigit()
    )
