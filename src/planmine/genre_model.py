"""Document genre classifier: which kind of document a text is (plan, procurement, risk analysis, ...).

A multinomial logistic regression over the TF-IDF of the title and opening pages (words and character
n-grams), named cue words and structure (`planmine.genre_features`), and, when the embedding model is at
hand, the mean e5 vector of the document's first passages. Its probabilities are temperature-calibrated
on cross-validated predictions. The weights ship as `data/genre_model.npz`, rebuilt by
`scripts/train_genre.py` from `tests/data/genre/labels.jsonl`; nothing here is tuned by hand per document.

Example:
    meta = assign_genre(meta, clean, passages)            # text features only
    meta = assign_genre(meta, clean, passages, embedder)  # text and embedding
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.errors import PlanmineError
from planmine.genre import GENRES, POLICY_GENRES
from planmine.genre_features import (
    CUE_FEATURES,
    GenreInput,
    cue_vector,
    folded_head,
    top_cues,
)

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

    from planmine.embed import Embedder
    from planmine.types import CleanDocument, DocumentMeta, Passage

log = logging.getLogger(__name__)

MODEL_FILE = "genre_model.npz"
TEXT, EMBEDDING = "text", "text+embedding"


@dataclass(frozen=True)
class GenreConfig:
    """Every threshold of the genre classifier, in one place (recorded in the model file)."""

    head_chars: int = 12_000  # the opening the TF-IDF reads
    full_chars: int = 200_000  # the text the cue counts read
    opening_chars: int = 800  # the opening whose cue hits count on their own (title page)
    max_passages: int = 32  # passages whose mean vector stands for the document
    min_passage_chars: int = 30  # shorter passages (page numbers, lone headings) are not embedded
    word_features: int = 3000
    char_features: int = 3000
    cue_weight: float = 0.35  # scale of the standardised cue block against the unit-length TF-IDF blocks
    embedding_weight: float = 1.0
    c: float = 8.0  # inverse regularisation of the logistic regression
    floor: float = 0.5  # below this calibrated probability the genre is reported as uncertain
    policy_floor: float = 0.6  # a document gets a policy genre only when P(policy) ≥ this


@dataclass
class GenrePrediction:
    """The genre of one document, how sure the model is, and why."""

    genre: str
    confidence: float
    probabilities: dict[str, float]
    evidence: str
    variant: str  # TEXT or EMBEDDING
    uncertain: bool = False


@dataclass
class _Vocabulary:
    terms: dict[str, int]
    idf: np.ndarray


@dataclass
class GenreModel:
    """Fitted weights: vocabularies, cue scaling and one linear layer per variant (text, text+embedding)."""

    genres: list[str]
    config: GenreConfig
    word: _Vocabulary
    char: _Vocabulary
    cue_mean: np.ndarray
    cue_scale: np.ndarray
    coef: dict[str, np.ndarray]  # variant → (genres × features)
    intercept: dict[str, np.ndarray]
    temperature: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)  # what it was trained on, CV figures

    # --- features -------------------------------------------------------------------------------
    def text_features(self, inputs: Sequence[GenreInput]) -> spmatrix:
        """The text block of the feature matrix: word and character TF-IDF, scaled cues."""
        from scipy.sparse import csr_matrix, hstack

        cfg = self.config
        heads = [folded_head(inp, cfg.head_chars) for inp in inputs]
        words = _vectorizer("word", self.word).transform(heads)
        chars = _vectorizer("char", self.char).transform(heads)
        cues = np.vstack(
            [cue_vector(i, full_chars=cfg.full_chars, opening_chars=cfg.opening_chars) for i in inputs]
        )
        scaled = (cues - self.cue_mean) / self.cue_scale * cfg.cue_weight
        return hstack([words, chars, csr_matrix(scaled)]).tocsr()

    def features(self, inputs: Sequence[GenreInput], vectors: np.ndarray | None) -> spmatrix:
        """The feature matrix of a variant: the text block, and the embedding block when vectors are given."""
        from scipy.sparse import csr_matrix, hstack

        text = self.text_features(inputs)
        if vectors is None:
            return text
        return hstack([text, csr_matrix(vectors * self.config.embedding_weight)]).tocsr()

    # --- prediction -----------------------------------------------------------------------------
    def probabilities(self, inputs: Sequence[GenreInput], vectors: np.ndarray | None = None) -> np.ndarray:
        """Calibrated genre probabilities (documents × genres)."""
        variant = EMBEDDING if vectors is not None and EMBEDDING in self.coef else TEXT
        return self._calibrated(self.features(inputs, vectors if variant == EMBEDDING else None), variant)

    def _calibrated(self, x: spmatrix, variant: str) -> np.ndarray:
        logits = np.asarray(x @ self.coef[variant].T) + self.intercept[variant]
        return softmax(logits / self.temperature[variant])

    def predict(
        self, inputs: Sequence[GenreInput], vectors: np.ndarray | None = None, *, note: str = ""
    ) -> list[GenrePrediction]:
        """The genre of each document, with calibrated confidence and readable evidence."""
        variant = EMBEDDING if vectors is not None and EMBEDDING in self.coef else TEXT
        x = self.features(inputs, vectors if variant == EMBEDDING else None)  # once: TF-IDF is not cheap
        probs = self._calibrated(x, variant)
        return [self._decide(inp, probs[i], x.getrow(i), variant, note) for i, inp in enumerate(inputs)]

    def _decide(self, inp: GenreInput, p: np.ndarray, x: Any, variant: str, note: str) -> GenrePrediction:
        cfg = self.config
        order = np.argsort(-p)
        top = int(order[0])
        uncertain = bool(p[top] < cfg.floor)
        policy = float(sum(p[i] for i, g in enumerate(self.genres) if g in POLICY_GENRES))
        how = f"{variant} features" + (f", {note}" if note else "")
        # A policy genre needs the evidence for policy (P(policy) ≥ policy_floor), never by default: a
        # non-policy document read as policy puts claims in a table that no policy makes.
        is_policy = policy >= cfg.policy_floor
        side = [int(i) for i in order if (self.genres[i] in POLICY_GENRES) == is_policy] or [top]
        genre = self.genres[side[0]]
        ranked = ", ".join(f"{self.genres[i]} {p[i]:.2f}" for i in order[:3])
        verdict = "policy" if is_policy else "not policy"
        if uncertain:
            head = f"uncertain ({p[top]:.2f} < {cfg.floor}): {ranked}; P(policy) {policy:.2f} → {verdict}"
        elif genre != self.genres[top]:
            head = f"{ranked}; P(policy) {policy:.2f} < {cfg.policy_floor} → {verdict}"
            uncertain = True
        else:
            head = f"{genre} {p[top]:.2f}"
        why = self._why(inp, x, self.genres.index(genre), variant)
        return GenrePrediction(
            genre=genre,
            confidence=float(p[self.genres.index(genre)]),
            probabilities={g: round(float(p[i]), 4) for i, g in enumerate(self.genres)},
            evidence=f"{head} ({how}){'; ' + why if why else ''}",
            variant=variant,
            uncertain=uncertain,
        )

    def _why(self, inp: GenreInput, x: Any, g: int, variant: str) -> str:
        """The words and cues that pushed most toward the chosen genre."""
        row = x.toarray().ravel()
        contrib = row * self.coef[variant][g]
        n_word = len(self.word.terms)
        words_by_index = {i: t for t, i in self.word.terms.items()}
        best = [i for i in np.argsort(-contrib[:n_word])[:3] if contrib[i] > 0]
        cue_start = n_word + len(self.char.terms)
        cue_contrib = contrib[cue_start : cue_start + len(CUE_FEATURES)]
        names = [CUE_FEATURES[i] for i in np.argsort(-cue_contrib)[:6] if cue_contrib[i] > 0]
        parts = []
        if best:
            parts.append("words " + ", ".join(f"'{words_by_index[i]}'" for i in best))
        if cues := top_cues(inp, names, full_chars=self.config.full_chars):
            parts.append("cues " + ", ".join(cues))
        return "; ".join(parts)

    # --- persistence ----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz file (no pickle), atomically."""
        arrays: dict[str, np.ndarray] = {
            "word_idf": self.word.idf.astype(np.float32),
            "char_idf": self.char.idf.astype(np.float32),
            "cue_mean": self.cue_mean,
            "cue_scale": self.cue_scale,
        }
        for variant in self.coef:
            key = variant.replace("+", "_")
            arrays[f"coef_{key}"] = self.coef[variant].astype(np.float32)
            arrays[f"intercept_{key}"] = self.intercept[variant]
        header = {
            "format": 1,
            "genres": self.genres,
            "config": asdict(self.config),
            "word_terms": self.word.terms,
            "char_terms": self.char.terms,
            "cue_features": list(CUE_FEATURES),
            "variants": list(self.coef),
            "temperature": self.temperature,
            "info": self.info,
        }
        arrays["header"] = np.array(json.dumps(header, ensure_ascii=False))
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)

    @classmethod
    def load(cls, source: Path | bytes) -> GenreModel:
        """Read a model written by `save`; a clear error when it is missing or from another version."""
        try:
            data = np.load(io.BytesIO(source) if isinstance(source, bytes) else source, allow_pickle=False)
            header = json.loads(str(data["header"]))
        except (OSError, ValueError, KeyError) as exc:
            raise PlanmineError(
                f"Cannot read the genre model '{source if isinstance(source, Path) else MODEL_FILE}': "
                f"{exc}. Rebuild it with `python scripts/train_genre.py`."
            ) from exc
        if header.get("format") != 1 or list(header["cue_features"]) != list(CUE_FEATURES):
            raise PlanmineError(
                "The genre model was built for other features than this version of planmine reads. "
                "Rebuild it with `python scripts/train_genre.py`."
            )
        unknown = set(header["genres"]) - set(GENRES)
        if unknown:
            raise PlanmineError(f"The genre model knows genres planmine does not: {sorted(unknown)}.")
        variants = list(header["variants"])
        return cls(
            genres=list(header["genres"]),
            config=GenreConfig(**header["config"]),
            word=_Vocabulary(dict(header["word_terms"]), data["word_idf"].astype(np.float64)),
            char=_Vocabulary(dict(header["char_terms"]), data["char_idf"].astype(np.float64)),
            cue_mean=data["cue_mean"],
            cue_scale=data["cue_scale"],
            coef={v: data[f"coef_{v.replace('+', '_')}"].astype(np.float64) for v in variants},
            intercept={v: data[f"intercept_{v.replace('+', '_')}"] for v in variants},
            temperature={v: float(t) for v, t in header["temperature"].items()},
            info=dict(header.get("info") or {}),
        )


def _vectorizer(kind: str, vocab: _Vocabulary) -> Any:
    """A TF-IDF vectorizer with a fixed vocabulary and idf: the same transform at training and at ingest."""
    vectorizer = make_vectorizer(kind, vocabulary=vocab.terms)
    vectorizer.idf_ = vocab.idf
    return vectorizer


def make_vectorizer(kind: str, *, max_features: int | None = None, vocabulary: Any = None) -> Any:
    """The word (1-2 grams) or character (3-5 grams within words) TF-IDF of the folded opening."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "word":
        return TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=1 if vocabulary is not None else 2,
            max_features=max_features,
            sublinear_tf=True,
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
            vocabulary=vocabulary,
        )
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=1 if vocabulary is not None else 2,
        max_features=max_features,
        sublinear_tf=True,
        vocabulary=vocabulary,
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@lru_cache(maxsize=1)
def load_genre_model() -> GenreModel:
    """The genre model shipped in the package, loaded once."""
    try:
        raw = resources.files("planmine").joinpath("data", MODEL_FILE).read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise PlanmineError(
            f"The genre model ({MODEL_FILE}) is missing from the package. "
            "Rebuild it with `python scripts/train_genre.py`."
        ) from exc
    return GenreModel.load(raw)


def document_vector(embedder: Embedder, passages: Sequence[str], config: GenreConfig) -> np.ndarray:
    """The document's e5 vector: the unit-length mean of its first passages' vectors."""
    texts = [t for t in passages if len(t.strip()) >= config.min_passage_chars][: config.max_passages]
    if not texts:
        texts = [t for t in passages if t.strip()][:1] or [" "]
    vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float64)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def classify_genre(inp: GenreInput, embedder: Embedder | None = None) -> GenrePrediction:
    """The genre of one document; with an embedder its e5 vector is used too, else text features alone."""
    model = load_genre_model()
    vectors, note = None, ""
    if embedder is None:
        note = "no embedding model given"
    elif EMBEDDING not in model.coef:
        note = "this model has no embedding variant"
    else:
        try:
            vectors = document_vector(embedder, inp.passages, model.config)[None, :]
        except PlanmineError as exc:
            note = f"embedding model unavailable ({exc})"
    return model.predict([inp], vectors, note=note)[0]


def assign_genre(
    meta: DocumentMeta,
    doc: CleanDocument,
    passages: Sequence[Passage] = (),
    embedder: Embedder | None = None,
) -> DocumentMeta:
    """Metadata with the document's genre, calibrated confidence and evidence set."""
    prediction = classify_genre(GenreInput.from_document(doc, meta.title, passages), embedder)
    return replace(
        meta,
        genre=prediction.genre,
        genre_confidence=round(prediction.confidence, 4),
        genre_evidence=prediction.evidence,
    )
