"""The learned unit classifier: logistic regression over hashed words and rule features, shipped as weights.

The weights live in ``planmine/data/tag_units.npz`` (built by ``scripts/train_tagger.py`` with a fixed
seed); training uses scikit-learn's ``FeatureHasher``, prediction the same hashing with numpy alone; no
pickled estimator.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from planmine.errors import PlanmineError
from planmine.tag.units import UNIT_LABELS

N_FEATURES = 2**16
WEIGHTS_FILE = "tag_units.npz"
Features = Sequence[tuple[str, float]]


@dataclass(frozen=True)
class UnitDecision:
    """Thresholds of the unit classifier's decisions over the rule tags (one home for them)."""

    add: float = 0.60  # a unit the rules left untagged becomes a goal/activity at this probability
    drop: float = 0.60  # a rule goal/activity is dropped when a non-goal/-activity class is this likely
    switch: float = 0.75  # a rule activity becomes a goal (or back) at this probability
    # outside procurement/manuals a unit without a supplier as subject is a requirement only this surely
    requirement: float = 0.90
    C: float = 2.0  # inverse regularisation of the logistic regression
    seed: int = 17


DECISION = UnitDecision()


def _hasher():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=N_FEATURES, input_type="pair", alternate_sign=False)


def vectorize(features: Sequence[Features]):  # type: ignore[no-untyped-def]
    """A sparse matrix (units × N_FEATURES) of the units' feature pairs."""
    return _hasher().transform([list(f) for f in features])


def hashed_pairs(features: Sequence[Features]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit row, column, value) of every feature pair, hashed as `vectorize` hashes them.

    The same MurmurHash3 (signed 32-bit, seed 0, UTF-8) and column (|h| mod N_FEATURES) as scikit-learn's
    FeatureHasher, through spaCy's own murmurhash: prediction then needs no scikit-learn, whose import
    alone takes seconds.
    """
    from murmurhash.mrmr import hash as murmur

    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, pairs in enumerate(features):
        for name, value in pairs:
            if value == 0:
                continue
            h = murmur(name)
            rows.append(row)
            columns.append((2**31 if h == -(2**31) else abs(h)) % N_FEATURES)
            values.append(value)
    return (
        np.asarray(rows, dtype=np.intp),
        np.asarray(columns, dtype=np.intp),
        np.asarray(values, dtype=np.float64),
    )


class UnitModel:
    """Multinomial logistic regression over unit features; ``fit`` sets ``coef_`` and ``intercept_``."""

    coef_: np.ndarray
    intercept_: np.ndarray
    info_: dict[str, object]

    def __init__(self, *, C: float = DECISION.C, seed: int = DECISION.seed) -> None:
        self.C = C
        self.seed = seed

    def fit(self, features: Sequence[Features], labels: Sequence[str]) -> UnitModel:
        from sklearn.linear_model import LogisticRegression

        unknown = sorted(set(labels) - set(UNIT_LABELS))
        if unknown:
            raise ValueError(f"unknown unit labels {unknown}; allowed: {', '.join(UNIT_LABELS)}")
        y = np.array([UNIT_LABELS.index(label) for label in labels])
        lr = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed, class_weight="balanced")
        lr.fit(vectorize(features), y)
        coef = np.zeros((len(UNIT_LABELS), N_FEATURES), dtype=np.float32)
        intercept = np.full(len(UNIT_LABELS), -30.0, dtype=np.float32)  # a class never seen: never predicted
        for row, cls in enumerate(lr.classes_):
            coef[cls] = lr.coef_[row] if len(lr.classes_) > 2 else (lr.coef_[0] if row else -lr.coef_[0])
            intercept[cls] = lr.intercept_[row] if len(lr.classes_) > 2 else 0.0
        self.coef_ = coef
        self.intercept_ = intercept
        return self

    def predict_proba(self, features: Sequence[Features]) -> np.ndarray:
        """Class probabilities (units × UNIT_LABELS)."""
        if not features:
            return np.zeros((0, len(UNIT_LABELS)), dtype=np.float32)
        rows, columns, values = hashed_pairs(features)
        scores = np.zeros((len(features), len(UNIT_LABELS)), dtype=np.float64)
        np.add.at(scores, rows, self.coef_.T[columns] * values[:, None])  # the sparse product, by hand
        scores += self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: str | Path, *, info: dict[str, object] | None = None) -> None:
        """Write the weights (float16, compressed) and a JSON description next to them."""
        np.savez_compressed(
            path,
            coef=self.coef_.astype(np.float16),
            intercept=self.intercept_,
            labels=np.array(UNIT_LABELS),
            info=np.array(json.dumps(info or {}, ensure_ascii=False)),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> UnitModel:
        with np.load(path) as data:
            labels = tuple(str(x) for x in data["labels"])
            if labels != UNIT_LABELS:
                raise PlanmineError(
                    f"The tagger weights in '{path}' are for labels {labels}, this version expects "
                    f"{UNIT_LABELS}. Rebuild them: python scripts/train_tagger.py"
                )
            model = cls()
            model.coef_ = data["coef"].astype(np.float32)
            model.intercept_ = data["intercept"].astype(np.float32)
            model.info_ = json.loads(str(data["info"]))
        return model


@cache
def shipped_model() -> UnitModel | None:
    """The packaged weights, loaded once per process; None when the package was built without them."""
    resource = files("planmine.data").joinpath(WEIGHTS_FILE)
    if not resource.is_file():
        return None
    with resource.open("rb") as fh:
        import io

        return UnitModel.from_file(io.BytesIO(fh.read()))  # type: ignore[arg-type]
