"""Fitting and scoring the passage-relevance model on the labelled judgements (tests/data/relevance/).

`load_judgements` reads the rows and their documents' genres; `featurise` embeds the passages and computes
every row's raw inputs once; `fit` turns a set of rows into a `RelevanceModel` (background statistics,
PCA and scaling from those rows only; Platt calibration on their own out-of-fold scores, grouped by
document); `cross_validate` gives every row a probability from a model fitted without its document, and a
threshold chosen inside each training fold (nested), never on the scored fold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planmine.themes.matcher import TermHit, ThemeMatcher
from planmine.themes.relevance import PCA_DIMS, RelevanceModel, base_features
from planmine.themes.taxonomy import Taxonomy, load_taxonomy

SEED = 20261202
C = 0.5  # inverse L2 strength of the logistic regression
FOLDS = 5
INNER_FOLDS = 4


@dataclass
class Judgements:
    """Labelled rows, and per distinct passage its text, document and genre."""

    rows: list[dict[str, Any]]
    passage_of_row: np.ndarray  # row → passage index
    texts: list[str]
    docs: list[str]
    genres: list[str]

    @property
    def labels(self) -> np.ndarray:
        """The adjudicated label where a row has one (tests/data/relevance/README.md), else the first."""
        return np.asarray([int(r.get("adjudicated", r["label"])) for r in self.rows])

    @property
    def first_labels(self) -> np.ndarray:
        """The first reader's label, kept beside the adjudicated one."""
        return np.asarray([int(r["label"]) for r in self.rows])

    @property
    def groups(self) -> np.ndarray:
        return np.asarray([r["doc"] for r in self.rows])


def load_judgements(folder: Path) -> Judgements:
    genres = {}
    for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            genres[d["doc"]] = d["genre"]
    rows = [
        json.loads(x) for x in (folder / "judgements.jsonl").read_text(encoding="utf-8").splitlines() if x
    ]
    index: dict[tuple[str, int], int] = {}
    texts: list[str] = []
    docs: list[str] = []
    of_row = []
    for r in rows:
        key = (r["doc"], int(r["passage"]))
        if key not in index:
            index[key] = len(texts)
            texts.append(r["text"])
            docs.append(r["doc"])
        of_row.append(index[key])
    return Judgements(rows, np.asarray(of_row), texts, docs, [genres.get(d, "") for d in docs])


class _QueryAdapter:
    """An embedder seen as the store-cached one ThemeVectors expects (no store: nothing to cache)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_stored_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_queries(texts))


def passage_vectors(texts: list[str], embedder: Any, cache: Path | None) -> np.ndarray:
    """Passage-prompt vectors of `texts`, from a file cache keyed by the texts and the model."""
    key = hashlib.sha1(("\n\x00".join(texts) + repr(embedder)).encode()).hexdigest()[:16]
    path = cache / f"passages_{key}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path)
    vecs = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def theme_centroids(taxonomy: Taxonomy, embedder: Any) -> np.ndarray:
    """The themes' definition centroids, exactly as the index computes them."""
    from planmine.themes.semantic import ThemeVectors

    return ThemeVectors(taxonomy, _QueryAdapter(embedder)).centroids  # type: ignore[arg-type]


@dataclass
class Featurised:
    """Everything per row except what depends on the training set (background, PCA, scaling)."""

    judgements: Judgements
    theme_ids: tuple[str, ...]
    vectors: np.ndarray  # passages × dim
    centroids: np.ndarray  # themes × dim
    cosines: np.ndarray  # passages × themes
    hits: list[list[TermHit]]  # per passage, all term hits
    theme_row: np.ndarray  # per row, index of its theme

    def products(self, rows: np.ndarray) -> np.ndarray:
        p = self.judgements.passage_of_row[rows]
        return self.vectors[p] * self.centroids[self.theme_row[rows]]


def featurise(
    j: Judgements, embedder: Any, cache: Path | None = None, taxonomy: Taxonomy | None = None
) -> Featurised:
    tax = taxonomy or load_taxonomy()
    vecs = passage_vectors(j.texts, embedder, cache)
    cents = theme_centroids(tax, embedder)
    matcher = ThemeMatcher(tax)
    ids = tuple(tax.ids())
    return Featurised(
        judgements=j,
        theme_ids=ids,
        vectors=vecs,
        centroids=cents,
        cosines=vecs @ cents.T,
        hits=[matcher.hits(t) for t in j.texts],
        theme_row=np.asarray([ids.index(r["theme"]) for r in j.rows]),
    )


def _base_matrix(f: Featurised, rows: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    tax = load_taxonomy()
    out = []
    for r in rows.tolist():
        p = int(f.judgements.passage_of_row[r])
        k = int(f.theme_row[r])
        theme = tax.get(f.theme_ids[k])
        cos_all = f.cosines[p]
        cos = float(cos_all[k])
        hits = [h for h in f.hits[p] if h.theme_id == theme.id]
        others = len({h.theme_id for h in f.hits[p]} - {theme.id})
        margin = cos - float(np.delete(cos_all, k).max())
        rank = float((cos_all > cos).sum()) / (len(cos_all) - 1)
        z = (cos - mean[k]) / sd[k]
        genre = f.judgements.genres[p]
        out.append(base_features(f.judgements.texts[p], theme, hits, others, cos, z, margin, rank, genre))
    return np.vstack(out)


def _fit_linear(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    sd = x.std(axis=0) + 1e-9
    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=SEED)
    clf.fit((x - mean) / sd, y)
    return mean, sd, clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def _design(f: Featurised, rows: np.ndarray, model: RelevanceModel) -> np.ndarray:
    base = _base_matrix(f, rows, model.background_mean, model.background_sd)
    prods = (f.products(rows) - model.product_mean) @ model.components.T
    return np.hstack([base, prods])


def _uncalibrated(f: Featurised, rows: np.ndarray) -> RelevanceModel:
    """Background, PCA, scaling and coefficients from `rows` alone; calibration left at identity."""
    from sklearn.decomposition import PCA

    passages = np.unique(f.judgements.passage_of_row[rows])
    cos = f.cosines[passages]
    mean, sd = cos.mean(axis=0), cos.std(axis=0) + 1e-6
    prods = f.products(rows)
    pca = PCA(n_components=PCA_DIMS, random_state=SEED).fit(prods)
    model = RelevanceModel(
        theme_ids=f.theme_ids,
        background_mean=mean,
        background_sd=sd,
        components=pca.components_,
        product_mean=pca.mean_,
        scale_mean=np.zeros(1),
        scale_sd=np.ones(1),
        coef=np.zeros(1),
        intercept=0.0,
        platt_a=-1.0,
        platt_b=0.0,
    )
    x = _design(f, rows, model)
    s_mean, s_sd, coef, intercept = _fit_linear(x, f.judgements.labels[rows])
    return _replace(model, scale_mean=s_mean, scale_sd=s_sd, coef=coef, intercept=intercept)


def _replace(model: RelevanceModel, **changes: Any) -> RelevanceModel:
    from dataclasses import replace

    return replace(model, **changes)


def _raw_score(model: RelevanceModel, x: np.ndarray) -> np.ndarray:
    return ((x - model.scale_mean) / model.scale_sd) @ model.coef + model.intercept


def _splits(groups: np.ndarray, folds: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    return GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=groups)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000).fit(scores[:, None], y)
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


def fit(
    f: Featurised, rows: np.ndarray | None = None, folds: int = INNER_FOLDS
) -> tuple[RelevanceModel, np.ndarray]:
    """A calibrated model from `rows` (all by default), and those rows' out-of-fold calibrated
    probabilities (from models fitted without their document), for choosing thresholds."""
    rows = np.arange(len(f.judgements.rows)) if rows is None else rows
    y = f.judgements.labels[rows]
    groups = f.judgements.groups[rows]
    oof = np.zeros(len(rows))
    for train, test in _splits(groups, folds):
        inner = _uncalibrated(f, rows[train])
        oof[test] = _raw_score(inner, _design(f, rows[test], inner))
    a, b = _platt(oof, y)
    model = _replace(_uncalibrated(f, rows), platt_a=a, platt_b=b)
    return model, 1.0 / (1.0 + np.exp(a * oof + b))


def threshold_for(probs: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The lowest threshold whose precision on (probs, y) reaches `precision` (the most recall there)."""
    order = np.argsort(-probs)
    tp = np.cumsum(y[order])
    n = np.arange(1, len(order) + 1)
    ok = np.nonzero(tp / n >= precision)[0]
    if not len(ok):
        return 1.0
    return float(probs[order][ok.max()])


def cross_validate(
    f: Featurised, folds: int = FOLDS, precision: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the probability from a model fitted without its document, and the threshold chosen on
    that model's own training rows (their out-of-fold probabilities) for the target precision."""
    n = len(f.judgements.rows)
    probs = np.zeros(n)
    thresholds = np.zeros(n)
    for train, test in _splits(f.judgements.groups, folds):
        model, oof = fit(f, train)
        probs[test] = model.probabilities(_design(f, test, model))
        thresholds[test] = threshold_for(oof, f.judgements.labels[train], precision)
    return probs, thresholds


def design_matrix(f: Featurised, model: RelevanceModel, rows: np.ndarray | None = None) -> np.ndarray:
    rows = np.arange(len(f.judgements.rows)) if rows is None else rows
    return _design(f, rows, model)
