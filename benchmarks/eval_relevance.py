"""Passage-relevance model quality under cross-validation grouped by document (tests/data/relevance/).

Every judgement is scored by a model fitted (and Platt-calibrated) without its document; the operating
threshold is chosen inside each training fold (on that fold's own out-of-fold probabilities) for the
target precision, never on the scored fold. Prints overall and per-theme precision/recall, by source
(seed plans, realdocs, realdocs2), the hard negatives passed, calibration, the raw term-hit baseline, and
the label-noise ceiling: how second, independent readings of samples (second_reading.jsonl,
second_reading_2.jsonl) agree with the first and the adjudicated labels, next to the model on the same
rows. The labels scored are the adjudicated ones (`adjudicated`, tests/data/relevance/README.md).

Usage: PYTHONPATH=src python benchmarks/eval_relevance.py [--folds 5] [--precision 0.95] [--errors N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from planmine.themes.relevance_train import FOLDS, cross_validate, featurise, load_judgements

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "relevance"
CACHE = ROOT / "outputs" / "relevance_cache"


def pr(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, int, int]:
    tp = int((y & pred).sum())
    fp = int((~y & pred).sum())
    fn = int((y & ~pred).sum())
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp + fn, fp


def precision_at_recall(probs: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The precision of the highest threshold whose recall reaches `recall`."""
    order = np.argsort(-probs)
    tp = np.cumsum(y[order])
    k = int(np.nonzero(tp >= recall * y.sum())[0].min())
    return float(tp[k] / (k + 1))


def _agreement(y: np.ndarray, other: np.ndarray) -> str:
    """Agreement, Cohen's kappa, and `other` read as a predictor of `y` (precision, recall)."""
    agree = float((y == other).mean())
    expected = (y.mean() * other.mean()) + (1 - y.mean()) * (1 - other.mean())
    kappa = (agree - expected) / max(1 - expected, 1e-9)
    p, r, _, _ = pr(y, other)
    return f"agreement {agree:.3f}, kappa {kappa:.2f}, as a predictor P {p:.3f} R {r:.3f}"


def second_reading(rows: list[dict], probs: np.ndarray, pred: np.ndarray) -> None:
    """How independent second readings agree with the first labels and with the adjudicated ones, next
    to the model on the same rows: the label-noise ceiling for any model scored against these labels.

    second_reading.jsonl: 60 random cue-word rows (round 1); second_reading_2.jsonl: 330 rows stratified
    by theme and kind, read blind against the guideline, every disagreement adjudicated (round 2)."""
    at = {(r["doc"], int(r["passage"]), r["theme"]): k for k, r in enumerate(rows)}
    for name in ("second_reading.jsonl", "second_reading_2.jsonl"):
        path = LABELS / name
        if not path.exists():
            continue
        second = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        idx = np.asarray([at[(s["doc"], int(s["passage"]), s["theme"])] for s in second])
        first = np.asarray([bool(rows[k]["label"]) for k in idx])
        adjudicated = np.asarray([bool(rows[k].get("adjudicated", rows[k]["label"])) for k in idx])
        other = np.asarray([bool(s["label"]) for s in second])
        print(
            f"{name}: {len(idx)} rows, {int(first.sum())} positive at first reading, {int(adjudicated.sum())} adjudicated"
        )
        print(f"  second vs first reading:      {_agreement(first, other)}")
        print(f"  first vs adjudicated:         {_agreement(adjudicated, first)}")
        print(f"  second vs adjudicated:        {_agreement(adjudicated, other)}")
        print(f"  model (nested threshold) vs adjudicated: {_agreement(adjudicated, pred[idx])}")
        print(f"  model (0.5) vs adjudicated:   {_agreement(adjudicated, probs[idx] >= 0.5)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--precision", type=float, default=0.95, help="target precision for the threshold")
    parser.add_argument("--errors", type=int, default=0, help="print this many worst mistakes")
    args = parser.parse_args()
    started = time.perf_counter()
    from planmine.embed import load_embedder

    j = load_judgements(LABELS)
    f = featurise(j, load_embedder(), CACHE)
    probs, thresholds = cross_validate(f, folds=args.folds, precision=args.precision)
    y = j.labels.astype(bool)
    pred = probs >= thresholds
    p, r, n_pos, fp = pr(y, pred)
    print(
        f"Relevance, grouped {args.folds}-fold CV by document ({len(set(j.docs))} documents, {len(y)} "
        f"judgements, {int(y.sum())} positive); thresholds chosen in the training folds for P ≥ "
        f"{args.precision} (range {thresholds.min():.3f}..{thresholds.max():.3f})"
    )
    print(f"overall: precision {p:.3f} recall {r:.3f} ({n_pos} positives, {fp} false positives)")
    first = j.first_labels.astype(bool)
    if (first != y).any():
        fp_, fr_, _, _ = pr(first, pred)
        print(
            f"  labels are the adjudicated ones ({int((first != y).sum())} rows differ from the first reading); "
            f"scored against the first reading instead: precision {fp_:.3f} recall {fr_:.3f}"
        )
    hits = np.asarray(
        [
            any(h.theme_id == row["theme"] for h in f.hits[k])
            for row, k in zip(j.rows, j.passage_of_row, strict=True)
        ]
    )
    bp, br, _, bfp = pr(y, hits)
    print(
        f"baseline 'a term of the theme matches': precision {bp:.3f} recall {br:.3f} ({bfp} false positives)"
    )
    from planmine.themes.evidence import DEFAULT_CONFIG

    for name in ("relevance_mentioned", "relevance_addressed"):
        cut = getattr(DEFAULT_CONFIG, name)
        cp, cr, _, cfp = pr(y, probs >= cut)
        print(f"at DecisionConfig.{name} = {cut}: precision {cp:.3f} recall {cr:.3f} ({cfp} false positives)")
    best_p = precision_at_recall(probs, y, 0.90)
    print(
        f"best precision at recall ≥ 0.90 with the threshold chosen on these out-of-fold probabilities "
        f"(an optimistic bound, not a nested figure): {best_p:.3f}"
    )
    kinds = np.asarray([row["kind"] for row in j.rows])
    hard = (kinds == "hard_negative") & ~y
    print(f"hard negatives judged relevant: {int(pred[hard].sum())} of {int(hard.sum())}")
    sources = np.asarray([row["source"] for row in j.rows])
    for s in sorted(set(sources)):
        m = sources == s
        sp, sr, sn, sfp = pr(y[m], pred[m])
        print(f"  {s:10s} precision {sp:.3f} recall {sr:.3f} ({sn} positives, {sfp} false positives)")
    bins = np.linspace(0, 1, 6)
    print("calibration (predicted → observed share positive):")
    for a, b in itertools.pairwise(bins):
        m = (probs >= a) & (probs < b if b < 1 else probs <= b)
        if m.any():
            print(
                f"  {a:.1f}–{b:.1f}: mean p {probs[m].mean():.3f}, observed {y[m].mean():.3f} (n={int(m.sum())})"
            )
    print(f"\n{'theme':24s} {'P':>6s} {'R':>6s} {'pos':>4s} {'FP':>3s}   at 0.5: {'P':>6s} {'R':>6s}")
    themes = np.asarray([row["theme"] for row in j.rows])
    per: dict[str, tuple[float, float, int, int]] = defaultdict(lambda: (0.0, 0.0, 0, 0))
    for t in sorted(set(themes)):
        m = themes == t
        per[t] = pr(y[m], pred[m])
        tp_, tr_, tn_, tfp_ = per[t]
        hp, hr, _, _ = pr(y[m], probs[m] >= 0.5)
        print(f"{t:24s} {tp_:6.3f} {tr_:6.3f} {tn_:4d} {tfp_:3d}           {hp:6.3f} {hr:6.3f}")
    second_reading(j.rows, probs, pred)
    if args.errors:
        wrong = np.nonzero(pred != y)[0]
        wrong = wrong[np.argsort(-np.abs(probs[wrong] - thresholds[wrong]))][: args.errors]
        print("\nworst mistakes:")
        for k in wrong.tolist():
            row = j.rows[k]
            print(
                f"  {'FP' if pred[k] else 'FN'} p={probs[k]:.2f} {row['theme']}: {row['text'][:140]!r} ({row['doc']})"
            )
    print(f"\ntime {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
