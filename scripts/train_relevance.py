"""Rebuild the shipped passage-relevance model (src/planmine/data/relevance_model.npz) from
tests/data/relevance/judgements.jsonl.

Embeds the judged passages with the configured e5 model (cached under outputs/relevance_cache), fits the
calibrated logistic regression on all judgements (fixed seed; Platt calibration on out-of-fold scores
grouped by document) and prints the relevance cut-offs that the decision's DecisionConfig records, read
off those out-of-fold probabilities: `relevance_addressed` where precision reaches 0.90, and
`relevance_mentioned` where recall is still 0.95. Scores come from benchmarks/eval_relevance.py, never
from this script.

Example: python scripts/train_relevance.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from planmine.themes.relevance import MODEL_PATH  # noqa: E402
from planmine.themes.relevance_train import featurise, fit, load_judgements, threshold_for  # noqa: E402

LABELS = ROOT / "tests" / "data" / "relevance"
CACHE = ROOT / "outputs" / "relevance_cache"
ADDRESSED_PRECISION = 0.90
MENTIONED_RECALL = 0.95


def recall_threshold(probs: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The highest threshold that keeps `recall` of the positives."""
    pos = np.sort(probs[y == 1])[::-1]
    return float(pos[min(int(np.ceil(recall * len(pos))) - 1, len(pos) - 1)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    started = time.perf_counter()
    from planmine.embed import load_embedder

    j = load_judgements(args.labels)
    f = featurise(j, load_embedder(), CACHE)
    model, oof = fit(f)
    model.save(args.out)
    y = j.labels
    print(
        f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB): {len(y)} judgements, {int(y.sum())} positive"
    )
    addressed = threshold_for(oof, y, ADDRESSED_PRECISION)
    mentioned = recall_threshold(oof, y, MENTIONED_RECALL)
    print(f"relevance_addressed = {addressed:.3f}  (out-of-fold precision {ADDRESSED_PRECISION})")
    print(f"relevance_mentioned = {mentioned:.3f}  (out-of-fold recall {MENTIONED_RECALL})")
    print(f"time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
