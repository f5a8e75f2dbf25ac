"""Training and cross-validation of the genre classifier from labelled documents.

Used by `scripts/train_genre.py` (which writes the shipped model) and `benchmarks/eval_genre.py` (which
scores it with every document held out of the model that judges it). Documents are read by the same
readers and cleaning as `planmine ingest`, so the model learns from the text it will see.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.errors import UsageError
from planmine.genre import GENRES
from planmine.genre_features import GenreInput, cue_vector, folded_head
from planmine.genre_model import (
    EMBEDDING,
    TEXT,
    GenreConfig,
    GenreModel,
    _Vocabulary,
    document_vector,
    make_vectorizer,
    softmax,
)

if TYPE_CHECKING:
    from planmine.embed import Embedder

SOURCES = ("seed", "realdocs", "realdocs2", "synthetic")
SPLITS = (
    "train",
    "heldout",
)  # heldout: real documents set aside once, scored once (tests/data/genre/README.md)
_TEMPERATURES = np.exp(np.linspace(np.log(0.1), np.log(10.0), 61))


@dataclass(frozen=True)
class LabelledDocument:
    """One line of labels.jsonl: a file, its genre, where it comes from and why it has that genre."""

    file: str
    genre: str
    source: str  # seed | realdocs | realdocs2 | synthetic
    why: str
    group: str = ""  # documents derived from one original share a group (held out together)
    split: str = "train"  # train | heldout (frozen before any design change; see the README)

    @property
    def real(self) -> bool:
        return self.source != "synthetic"

    def path(self, data_dir: Path, shared_dir: Path) -> Path:
        """Synthetic files live beside the labels; real ones under the shared folder."""
        return (data_dir if self.source == "synthetic" else shared_dir) / self.file


def load_labels(path: Path) -> list[LabelledDocument]:
    """The labelled documents, validated: known genre and source, one line per file."""
    labels: list[LabelledDocument] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            label = LabelledDocument(**row)
        except (json.JSONDecodeError, TypeError) as exc:
            raise UsageError(f"{path}:{number}: not a label record ({exc}).") from exc
        if label.genre not in GENRES or label.source not in SOURCES or label.split not in SPLITS:
            raise UsageError(
                f"{path}:{number}: genre '{label.genre}', source '{label.source}' or split "
                f"'{label.split}' unknown; genres: {', '.join(GENRES)}; sources: {', '.join(SOURCES)}; "
                f"splits: {', '.join(SPLITS)}."
            )
        if label.file in seen:
            raise UsageError(f"{path}:{number}: '{label.file}' is labelled twice.")
        seen.add(label.file)
        labels.append(label)
    return labels


def read_input(path: Path, cache_dir: Path | None = None) -> GenreInput | None:
    """A file as the classifier sees it at ingest (read, clean, title, passages); None when unreadable."""
    from planmine.clean import clean_document
    from planmine.errors import IngestError
    from planmine.ingest import read_document
    from planmine.meta_title import detect_title
    from planmine.segment import segment

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
    cached = cache_dir / f"{digest}.json" if cache_dir else None
    if cached and cached.is_file():
        row = json.loads(cached.read_text(encoding="utf-8"))
        return None if row is None else GenreInput(**{**row, "passages": tuple(row["passages"])})
    try:
        raw = read_document(path, max_bytes=500 * 1024**2, ocr=True)
        doc = clean_document(raw)
        inp: GenreInput | None = GenreInput.from_document(
            doc, detect_title(doc.text, {**raw.metadata, "format": raw.format}).value, segment(doc, 0)
        )
    except IngestError:
        inp = None
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        row = None if inp is None else {**inp.__dict__, "passages": list(inp.passages)}
        cached.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    return inp


def document_vectors(
    inputs: Sequence[GenreInput], embedder: Embedder, config: GenreConfig, cache_dir: Path | None = None
) -> np.ndarray:
    """The e5 document vector of each input (cached by the passages' hash)."""
    rows = []
    for inp in inputs:
        key = hashlib.sha256("\x1e".join(inp.passages[:200]).encode()).hexdigest()[:24]
        cached = cache_dir / f"{key}-{config.max_passages}.npy" if cache_dir else None
        if cached and cached.is_file():
            rows.append(np.load(cached))
            continue
        vector = document_vector(embedder, inp.passages, config)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            np.save(cached, vector)
        rows.append(vector)
    return np.vstack(rows)


def fit_model(
    inputs: Sequence[GenreInput],
    genres: Sequence[str],
    vectors: np.ndarray | None = None,
    config: GenreConfig | None = None,
    *,
    calibrate: bool = True,
    groups: Sequence[str] | None = None,
) -> GenreModel:
    """Fit vocabularies, cue scaling and the linear layers; calibrate a temperature per variant.

    The temperature comes from predictions on documents held out of inner folds (grouped by `groups`),
    so that the confidence means what it says on documents the model has not seen.
    """
    cfg = config or GenreConfig()
    labels = sorted(set(genres), key=list(GENRES).index)
    heads = [folded_head(inp, cfg.head_chars) for inp in inputs]
    word = make_vectorizer("word", max_features=cfg.word_features).fit(heads)
    char = make_vectorizer("char", max_features=cfg.char_features).fit(heads)
    cues = np.vstack(
        [cue_vector(i, full_chars=cfg.full_chars, opening_chars=cfg.opening_chars) for i in inputs]
    )
    scale = cues.std(axis=0)
    model = GenreModel(
        genres=labels,
        config=cfg,
        word=_Vocabulary({t: int(i) for t, i in word.vocabulary_.items()}, word.idf_),
        char=_Vocabulary({t: int(i) for t, i in char.vocabulary_.items()}, char.idf_),
        cue_mean=cues.mean(axis=0),
        cue_scale=np.where(scale > 1e-9, scale, 1.0),
        coef={},
        intercept={},
        temperature={},
    )
    y = np.array([labels.index(g) for g in genres])
    variants: list[tuple[str, np.ndarray | None]] = [(TEXT, None)]
    if vectors is not None:
        variants.append((EMBEDDING, vectors))
    for variant, vecs in variants:
        x = model.features(inputs, vecs)
        model.coef[variant], model.intercept[variant] = _fit_linear(x, y, len(labels), cfg.c)
        model.temperature[variant] = _temperature(x, y, len(labels), cfg.c, groups) if calibrate else 1.0
    model.info = {"documents": len(inputs), "by_genre": {g: list(genres).count(g) for g in labels}}
    return model


def _fit_linear(x: object, y: np.ndarray, n_labels: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    clf.fit(x, y)
    coef = np.zeros((n_labels, clf.coef_.shape[1]))
    intercept = np.full(n_labels, -1e3)  # a genre absent from a fold's training data is never predicted
    coef[clf.classes_] = clf.coef_
    intercept[clf.classes_] = clf.intercept_
    return coef, intercept


def _temperature(
    x: Any, y: np.ndarray, n_labels: int, c: float, groups: Sequence[str] | None, folds: int = 5
) -> float:
    """The temperature that minimises the log loss of predictions on inner held-out folds.

    The folds share the fitted vocabulary (no labels leak through it); the linear layer of each fold
    never sees the documents it predicts.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    group_ids = list(groups) if groups is not None else [str(i) for i in range(len(y))]
    logits = np.zeros((len(y), n_labels))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # genres with fewer members than folds
        splits = list(splitter.split(np.zeros(len(y)), y, group_ids))
        for train, test in splits:
            coef, intercept = _fit_linear(x[train], y[train], n_labels, c)
            logits[test] = np.asarray(x[test] @ coef.T) + intercept
    losses = [_log_loss(softmax(logits / t), y) for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def cross_validate(
    inputs: Sequence[GenreInput],
    genres: Sequence[str],
    groups: Sequence[str],
    vectors: np.ndarray | None = None,
    config: GenreConfig | None = None,
    *,
    folds: int = 0,
    on_fold: Callable[[int, int], None] | None = None,
) -> list[tuple[int, str, float, bool]]:
    """Held-out predictions: (index, genre, confidence, uncertain) for every document.

    `folds=0` leaves one group out at a time; otherwise groups are split into `folds` stratified folds.
    Each held-out document is judged by a model (calibration included) fitted without its group.
    """
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold

    cfg = config or GenreConfig()
    y = np.array([list(GENRES).index(g) for g in genres])
    splitter = (
        LeaveOneGroupOut()
        if folds <= 0
        else StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    )
    splits = list(splitter.split(np.zeros(len(y)), y, list(groups)))
    out: list[tuple[int, str, float, bool]] = []
    for n, (train, test) in enumerate(splits):
        model = fit_model(
            [inputs[i] for i in train],
            [genres[i] for i in train],
            None if vectors is None else vectors[train],
            cfg,
            groups=[groups[i] for i in train],
        )
        predictions = model.predict([inputs[i] for i in test], None if vectors is None else vectors[test])
        out.extend(
            (int(i), p.genre, p.confidence, p.uncertain) for i, p in zip(test, predictions, strict=True)
        )
        if on_fold:
            on_fold(n + 1, len(splits))
    return sorted(out)


def _log_loss(p: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))


@dataclass
class LabelledCorpus:
    """The readable labelled documents with their classifier inputs, and those that could not be read."""

    labels: list[LabelledDocument]
    inputs: list[GenreInput]
    unreadable: list[LabelledDocument]

    @property
    def genres(self) -> list[str]:
        return [label.genre for label in self.labels]

    @property
    def groups(self) -> list[str]:
        """Hold-out groups: a document's own file unless it shares an original with others."""
        return [label.group or label.file for label in self.labels]


def load_corpus(
    labels_path: Path,
    shared_dir: Path,
    cache_dir: Path | None = None,
    *,
    on_file: Callable[[LabelledDocument], None] | None = None,
) -> LabelledCorpus:
    """Read every labelled document (missing files are an error; unreadable ones are set apart)."""
    labels = load_labels(labels_path)
    kept: list[LabelledDocument] = []
    inputs: list[GenreInput] = []
    unreadable: list[LabelledDocument] = []
    for label in labels:
        path = label.path(labels_path.parent, shared_dir)
        if not path.is_file():
            raise UsageError(f"Labelled file '{path}' does not exist (from {labels_path}).")
        if on_file:
            on_file(label)
        inp = read_input(path, cache_dir)
        if inp is None or not inp.text.strip():
            unreadable.append(label)
            continue
        kept.append(label)
        inputs.append(inp)
    return LabelledCorpus(kept, inputs, unreadable)
