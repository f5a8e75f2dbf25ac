"""Time segmentation + tagging of the whole seed corpus; print passages per second and total seconds.

Usage: PYTHONPATH=src python benchmarks/bench_tag.py [--clean] [--repeat N]
  The cleaned documents are prepared first (not timed). Timed: loading spaCy and building the pipeline
  (once per process), then segment + tag of all five plans (best of N runs, pipeline already loaded).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    use_clean = "--clean" in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    from planmine.tag.corpus import corpus_files, load_clean_document

    docs = [load_clean_document(p, use_clean_stage=use_clean) for p in corpus_files(ROOT / "corpus")]
    chars = sum(len(p.text) for d in docs for p in d.pages)

    start = time.perf_counter()
    from planmine.segment import segment
    from planmine.tag import get_nlp, tag_passages

    get_nlp()
    load_s = time.perf_counter() - start

    runs = []
    passages = tags = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        passages = tags = 0
        for i, doc in enumerate(docs):
            ps = segment(doc, i + 1)
            passages += len(ps)
            tags += len(tag_passages(ps))
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(
        f"seed corpus: {len(docs)} documents, {chars:,} characters, {passages} passages, {tags} tags "
        f"({'clean stage' if use_clean else 'stand-in cleaning'})"
    )
    print(f"load spaCy + build pipeline: {load_s:.2f} s (once per process)")
    print(f"segment + tag: {best:.2f} s (best of {repeat}), {passages / best:,.0f} passages/s")
    print(f"total (load + segment + tag): {load_s + best:.2f} s (target: <= 10 s)")


if __name__ == "__main__":
    main()
