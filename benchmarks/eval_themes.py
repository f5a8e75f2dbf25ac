"""Evaluate theme matching and question answering against the labelled seed regions.

Prints precision, recall and F1 of `compare()` (taxonomy themes) and of `answer()` with the Swedish and
the English paraphrased questions of tests/data/themes/gold.jsonl, over the cells that are clearly
addressed or clearly absent. Thresholds are calibrated leave-one-region-out: for each region, the
`addressed` threshold is chosen on the other four regions' cells and applied to the held-out one.

Usage: PYTHONPATH=src python benchmarks/eval_themes.py [--store DB] [--no-embed] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import embedder as load_embedder
from _seed import gold, load_vectors, save_vectors, seed_store

from planmine.compare import compare
from planmine.query import answer, choose_theme, question_core
from planmine.themes.decision import DEFAULT_THRESHOLDS
from planmine.themes.index import get_index

GRID = [round(0.30 + 0.025 * i, 3) for i in range(27)]  # 0.30 .. 0.95


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and count of (gold addressed, predicted addressed) pairs."""
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(pairs)


def loro(rows: list[tuple[str, bool, float]]) -> tuple[tuple[float, float, float, int], dict[str, float]]:
    """Leave-one-region-out: (region, gold addressed, score) → held-out P/R/F1 and the chosen thresholds."""
    regions = sorted({r for r, _, _ in rows})
    pairs: list[tuple[bool, bool]] = []
    chosen: dict[str, float] = {}
    for held in regions:
        train = [(g, s) for r, g, s in rows if r != held]
        best = max(GRID, key=lambda t: (prf([(g, s >= t) for g, s in train])[2], -abs(t - 0.6)))
        chosen[held] = best
        pairs += [(g, s >= best) for r, g, s in rows if r == held]
    return prf(pairs), chosen


def line(name: str, m: tuple[float, float, float, int]) -> str:
    return f"{name:44s} P {m[0]:.3f}  R {m[1]:.3f}  F1 {m[2]:.3f}  (n={m[3]})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--store", help="SQLite store after `planmine ingest corpus/` (default: corpus/ in memory)"
    )
    ap.add_argument("--no-embed", action="store_true", help="lexical matching only (no embedding model)")
    ap.add_argument("--verbose", action="store_true", help="print every wrong cell")
    args = ap.parse_args()

    cells, questions = gold()
    clear = {(c["theme"], c["region"]): c["label"] == "addressed" for c in cells if c["label"] != "mentioned"}
    store = seed_store(args.store)
    emb = None if args.no_embed else load_embedder()
    if emb is not None:
        load_vectors(store, emb)
    t0 = time.perf_counter()
    index = get_index(store, emb)
    if emb is not None:
        index.theme_z()
        save_vectors(store, emb)
    print(
        f"index: {len(index.items)} passages, {len(index.regions)} regions, {time.perf_counter() - t0:.1f} s"
    )
    print(
        f"gold: {len(cells)} cells ({len(clear)} clear: {sum(clear.values())} addressed, "
        f"{len(clear) - sum(clear.values())} absent), {len(questions)} questions"
    )
    thr = DEFAULT_THRESHOLDS.addressed
    print(f"shipped threshold: addressed ≥ {thr}\n")

    # --- compare(): taxonomy themes -------------------------------------------------------------
    table = compare(store, emb, themes=sorted({t for t, _ in clear}))
    rows = []
    for row in table.rows:
        for region, cell in row.cells.items():
            if (row.theme_id, region) in clear:
                rows.append((region, clear[(row.theme_id, region)], cell.score, row.theme_id))
    print(line("baseline: 'addressed' everywhere", prf([(g, True) for _, g, _, _ in rows])))
    print(line("compare() shipped threshold", prf([(g, s >= thr) for _, g, s, _ in rows])))
    m, chosen = loro([(r, g, s) for r, g, s, _ in rows])
    print(line("compare() leave-one-region-out", m), " thresholds", chosen)
    if args.verbose:
        for r, g, s, t in rows:
            if g != (s >= thr):
                print(f"   wrong: {t:24s} {r:22s} gold={'A' if g else '-'} score={s:.2f}")

    # --- answer(): paraphrased questions ----------------------------------------------------------
    for lang in ("sv", "en"):
        qs = [
            q for q in questions if q["lang"] == lang and any((q["theme"], r) in clear for r in index.regions)
        ]
        t1 = time.perf_counter()
        answers = answer([q["text"] for q in qs], store, emb)
        dt = (time.perf_counter() - t1) / max(len(qs), 1)
        qrows, mapped = [], 0
        qvecs = (
            emb.embed_queries([question_core(q["text"]) for q in qs]) if emb is not None else [None] * len(qs)
        )
        for q, a, v in zip(qs, answers, qvecs, strict=True):
            choice = choose_theme(index, q["text"], v)
            mapped += choice.theme is not None and choice.theme.id == q["theme"]
            if args.verbose and (choice.theme is None or choice.theme.id != q["theme"]):
                got = (
                    choice.theme.id if choice.theme else f"none (best {choice.runner_up} {choice.cosine:.3f})"
                )
                got += f" [{choice.cosine:.3f}]"
                print(f"   mapped {q['text']!r} → {got}, gold {q['theme']}")
            for r in a.regions:
                if (q["theme"], r.region) in clear:
                    qrows.append((r.region, clear[(q["theme"], r.region)], r.score, q["text"]))
        print()
        print(
            f"answer() {lang}: {len(qs)} questions, theme read correctly for {mapped}/{len(qs)}, "
            f"{dt * 1000:.0f} ms per question"
        )
        print(line(f"answer() {lang} shipped threshold", prf([(g, s >= thr) for _, g, s, _ in qrows])))
        m, chosen = loro([(r, g, s) for r, g, s, _ in qrows])
        print(line(f"answer() {lang} leave-one-region-out", m), " thresholds", chosen)
        if args.verbose:
            for r, g, s, t in qrows:
                if g != (s >= thr):
                    print(f"   wrong: {t[:60]:60s} {r:22s} gold={'A' if g else '-'} score={s:.2f}")


if __name__ == "__main__":
    main()
