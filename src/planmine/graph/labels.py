"""Labels for discovered themes: the most distinctive lemmas of each cluster (class-based TF-IDF).

Class-based TF-IDF (as in BERTopic) treats all passages of one cluster as a single document: a lemma
scores high when it is frequent inside the cluster and rare across clusters. The passages outside every
cluster form one more "background" class, so words every plan uses ("vård", "region") sink.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# Genre words of every plan: never distinctive for a theme, whatever their frequency.
_GENRE_WORDS = frozenset(
    {"ska", "samt", "arbeta", "arbete", "utveckla", "utveckling", "aktivitet", "aktiviteter", "mål", "pdf"}
    | {"föra", "böra"}  # the lookup lemmatizer's reading of the preposition "för" and the modal "bör"
    | {"region", "regionen", "regioner", "regionens", "län", "länet", "länets", "kommun", "kommunen"}
)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Words that never label a theme: Swedish stop words (spaCy's list, no model needed), genre words
    of the plans, and place names (regions, counties, municipalities, demonyms: they name who, not what).

    Each also in its diacritic-free form, since OCR often drops å, ä and ö ("for" for "för").
    """
    from spacy.lang.sv.stop_words import STOP_WORDS

    from planmine.regions import all_regions, fold

    places: set[str] = set()
    for region in all_regions():
        for name in (region.name, region.county, *region.aliases, *region.demonyms, *region.municipalities):
            for word in simple_lemmas(name):
                places.update({word, word + "s"})
    words = set(STOP_WORDS) | _GENRE_WORDS | places
    return frozenset(words | {fold(w) for w in words})


def simple_lemmas(text: str) -> list[str]:
    """Lowercased word tokens of three letters or more: a fallback when no lemmatizer is at hand."""
    return [w.lower() for w in _WORD.findall(text)]


def content_terms(lemmas: Sequence[str]) -> list[str]:
    """The lemmas that can label a theme: alphabetic, three letters or more, not stop words."""
    stops = stop_words()
    return [t for t in (w.lower() for w in lemmas) if len(t) >= 3 and t.isalpha() and t not in stops]


def class_tfidf(
    classes: Sequence[Sequence[Sequence[str]]], *, top_n: int = 5
) -> list[list[tuple[str, float]]]:
    """The ``top_n`` (lemma, score) pairs of each class; a class is a list of passages' lemma lists.

    score(t, c) = tf(t, c) · log(1 + A / f(t)), with tf the share of class c's terms that are t, A the
    mean number of terms per class and f(t) the count of t over all classes. Ties are broken by the lemma,
    so the labels are deterministic.
    """
    counts = [Counter(t for passage in cls for t in content_terms(passage)) for cls in classes]
    totals = np.array([sum(c.values()) for c in counts], dtype=float)
    overall: Counter[str] = Counter()
    for c in counts:
        overall.update(c)
    if not overall:
        return [[] for _ in classes]
    mean_terms = float(totals.mean()) if totals.size else 0.0
    labels: list[list[tuple[str, float]]] = []
    for c, total in zip(counts, totals, strict=True):
        if total == 0:
            labels.append([])
            continue
        scored = [(term, (n / total) * float(np.log1p(mean_terms / overall[term]))) for term, n in c.items()]
        scored.sort(key=lambda ts: (-ts[1], ts[0]))
        labels.append(scored[:top_n])
    return labels
