"""Lexical theme matching in Swedish passages: inflection-, compound- and OCR-aware, with false friends.

A term matches a word when the word is the term, an inflection of it, or a compound that starts with it
("fallpreventionsarbete", "demenssjukdom") whose rest is itself a Swedish word; long terms also match as
the head of a compound ("egenmonitorering"). Words never match inside unrelated words ("gemensam" is not
"ensam", "tillfälle" is not "fall", "mobiliserar" is not "mobil"). Text is accent-folded first so OCR text
that lost å/ä/ö ("lakemedelsgenomgangar") still matches, and rapidfuzz absorbs the remaining OCR slips.
Abbreviations ("SIP") match case-sensitively as words, also in hyphenated compounds ("SIP-utbildning").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from planmine.themes.taxonomy import Taxonomy, Theme
from planmine.themes.text import fold, ocr_fold, raw_tokens, stem

Strength = Literal["strong", "weak"]

INFLECTIONS = frozenset(
    [
        "a",
        "e",
        "n",
        "t",
        "s",
        "en",
        "et",
        "er",
        "ar",
        "or",
        "na",
        "ns",
        "es",
        "an",
        "ad",
        "at",
        "de",
        "te",
        "ade",
        "ats",
        "ens",
        "ets",
        "ers",
        "are",
        "arna",
        "erna",
        "orna",
        "ena",
        "ande",
        "ende",
        "ernas",
        "arnas",
        "ornas",
        "ans",
        "ens",
        "ets",
        "iga",
        "igt",
        "ig",
        "ige",
        "ska",
        "skt",
        "ska",
    ]
) | {""}
_LINKS = ("s", "e", "a", "u", "o")
MIN_FUZZY_LEN = 8
FUZZY_CUTOFF = 88.0


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """Folded Swedish words (wordfreq), to tell a compound's second part from an unrelated ending."""
    try:
        from wordfreq import top_n_list

        return frozenset(fold(w) for w in top_n_list("sv", 120_000))
    except Exception:  # pragma: no cover - wordfreq is a dependency; stay usable without it
        return frozenset()


def swedish_words() -> frozenset[str]:
    """Folded common Swedish words (wordfreq's 120 000 commonest), for telling compounds apart."""
    return _words()


@lru_cache(maxsize=100_000)
def is_word_rest(rest: str, strict: bool = False) -> bool:
    """Is `rest` (what follows a term inside a word) an inflection, or a Swedish word or compound?

    Args:
        strict: only a whole word counts (after short terms, where chance endings are likelier).
    """
    if rest in INFLECTIONS:
        return True
    words = _words()
    for cand in (rest, *(rest[1:] for link in _LINKS if rest.startswith(link) and len(rest) > 4)):
        if cand in words and len(cand) >= 3:
            return True
        if strict:
            continue
        for k in range(4, len(cand) - 1):
            head, tail = cand[:k], cand[k:]
            if head in words and (
                tail in INFLECTIONS or tail in words or (tail[0] == "s" and tail[1:] in words)
            ):
                return True
    return False


@lru_cache(maxsize=400_000)
def match_part(token: str, part: str, last: bool, head: bool) -> float:
    """How well one folded token matches one folded term word: 1.0 exact, <1 fuzzy, 0 no match.

    Args:
        last: the term word ends the term, so a compound may continue it ("fall" + "skador").
        head: the term word may also end a compound ("egen" + "monitorering").
    """
    if token == part:
        return 1.0
    if len(part) <= 3:
        return 1.0 if token in {part + s for s in ("a", "n", "en", "et", "er", "ar", "na", "s")} else 0.0
    bases = {part}
    st = stem(part)
    if len(st) >= 4:
        bases.add(st)
    for base in bases:
        if token.startswith(base):
            rest = token[len(base) :]
            if rest in INFLECTIONS or (last and len(rest) >= 3 and is_word_rest(rest, len(part) <= 5)):
                return 1.0
    if head and len(part) >= 7:
        for base in bases:
            i = token.find(base, 3)
            if i >= 3 and token[i + len(base) :] in INFLECTIONS:
                return 0.95
    if len(part) >= MIN_FUZZY_LEN and len(token) >= MIN_FUZZY_LEN - 1 and token[0] == part[0]:
        # OCR noise: compare with the part and with the token's prefix of the part's length (compounds).
        score = max(
            fuzz.ratio(token, part),
            fuzz.ratio(token[: len(part) + 1], part) if last else 0.0,
            fuzz.ratio(token[: len(part)], part) if last else 0.0,
        )
        if score >= FUZZY_CUTOFF:
            return round(score / 100.0 * 0.95, 3)
    return 0.0


@dataclass(frozen=True)
class Term:
    """A compiled term of a theme."""

    theme_id: str
    text: str  # as written in the taxonomy
    parts: tuple[str, ...]  # folded words
    strength: Strength
    abbreviation: bool = False


@dataclass
class TermHit:
    """One occurrence of a theme term in a passage (offsets into the folded passage text)."""

    theme_id: str
    term: str
    surface: str
    start: int
    end: int
    quality: float  # 1.0 exact/inflection/compound, 0.84-0.95 fuzzy or compound head
    strength: Strength

    @property
    def fuzzy(self) -> float:
        return 0.0 if self.quality >= 1.0 else self.quality


def _compile_terms(theme: Theme) -> list[Term]:
    terms: list[Term] = []
    seen: set[tuple[str, ...]] = set()
    for strength, texts in (("strong", theme.swedish_terms()), ("weak", list(theme.related))):
        for text in texts:
            cleaned = re.sub(r"\([^)]*\)", " ", text)
            parts = tuple(re.findall(r"[^\W_]+", fold(cleaned)))
            if not parts or parts in seen:
                continue
            if parts == tuple(re.findall(r"[^\W_]+", fold(theme.label_sv))) and len(parts) > 4:
                continue  # long display labels ("X och Y") are not phrases that occur in text
            seen.add(parts)
            if len(parts) == 1 and text.isupper() and len(text) <= 6:
                terms.append(Term(theme.id, text, (text,), strength, abbreviation=True))  # type: ignore[arg-type]
                continue
            terms.append(Term(theme.id, text, parts, strength))  # type: ignore[arg-type]
    for abbr in theme.abbreviations:
        terms.append(Term(theme.id, abbr, (abbr,), "strong", abbreviation=True))
    return terms


class ThemeMatcher:
    """Finds theme terms in passage texts. Build once per taxonomy; `hits` is cheap per passage."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.terms: list[Term] = [t for theme in taxonomy for t in _compile_terms(theme)]
        self._negative = {
            theme.id: [re.compile(p) for p in theme.negative] for theme in taxonomy if theme.negative
        }
        self._by_first: dict[str, list[Term]] = defaultdict(list)
        self._abbr: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms:
            if term.abbreviation:
                self._abbr[term.parts[0]].append(term)
            else:
                self._by_first[term.parts[0]].append(term)
        self._firsts = list(self._by_first)
        self._index: dict[str, list[str]] = defaultdict(list)
        for part in self._firsts:
            self._index[part[:3]].append(part)
        self._long = [p for p in self._firsts if len(p) >= 7]

    @lru_cache(maxsize=200_000)  # noqa: B019 - one matcher per taxonomy, lives as long as the process
    def _first_candidates(self, token: str) -> tuple[tuple[str, float, float], ...]:
        """Term first-words this token can match: (part, quality as last word, quality as inner word)."""
        out = []
        cands = set(self._index.get(token[:3], ()))
        if len(token) >= 10:
            cands.update(p for p in self._long if p in token)
        if len(token) >= MIN_FUZZY_LEN - 1:
            cands.update(p for p in self._long if p[0] == token[0] and abs(len(p) - len(token)) <= 12)
        for part in sorted(cands):  # in a fixed order: of equal hits the same term wins in every process
            q_last = match_part(token, part, True, True)
            q_inner = match_part(token, part, False, False)
            if q_last > 0 or q_inner > 0:
                out.append((part, q_last, q_inner))
        return tuple(out)

    def hits(self, text: str, themes: set[str] | None = None) -> list[TermHit]:
        """All term hits in a passage text (optionally only for some themes), false friends removed."""
        folded = ocr_fold(text)
        toks = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", folded)]
        words = [t[0] for t in toks]
        found: list[TermHit] = []
        for i, (tok, start, _end) in enumerate(toks):
            for part, q_last, q_inner in self._first_candidates(tok):
                for term in self._by_first[part]:
                    if themes is not None and term.theme_id not in themes:
                        continue
                    n = len(term.parts)
                    if n == 1:
                        quality = q_last
                    else:
                        quality = q_inner
                        if quality <= 0 or i + n > len(words):
                            continue
                        for k in range(1, n):
                            q = match_part(words[i + k], term.parts[k], k == n - 1, False)
                            quality = min(quality, q)
                            if quality <= 0:
                                break
                    if quality > 0:
                        end = toks[i + n - 1][2]
                        found.append(
                            TermHit(
                                term.theme_id, term.text, text[start:end], start, end, quality, term.strength
                            )
                        )
        for tok, start, end in raw_tokens(text):
            for term in self._abbr.get(tok, ()):
                if themes is None or term.theme_id in themes:
                    found.append(TermHit(term.theme_id, term.text, tok, start, end, 1.0, "strong"))
        return self._drop_false_friends(folded, found)

    def _drop_false_friends(self, folded: str, found: list[TermHit]) -> list[TermHit]:
        kept = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for hit in found:
            if hit.theme_id not in self._negative:
                kept.append(hit)
                continue
            if hit.theme_id not in spans:
                spans[hit.theme_id] = [
                    m.span() for rx in self._negative[hit.theme_id] for m in rx.finditer(folded)
                ]
            if not any(s < hit.end and hit.start < e for s, e in spans[hit.theme_id]):
                kept.append(hit)
        # one hit per span and theme: the longest, strongest term wins
        kept.sort(key=lambda h: (h.theme_id, h.start, -(h.end - h.start), h.strength != "strong", -h.quality))
        out: list[TermHit] = []
        for hit in kept:
            if out and out[-1].theme_id == hit.theme_id and hit.start < out[-1].end:
                continue
            out.append(hit)
        return out
