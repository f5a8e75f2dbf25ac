"""The evidence model shared by query, compare, graph and report: records and the one decision config.

The index emits `PassageEvidence` with features only (role, commitment, lexical match, strength, cosine,
z); `planmine.themes.decision` alone turns features into weights and levels, under `DecisionConfig`.
`QuestionReading` says how a question was read (theme or free concept, filters); `RegionQuality` how
much readable text a region has. Nothing here imports the index or the decision.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from planmine.types import Evidence

Role = Literal["goal", "activity", "indicator", "heading", "paragraph", "statement", "background", "semantic"]


@dataclass(frozen=True)
class DecisionConfig:
    """Every threshold of matching and deciding, in one place; recorded with every answer and export.

    The region cut-offs were calibrated with leave-one-region-out on the theme gold
    (benchmarks/eval_themes.py); the question-reading and free-text values on the development split of
    tests/data/questions/ (benchmarks/eval_questions.py).
    """

    addressed: float = 0.5  # middle of the F1-best range 0.30..0.575 of compare() on the gold cells
    mentioned: float = 0.12
    semantic_z: float = 3.0  # a passage with no term counts only when its cosine is this many sd above mean
    semantic_max: float = 0.3  # the most a passage without a term can weigh
    # Without any matching term, meaning alone makes at most "mentioned", and only with a passage this far
    # above the mean; "addressed" needs several passages that are very close in meaning (themes only).
    semantic_mention_z: float = 3.5
    semantic_strong_z: float = 4.5
    semantic_strong_count: int = 3
    # --- passage relevance (themes/relevance.py) ---
    # below this a passage is not about the theme and weighs nothing: the cut-off that keeps 0.95 of the
    # positives in the model's out-of-fold probabilities on tests/data/relevance/ (scripts/train_relevance.py)
    relevance_mentioned: float = 0.095
    # "addressed" needs a passage with a term that the calibrated model finds more likely about the theme
    # than not (the role's weight decides how much it commits). Requiring a tagged goal, activity or
    # statement as well lost 11 of the 88 gold addressed cells (commitments in untagged paragraphs), and
    # leaving out background passages lost one (Skåne, fast vårdkontakt), so neither is required.
    relevance_addressed: float = 0.5
    min_chars: int = 1500  # a region with less readable text than this cannot be assessed
    min_ocr_confidence: float = 60.0
    # --- free-text questions ---
    # a passage carries the concept when it holds this idf-weighted share of the concept's terms
    concept_coverage: float = 0.45
    # semantic-only evidence for a free question: z of the cosine over the store's passages for that
    # question; never more than "mentioned"
    free_semantic_z: float = 5.0
    # above this many readable passages a free question's semantic evidence comes from the persistent ANN
    # index (its nearest `free_semantic_neighbours`, z against a fixed sample of `free_background_sample`
    # vectors) instead of a cosine with every vector (planmine.themes.semantic.SemanticSearch)
    dense_max_passages: int = 20_000
    free_semantic_neighbours: int = 256
    free_background_sample: int = 20_000
    # --- question reading ---
    # a question word counts as a concept of its own (not the theme's) when it occurs in at most this share
    # of the store's passages and is not among the theme's words
    concept_df_share: float = 0.02
    # reading a question as a theme by meaning alone (no theme word named): the best theme's score, and
    # z of its cosine over background phrases outside the taxonomy
    theme_semantic_score: float = 0.895
    theme_background_z: float = 3.0
    # English questions lie further from the (mostly Swedish) definitions: the same tests, lower
    theme_semantic_score_en: float = 0.86
    theme_background_z_en: float = 2.5
    # a question word counts as a concept of its own only when it is rarer than this in everyday Swedish
    # (wordfreq zipf) and, alone, lies less than this many sd above the background phrases for the theme
    concept_zipf: float = 4.0
    concept_theme_z: float = 1.8

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Thresholds = DecisionConfig  # the name the older code and benchmarks use
DEFAULT_CONFIG = DecisionConfig()
DEFAULT_THRESHOLDS = DEFAULT_CONFIG


@dataclass(frozen=True)
class PassageReading:
    """What a passage says around a match: the role that weighs it, the kind shown, the commitment."""

    role: Role
    kind: str  # tag kind (goal, activity, indicator) or passage kind (paragraph, list_item, ...)
    commitment: str | None = None
    enumeration: int = 1  # items of the comma list the match stands in (1 = not a list)

    def describe(self) -> str:
        text = self.kind if self.role in (self.kind, "semantic") else f"{self.kind} ({self.role})"
        return f"{text}, {self.commitment}" if self.commitment else text


Reading = PassageReading


@dataclass
class PassageEvidence:
    """One passage as evidence for a theme or question in one region: its features and (once decided)
    its weight."""

    passage_id: int
    region: str
    document: str
    page: int
    section: str
    text: str
    role: Role
    weight: float = 0.0  # set by decision.weigh from the features below
    kind: str = ""  # tag kind (goal, activity, indicator) or passage kind (paragraph, list_item, ...)
    commitment: str | None = None
    term: str = ""
    fuzzy: float = 0.0
    cosine: float = 0.0
    z: float = 0.0  # standard deviations of the cosine above the mean over all passages
    lexical: float = 0.0  # match quality of the best term (or concept coverage), 0 when none
    weak: bool = False  # only a related term matched
    enumeration: int = 1
    explanation: str = ""
    match: list[tuple[int, int]] = field(default_factory=list)  # offsets of the matched words in `text`
    document_id: int = 0
    genre: str = ""
    relevance: float | None = None  # the passage-relevance model's probability, when one is shipped

    @property
    def reading(self) -> PassageReading:
        return PassageReading(self.role, self.kind or self.role, self.commitment, self.enumeration)

    def to_evidence(self) -> Evidence:
        return Evidence(
            document=self.document,
            page=self.page,
            section=self.section,
            kind=self.kind or self.role,
            text=self.text,
            score=self.weight,
            region=self.region,
            why=self.explanation,
            match=list(self.match),
        )


@dataclass
class RegionQuality:
    """How much readable text a region has in the store, to tell not_found from cannot_assess."""

    region: str
    chars: int = 0
    passages: int = 0
    documents: int = 0
    unreadable_pages: int = 0
    pages: int = 0
    low_confidence_pages: int = 0
    notes: list[str] = field(default_factory=list)
    excluded: int = 0  # documents of this region left out by the document-type filter
    excluded_genres: list[str] = field(default_factory=list)

    def assessable(self, t: DecisionConfig = DEFAULT_CONFIG) -> tuple[bool, str]:
        if self.documents == 0 or self.passages == 0:
            return False, "no readable passages in the store"
        if self.chars < t.min_chars:
            return False, f"only {self.chars} characters of readable text (needs {t.min_chars})"
        bad = self.unreadable_pages + self.low_confidence_pages
        if self.pages and bad / self.pages > 0.25:
            return False, f"{bad} of {self.pages} pages are unreadable or low-confidence OCR"
        return True, ""


@dataclass(frozen=True)
class ConceptTerm:
    """One content term of a free question: the question's word and the Swedish forms that match it."""

    word: str  # as in the question (folded)
    forms: tuple[tuple[str, ...], ...]  # alternatives, each a tuple of folded Swedish words (all needed)
    # question | glossary | compound part | name | narrower | unread (an English word kept as written)
    source: str = "question"
    surface: str = ""  # the word as written in the question (for the everyday-word and meaning tests)
    # a key term is the concept itself: a name in the question ('TSI', 'Första hjälpen'), or a rare word the
    # store never holds ('sepsis'); a passage carries the concept only when it holds every key term
    key: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.surface or self.word,
            "forms": [" ".join(f) for f in self.forms],
            "source": self.source,
            "key": self.key,
        }


@dataclass
class QuestionReading:
    """How a question was read: its language, the theme it asks for (or its own concept), its filters."""

    question: str
    language: str  # sv | en
    core: str  # the question without its frame ("Which regions ..."), and without its filters
    theme: str | None = None
    theme_label: str = ""
    why: str = ""  # why this theme, or why no theme
    terms: list[ConceptTerm] = field(default_factory=list)
    nearest_theme: str | None = None  # the broader theme offered as a hint to a free question
    nearest_label: str = ""
    region: str | None = None
    municipality: str | None = None
    period: tuple[int, int] | None = None
    types: tuple[str, ...] | None = None  # genres asked for (None: policy documents)
    cosine: float = 0.0

    @property
    def concept(self) -> str:
        return " ".join(t.surface or t.word for t in self.terms) or self.core

    def line(self) -> str:
        """One line for the terminal: 'läst som temat Fallprevention' / 'fri fråga: ambulanssjukvård'."""
        if self.theme:
            text = f"läst som temat {self.theme_label or self.theme}"
        else:
            text = f"fri fråga: {self.concept}"
            if self.nearest_label:
                text += f" (närmaste tema: {self.nearest_label})"
        filters = [f for f in (self.region, self.municipality) if f]
        if self.period:
            filters.append(f"{self.period[0]}–{self.period[1]}")
        if filters:
            text += f"; endast {', '.join(filters)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "theme": self.theme,
            "theme_label": self.theme_label or None,
            "why": self.why,
            "concept": None if self.theme else self.concept,
            "terms": [t.to_dict() for t in self.terms],
            "nearest_theme": self.nearest_theme,
            "region": self.region,
            "municipality": self.municipality,
            "period": list(self.period) if self.period else None,
            "types": list(self.types) if self.types is not None else None,
            "line": self.line(),
        }
