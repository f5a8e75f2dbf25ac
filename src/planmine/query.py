"""Free-text questions: 'which regions address X?' for any Swedish or English phrase.

A question that names or paraphrases a taxonomy theme (its label, an alternative label, an abbreviation,
or close in meaning to its labels and definition) is answered with that theme's robust matching; any
other phrase by hybrid retrieval (BM25 over stems + embeddings). Either way every region in the store
gets a level, a score and its best evidence, from the same region-level decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planmine.themes.decision import PassageEvidence, decide
from planmine.themes.index import ThemeIndex, get_index
from planmine.themes.matcher import is_word_rest, swedish_words
from planmine.themes.taxonomy import Taxonomy, Theme
from planmine.themes.text import STOPWORDS, fold, stem, stems, tokens
from planmine.types import QueryAnswer

if TYPE_CHECKING:
    from planmine.embed import Embedder
    from planmine.store import Store

# A question is read as the theme with the highest cosine to one of its definitions plus LEXICAL_WEIGHT ×
# the share of the question's content words among the theme's labels and keywords, when that reaches
# MAP_SCORE; otherwise hybrid retrieval answers it. Chosen on the development questions of
# tests/data/themes/gold.jsonl and a few questions outside the taxonomy (benchmarks/eval_themes.py).
MAP_SCORE = 0.86
# Questions are short: one torch thread embeds one in ~25 ms, while two threads on a shared 2-core machine
# stall for up to a second waiting for each other (benchmarks/bench_query.py).
QUERY_THREADS = 1
LEXICAL_WEIGHT = 0.05
NARROWER_MARGIN = 0.03
# a question word that no theme uses weighs this share of the rarest theme word ('försöker', 'antalet')
UNKNOWN_WEIGHT = 0.4
LEXICAL_ONLY_MIN = 0.5
# a question word that only shares a compound part with a theme's words counts this much
# ('medicinlistor' ~ medicin, 'säker' ~ läkemedelssäkerhet). LEXICAL_WEIGHT, UNKNOWN_WEIGHT and
# COMPOUND_CREDIT were chosen on the development questions and tests/data/themes/dev2_questions.jsonl
# together with ten questions outside the taxonomy that must stay free-text.
COMPOUND_CREDIT = 0.5
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
        # the parts of the themes' compound words ('läkemedelssäkerhet' → läkemedel, säkerhet), weaker
        self.parts = [{p for word in st for p in _compound_parts(word)} - st for st in self.stems]
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
        """Per theme the idf-weighted share of the question's content words found among its terms.

        A word counts whole when its stem is a theme stem, and partly when it is a compound one of whose
        parts is ('fallskador' → fall + skador, 'medicinlistor' → medicin + listor).
        """
        words = [
            t for t in dict.fromkeys(tokens(question_core(question))) if t not in STOPWORDS and len(t) > 1
        ]
        out = np.zeros(len(self.stems), dtype=np.float32)
        total = 0.0
        for word in words:
            s = stem(word)
            weight = self.idf.get(s, UNKNOWN_WEIGHT * self.default_idf)
            total += weight
            for k, st in enumerate(self.stems):
                if s in st:
                    out[k] += weight
                elif COMPOUND_CREDIT and (s in self.parts[k] or _compound_hit(word, st)):
                    out[k] += COMPOUND_CREDIT * weight
        return out / (total or 1.0)


def _compound_parts(word: str) -> set[str]:
    """Stems of both parts of a (stemmed) compound whose parts are Swedish words, else nothing."""
    words = swedish_words()
    for k in range(4, len(word) - 3):
        head, tail = word[:k], word[k:]
        if head.endswith("s") and head[:-1] in words:
            head = head[:-1]
        if head in words and len(head) >= 4 and (tail in words or stem(tail) in words):
            return {stem(head), stem(tail)}
    return set()


def _compound_hit(word: str, theme_stems: set[str]) -> bool:
    """Is a part of a compound question word (≥ 4 letters, the other part a word) a theme stem?"""
    if len(word) < 7:
        return False
    for k in range(3, len(word) - 3):
        head, tail = word[:k], word[k:]
        if tail in theme_stems or stem(tail) in theme_stems:
            return len(tail) >= 4
        if len(head) >= 4 and (head in theme_stems or stem(head) in theme_stems) and is_word_rest(tail):
            return True
    return False


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
    lex: np.ndarray = _profiles(taxonomy).scores(question)
    tv = index.theme_vectors()
    if tv is None or qvec is None:
        lex_score = lex + np.array([1.0 if i in term_of else 0.0 for i in ids], dtype=np.float32)
        best_i = int(np.argmax(lex_score))
        if lex_score[best_i] >= LEXICAL_ONLY_MIN:
            return ThemeChoice(taxonomy.get(ids[best_i]), float(lex[best_i]), term_of.get(ids[best_i], ""))
        return ThemeChoice(None)
    cos = tv.query_scores(qvec)
    score: np.ndarray = cos + LEXICAL_WEIGHT * lex
    order = np.argsort(-score)
    best_i, second_i = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
    # a narrower theme the question names wins over its broader one ("falls among older people")
    for narrower in taxonomy.get(ids[best_i]).narrower:
        j = ids.index(narrower)
        if narrower in term_of and score[j] >= score[best_i] - NARROWER_MARGIN:
            best_i, second_i = j, best_i
            break
    best_id = ids[best_i]
    if score[best_i] < MAP_SCORE:
        return ThemeChoice(None, float(cos[best_i]), "", best_id)
    return ThemeChoice(taxonomy.get(best_id), float(cos[best_i]), term_of.get(best_id, ""), ids[second_i])


def question_evidence(
    index: ThemeIndex, question: str, qvec: np.ndarray | None
) -> tuple[dict[str, list[PassageEvidence]], str]:
    """Evidence passages per region for one question, and how the question was read."""
    choice = choose_theme(index, question, qvec)
    if choice.theme is not None:
        how = f"read as theme '{choice.theme.id}'"
        how += f" (term '{choice.term}')" if choice.term else ""
        how += f" (cosine {choice.cosine:.3f})" if qvec is not None else ""
        return index.theme_evidence(choice.theme.id), how
    return index.text_evidence(question, qvec), "free-text search (BM25 + embeddings)"


def answer_one(index: ThemeIndex, question: str, qvec: np.ndarray | None, top_k: int = 5) -> QueryAnswer:
    """Every region's level and evidence for one question."""
    evidence, how = question_evidence(index, question, qvec)
    regions = []
    for region in index.regions:
        result = decide(region, evidence.get(region, []), index.quality[region], index.thresholds, top_k)
        result.reason = f"{how}; {result.reason}"
        regions.append(result)
    regions.sort(key=lambda r: (-r.score, r.region))
    return QueryAnswer(query=question, regions=regions)


def answer(
    queries: list[str],
    store: Store,
    embedder: Embedder | None,
    top_k: int = 5,
    taxonomy: Taxonomy | None = None,
) -> list[QueryAnswer]:
    """Answer each question over the store: every region with level, score and evidence, best first.

    Args:
        queries: phrases or questions, Swedish or English.
        store: the store after `planmine ingest` (passage vectors are read from its cache).
        embedder: the loaded embedding model (`planmine.embed.load_embedder()`); None for lexical
            matching only.
        top_k: evidence passages per region.
    """
    index = get_index(store, embedder, taxonomy)
    qvecs = index.embed_questions([question_core(q) for q in queries])
    return [answer_one(index, q, v, top_k) for q, v in zip(queries, qvecs, strict=True)]
