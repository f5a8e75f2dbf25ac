"""Speed of the cleaning stage: clean the Örebro plan (22 KB OCR text) in a fresh process, lexicon loading
included; prints KB/s and total seconds (the bar: at most 3 s). Also times the clean seed plans.

Wall time depends on what else the machine runs; CPU time (this process plus its hunspell children) is
printed beside it.

Usage: PYTHONPATH=src python benchmarks/bench_clean.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OREBRO = next((ROOT / "corpus").glob("orebro_*.txt"))


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    from planmine.clean import clean_text
    from planmine.clean.lexicon import get_lexicon

    get_lexicon()
    wall_lex, cpu_lex = time.perf_counter() - wall0, cpu_seconds() - cpu0
    text = OREBRO.read_text(encoding="utf-8")
    _cleaned, changes = clean_text(text)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    kb = len(text.encode("utf-8")) / 1024
    print(f"Örebro plan: {kb:.1f} KB, {len(changes)} changes")
    print(f"  lexicon loading      {wall_lex:6.2f} s wall  {cpu_lex:6.2f} s CPU")
    print(f"  total (incl. lexicon) {wall:6.2f} s wall  {cpu:6.2f} s CPU   (bar: <= 3 s)")
    print(f"  throughput incl. loading   {kb / wall:7.1f} KB/s wall  {kb / cpu:7.1f} KB/s CPU")
    w1, c1 = time.perf_counter(), cpu_seconds()
    clean_text(text)
    print(f"  warm second run      {time.perf_counter() - w1:6.2f} s wall  {cpu_seconds() - c1:6.2f} s CPU")
    seeds = [p for p in sorted((ROOT / "corpus").glob("*.txt")) if not p.name.startswith("orebro_")]
    w2, c2 = time.perf_counter(), cpu_seconds()
    size = 0
    for path in seeds:
        seed = path.read_text(encoding="utf-8")
        size += len(seed.encode("utf-8"))
        clean_text(seed)
    wall2, cpu2 = time.perf_counter() - w2, cpu_seconds() - c2
    print(
        f"clean seed plans: {size / 1024:.0f} KB in {wall2:.2f} s wall ({size / 1024 / wall2:.0f} KB/s), {cpu2:.2f} s CPU"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
