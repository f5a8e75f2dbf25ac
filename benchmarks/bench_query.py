"""Speed of the theme stage: `planmine query` with 10 questions (model load included), per-question latency
through the Python API with the model loaded, and `compare` over all themes.

Usage: PYTHONPATH=src python benchmarks/bench_query.py [--store DB]
Without --store, the seed corpus is read in memory (vectors cached under outputs/cache by earlier runs) and
the CLI runs with `--store corpus/`; pass an ingested store for the figures of the real pipeline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import ROOT, embedder, load_vectors, save_vectors, seed_store  # noqa: E402

from planmine.compare import compare  # noqa: E402
from planmine.query import answer  # noqa: E402
from planmine.themes.index import get_index  # noqa: E402

QUESTIONS = [
    "Which regions work to prevent falls among the elderly?",
    "Vilka regioner har gemensamma planer för individer med behov av insatser från både kommun och region?",
    "Which regions use mobile teams?",
    "Hur arbetar regionerna med suicidprevention?",
    "Which regions involve patients in developing care?",
    "läkemedelsgenomgångar",
    "Vilka regioner satsar på välfärdsteknik?",
    "How do regions support family caregivers?",
    "Cosmic LINK",
    "Var finns stöd till föräldrar?",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", help="SQLite store after `planmine ingest corpus/`")
    args = ap.parse_args()

    store = seed_store(args.store)
    t0 = time.perf_counter()
    emb = embedder()
    load_s = time.perf_counter() - t0
    load_vectors(store, emb)
    t0 = time.perf_counter()
    get_index(store, emb).theme_z()
    index_s = time.perf_counter() - t0
    save_vectors(store, emb)
    print(f"model load {load_s:.2f} s; index (matching, vectors from cache) {index_s:.2f} s")

    answer(QUESTIONS[:1], store, emb)  # warm: theme vectors
    times = []
    for q in QUESTIONS:
        t = time.perf_counter()
        answer([q], store, emb)
        times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"API, model loaded: median {1000 * times[len(times) // 2]:.0f} ms, max {1000 * times[-1]:.0f} ms "
        f"per question (bar: 100 ms)"
    )

    emb_times = []
    for q in QUESTIONS:
        t = time.perf_counter()
        emb.embed_queries([q])
        emb_times.append(time.perf_counter() - t)
    emb_times.sort()
    print(
        f"   of which embedding one question: median {1000 * emb_times[len(emb_times) // 2]:.0f} ms "
        f"(machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )

    t = time.perf_counter()
    table = compare(store, emb)
    print(
        f"compare over {len(table.rows)} themes × {len(table.regions)} regions (index warm): "
        f"{time.perf_counter() - t:.2f} s (bar: 10 s)"
    )

    if args.store:
        cli_store = ["--store", args.store]
        cmd = [sys.executable, "-m", "planmine", "query", *QUESTIONS, "--json", *cli_store]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        print(
            f"CLI `planmine query` with {len(QUESTIONS)} questions: {time.perf_counter() - t:.2f} s "
            f"(exit {proc.returncode}; bar: 15 s)"
        )
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "planmine", "compare", "--format", "json", *cli_store],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        print(
            f"CLI `planmine compare` (all themes): {time.perf_counter() - t:.2f} s (exit {proc.returncode}; bar: 10 s)"
        )
    else:
        print("CLI timings need an ingested store with cached vectors: pass --store outputs/planmine.db")


if __name__ == "__main__":
    main()
