"""Rebuild the shipped passage-relevance model (src/planmine/data/relevance_model.npz) from
tests/data/relevance/judgements.jsonl.

Embeds the judged passages with the configured e5 model (cached under outputs/relevance_cache), fits the
calibrated logistic regression on all judgements (fixed seed; Platt calibration on out-of-fold scores
grouped by document) and prints, from those out-of-fold probabilities, `relevance_mentioned` (the cut-off
that keeps 0.95 of the positives, recorded in DecisionConfig) and the precision and recall at
DecisionConfig's `relevance_addressed` (0.5: more likely about the theme than not). Scores come from benchmarks/eval_relevance.py, never
from this script.

Trains on the `adjudicated` labels (tests/data/relevance/README.md). Before replacing the shipped file, check
that tests/test_golden.py and benchmarks/eval_themes.py do not fall (the README says why the current file
predates the adjudication).

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

from planmine.themes.evidence import DEFAULT_CONFIG  # noqa: E402
from planmine.themes.relevance import MODEL_PATH  # noqa: E402
from planmine.themes.relevance_train import featurise, fit, load_judgements, threshold_for  # noqa: E402

LABELS = ROOT / "tests" / "data" / "relevance"
CACHE = ROOT / "outputs" / "relevance_cache"
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
    mentioned = recall_threshold(oof, y, MENTIONED_RECALL)
    print(f"relevance_mentioned = {mentioned:.3f}  (out-of-fold recall {MENTIONED_RECALL})")
    cut = DEFAULT_CONFIG.relevance_addressed
    tp = int(((oof >= cut) & (y == 1)).sum())
    print(
        f"at relevance_addressed = {cut}: out-of-fold precision {tp / max(int((oof >= cut).sum()), 1):.3f}, "
        f"recall {tp / max(int(y.sum()), 1):.3f}"
    )
    print(f"P ≥ 0.90 would need {threshold_for(oof, y, 0.90):.3f}")
    print(f"time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
