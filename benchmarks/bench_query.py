"""Speed of the theme stage on a store built by the real pipeline (issue 6 bars):
  - `planmine query` with 10 questions, a fresh process, model loading included (bar: 15 s);
  - one question through the Python API with the model loaded (issue 10 bar: median 50 ms, p95 100 ms);
  - `planmine compare` over all themes after ingest, a fresh process (bar: 10 s).
Wall time and CPU time (user + system, this process and its children) are printed side by side: the
2-core machines are shared, so wall time alone says little about the code.

Usage: python benchmarks/bench_query.py [--store DB]
Without --store, corpus/ is ingested first (read, clean, segment, tag, embed) into a temporary store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import cpu_seconds, heldout_questions, seed_store  # noqa: E402

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


def timed(what: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds of a call."""
    t, c = time.perf_counter(), cpu_seconds()
    out = what()
    return out, time.perf_counter() - t, cpu_seconds() - c


def cli(args: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of `planmine ARGS` in a fresh process, and its exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "planmine", *args]
    proc, wall, cpu = timed(lambda: subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT))
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
    return wall, cpu, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="a store after `planmine ingest corpus/` (default: ingest now)")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at start")

    store = seed_store(args.store)
    store_arg = ["--store", str(store.path)]

    wall, cpu, rc = cli(["compare", "--format", "json", *store_arg])
    print(
        f"CLI `planmine compare` over all themes, first command after ingest: {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU (exit {rc}; bar: 10 s)"
    )
    for run in ("first", "second"):
        wall, cpu, rc = cli(["query", *QUESTIONS, "--json", *store_arg])
        print(
            f"CLI `planmine query` with {len(QUESTIONS)} questions ({run} run): {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU (exit {rc}; bar: 15 s)"
        )

    from planmine.compare import compare
    from planmine.embed import load_embedder
    from planmine.query import QUERY_THREADS, answer
    from planmine.themes.index import ThemeIndex

    embedder, wall, cpu = timed(lambda: load_embedder(num_threads=QUERY_THREADS))
    print(
        f"\nAPI: model load ({QUERY_THREADS} inference thread, {type(embedder).__name__}) "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU"
    )
    index, wall, cpu = timed(lambda: ThemeIndex(store, embedder))
    print(f"API: index of {len(index.items)} passages (term matching) {wall:.2f} s wall, {cpu:.2f} s CPU")
    _, wall, cpu = timed(index.theme_z)
    print(f"API: passage and theme vectors (from the store's cache) {wall:.2f} s wall, {cpu:.2f} s CPU")
    for q in QUESTIONS:  # warm-up: the first texts of each length are slow in a fresh inference session
        answer([q], store, embedder)
    walls, cpus = [], []
    fresh = [q["text"] for q in heldout_questions()]  # questions this process has not embedded yet
    for q in fresh:
        _, wall, cpu = timed(lambda q=q: answer([q], store, embedder))
        walls.append(wall)
        cpus.append(cpu)
    walls.sort()
    cpus.sort()
    n = len(walls)
    print(
        f"API: one question, model loaded ({n} questions not seen before): median {1000 * walls[n // 2]:.0f} ms "
        f"wall, 95th percentile {1000 * walls[95 * n // 100]:.0f} ms, max {1000 * walls[-1]:.0f} ms; "
        f"median {1000 * cpus[n // 2]:.0f} ms CPU, 95th percentile {1000 * cpus[95 * n // 100]:.0f} ms CPU "
        "(bar: median 50 ms, 95th percentile 100 ms)"
    )
    table, wall, cpu = timed(lambda: compare(store, embedder))
    print(
        f"API: compare over {len(table.rows)} themes × {len(table.regions)} regions, model loaded: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU"
    )
    print(f"machine load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
