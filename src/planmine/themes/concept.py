"""Free-text evidence: the passages that carry a question's own concept, lexically or by meaning.

A concept term matches a word of a passage when the word is the term, an inflection of it, a compound
that continues it ("ungdomsmottagningen", "diabetesvård") or, for long terms, a compound that ends in it;
text is OCR-folded first. A passage carries the concept when it holds enough of its terms, weighted by
how rare each is in the store (common ones like 'äldre' add little). The index gives features; the decision
(`decision.decide_free`) gives levels.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from planmine.themes.evidence import ConceptTerm, PassageEvidence
from planmine.themes.matcher import match_part
from planmine.themes.text import fold, ocr_fold

if TYPE_CHECKING:
    from planmine.themes.index import ThemeIndex

_WORD = re.compile(r"[^\W_]+")
MIN_QUALITY = 0.9  # fuzzy (OCR) matches of long words above this count


@lru_cache(maxsize=50_000)
def _form_words(form: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(ocr_fold(form)))


def word_matches(index: ThemeIndex, word: str) -> set[str]:
    """The store's (folded) words that match one folded term word."""
    cache = index.__dict__.setdefault("_word_matches", {})
    if word in cache:
        return cache[word]  # type: ignore[no-any-return]
    vocab = index.token_passages()
    found: set[str] = set()
    if word in vocab:
        found.add(word)
    long = len(word) >= 7
    for tok in vocab:
        if tok[:3] != word[:3] and not (long and word in tok):
            continue
        if match_part(tok, word, True, long) >= MIN_QUALITY:
            found.add(tok)
    cache[word] = found
    return found


def form_passages(index: ThemeIndex, form: str) -> set[int]:
    """Passages holding every word of a form ('hjärt- och kärlsjukdom' needs hjärt and kärlsjukdom)."""
    vocab = index.token_passages()
    result: set[int] | None = None
    for w in _form_words(form):
        if w in ("och", "i", "av", "for"):
            continue
        hits = {i for tok in word_matches(index, w) for i in vocab[tok]}
        result = hits if result is None else result & hits
        if not result:
            return set()
    return result or set()


def term_passages(index: ThemeIndex, term: ConceptTerm) -> set[int]:
    """Passages holding any form of a concept term. A word kept unread from an English question
    ('registries') matches only as it stands: fuzzy matching would make it a Swedish word ('centres' →
    'centrala')."""
    out: set[int] = set()
    if term.source == "unread":
        vocab = index.token_passages()
        for form in term.forms:
            sets = [set(vocab.get(w, ())) for w in form]
            out |= set.intersection(*sets) if sets else set()
        return out
    for form in term.forms:
        out |= form_passages(index, " ".join(form))
    return out


def df_share(index: ThemeIndex, term: ConceptTerm) -> float:
    """Share of the store's passages that hold the term."""
    return len(term_passages(index, term)) / max(len(index.items), 1)


def _spans(index: ThemeIndex, i: int, terms: list[ConceptTerm]) -> list[tuple[int, int]]:
    """Offsets of the words of passage `i` that match any of the terms."""
    wanted: set[str] = set()
    for term in terms:
        for form in term.forms:
            for w in _form_words(" ".join(form)):
                wanted |= word_matches(index, w)
    return [m.span() for m in _WORD.finditer(index.items[i].folded) if m.group(0) in wanted]


def concept_evidence(
    index: ThemeIndex,
    required: list[ConceptTerm],
    optional: list[ConceptTerm],
    weights: dict[str, float],
    qvec: np.ndarray | None,
    semantic_z: float,
    min_coverage: float,
) -> dict[str, list[PassageEvidence]]:
    """Evidence per region for a free concept: passages that hold at least `min_coverage` of the
    concept's terms, idf-weighted over the store (a word absent from the store weighs most, so a concept
    the plans never name is found nowhere); features: role at the first match, coverage, cosine and z
    to the question. A passage must hold every key term (`ConceptTerm.key`: the concept's name, a rare word
    the store lacks). Plus passages far above the question's own background in meaning (semantic only)."""
    n = len(index.items)
    cos = np.zeros(n, dtype=np.float32)
    z = np.zeros(n, dtype=np.float32)
    vecs = index.vectors()
    if qvec is not None and vecs is not None and n:
        cos = vecs @ qvec
        z = (cos - cos.mean()) / (cos.std() + 1e-6)
    out: dict[str, list[PassageEvidence]] = defaultdict(list)
    terms = [*required, *optional]
    sets = {t.word: term_passages(index, t) for t in terms}
    total = sum(weights.get(t.word, 0.0) for t in terms) or 1.0
    found: dict[int, list[str]] = defaultdict(list)
    for t in terms:
        for i in sets[t.word]:
            found[i].append(t.word)
    keys = {t.word for t in terms if t.key}
    hit: set[int] = set()
    for i, present in sorted(found.items()):
        coverage = sum(weights.get(w, 0.0) for w in present) / total
        if coverage < min_coverage or not index.items[i].quotable or not keys <= set(present):
            continue  # a passage without the concept's name is about something else
        hit.add(i)
        spans = _spans(index, i, [t for t in terms if t.word in present])
        first = spans[0] if spans else (0, len(index.items[i].folded))
        reading = index.reading(i, *first)
        why = f"words {', '.join(present)} (coverage {coverage:.2f}) in {reading.describe()}"
        if qvec is not None:
            why += f"; cosine {float(cos[i]):.3f} (z {float(z[i]):.1f})"
        out[index.items[i].region].append(
            index.evidence(
                i,
                reading,
                spans,
                term=" ".join(present),
                cosine=float(cos[i]),
                z=float(z[i]),
                lexical=max(coverage, 0.01),
                explanation=why,
            )
        )
    if qvec is not None:
        for i in np.nonzero(z >= semantic_z)[0].tolist():
            if i not in hit:
                index.add_semantic(out, i, float(cos[i]), float(z[i]))
    return out


def fold_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))
