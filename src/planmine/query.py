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
from planmine.themes.text import STOPWORDS, fold, stems
from planmine.types import QueryAnswer

# A question maps to a theme when its best cosine to the theme's phrasings reaches MAP_COSINE, or when a
# theme term occurs in it and the cosine reaches MAP_COSINE_WITH_TERM. Calibrated on paraphrases that are
# not the taxonomy's labels (tests/data/themes/gold.jsonl, benchmarks/eval_themes.py).
MAP_SCORE = 0.88  # cosine + LEXICAL_WEIGHT × keyword overlap + TERM_BONUS
MAP_COSINE_WITH_TERM = 0.80
TERM_BONUS = 0.04
LEXICAL_WEIGHT = 0.1
LEXICAL_ONLY_MIN = 0.5
_WORD = re.compile(r"[^\W_]+")


@dataclass
class ThemeChoice:
    """Which theme a question was read as, and why."""

    theme: Theme | None
    cosine: float = 0.0
    term: str = ""
    runner_up: str = ""


def _english_hits(taxonomy: Taxonomy, question: str) -> dict[str, str]:
    """Themes whose English label or phrasing occurs in the question (word-bounded, plural allowed)."""
    folded = " " + " ".join(_WORD.findall(fold(question))) + " "
    found: dict[str, str] = {}
    for theme_id, words, phrase in _profiles(taxonomy).english:
        if any(f" {words}{end} " in folded for end in ("", "s", "es")) and len(words) > len(
            found.get(theme_id, "")
        ):
            found[theme_id] = phrase
    return found


_QUESTION_WORDS = frozenset(
    [
        "vilka",
        "vilken",
        "vilket",
        "hur",
        "var",
        "varfor",
        "nar",
        "which",
        "what",
        "how",
        "where",
        "why",
        "when",
        "do",
        "does",
        "did",
        "is",
        "are",
        "the",
        "regioner",
        "regionerna",
        "region",
        "regions",
        "regionen",
        "lan",
        "landsting",
    ]
)


def question_core(question: str) -> str:
    """The question without its frame: 'Which regions work to prevent falls?' → 'work to prevent falls'."""
    words = question.strip().rstrip("?.!").split()
    kept = [w for w in words if fold(w).strip(",.;:?!") not in _QUESTION_WORDS]
    return " ".join(kept) if kept else question


class _Profiles:
    """Per theme the stems of its labels, terms and keywords, with idf over themes."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.ids = taxonomy.ids()
        self.stems: list[set[str]] = []
        for t in taxonomy:
            texts = [t.label_sv, t.label_en, *t.alt_labels, *t.alt_labels_en, *t.keywords, *t.abbreviations]
            self.stems.append({s for text in texts for s in stems(text)})
        n = len(self.stems)
        df: dict[str, int] = {}
        for st in self.stems:
            for s in st:
                df[s] = df.get(s, 0) + 1
        self.idf = {s: float(np.log(1 + n / d)) for s, d in df.items()}
        self.english = [
            (t.id, " ".join(_WORD.findall(fold(phrase))), phrase)
            for t in taxonomy
            for phrase in (t.label_en, *t.alt_labels_en)
            if _WORD.findall(phrase)
        ]
        self.default_idf = float(np.log(1 + n))

    def scores(self, question: str) -> np.ndarray:
        q = [s for s in dict.fromkeys(stems(question_core(question))) if s not in STOPWORDS]
        total = sum(self.idf.get(s, self.default_idf) for s in q) or 1.0
        return np.array(
            [sum(self.idf[s] for s in q if s in st) / total for st in self.stems], dtype=np.float32
        )


_PROFILES: dict[int, tuple[Taxonomy, _Profiles]] = {}


def _profiles(taxonomy: Taxonomy) -> _Profiles:
    hit = _PROFILES.get(id(taxonomy))
    if hit is None or hit[0] is not taxonomy:
        hit = (taxonomy, _Profiles(taxonomy))
        _PROFILES[id(taxonomy)] = hit
    return hit[1]


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
    lex: np.ndarray = _profiles(taxonomy).scores(question)
    tv = index.theme_vectors()
    if tv is None or qvec is None:
        bonus = np.array([1.0 if i in term_of else 0.0 for i in ids], dtype=np.float32)
        lex_score = lex + bonus
        best_i = int(np.argmax(lex_score))
        if lex_score[best_i] >= LEXICAL_ONLY_MIN:
            return ThemeChoice(taxonomy.get(ids[best_i]), float(lex[best_i]), term_of.get(ids[best_i], ""))
        return ThemeChoice(None)
    cos = tv.query_scores(qvec)
    score: np.ndarray = (
        cos
        + LEXICAL_WEIGHT * lex
        + np.array([TERM_BONUS if i in term_of else 0.0 for i in ids], dtype=np.float32)
    )
    order = np.argsort(-score)
    best_i, second_i = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
    # a narrower theme the question also names wins over its broader one ("falls among older people")
    for narrower in taxonomy.get(ids[best_i]).narrower:
        j = ids.index(narrower)
        if (lex[j] > 0 or narrower in term_of) and score[j] >= score[best_i] - 0.05:
            best_i, second_i = j, best_i
            break
    best_id = ids[best_i]
    accepted = score[best_i] >= MAP_SCORE or (best_id in term_of and cos[best_i] >= MAP_COSINE_WITH_TERM)
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
        vecs = embedder.embed_queries([question_core(q) for q in queries])
        qvecs = [vecs[i] for i in range(len(queries))]
    return [answer_one(index, q, v, top_k) for q, v in zip(queries, qvecs, strict=True)]
