"""Which inputs and which learner the passage-relevance model needs: feature ablations and gradient
boosting against the shipped logistic regression, all under the same nested cross-validation grouped by
document as benchmarks/eval_relevance.py (tests/data/relevance/, adjudicated labels).

For every outer fold, the background statistics, PCA and scaling come from the training documents only
(`relevance_train._uncalibrated`); each variant is fitted on the training rows, Platt-calibrated and given
its P ≥ target threshold on the training rows' own grouped out-of-fold scores, then scored on the held-out
documents. Printed per variant: precision and recall at that nested threshold, at 0.5, and the best
precision at recall ≥ 0.90 on the out-of-fold probabilities (optimistic: that threshold is chosen on the
scored rows). Choosing a variant from this table is a choice made on the scored folds: a variant picked
here must be confirmed on other documents before its figures are quoted as held-out.

Usage: PYTHONPATH=src python benchmarks/relevance_variants.py [--folds 5] [--precision 0.95]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from planmine.themes.relevance import FEATURE_NAMES, N_BASE, PCA_DIMS
from planmine.themes.relevance_train import (
    FOLDS,
    INNER_FOLDS,
    SEED,
    C,
    _design,
    _platt,
    _splits,
    _uncalibrated,
    featurise,
    load_judgements,
    threshold_for,
)

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "relevance"
CACHE = ROOT / "outputs" / "relevance_cache"

Scorer = Callable[[np.ndarray], np.ndarray]


def _columns(prefixes: tuple[str, ...]) -> np.ndarray:
    return np.asarray([k for k, n in enumerate(FEATURE_NAMES) if n.startswith(prefixes)], dtype=int)


ALL = np.arange(N_BASE + PCA_DIMS)
PRODUCTS = np.arange(N_BASE, N_BASE + PCA_DIMS)
EMBEDDING = np.concatenate([_columns(("cosine", "z_background", "theme_rank")), PRODUCTS])
LEXICAL = _columns(("match_", "distinct_terms", "other_themes", "outside_share"))
ROLE = _columns(
    (
        "log_chars",
        "heading_like",
        "unquotable",
        "background",
        "digit_share",
        "label_colon",
        "log_words",
        "table_cells",
        "reference_like",
        "sentences",
    )
)
GENRE = _columns(("genre_",))


def _without(*parts: np.ndarray) -> np.ndarray:
    drop = set(np.concatenate(parts).tolist())
    return np.asarray([k for k in ALL if k not in drop], dtype=int)


def logistic(x: np.ndarray, y: np.ndarray) -> Scorer:
    from sklearn.linear_model import LogisticRegression

    mean, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=SEED)
    clf.fit((x - mean) / sd, y)
    return lambda z: clf.decision_function((z - mean) / sd)


def boosting(x: np.ndarray, y: np.ndarray) -> Scorer:
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, random_state=SEED
    )
    clf.fit(x, y)
    return lambda z: clf.decision_function(z)


VARIANTS: dict[str, tuple[np.ndarray, Callable[[np.ndarray, np.ndarray], Scorer]]] = {
    "logistic, all features (shipped)": (ALL, logistic),
    "logistic, embedding only (cosine, z, rank, PCA)": (EMBEDDING, logistic),
    "logistic, without passage ⊙ definition PCA": (_without(PRODUCTS), logistic),
    "logistic, without lexical match": (_without(LEXICAL), logistic),
    "logistic, without passage role/shape": (_without(ROLE), logistic),
    "logistic, without genre": (_without(GENRE), logistic),
    "gradient boosting, all features": (ALL, boosting),
}


def pr(y: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    tp = int((y & pred).sum())
    return tp / max(int(pred.sum()), 1), tp / max(int(y.sum()), 1)


def best_precision_at_recall(probs: np.ndarray, y: np.ndarray, recall: float) -> float:
    order = np.argsort(-probs)
    tp = np.cumsum(y[order])
    k = int(np.nonzero(tp >= recall * y.sum())[0].min())
    return float(tp[k] / (k + 1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--precision", type=float, default=0.95)
    args = parser.parse_args()
    started = time.perf_counter()
    from planmine.embed import load_embedder

    j = load_judgements(LABELS)
    f = featurise(j, load_embedder(), CACHE)
    y_all = j.labels
    groups = j.groups
    n = len(y_all)
    probs = {name: np.zeros(n) for name in VARIANTS}
    cuts = {name: np.zeros(n) for name in VARIANTS}
    for train, test in _splits(groups, args.folds):
        # inner out-of-fold raw scores on the training rows, for Platt and the nested threshold
        inner_scores = {name: np.zeros(len(train)) for name in VARIANTS}
        for itr, ite in _splits(groups[train], INNER_FOLDS):
            m = _uncalibrated(f, train[itr])
            x_tr, x_te = _design(f, train[itr], m), _design(f, train[ite], m)
            for name, (cols, learner) in VARIANTS.items():
                inner_scores[name][ite] = learner(x_tr[:, cols], y_all[train[itr]])(x_te[:, cols])
        m = _uncalibrated(f, train)
        x_tr, x_te = _design(f, train, m), _design(f, test, m)
        for name, (cols, learner) in VARIANTS.items():
            a, b = _platt(inner_scores[name], y_all[train])
            oof = 1.0 / (1.0 + np.exp(a * inner_scores[name] + b))
            cuts[name][test] = threshold_for(oof, y_all[train], args.precision)
            score = learner(x_tr[:, cols], y_all[train])(x_te[:, cols])
            probs[name][test] = 1.0 / (1.0 + np.exp(a * score + b))
    y = y_all.astype(bool)
    print(
        f"{len(set(j.docs))} documents, {n} judgements ({int(y.sum())} positive, adjudicated labels); "
        f"grouped {args.folds}-fold CV, thresholds for P ≥ {args.precision} chosen inside the training folds"
    )
    print(f"{'variant':50s} {'nested P':>8s} {'R':>6s}   {'0.5 P':>6s} {'R':>6s}   {'best P @R.90':>12s}")
    for name in VARIANTS:
        p, r = pr(y, probs[name] >= cuts[name])
        p5, r5 = pr(y, probs[name] >= 0.5)
        best = best_precision_at_recall(probs[name], y, 0.90)
        print(f"{name:50s} {p:8.3f} {r:6.3f}   {p5:6.3f} {r5:6.3f}   {best:12.3f}")
    print(f"\ntime {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
