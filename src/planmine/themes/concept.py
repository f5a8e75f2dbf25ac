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
from planmine.themes.index import add_semantic_item, item_evidence, passage_reading
from planmine.themes.matcher import match_part
from planmine.themes.text import fold, ocr_fold

if TYPE_CHECKING:
    from planmine.themes.index import IndexedPassage, ThemeIndex

_WORD = re.compile(r"[^\W_]+")
MIN_QUALITY = 0.9  # fuzzy (OCR) matches of long words above this count


@lru_cache(maxsize=50_000)
def _form_words(form: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(ocr_fold(form)))


def word_matches(index: ThemeIndex, word: str) -> set[str]:
    """The store's (folded) words that match one folded term word: of the words that share its first three
    letters or, for a long word, hold it, those `match_part` accepts."""
    cache = index.__dict__.setdefault("_word_matches", {})
    if word in cache:
        return cache[word]  # type: ignore[no-any-return]
    vocab = index.words()
    found: set[str] = set()
    if word in vocab:
        found.add(word)
    long = len(word) >= 7
    candidates = {tok for tok in vocab.with_prefix(word[:3]) if tok[:3] == word[:3]}
    if long:
        candidates.update(vocab.containing(word))
    for tok in candidates:
        if match_part(tok, word, True, long) >= MIN_QUALITY:
            found.add(tok)
    cache[word] = found
    return found


def form_passages(index: ThemeIndex, form: str) -> set[int]:
    """Ids of the passages holding every word of a form ('hjärt- och kärlsjukdom' needs hjärt and
    kärlsjukdom)."""
    vocab = index.words()
    result: set[int] | None = None
    for w in _form_words(form):
        if w in ("och", "i", "av", "for"):
            continue
        hits = vocab.passages_of(word_matches(index, w))
        result = hits if result is None else result & hits
        if not result:
            return set()
    return result or set()


def term_passages(index: ThemeIndex, term: ConceptTerm) -> set[int]:
    """Ids of the passages holding any form of a concept term. A word kept unread from an English question
    ('registries') matches only as it stands: fuzzy matching would make it a Swedish word ('centres' →
    'centrala')."""
    cache = index.__dict__.setdefault("_term_passages", {})
    key = (term.source, term.forms)
    if key not in cache:
        cache[key] = _term_passages(index, term)
    return cache[key]  # type: ignore[no-any-return]


def _term_passages(index: ThemeIndex, term: ConceptTerm) -> set[int]:
    out: set[int] = set()
    if term.source == "unread":
        vocab = index.words()
        for form in term.forms:
            sets = [set(vocab.passages(w)) for w in form]
            out |= set.intersection(*sets) if sets else set()
        return out
    for form in term.forms:
        out |= form_passages(index, " ".join(form))
    return out


def df_share(index: ThemeIndex, term: ConceptTerm) -> float:
    """Share of the store's passages that hold the term."""
    return len(term_passages(index, term)) / max(index.passage_count, 1)


def _spans(index: ThemeIndex, item: IndexedPassage, terms: list[ConceptTerm]) -> list[tuple[int, int]]:
    """Offsets of the words of a passage that match any of the terms."""
    cache = index.__dict__.setdefault("_wanted", {})
    key = tuple(t.forms for t in terms)
    if key not in cache:
        wanted: set[str] = set()
        for term in terms:
            for form in term.forms:
                for w in _form_words(" ".join(form)):
                    wanted |= word_matches(index, w)
        cache[key] = wanted
    wanted = cache[key]
    return [m.span() for m in _WORD.finditer(item.folded) if m.group(0) in wanted]


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
    the store lacks). Plus passages far above the question's own background in meaning (semantic only).
    Only the passages the terms or the question's neighbours hit are loaded (by id, from the word index)."""
    similarity = None
    if qvec is not None and (search := index.semantic()) is not None and index.passage_count:
        similarity = search.similarity(qvec)
    out: dict[str, list[PassageEvidence]] = defaultdict(list)
    terms = [*required, *optional]
    sets = {t.word: term_passages(index, t) for t in terms}
    total = sum(weights.get(t.word, 0.0) for t in terms) or 1.0
    coverage_of = _covering(sets, terms, weights, total, min_coverage)
    found = {i: [t.word for t in terms if i in sets[t.word]] for i in coverage_of}
    order = index.document_order()
    items = index.passages_by_id(coverage_of)
    hits = sorted(
        (i for i, it in items.items() if it.quotable),
        key=lambda i: (order.get(items[i].document_id, 0), items[i].passage.index),
    )
    scores = similarity.scores(hits) if similarity is not None else {}
    for i in hits:
        it, present, coverage = items[i], found[i], coverage_of[i]
        cos, z = scores.get(i, (0.0, 0.0))
        spans = _spans(index, it, [t for t in terms if t.word in present])
        first = spans[0] if spans else (0, len(it.folded))
        reading = passage_reading(it, *first)
        why = f"words {', '.join(present)} (coverage {coverage:.2f}) in {reading.describe()}"
        if qvec is not None:
            why += f"; cosine {cos:.3f} (z {z:.1f})"
        out[it.region].append(
            item_evidence(
                it,
                i,
                reading,
                spans,
                term=" ".join(present),
                cosine=cos,
                z=z,
                lexical=max(coverage, 0.01),
                explanation=why,
            )
        )
    if similarity is not None:
        near = [i for i in similarity.above(semantic_z) if i not in set(hits)]
        loaded = index.passages_by_id(near)
        near = sorted(loaded, key=lambda i: (order.get(loaded[i].document_id, 0), loaded[i].passage.index))
        scores = similarity.scores(near)
        for i in near:
            add_semantic_item(out, loaded[i], i, *scores[i])
    return out


def _covering(
    sets: dict[str, set[int]],
    terms: list[ConceptTerm],
    weights: dict[str, float],
    total: float,
    min_coverage: float,
) -> dict[int, float]:
    """Passages holding every key term and at least `min_coverage` of the terms' weight, with their
    coverage: a vectorised first pass (the term sets of common words hold much of a large store), then
    each candidate's coverage summed in term order, so that levels match the per-passage sum exactly."""
    keys = [t.word for t in terms if t.key]
    lists = [np.fromiter(sets[t.word], dtype=np.int64, count=len(sets[t.word])) for t in terms]
    if not lists or not sum(len(a) for a in lists):
        return {}
    ids = np.concatenate(lists)
    weight = np.repeat([weights.get(t.word, 0.0) for t in terms], [len(a) for a in lists])
    unique, inverse = np.unique(ids, return_inverse=True)
    rough = np.bincount(inverse, weights=weight, minlength=len(unique)) / total
    out: dict[int, float] = {}
    for i in unique[rough >= min_coverage - 1e-9].tolist():
        if any(i not in sets[k] for k in keys):
            continue  # a passage without the concept's name is about something else
        coverage = sum(weights.get(t.word, 0.0) for t in terms if i in sets[t.word]) / total
        if coverage >= min_coverage:
            out[i] = coverage
    return out


def fold_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))
