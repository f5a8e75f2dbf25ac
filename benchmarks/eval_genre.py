"""Genre classifier quality: accuracy (real and synthetic apart), per-genre precision and recall, the
policy gate (policy / non-policy confusion), the confusion matrix and calibration, for the text variant
and the text+embedding variant.

Two schemes, never mixed (tests/data/genre/README.md, "Held-out check"):
  - default: grouped cross-validation over the `train` documents only. Every document is judged by a
    model fitted (and calibrated) without its group: stratified grouped 10-fold, or leave-one-group-out
    with --loo. The errors of this run are read while the features are designed, so it is in-sample for
    those choices.
  - --heldout: one model fitted on all `train` documents scores the frozen `heldout` real documents.
    Run it once, when the design is done.

Usage: PYTHONPATH=src python benchmarks/eval_genre.py [--loo] [--folds N] [--no-embedding] [--errors]
       PYTHONPATH=src python benchmarks/eval_genre.py --heldout [--errors]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from planmine.genre import GENRES, POLICY_GENRES
from planmine.genre_model import GenreConfig
from planmine.genre_train import LabelledCorpus, cross_validate, document_vectors, fit_model, load_corpus

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "genre" / "labels.jsonl"
SHARED = ROOT.parent / "shared"
CACHE = ROOT / "outputs" / "genre_cache"
SHORT = {g: g[:6] for g in GENRES} | {"risk_analysis": "risk", "procurement": "procur"}
Result = tuple[int, str, float, bool]  # (index, predicted genre, confidence, uncertain)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loo", action="store_true", help="leave one group out (slow: ~100 fits)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--no-embedding", action="store_true")
    parser.add_argument("--heldout", action="store_true", help="fit on `train`, score `heldout` (once)")
    parser.add_argument("--errors", action="store_true", help="list every misclassified document")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = load_corpus(LABELS, SHARED, CACHE)
    config = GenreConfig()
    variants: list[tuple[str, np.ndarray | None]] = [("text", None)]
    if not args.no_embedding:
        from planmine.embed import load_embedder

        variants.append(
            ("text+embedding", document_vectors(corpus.inputs, load_embedder(), config, CACHE / "vectors"))
        )
    train = [i for i, lab in enumerate(corpus.labels) if lab.split == "train"]
    heldout = [i for i, lab in enumerate(corpus.labels) if lab.split == "heldout"]
    folds = 0 if args.loo else args.folds
    scheme = (
        "fit on train, score heldout"
        if args.heldout
        else "leave-one-group-out on train"
        if folds == 0
        else f"stratified grouped {folds}-fold on train"
    )
    scored = heldout if args.heldout else train
    n_real = sum(corpus.labels[i].real for i in scored)
    print(
        f"Genre ({scheme}): {len(scored)} documents scored ({n_real} real, {len(scored) - n_real} "
        f"synthetic); {len(train)} train, {len(heldout)} heldout; unreadable, not scored: "
        f"{', '.join(lab.file for lab in corpus.unreadable) or 'none'}"
    )
    for name, vectors in variants:
        if args.heldout:
            results = score_heldout(corpus, train, heldout, vectors, config)
        else:
            results = cross_validate(
                [corpus.inputs[i] for i in train],
                [corpus.genres[i] for i in train],
                [corpus.groups[i] for i in train],
                None if vectors is None else vectors[train],
                config,
                folds=folds,
            )
            results = [(train[i], g, c, u) for i, g, c, u in results]
        report(name, corpus, results, show_errors=args.errors)
    print(f"\ntime {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


def score_heldout(
    corpus: LabelledCorpus, train: list[int], heldout: list[int], vectors: np.ndarray | None, config
) -> list[Result]:
    """Predictions on the held-out documents by one model fitted and calibrated on the train documents."""
    model = fit_model(
        [corpus.inputs[i] for i in train],
        [corpus.genres[i] for i in train],
        None if vectors is None else vectors[train],
        config,
        groups=[corpus.groups[i] for i in train],
    )
    predictions = model.predict(
        [corpus.inputs[i] for i in heldout], None if vectors is None else vectors[heldout]
    )
    return [(i, p.genre, p.confidence, p.uncertain) for i, p in zip(heldout, predictions, strict=True)]


def report(name: str, corpus: LabelledCorpus, results: list[Result], *, show_errors: bool) -> None:
    gold = corpus.genres
    predicted = {i: (g, c, u) for i, g, c, u in results}
    real = [i for i in predicted if corpus.labels[i].real]
    synthetic = [i for i in predicted if not corpus.labels[i].real]

    def accuracy(idx: list[int]) -> str:
        right = sum(predicted[i][0] == gold[i] for i in idx)
        return f"{right / max(1, len(idx)):.3f} ({right}/{len(idx)})"

    print(f"\n== {name} features")
    print(f"accuracy real {accuracy(real)}  synthetic {accuracy(synthetic)}  all {accuracy(list(predicted))}")
    for part, idx in (("real", real), ("all", list(predicted))):
        print(f"policy gate ({part}; rows gold, columns predicted):")
        print(gate(idx, gold, predicted))
    labels = [g for g in GENRES if any(gold[i] == g for i in predicted)]
    print("per genre (all scored documents): precision, recall, n")
    for g in labels:
        tp = sum(1 for i in predicted if gold[i] == g and predicted[i][0] == g)
        n_pred = sum(1 for i in predicted if predicted[i][0] == g)
        n_gold = sum(1 for i in predicted if gold[i] == g)
        n_real = sum(1 for i in real if gold[i] == g)
        print(
            f"  {g:<14} P {tp / n_pred if n_pred else float('nan'):.2f}  R {tp / n_gold:.2f}  "
            f"n {n_gold} ({n_real} real)"
        )
    print("confusion (rows gold, columns predicted; all scored documents):")
    print(" " * 8 + "".join(f"{SHORT[g]:>7}" for g in labels))
    for g in labels:
        row = [sum(1 for i in predicted if gold[i] == g and predicted[i][0] == p) for p in labels]
        print(f"{SHORT[g]:<8}" + "".join(f"{n:>7}" for n in row))
    conf = np.array([predicted[i][1] for i in predicted])
    right = np.array([predicted[i][0] == gold[i] for i in predicted], dtype=float)
    bins = np.minimum((conf * 5).astype(int), 4)
    ece = sum(
        abs(conf[bins == b].mean() - right[bins == b].mean()) * (bins == b).sum()
        for b in range(5)
        if (bins == b).any()
    )
    print(
        f"calibration: mean confidence {conf.mean():.3f} vs accuracy {right.mean():.3f}; "
        f"ECE (5 bins) {ece / len(conf):.3f}; uncertain {sum(predicted[i][2] for i in predicted)}"
    )
    for i in sorted(predicted):
        g, c, u = predicted[i]
        if show_errors and g != gold[i]:
            lab = corpus.labels[i]
            side = "" if (g in POLICY_GENRES) == (gold[i] in POLICY_GENRES) else "  [GATE]"
            print(f"  ✗ {lab.file}: gold {gold[i]}, predicted {g} {c:.2f}{' (uncertain)' if u else ''}{side}")


def gate(idx: list[int], gold: list[str], predicted: dict[int, tuple[str, float, bool]]) -> str:
    """The 2×2 table of policy / non-policy, gold against predicted."""

    def count(g_policy: bool, p_policy: bool) -> int:
        return sum(
            1
            for i in idx
            if (gold[i] in POLICY_GENRES) == g_policy and (predicted[i][0] in POLICY_GENRES) == p_policy
        )

    lines = [f"{'':>14}{'policy':>8}{'non-pol':>9}"]
    for name, g_policy in (("policy", True), ("non-policy", False)):
        lines.append(f"  {name:<12}{count(g_policy, True):>8}{count(g_policy, False):>9}")
    leaks, lost = count(False, True), count(True, False)
    lines.append(f"  non-policy given a policy genre: {leaks}; policy documents left out: {lost}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
