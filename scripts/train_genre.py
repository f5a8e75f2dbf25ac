"""Rebuild the shipped genre model (src/planmine/data/genre_model.npz) from tests/data/genre/labels.jsonl.

Reads every labelled document with planmine's own readers and cleaning (cached under outputs/genre_cache),
embeds its first passages with the configured e5 model (skipped with --no-embedding: the model then has
the text variant only), fits the classifier on all of them and calibrates its probabilities on grouped
inner folds. Scores come from benchmarks/eval_genre.py, never from this script.

Example: python scripts/train_genre.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from planmine.genre_model import MODEL_FILE, GenreConfig  # noqa: E402
from planmine.genre_train import document_vectors, fit_model, load_corpus  # noqa: E402

LABELS = ROOT / "tests" / "data" / "genre" / "labels.jsonl"
SHARED = ROOT.parent / "shared"
CACHE = ROOT / "outputs" / "genre_cache"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding corpus/, realdocs*/")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "planmine" / "data" / MODEL_FILE)
    parser.add_argument("--no-embedding", action="store_true", help="train the text variant only")
    args = parser.parse_args()

    started = time.perf_counter()
    corpus = load_corpus(args.labels, args.shared, CACHE, on_file=lambda lab: print(f"  read {lab.file}"))
    for label in corpus.unreadable:
        print(f"  left out (no readable text): {label.file}")
    config = GenreConfig()
    vectors = None
    if not args.no_embedding:
        from planmine.embed import load_embedder

        vectors = document_vectors(corpus.inputs, load_embedder(), config, CACHE / "vectors")
    model = fit_model(corpus.inputs, corpus.genres, vectors, config, groups=corpus.groups)
    model.info["labels"] = (
        str(args.labels.relative_to(ROOT)) if args.labels.is_relative_to(ROOT) else str(args.labels)
    )
    model.info["synthetic"] = sum(not lab.real for lab in corpus.labels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(
        f"genre model: {len(corpus.inputs)} documents, variants {', '.join(model.coef)}, "
        f"temperatures {model.temperature}, {args.out.stat().st_size / 1024:.0f} KiB → {args.out} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
