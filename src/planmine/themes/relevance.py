"""Passage relevance: the probability that a passage is *about* a theme, not merely sharing a word with it.

A small calibrated logistic regression over features the theme index already has or can cheaply compute:
the e5 cosine of passage and theme definition, its z against the theme's fixed background (mean and sd of
the cosine over the labelled passages, shipped with the model, so the feature does not depend on the
store), how the passage ranks the theme among all themes, the lexical match (label, alternative label,
related term, abbreviation, compound, fuzzy, none), how many other themes the passage names (a list of
categories), the passage's shape (length, a heading, a table-of-contents line, a form field, a
statistic), its document's genre, and a few principal components of passage ⊙ theme centroid.

`scripts/train_relevance.py` fits it on `tests/data/relevance/judgements.jsonl` with a fixed seed and
writes `planmine/data/relevance_model.npz`; `benchmarks/eval_relevance.py` scores it under cross-validation
grouped by document. The index attaches `relevance` to every theme evidence; `decision` alone decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from planmine.genre import POLICY_GENRES
from planmine.themes.text import fold, is_background, unquotable

if TYPE_CHECKING:
    from planmine.themes.matcher import TermHit
    from planmine.themes.taxonomy import Taxonomy, Theme

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "relevance_model.npz"
PCA_DIMS = 8  # principal components of passage ⊙ theme centroid kept as features

GENRE_GROUPS = ("policy", "press", "procurement", "risk_analysis", "manual", "other")
MATCH_KINDS = ("label", "alt_label", "related", "abbreviation", "none")

FEATURE_NAMES: tuple[str, ...] = (
    "cosine",
    "z_background",
    "cosine_margin",  # cosine minus the best cosine of any other theme
    "theme_rank",  # 0 = the passage's nearest theme, 1 = the farthest
    *(f"match_{k}" for k in MATCH_KINDS),
    "match_quality",
    "match_compound",  # the term is the first part of a longer word
    "match_count",
    "distinct_terms",
    "other_themes",  # how many other themes the passage names (a list of categories)
    "log_chars",
    "heading_like",  # short, no sentence end
    "unquotable",  # table-of-contents line, form field, footnote, page number
    "background",  # a statistic or example list
    "digit_share",
    "label_colon",  # "Kompetensområde: Ledning och styrning"
    "log_words",
    "outside_share",  # share of the passage's words outside the matched terms (0: it only names the theme)
    "table_cells",  # cells of a table row (" | ")
    "reference_like",  # a footnote or bibliographic reference: "56 Socialstyrelsens föreskrifter (2000:1)"
    "sentences",
    *(f"genre_{g}" for g in GENRE_GROUPS),
)
N_BASE = len(FEATURE_NAMES)

_DIGIT = re.compile(r"\d")
_LABEL_COLON = re.compile(r"^[^:.!?]{2,40}:\s*\S")
_WORD = re.compile(r"[^\W_]+")
_REFERENCE = re.compile(
    r"^\s*\d{1,3}(\s*\(\d+\))?\s+[A-ZÅÄÖ]|\(\d{4}:\d+\)|\bet al\b|https?://|www\.|\b(19|20)\d\d\)?[.;]"
)
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


def genre_group(genre: str) -> str:
    """The genre as the model sees it: the policy genres together, the rest apart."""
    if not genre or genre in POLICY_GENRES:
        return "policy"  # unclassified documents are read as policy (the manifest's default)
    return genre if genre in GENRE_GROUPS else "other"


def match_kind(theme: Theme, hit: TermHit) -> str:
    """How a term hit names the theme: its label, an alternative label, a related term, an abbreviation."""
    if hit.term in theme.abbreviations:
        return "abbreviation"
    if hit.strength == "weak":
        return "related"
    if fold(hit.term) == fold(theme.label_sv):
        return "label"
    return "alt_label"


def base_features(
    text: str,
    theme: Theme,
    hits: list[TermHit],
    other_themes: int,
    cosine: float,
    z_background: float,
    margin: float,
    rank: float,
    genre: str,
) -> np.ndarray:
    """The named features (FEATURE_NAMES) of one passage for one theme; `hits` are that theme's hits."""
    kinds = {match_kind(theme, h) for h in hits} or {"none"}
    best = max((h.quality for h in hits), default=0.0)
    compound = any(len(h.surface) > len(h.term) + 3 and " " not in h.term for h in hits)
    line = " ".join(text.split())
    words = _WORD.findall(line)
    group = genre_group(genre)
    covered = sum(len(_WORD.findall(h.surface)) for h in hits)
    outside = max(len(words) - covered, 0)
    values = [
        cosine,
        z_background,
        margin,
        rank,
        *(float(k in kinds) for k in MATCH_KINDS),
        best,
        float(compound),
        float(np.log1p(len(hits))),
        float(len({h.term for h in hits})),
        float(np.log1p(other_themes)),
        float(np.log1p(len(line))),
        float(len(words) <= 12 and not line.rstrip().endswith((".", "!", "?"))),
        float(unquotable(line)),
        float(is_background(fold(line))),
        len(_DIGIT.findall(line)) / max(len(line), 1),
        float(bool(_LABEL_COLON.match(line))),
        float(np.log1p(len(words))),
        outside / max(len(words), 1),
        float(np.log1p(line.count(" | "))),
        float(bool(_REFERENCE.search(line))),
        float(np.log1p(len(_SENTENCE_END.findall(line)))),
        *(float(group == g) for g in GENRE_GROUPS),
    ]
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class RelevanceModel:
    """A fitted relevance model: feature scaling, logistic coefficients, Platt calibration, the themes'
    cosine backgrounds and the projection of passage ⊙ theme."""

    theme_ids: tuple[str, ...]
    background_mean: np.ndarray  # per theme: mean cosine over the labelled passages
    background_sd: np.ndarray
    components: np.ndarray  # PCA_DIMS × dim, rows of the passage ⊙ theme projection
    product_mean: np.ndarray  # dim
    scale_mean: np.ndarray  # per feature
    scale_sd: np.ndarray
    coef: np.ndarray
    intercept: float
    platt_a: float  # calibrated p = 1 / (1 + exp(a·s + b)) of the raw score s
    platt_b: float

    def theme_row(self, theme_id: str) -> int:
        return self.theme_ids.index(theme_id)

    def z_background(self, theme_id: str, cosines: np.ndarray) -> np.ndarray:
        k = self.theme_row(theme_id)
        return (cosines - self.background_mean[k]) / self.background_sd[k]

    def products(self, passage_vectors: np.ndarray, centroid: np.ndarray) -> np.ndarray:
        """The PCA projection of passage ⊙ theme centroid (rows: passages)."""
        return (passage_vectors * centroid[None, :] - self.product_mean) @ self.components.T

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Calibrated P(about the theme) for rows of FEATURE_NAMES followed by the PCA_DIMS products."""
        x = (features - self.scale_mean) / self.scale_sd
        score = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(self.platt_a * score + self.platt_b))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            theme_ids=np.asarray(self.theme_ids),
            feature_names=np.asarray(FEATURE_NAMES),
            background_mean=self.background_mean.astype(np.float32),
            background_sd=self.background_sd.astype(np.float32),
            components=self.components.astype(np.float32),
            product_mean=self.product_mean.astype(np.float32),
            scale_mean=self.scale_mean,
            scale_sd=self.scale_sd,
            coef=self.coef,
            intercept=np.float64(self.intercept),
            platt=np.asarray([self.platt_a, self.platt_b]),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> RelevanceModel:
        with np.load(path) as z:
            names = tuple(str(n) for n in z["feature_names"])
            if names != FEATURE_NAMES:
                raise ValueError(
                    f"{path} was trained on other features ({len(names)}, expected {N_BASE}); "
                    "rebuild it with scripts/train_relevance.py"
                )
            return cls(
                theme_ids=tuple(str(t) for t in z["theme_ids"]),
                background_mean=z["background_mean"].astype(np.float64),
                background_sd=z["background_sd"].astype(np.float64),
                components=z["components"].astype(np.float64),
                product_mean=z["product_mean"].astype(np.float64),
                scale_mean=z["scale_mean"],
                scale_sd=z["scale_sd"],
                coef=z["coef"],
                intercept=float(z["intercept"]),
                platt_a=float(z["platt"][0]),
                platt_b=float(z["platt"][1]),
            )


@lru_cache(maxsize=2)
def load_relevance_model(path: Path = MODEL_PATH) -> RelevanceModel | None:
    """The shipped model (cached), or None where none is shipped: the decision then weighs terms alone."""
    if not path.exists():
        return None
    return RelevanceModel.load(path)


def theme_features(
    model: RelevanceModel,
    theme: Theme,
    texts: list[str],
    hits: list[list[TermHit]],
    other_themes: list[int],
    all_cosines: np.ndarray,
    passage_vectors: np.ndarray,
    centroid: np.ndarray,
    genres: list[str],
) -> np.ndarray:
    """Feature rows for passages × one theme.

    Args:
        hits: per passage, that theme's term hits.
        other_themes: per passage, how many other themes it names.
        all_cosines: passages × the model's themes, cosine with each theme's centroid.
    """
    k = model.theme_row(theme.id)
    cos = all_cosines[:, k]
    z = model.z_background(theme.id, cos)
    others = np.delete(all_cosines, k, axis=1)
    margin = cos - others.max(axis=1)
    rank = (all_cosines > cos[:, None]).sum(axis=1) / max(all_cosines.shape[1] - 1, 1)
    base = np.vstack(
        [
            base_features(
                texts[i], theme, hits[i], other_themes[i], cos[i], z[i], margin[i], rank[i], genres[i]
            )
            for i in range(len(texts))
        ]
    )
    return np.hstack([base, model.products(passage_vectors, centroid)])


def relevance_model_for(taxonomy: Taxonomy, dim: int) -> RelevanceModel | None:
    """The shipped relevance model where it knows this taxonomy and this embedding size, else None."""
    model = load_relevance_model()
    if model is None or set(model.theme_ids) != set(taxonomy.ids()) or model.components.shape[1] != dim:
        return None
    return model


def fixed_background(taxonomy: Taxonomy, dim: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Per theme (taxonomy order, as columns) the relevance model's fixed cosine mean and sd, or None."""
    if (model := relevance_model_for(taxonomy, dim)) is None:
        return None
    k = [model.theme_ids.index(t) for t in taxonomy.ids()]
    return model.background_mean[k][:, None], model.background_sd[k][:, None]


def relevance_probabilities(
    model: RelevanceModel,
    taxonomy: Taxonomy,
    theme_id: str,
    texts: list[str],
    hits: list[list[TermHit]],
    cosines: np.ndarray,
    vectors: np.ndarray,
    centroids: np.ndarray,
    genres: list[str],
) -> list[float]:
    """P(about `theme_id`) of passages, rounded as stored and shown.

    Args:
        hits: per passage all its term hits (every theme's).
        cosines: themes (taxonomy order) × these passages.
        centroids: the taxonomy's theme centroids (taxonomy order).
    """
    ids = taxonomy.ids()
    order = [ids.index(t) for t in model.theme_ids]
    features = theme_features(
        model,
        taxonomy.get(theme_id),
        texts,
        [[h for h in passage if h.theme_id == theme_id] for passage in hits],
        [len({h.theme_id for h in passage} - {theme_id}) for passage in hits],
        cosines[order].T,
        vectors,
        centroids[ids.index(theme_id)],
        genres,
    )
    return [round(float(p), 4) for p in model.probabilities(features).tolist()]
