"""Free-text questions: 'which regions address X?' for any Swedish or English phrase.

A question that names or paraphrases a taxonomy theme (its label, an alternative label, an abbreviation,
or close in meaning to its labels and definition) is answered with that theme's robust matching; any
other phrase by hybrid retrieval (BM25 over stems + embeddings). Either way every region in the store
gets a level, a score and its best evidence, from the same region-level decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from planmine.themes.decision import decide
from planmine.themes.index import ThemeIndex, get_index
from planmine.themes.semantic import Embedder
from planmine.themes.taxonomy import Taxonomy, Theme
from planmine.themes.text import fold
from planmine.types import QueryAnswer

# A question maps to a theme when its best cosine to the theme's phrasings reaches MAP_COSINE, or when a
# theme term occurs in it and the cosine reaches MAP_COSINE_WITH_TERM. Calibrated on paraphrases that are
# not the taxonomy's labels (tests/data/themes/gold.jsonl, benchmarks/eval_themes.py).
MAP_COSINE = 0.86
MAP_COSINE_WITH_TERM = 0.80
TERM_BONUS = 0.04
_WORD = re.compile(r"[^\W_]+")


@dataclass
class ThemeChoice:
    """Which theme a question was read as, and why."""

    theme: Theme | None
    cosine: float = 0.0
    term: str = ""
    runner_up: str = ""


def _english_hits(taxonomy: Taxonomy, question: str) -> dict[str, str]:
    folded = " " + " ".join(_WORD.findall(fold(question))) + " "
    found: dict[str, str] = {}
    for theme in taxonomy:
        for phrase in (theme.label_en, *theme.alt_labels_en):
            words = " ".join(_WORD.findall(fold(phrase)))
            if words and re.search(rf" {re.escape(words)}(s|es)? ", folded):
                if len(words) > len(found.get(theme.id, "")):
                    found[theme.id] = phrase
    return found


def choose_theme(index: ThemeIndex, question: str, qvec: np.ndarray | None) -> ThemeChoice:
    """The taxonomy theme a question asks about, or none (then hybrid retrieval answers it)."""
    taxonomy = index.taxonomy
    ids = taxonomy.ids()
    term_of: dict[str, str] = {}
    for hit in index.matcher.hits(question):
        if hit.strength == "strong":
            term_of.setdefault(hit.theme_id, hit.term)
    for theme_id, phrase in _english_hits(taxonomy, question).items():
        term_of.setdefault(theme_id, phrase)
    # a narrower theme named in the question beats its broader one ("falls among the elderly")
    for theme_id in list(term_of):
        for other in taxonomy.get(theme_id).narrower:
            if other in term_of and theme_id in term_of:
                del term_of[theme_id]
                break
    tv = index.theme_vectors()
    if tv is None or qvec is None:
        if len(term_of) >= 1:
            best = max(term_of, key=lambda t: len(term_of[t]))
            return ThemeChoice(taxonomy.get(best), 1.0, term_of[best])
        return ThemeChoice(None)
    cos = tv.query_scores(qvec)
    score = cos + np.array([TERM_BONUS if i in term_of else 0.0 for i in ids], dtype=np.float32)
    order = np.argsort(-score)
    best_i, second_i = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
    best_id = ids[best_i]
    accepted = (best_id in term_of and cos[best_i] >= MAP_COSINE_WITH_TERM) or cos[best_i] >= MAP_COSINE
    if not accepted:
        return ThemeChoice(None, float(cos[best_i]), "", best_id)
    return ThemeChoice(taxonomy.get(best_id), float(cos[best_i]), term_of.get(best_id, ""), ids[second_i])


def answer_one(index: ThemeIndex, question: str, qvec: np.ndarray | None, top_k: int = 5) -> QueryAnswer:
    """Every region's level and evidence for one question."""
    choice = choose_theme(index, question, qvec)
    if choice.theme is not None:
        evidence = index.theme_evidence(choice.theme.id)
        how = f"read as theme '{choice.theme.id}'"
        how += f" (term '{choice.term}')" if choice.term else ""
        how += f" (cosine {choice.cosine:.3f})" if qvec is not None else ""
    else:
        evidence = index.text_evidence(question, qvec)
        how = "free-text search (BM25 + embeddings)"
    regions = []
    for region in index.regions:
        result = decide(region, evidence.get(region, []), index.quality[region], index.thresholds, top_k)
        result.reason = f"{how}; {result.reason}"
        regions.append(result)
    regions.sort(key=lambda r: (-r.score, r.region))
    return QueryAnswer(query=question, regions=regions)


def answer(
    queries: list[str],
    store: Any,
    embedder: Embedder | None,
    top_k: int = 5,
    taxonomy: Taxonomy | None = None,
) -> list[QueryAnswer]:
    """Answer each question over the store: every region with level, score and evidence, best first.

    Args:
        queries: phrases or questions, Swedish or English.
        store: a `planmine.store.Store` (or anything with its read API).
        embedder: the loaded embedding model, shared by all questions; None for lexical matching only.
        top_k: evidence passages per region.
    """
    index = get_index(store, embedder, taxonomy)
    qvecs: list[np.ndarray | None] = [None] * len(queries)
    if embedder is not None and queries:
        vecs = embedder.embed_queries(list(queries))
        qvecs = [vecs[i] for i in range(len(queries))]
    return [answer_one(index, q, v, top_k) for q, v in zip(queries, qvecs, strict=True)]
