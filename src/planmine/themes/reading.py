"""Question reading, a stage of its own: what a question asks, before anything is searched.

`read_question` returns a `QuestionReading`: the language; the taxonomy theme, only when the question
names it (its label, an alternative label, an abbreviation or a keyword, inflection- and compound-aware)
or means it with a clear margin over the other themes and over a background of phrases outside the
taxonomy; otherwise the question's own concept terms (Swedish words, or English words through the
glossary), with the nearest theme as a hint. A question that names a theme but adds a concept of its own
that is rare in the store ("upphandling av välfärdsteknik", "digitala vårdbesök") is that narrower
concept. A region, municipality or period named in the question becomes a filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from itertools import islice, product
from typing import TYPE_CHECKING

import numpy as np

from planmine.themes.concept import df_share
from planmine.themes.evidence import ConceptTerm, DecisionConfig, QuestionReading
from planmine.themes.glossary import Glossary
from planmine.themes.matcher import INFLECTIONS, is_word_rest, swedish_words
from planmine.themes.question_filters import (
    FRAME_WORDS,
    QUALIFIER_WORDS,
    QUESTION_WORDS,
    language_of,
    name_phrases,
    period_of,
    place_of,
)
from planmine.themes.taxonomy import Taxonomy, Theme
from planmine.themes.text import STOPWORDS, fold, stem, stems, tokens

if TYPE_CHECKING:
    from planmine.themes.index import ThemeIndex

# A question is read as the theme with the highest cosine to one of its definitions plus LEXICAL_WEIGHT ×
# the share of the question's content words among the theme's labels and keywords, when that reaches
# MAP_SCORE (chosen on the development questions of tests/data/themes/; benchmarks/eval_themes.py).
MAP_SCORE = 0.86
LEXICAL_WEIGHT = 0.05
NARROWER_MARGIN = 0.03
UNKNOWN_WEIGHT = 0.4  # a question word no theme uses weighs this share of the rarest theme word
LEXICAL_ONLY_MIN = 0.5
COMPOUND_CREDIT = 0.5  # a question word sharing only a compound part with a theme's words
NAMED_LEXICAL = 0.5  # this idf share of the question's words among a theme's words names the theme
_WORD = re.compile(r"[^\W_]+")


def question_core(question: str) -> str:
    """The question without its frame: 'Which regions work to prevent falls?' → 'work to prevent falls'."""
    words = question.strip().rstrip("?.!").split()
    kept = [w for w in words if fold(w).strip(",.;:?!") not in QUESTION_WORDS]
    return " ".join(kept) if kept else question


# --- themes ------------------------------------------------------------------------------------------
class _Profiles:
    """Per theme the stems of its labels, terms and keywords, with idf over themes."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.ids = taxonomy.ids()
        self.stems: list[set[str]] = []
        self.single: list[set[str]] = []  # stems of the one-word labels and keywords only
        for t in taxonomy:
            texts = [t.label_sv, t.label_en, *t.alt_labels, *t.alt_labels_en, *t.keywords, *t.abbreviations]
            self.stems.append({s for text in texts for s in stems(text)})
            self.single.append({s for text in texts if len(_WORD.findall(text)) == 1 for s in stems(text)})
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

    def covers(
        self, k: int, word: str, generic: Callable[[str], bool] | None = None, single: bool = False
    ) -> bool:
        """Is a (folded) question word one of theme k's words, an inflection of one, or a compound that
        continues one ('fallskador' after 'fall')? A compound that only ends in a theme word
        ('vårdbesök', 'ambulanssjukvård') is a concept of its own. `single`: only the theme's one-word
        labels and keywords count ('boende' of 'i ordinärt boende' does not name Vård i hemmet)."""
        own = self.single[k] if single else self.stems[k]
        s = stem(word)
        if s in own or word in own:
            return True
        return any(
            len(st) >= 4
            and word.startswith(st)
            and is_word_rest(word[len(st) :], len(st) <= 5)
            and not (generic and generic(st))
            for st in own
        )

    def scores(self, question: str, whole: bool = False) -> np.ndarray:
        """Per theme the idf-weighted share of the question's content words found among its terms."""
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
                elif not whole and COMPOUND_CREDIT and (s in self.parts[k] or _compound_hit(word, st)):
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


_PROFILES: dict[int, tuple[Taxonomy, _Profiles, Glossary]] = {}


def _profiles(taxonomy: Taxonomy) -> _Profiles:
    return _taxonomy_data(taxonomy)[0]


def _taxonomy_data(taxonomy: Taxonomy) -> tuple[_Profiles, Glossary]:
    """Profiles and glossary of a taxonomy (the taxonomy object is immutable, so kept with it)."""
    hit = _PROFILES.get(id(taxonomy))
    if hit is None or hit[0] is not taxonomy:
        hit = (taxonomy, _Profiles(taxonomy), Glossary(taxonomy))
        _PROFILES[id(taxonomy)] = hit
    return hit[1], hit[2]


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


@dataclass
class ThemeChoice:
    """Which theme a question was read as, and why (None: a free question, `runner_up` the nearest)."""

    theme: Theme | None
    cosine: float = 0.0
    term: str = ""
    runner_up: str = ""
    why: str = ""


@lru_cache(maxsize=1)
def background_phrases() -> tuple[str, ...]:
    """Short phrases outside the taxonomy (data/question_background.txt): what 'not a theme' looks like."""
    text = resources.files("planmine.data").joinpath("question_background.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _background(index: ThemeIndex) -> tuple[np.ndarray, np.ndarray] | None:
    """Per theme the mean and sd of the background phrases' scores (cosine to the theme's phrasings)."""
    cached = index.__dict__.get("_background")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    tv = index.theme_vectors()
    if tv is None or index.embedder is None:
        return None
    vecs = index.embedder.embed_stored_queries(list(background_phrases()))
    scores = np.vstack([tv.query_scores(v) for v in vecs])
    stats = (scores.mean(axis=0), scores.std(axis=0) + 1e-6)
    index.__dict__["_background"] = stats
    return stats


def choose_theme(
    index: ThemeIndex, question: str, qvec: np.ndarray | None, config: DecisionConfig | None = None
) -> ThemeChoice:
    """The taxonomy theme a question asks about, or none (then its own concept answers it)."""
    t = config or index.thresholds
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
            term = term_of.get(ids[best_i], "")
            return ThemeChoice(taxonomy.get(ids[best_i]), float(lex[best_i]), term, why=_named(term))
        return ThemeChoice(None, runner_up=ids[best_i] if lex_score[best_i] > 0 else "", why="no theme named")
    cos = tv.query_scores(qvec)
    score: np.ndarray = cos + LEXICAL_WEIGHT * lex
    order = np.argsort(-score)
    best_i, second_i = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
    for narrower in taxonomy.get(ids[best_i]).narrower:
        j = ids.index(narrower)
        if narrower in term_of and score[j] >= score[best_i] - NARROWER_MARGIN:
            best_i, second_i = j, best_i
            break
    topic = _topic_theme(index, question, order, best_i, term_of, score, t)
    if topic is not None:
        best_i, second_i = topic, best_i
    best_id = ids[best_i]
    if score[best_i] < MAP_SCORE:
        return ThemeChoice(
            None, float(cos[best_i]), "", best_id, f"no theme close enough ({score[best_i]:.3f})"
        )
    named = best_id in term_of or float(_profiles(taxonomy).scores(question, True)[best_i]) >= NAMED_LEXICAL
    if topic is not None:
        why = f"names its topic; {ids[second_i]} only by the target group"
    elif not named:
        margin = float(score[best_i] - score[second_i])
        bg = _background(index)
        z = float((cos[best_i] - bg[0][best_i]) / bg[1][best_i]) if bg is not None else 0.0
        english = language_of(question) == "en"
        min_score = t.theme_semantic_score_en if english else t.theme_semantic_score
        min_z = t.theme_background_z_en if english else t.theme_background_z
        if score[best_i] < min_score or z < min_z:
            why = f"no theme named; nearest {best_id} by meaning only (margin {margin:.3f}, z {z:.1f})"
            return ThemeChoice(None, float(cos[best_i]), "", best_id, why)
        why = f"by meaning: margin {margin:.3f} over {ids[second_i]}, z {z:.1f} over background phrases"
    else:
        why = _named(term_of.get(best_id, "")) or f"its words ({lex[best_i]:.2f} of the question's)"
    return ThemeChoice(
        taxonomy.get(best_id), float(cos[best_i]), term_of.get(best_id, ""), ids[second_i], why
    )


def _content_words(question: str) -> list[str]:
    return [t for t in dict.fromkeys(tokens(question_core(question))) if t not in STOPWORDS and len(t) > 1]


def _topic_theme(
    index: ThemeIndex,
    question: str,
    order: np.ndarray,
    best_i: int,
    term_of: dict[str, str],
    score: np.ndarray,
    config: DecisionConfig,
) -> int | None:
    """A theme named by the question's topic word, when the best theme is named only by a target group:
    'äldre som ramlar' asks about falls (of older people), not about older people."""
    from planmine.tag.gazetteer import target_group_phrases

    groups = target_group_phrases()
    profiles = _profiles(index.taxonomy)
    ids = index.taxonomy.ids()
    words = _content_words(question)
    best_words = [w for w in words if profiles.covers(best_i, w)]
    named = term_of.get(ids[best_i])
    if named is not None and fold(named) not in groups:
        return None
    if not best_words or any(w not in groups for w in best_words):
        return None

    def topical(word: str) -> bool:  # rare in the store, not a group: the question's topic
        return (
            word not in groups
            and df_share(index, ConceptTerm(word, ((word,),))) < 4 * config.concept_df_share
        )

    for j in (int(j) for j in order):
        if j == best_i or score[j] < MAP_SCORE:
            continue
        if any(topical(w) and profiles.covers(j, w, single=True) for w in words):
            return j  # a whole label or keyword of theme j, not one word of a phrase ('särskilda boenden')
    return None


def _named(term: str) -> str:
    return f"names '{term}'" if term else ""


# --- concept -----------------------------------------------------------------------------------------
def _swedish_terms(words: list[str], core: str) -> list[ConceptTerm]:
    surface = {fold(w): w for w in _WORD.findall(core.lower())}
    return [ConceptTerm(w, ((w,),), surface=surface.get(w, w)) for w in words]


def _english_terms(
    glossary: Glossary,
    words: list[str],
    index: ThemeIndex,
    config: DecisionConfig,
    names: Sequence[tuple[str, ...]] = (),
) -> list[ConceptTerm]:
    """English words through the glossary; unknown ones kept when rare in English (a name, 'SBAR') or
    found as they stand in the store ('LSS', 'covid-19').

    A concept is never made broader by dropping words that could not be read: when every word that was
    read is an everyday Swedish word ('sjukdom' of "Parkinson's disease", 'kvalitet' of "quality
    registries"), the unread words that are not everyday English are kept, matched as they stand, so that
    the concept is what was asked."""
    out: list[ConceptTerm] = []
    for name in names:  # 'Mental Health First Aid': one term, its parts through the glossary
        content = [w for w in name if w not in STOPWORDS]
        if content and all(w in words for w in content):
            words = [w for w in words if w not in content]
            out.append(ConceptTerm(" ".join(content), _name_forms(glossary, content), "name", key=True))
    dropped: list[str] = []
    unread_common: list[str] = []  # everyday English words the glossary does not know ('robots', 'act')
    everyday = not out  # every term read so far is an everyday Swedish word (a name is not)
    common = _common_english()
    vocab = index.words()
    for phrase, forms in glossary.translate(words):
        if forms is not None:
            folded = tuple(tuple(_WORD.findall(fold(f))) for f in forms)
            out.append(ConceptTerm(phrase, tuple(f for f in folded if f), "glossary"))
            everyday = everyday and all(
                min((_zipf(w) for w in _WORD.findall(f.lower())), default=0.0) >= config.concept_zipf
                for f in forms
            )
        elif all(w in vocab for w in _WORD.findall(phrase)) or (
            phrase not in common and not phrase.isalpha()
        ):
            out.append(ConceptTerm(phrase, ((phrase,),), "question"))  # 'LSS', 'SBAR', 'covid-19'
            everyday = False
        elif phrase not in common and not _english_like(phrase):
            out.append(ConceptTerm(phrase, ((phrase,),), "question"))
            everyday = False
        elif phrase not in common:
            dropped.append(phrase)
        elif phrase.isalpha():
            unread_common.append(phrase)
    # every word read is frequent in the store ('health', 'elderly care'): the words left unread are what
    # the question asks about ('drones', 'act'); dropping them would answer another question
    broad = bool(out) and all(df_share(index, t) >= config.concept_df_share for t in out)
    unread = [*dropped, *unread_common] if broad else dropped if everyday else []
    if out and unread:
        out.extend(ConceptTerm(w, ((w,),), "unread") for w in unread)
    return out


MAX_NAME_FORMS = 8


def _name_forms(glossary: Glossary, name: list[str]) -> tuple[tuple[str, ...], ...]:
    """The Swedish forms of an English name: each part through the glossary ('first aid' → 'första
    hjälpen') or as it stands ('Cosmic', 'LINK'), all parts needed in one passage."""
    parts: list[list[tuple[str, ...]]] = []
    for phrase, forms in glossary.translate(name):
        alternatives = [tuple(_WORD.findall(fold(f))) for f in forms or ()]
        parts.append([a for a in alternatives if a] or [tuple(phrase.split())])
    combined = (tuple(w for part in combo for w in part) for combo in product(*parts))
    return tuple(islice(combined, MAX_NAME_FORMS))


def _swedish_names(
    terms: list[ConceptTerm], names: list[tuple[str, ...]], source: str = "name"
) -> list[ConceptTerm]:
    """The question's names as single key terms: 'Första hjälpen' one term of two words, 'TSI' a key.
    With source 'narrower', a theme's narrower term the question names ('preventiva hembesök')."""
    out = list(terms)
    for name in names:
        name = tuple(w for w in name if w not in STOPWORDS)
        parts = [next((t for t in out if t.word == w or t.word.startswith(w)), None) for w in name]
        if not name or any(p is None for p in parts):
            continue  # a name outside the question's core (a filter, a frame word)
        words = {p.word for p in parts if p is not None}
        first = next(i for i, t in enumerate(out) if t.word in words)
        surface = " ".join(t.surface or t.word for t in out if t.word in words)
        out = [t for t in out if t.word not in words]
        out.insert(min(first, len(out)), ConceptTerm(" ".join(name), (name,), source, surface, key=True))
    return out


def _keyed(index: ThemeIndex, term: ConceptTerm, config: DecisionConfig) -> ConceptTerm:
    """A term the store never holds that is rare in everyday Swedish ('sepsis', 'epilepsi') is the concept
    itself: no passage carries the question without it, whatever its other words. Cheap tests first."""
    if term.key or term.source == "unread":
        return term  # an English word kept as written weighs by its rarity, it is not the Swedish concept
    words = [term.surface or term.word] if term.source == "question" else [w for f in term.forms for w in f]
    if not words or min(_zipf(w) for w in words) >= config.concept_zipf:
        return term
    if term.source == "question" and _compound_parts(term.word):
        return term  # a compound of known words may stand apart in a plan ('kultur, fritid')
    return term if df_share(index, term) > 0 else replace(term, key=True)


def _english_like(word: str) -> bool:
    """An English word the glossary does not know (a verb, 'collaborate'): carries no concept."""
    try:
        from wordfreq import zipf_frequency

        return zipf_frequency(word, "en") >= 2.5
    except Exception:  # pragma: no cover - wordfreq is a dependency
        return True


@lru_cache(maxsize=1)
def _common_english() -> frozenset[str]:
    try:
        from wordfreq import top_n_list

        return frozenset(top_n_list("en", 5000))
    except Exception:  # pragma: no cover - wordfreq is a dependency
        return frozenset()


def concept_words(core: str, language: str) -> list[str]:
    """The content words of a question's core (folded), frame and stopwords dropped."""
    words = [w for w in _WORD.findall(fold(core)) if len(w) > 1 or w.isdigit()]
    keep = [w for w in words if w not in STOPWORDS and w not in FRAME_WORDS]
    if language == "en":
        return keep
    return list(dict.fromkeys(keep))


def split_required(
    index: ThemeIndex, terms: list[ConceptTerm], config: DecisionConfig
) -> tuple[list[ConceptTerm], list[ConceptTerm], dict[str, float]]:
    """Required terms (rare in the store: the concept) and optional ones (common), with idf weights."""
    n = max(index.passage_count, 1)
    shares = {t.word: df_share(index, t) for t in terms}
    weights = {w: float(np.log(1 + 1 / max(s, 0.5 / n))) for w, s in shares.items()}
    common = 4 * config.concept_df_share
    required = [t for t in terms if shares[t.word] < common]
    optional = [t for t in terms if shares[t.word] >= common]
    if not required and terms:
        required, optional = terms, []
    return required, optional, weights


def _compound_fallback(index: ThemeIndex, term: ConceptTerm, config: DecisionConfig) -> ConceptTerm:
    """A Swedish compound absent from the store whose head is a generic word ('cancervård' → cancer)."""
    if term.source != "question" or df_share(index, term) > 0 or len(term.word) < 8:
        return term
    words = swedish_words()
    for k in range(len(term.word) - 3, 3, -1):
        head, tail = term.word[:k], term.word[k:]
        if head.endswith("s") and head[:-1] in words:
            head = head[:-1]
        if head not in words or len(head) < 4 or tail not in words:
            continue
        if df_share(index, ConceptTerm(tail, ((tail,),))) >= 4 * config.concept_df_share:
            return ConceptTerm(term.word, ((term.word,), (head,)), "compound part", term.surface)
    return term


def _uncovered(
    index: ThemeIndex,
    k: int,
    terms: list[ConceptTerm],
    config: DecisionConfig,
    language: str,
    vectors: Callable[[list[str]], list[np.ndarray | None]] | None = None,
) -> list[str]:
    """Concept terms of the question that are not theme k's words, rare in the store and in everyday
    language, and (with a model) not close in meaning to the theme on their own."""
    profiles, glossary = _taxonomy_data(index.taxonomy)

    def generic(word: str) -> bool:  # 'vård' continued by 'vårdbesök' says nothing of the theme
        return df_share(index, ConceptTerm(word, ((word,),))) >= 4 * config.concept_df_share

    out: list[ConceptTerm] = []
    named: list[ConceptTerm] = []  # a name the theme does not use narrows it, whatever its words' meaning
    for term in terms:
        if term.source == "name":
            # a Swedish name is carried by its capitalised first word ('Alzheimers sjukdom' is Demens,
            # 'Första hjälpen' is not Psykisk hälsa); an English one by all its words
            head = term.forms[0][:1] if language == "sv" else term.forms[0]
            if not all(profiles.covers(k, w, generic) for w in head):
                named.append(term)
            continue
        if _qualifier(term.word):
            continue  # 'kroniskt sjuka', 'sjukhusets', 'the clinic': which patients or where, not what
        if profiles.covers(k, term.word, generic) or any(
            all(profiles.covers(k, w, generic) or generic(w) for w in form) for form in term.forms if form
        ):
            continue  # each word of one of its forms is the theme's or says nothing ('vård'); 'preventive
            # home visits' is not Fallprevention's: 'hembesök' is neither
        if language == "en" and term.source != "glossary":
            continue  # an English word the glossary does not know is no concept of the domain
        if language == "sv" and _zipf(term.surface or term.word) >= config.concept_zipf:
            continue  # an everyday word ('ger', 'människor', 'läkare') is the question's frame
        if language == "sv" and not (
            glossary.names_concept(term.word) or _unknown(index, term) or (term.key and _attributive(term))
        ):
            continue  # a verb or adjective of the paraphrase ('förhindra', 'rapportera'), no concept; an
            # attribute the store never holds narrows the theme's noun ('legitimerad personal')
        if df_share(index, term) <= config.concept_df_share:
            out.append(term)
    if out and vectors is not None:  # a word that alone means the theme ('självmord') is no narrowing
        vecs = vectors([t.surface or t.word for t in out])
        out = [t for t, v in zip(out, vecs, strict=True) if _theme_z(index, k, v) < config.concept_theme_z]
    return [t.word for t in (*named, *out)]


_ATTRIBUTE_ENDINGS = ("erad", "erade", "isk", "iska", "ell", "ella")


def _attributive(term: ConceptTerm) -> bool:
    """A Swedish participle or adjective of a loan stem ('legitimerad', 'somatisk', 'palliativ' is not):
    an attribute that names a kind of thing, unlike a verb of the paraphrase ('motverkar')."""
    word = term.surface or term.word
    return " " not in word and word.endswith(_ATTRIBUTE_ENDINGS)


def _qualifier(word: str) -> bool:
    """A qualifier word of the question (question_filters.QUALIFIER_WORDS), inflected or as written."""
    return any(word == q or (word.startswith(q) and word[len(q) :] in INFLECTIONS) for q in QUALIFIER_WORDS)


def _unknown(index: ThemeIndex, term: ConceptTerm) -> bool:
    """A word found nowhere in the store and rare in Swedish ('ambulanssjukvården'): a concept."""
    return df_share(index, term) == 0 and _zipf(term.surface or term.word) < 3.0


def _strip_filters(question: str) -> str:
    """The question as written, without a year or period (regions stay: they are rarely concept words)."""
    return re.sub(r"\b(?:19|20)\d\d\b", " ", question)


def _zipf(word: str) -> float:
    try:
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, "sv"))
    except Exception:  # pragma: no cover - wordfreq is a dependency
        return 0.0


def _theme_z(index: ThemeIndex, k: int, vec: np.ndarray | None) -> float:
    """How far a word alone lies above the background phrases in meaning, for theme k."""
    tv, bg = index.theme_vectors(), _background(index)
    if vec is None or tv is None or bg is None:
        return 0.0
    return float((tv.query_scores(vec)[k] - bg[0][k]) / bg[1][k])


def _term_span(words: list[str], term_words: list[str]) -> tuple[int, int] | None:
    """Where a (folded) term stands among the (folded) question words, each word inflection-aware."""
    n = len(term_words)
    for i in range(len(words) - n + 1):
        if all(
            w == t or (w.startswith(t) and is_word_rest(w[len(t) :], len(t) <= 5))
            for w, t in zip(words[i : i + n], term_words, strict=True)
        ):
            return i, i + n
    return None


_GROUP_PREPOSITIONS = ("till", "for", "hos", "bland", "inom", "to", "among", "of", "within")


def _without_qualified_groups(text: str) -> str:
    """The text without target groups that follow a preposition ('preventiva hembesök till äldre'): such a
    group says for whom the narrower thing is, not a second topic ('ungdomsmottagningar och barn och unga')."""
    pattern = _qualified_group_pattern()
    return pattern.sub(" ", text) if pattern is not None else text


@lru_cache(maxsize=1)
def _qualified_group_pattern() -> re.Pattern[str] | None:
    from planmine.tag.gazetteer import target_group_phrases

    groups = sorted(target_group_phrases(), key=len, reverse=True)
    alternatives = "|".join(re.escape(g) for g in groups if g)
    if not alternatives:
        return None
    return re.compile(rf"\b(?:{'|'.join(_GROUP_PREPOSITIONS)})\s+(?:{alternatives})\b")


def narrower_term(index: ThemeIndex, theme: Theme, core: str) -> str:
    """The narrower term of `theme` (a service, unit or named programme: `Theme.narrower_terms`) that a
    question's core names, when the core names nothing else of the theme ('ungdomsmottagningar' of Barn
    och unga); then the question asks about that thing, not the whole theme. Else ''."""
    words = _WORD.findall(fold(core))
    named = ""
    for term in theme.narrower_terms:
        span = _term_span(words, _WORD.findall(fold(term)))
        if span is not None:
            named = named or fold(term)
            words = words[: span[0]] + words[span[1] :]
    if not named:
        return ""
    rest = _without_qualified_groups(" ".join(words))
    if any(h.theme_id == theme.id and h.strength == "strong" for h in index.matcher.hits(rest)):
        return ""
    if theme.id in _english_hits(index.taxonomy, rest):
        return ""
    k = index.taxonomy.ids().index(theme.id)
    return "" if float(_profiles(index.taxonomy).scores(rest, True)[k]) >= NAMED_LEXICAL else named


def read_question(
    index: ThemeIndex,
    question: str,
    qvec: np.ndarray | None,
    config: DecisionConfig | None = None,
    types: frozenset[str] | None = None,
) -> QuestionReading:
    """Read one question: language, theme or concept, filters (see the module docstring)."""
    t = config or index.thresholds
    language = language_of(question)
    folded = fold(question)
    period, folded_rest = period_of(folded)
    region, municipality, folded_rest = place_of(question, folded_rest)
    core = question_core(folded_rest)
    words = concept_words(core, language)
    _, glossary = _taxonomy_data(index.taxonomy)
    names = name_phrases(question)
    if language == "en":
        terms = _english_terms(glossary, words, index, t, names)
    else:
        core_text = question_core(_strip_filters(question))
        terms = [_compound_fallback(index, term, t) for term in _swedish_terms(words, core_text)]
        terms = _swedish_names(terms, names)
    terms = [_keyed(index, term, t) for term in terms]
    choice = choose_theme(index, core if core.strip() else question, qvec, t)
    reading = QuestionReading(
        question=question,
        language=language,
        core=core,
        region=region,
        municipality=municipality,
        period=period,
        types=tuple(sorted(types)) if types is not None else None,
        terms=terms,
        cosine=choice.cosine,
    )
    if choice.theme is not None:
        k = index.taxonomy.ids().index(choice.theme.id)
        vectors = index.embed_questions if qvec is not None else None
        extra = _uncovered(index, k, terms, t, language, vectors)
        narrower = narrower_term(index, choice.theme, core)
        if narrower:
            extra = [narrower, *(w for w in extra if w != narrower)]
            if language == "sv" and " " in narrower:  # the narrower thing is the concept, as one term
                reading.terms = _swedish_names(reading.terms, [tuple(_WORD.findall(narrower))], "narrower")
        if not extra:
            reading.theme, reading.theme_label, reading.why = (
                choice.theme.id,
                choice.theme.label_sv,
                choice.why,
            )
            return reading
        reading.why = f"asks about {', '.join(extra)}, narrower than the theme {choice.theme.id}"
        reading.nearest_theme, reading.nearest_label = choice.theme.id, choice.theme.label_sv
        return reading
    reading.why = choice.why or "no theme named"
    if choice.runner_up:
        reading.nearest_theme = choice.runner_up
        reading.nearest_label = index.taxonomy.get(choice.runner_up).label_sv
    return reading
