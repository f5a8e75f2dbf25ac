"""Evaluate theme matching and question answering on a store built by the real pipeline.

Prints precision, recall and F1 of "addressed" over the gold cells that are clearly addressed or clearly
absent (tests/data/themes/gold.jsonl), for
  - `compare()` (taxonomy themes),
  - `answer()` with the development questions of gold.jsonl (Swedish, English) and of
    tests/data/themes/dev2_questions.jsonl (Swedish, a second development set), and
  - `answer()` with the held-out questions (tests/data/themes/heldout_questions.jsonl; written apart and
    never used to tune anything: the honest estimate for unseen paraphrases).
Each with the shipped thresholds and leave-one-region-out: for each region (= its one document, held out
whole), the `addressed` threshold is chosen on the other regions' cells and applied to the held-out one.

Usage: python benchmarks/eval_themes.py [--store DB] [--no-embed] [--verbose] [--no-heldout]
Without --store, corpus/ is ingested first into a temporary store (read, clean, segment, tag, embed).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import cpu_seconds, dev2_questions, gold, heldout_questions, seed_store

from planmine.query import question_core, question_evidence
from planmine.themes.decision import DEFAULT_THRESHOLDS, PassageEvidence, Thresholds, decide, decide_free
from planmine.themes.index import ThemeIndex, get_index
from planmine.themes.reading import read_question

GRID = [round(0.30 + 0.025 * i, 3) for i in range(27)]  # 0.30 .. 0.95
Cell = tuple[str, bool, list[PassageEvidence], str]  # region, gold addressed, evidence, what (for --verbose)


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and count of (gold addressed, predicted addressed) pairs."""
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(pairs)


FREE: dict[str, str] = {}  # question → concept, for questions read as free text (not as a theme)


def predicted(index: ThemeIndex, cell: Cell, t: Thresholds) -> bool:
    region, _, evidence, what = cell
    if what in FREE:
        return decide_free(region, evidence, index.quality[region], FREE[what], t).level == "addressed"
    return decide(region, evidence, index.quality[region], t).level == "addressed"


def at(addressed: float) -> Thresholds:
    return replace(
        DEFAULT_THRESHOLDS, addressed=addressed, mentioned=min(DEFAULT_THRESHOLDS.mentioned, addressed)
    )


def loro(index: ThemeIndex, cells: list[Cell]) -> tuple[tuple[float, float, float, int], dict[str, float]]:
    """Leave-one-region-out: held-out P/R/F1 and the threshold chosen without each region."""
    regions = sorted({c[0] for c in cells})
    preds = {t: [predicted(index, c, at(t)) for c in cells] for t in GRID}
    pairs: list[tuple[bool, bool]] = []
    chosen: dict[str, float] = {}
    for held in regions:
        train = [k for k, c in enumerate(cells) if c[0] != held]

        f1 = {t: prf([(cells[k][1], preds[t][k]) for k in train])[2] for t in GRID}
        plateau = [t for t in GRID if f1[t] >= max(f1.values()) - 1e-9]
        best = plateau[len(plateau) // 2]  # the middle of the best range: least sensitive to one cell
        chosen[held] = best
        pairs += [(c[1], preds[best][k]) for k, c in enumerate(cells) if c[0] == held]
    return prf(pairs), chosen


def line(name: str, m: tuple[float, float, float, int]) -> str:
    return f"{name:46s} P {m[0]:.3f}  R {m[1]:.3f}  F1 {m[2]:.3f}  (n={m[3]})"


def report(index: ThemeIndex, name: str, cells: list[Cell], verbose: bool) -> None:
    shipped = [predicted(index, c, DEFAULT_THRESHOLDS) for c in cells]
    print(line(f"{name}, shipped thresholds", prf([(c[1], p) for c, p in zip(cells, shipped, strict=True)])))
    m, chosen = loro(index, cells)
    print(line(f"{name}, leave-one-region-out", m), " chosen:", sorted(set(chosen.values())))
    f1 = {t: prf([(c[1], predicted(index, c, at(t))) for c in cells])[2] for t in GRID}
    best = [t for t in GRID if f1[t] >= max(f1.values()) - 1e-9]
    print(
        f"{'':46s} F1-best addressed threshold on all cells: {best[0]}..{best[-1]} (F1 {max(f1.values()):.3f})"
    )
    if verbose:
        for c, p in zip(cells, shipped, strict=True):
            if c[1] != p:
                best = max(c[2], key=lambda e: e.weight, default=None)
                quote = f" | {best.kind} {best.weight:.2f}: {best.text[:70]!r}" if best else ""
                print(f"   wrong: {c[3][:58]:58s} {c[0]:20s} gold={'A' if c[1] else '-'}{quote}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="a store after `planmine ingest corpus/` (default: ingest now)")
    ap.add_argument("--no-embed", action="store_true", help="lexical matching only (no embedding model)")
    ap.add_argument("--verbose", action="store_true", help="print every wrong cell and misread question")
    ap.add_argument("--no-heldout", action="store_true", help="development sets only (while tuning)")
    args = ap.parse_args()

    store = seed_store(args.store)
    emb = None
    if not args.no_embed:
        from planmine.embed import load_embedder
        from planmine.query import QUERY_THREADS

        emb = load_embedder(num_threads=QUERY_THREADS)
    t0, c0 = time.perf_counter(), cpu_seconds()
    index = get_index(store, emb)
    index.theme_z()
    print(
        f"index: {len(index.items)} passages, {len(index.regions)} regions, "
        f"{time.perf_counter() - t0:.1f} s wall, {cpu_seconds() - c0:.1f} s CPU"
    )
    gold_cells, dev = gold()
    clear = {
        (c["theme"], c["region"]): c["label"] == "addressed" for c in gold_cells if c["label"] != "mentioned"
    }
    print(
        f"gold: {len(gold_cells)} cells, {len(clear)} clear ({sum(clear.values())} addressed, "
        f"{len(clear) - sum(clear.values())} absent); {len(dev)} development and "
        f"{len(heldout_questions())} held-out questions; shipped addressed ≥ {DEFAULT_THRESHOLDS.addressed}\n"
    )

    cells: list[Cell] = []
    for theme in sorted({t for t, _ in clear}):
        evidence = index.theme_evidence(theme)
        for region in index.regions:
            if (theme, region) in clear:
                cells.append((region, clear[(theme, region)], evidence.get(region, []), theme))
    print(line("baseline: 'addressed' everywhere", prf([(c[1], True) for c in cells])))
    report(index, "compare()", cells, args.verbose)

    sets = [("development", dev), ("dev2", dev2_questions())]
    if not args.no_heldout:
        sets.append(("held-out", heldout_questions()))
    for set_name, questions in sets:
        for lang in ("sv", "en"):
            qs = [q for q in questions if q["lang"] == lang]
            if not qs:
                continue
            t1 = time.perf_counter()
            qvecs = index.embed_questions([question_core(q["text"]) for q in qs])
            cells, mapped = [], 0
            for q, v in zip(qs, qvecs, strict=True):
                reading = read_question(index, q["text"], v)
                mapped += reading.theme == q["theme"]
                if args.verbose and reading.theme != q["theme"]:
                    print(f"   misread {q['text']!r} → {reading.line()} [{reading.why}], gold {q['theme']}")
                evidence = question_evidence(index, reading, v)
                if reading.theme is None:
                    FREE[q["text"]] = reading.concept
                for region in index.regions:
                    if (q["theme"], region) in clear:
                        cells.append(
                            (region, clear[(q["theme"], region)], evidence.get(region, []), q["text"])
                        )
            ms = 1000 * (time.perf_counter() - t1) / max(len(qs), 1)
            print(
                f"\n{set_name} {lang}: {len(qs)} questions, theme read right {mapped}/{len(qs)}, {ms:.0f} ms each"
            )
            report(index, f"answer() {set_name} {lang}", cells, args.verbose)


if __name__ == "__main__":
    main()
