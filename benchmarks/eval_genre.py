"""Genre classifier quality under grouped cross-validation: accuracy (real and synthetic apart), confusion
matrix, policy mistakes and calibration, for the text variant and the text+embedding variant.

Every document is judged by a model fitted (and calibrated) without it: leave-one-group-out with --loo,
else stratified grouped 10-fold. Groups are documents, except files derived from one original (the
Halland drug recommendations and their scan), which are held out together.

Usage: PYTHONPATH=src python benchmarks/eval_genre.py [--loo] [--folds N] [--no-embedding] [--errors]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from planmine.genre import GENRES, POLICY_GENRES
from planmine.genre_model import GenreConfig
from planmine.genre_train import cross_validate, document_vectors, load_corpus

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "genre" / "labels.jsonl"
SHARED = ROOT.parent / "shared"
CACHE = ROOT / "outputs" / "genre_cache"
SHORT = {g: g[:6] for g in GENRES} | {"risk_analysis": "risk", "procurement": "procur"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loo", action="store_true", help="leave one group out (slow: ~110 fits)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--no-embedding", action="store_true")
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
    folds = 0 if args.loo else args.folds
    scheme = "leave-one-group-out" if folds == 0 else f"stratified grouped {folds}-fold"
    n_real = sum(lab.real for lab in corpus.labels)
    print(
        f"Genre CV ({scheme}): {len(corpus.labels)} documents ({n_real} real, "
        f"{len(corpus.labels) - n_real} synthetic); unreadable, not scored: "
        f"{', '.join(lab.file for lab in corpus.unreadable) or 'none'}"
    )
    for name, vectors in variants:
        results = cross_validate(corpus.inputs, corpus.genres, corpus.groups, vectors, config, folds=folds)
        report(name, corpus, results, show_errors=args.errors)
    print(f"\ntime {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


def report(name: str, corpus, results: list[tuple[int, str, float, bool]], *, show_errors: bool) -> None:
    gold = corpus.genres
    predicted = {i: (g, c, u) for i, g, c, u in results}
    real = [i for i, lab in enumerate(corpus.labels) if lab.real]
    synthetic = [i for i, lab in enumerate(corpus.labels) if not lab.real]

    def accuracy(idx: list[int]) -> str:
        right = sum(predicted[i][0] == gold[i] for i in idx)
        return f"{right / max(1, len(idx)):.3f} ({right}/{len(idx)})"

    print(f"\n== {name} features")
    print(f"accuracy real {accuracy(real)}  synthetic {accuracy(synthetic)}  all {accuracy(list(predicted))}")
    leaks = [i for i in predicted if gold[i] not in POLICY_GENRES and predicted[i][0] in POLICY_GENRES]
    lost = [i for i in predicted if gold[i] in POLICY_GENRES and predicted[i][0] not in POLICY_GENRES]
    print(f"non-policy documents given a policy genre: {len(leaks)}; policy documents left out: {len(lost)}")
    labels = [g for g in GENRES if g in gold]
    print("confusion (rows gold, columns predicted; all documents):")
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
            print(f"  ✗ {lab.file}: gold {gold[i]}, predicted {g} {c:.2f}{' (uncertain)' if u else ''}")


if __name__ == "__main__":
    raise SystemExit(main())
