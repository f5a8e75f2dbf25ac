"""Evaluate open-vocabulary questions (issue 10) on a store of the seed corpus built by the real pipeline.

Reads tests/data/questions/questions.jsonl (questions outside the taxonomy with per-region gold, split
dev/test by concept; made by hand, see its README). Prints, per split and language, precision, recall
and false-positive rate with positive = `addressed` or `mentioned`, how many out-of-taxonomy questions
were read as a theme, and whether the in-taxonomy controls were read as their theme.
Tune on --split dev only; --split test is the held-out score.

Usage: python benchmarks/eval_questions.py [--store DB] [--split dev|test|all] [--sampled] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import ROOT, seed_store

from planmine.query import answer_one, question_core
from planmine.themes.index import get_index

QUESTIONS = ROOT / "tests" / "data" / "questions" / "questions.jsonl"
POSITIVE = {"addressed", "mentioned"}


def rates(pairs: list[tuple[bool, bool]]) -> str:
    tp = sum(g and p for g, p in pairs)
    fp = sum(p and not g for g, p in pairs)
    fn = sum(g and not p for g, p in pairs)
    tn = sum(not g and not p for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return f"P {precision:.3f}  R {recall:.3f}  FPR {fpr:.3f}  (cells {len(pairs)}: tp {tp} fp {fp} fn {fn})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="a store after `planmine ingest corpus/` (default: ingest now)")
    ap.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--verbose", action="store_true", help="print every wrong cell")
    ap.add_argument(
        "--sampled", action="store_true", help="only the rows of the sampled pass (field `sampled`)"
    )
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} at start")
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if args.split == "all" or r["split"] == args.split]
    rows = [r for r in rows if r.get("sampled") or not args.sampled]
    store = seed_store(args.store)
    from planmine.embed import load_embedder
    from planmine.query import QUERY_THREADS

    index = get_index(store, load_embedder(num_threads=QUERY_THREADS))
    index.theme_z()
    t0 = time.perf_counter()
    pairs: dict[str, list[tuple[bool, bool]]] = {"sv": [], "en": []}
    as_theme: list[str] = []
    controls = [0, 0]
    restricted = [0, 0]  # questions naming a region whose answer lists that region only
    for row in rows:
        qvec = index.embed_questions([question_core(row["question"])])[0]
        a = answer_one(index, row["question"], qvec)
        theme = a.reading.get("theme")
        if row.get("region"):
            restricted[0] += [r.region for r in a.regions] == [row["region"]]
            restricted[1] += 1
        if row["kind"] == "control":
            controls[0] += theme == row["theme"]
            controls[1] += 1
            if args.verbose and theme != row["theme"]:
                print(f"   control misread: {row['question']!r} → {a.reading['line']}")
            continue
        if theme:
            as_theme.append(f"{row['question']!r} → {theme}")
        level = {r.region: r.level for r in a.regions}
        for region, gold in row["gold"].items():
            if row.get("region") and region != row["region"]:
                continue  # the question asks about one region only
            g, p = gold["level"] in POSITIVE, level.get(region, "not_found") in POSITIVE
            pairs[row["lang"]].append((g, p))
            if args.verbose and g != p:
                print(
                    f"   {'FP' if p else 'FN'} {row['question'][:60]!r:62s} {region:20s} gold {gold['level']:9s} "
                    f"got {level.get(region)} | {a.reading['line'][:70]}"
                )
    ms = 1000 * (time.perf_counter() - t0) / max(len(rows), 1)
    print(f"split {args.split}: {len(rows)} questions, {ms:.0f} ms each")
    for lang in ("sv", "en"):
        print(f"{lang}: {rates(pairs[lang])}")
    print(f"out-of-taxonomy questions read as a theme: {len(as_theme)}")
    for line in as_theme:
        print(f"   {line}")
    print(f"in-taxonomy controls read as their theme: {controls[0]}/{controls[1]}")
    print(f"questions naming a region answered for that region only: {restricted[0]}/{restricted[1]}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
