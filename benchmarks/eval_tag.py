"""Tagging quality with whole documents held out (leave-one-document-out), per document and overall.

Usage: PYTHONPATH=src python benchmarks/eval_tag.py [--errors] [--no-genre] [--cache DIR]
  For each labelled document of tests/data/tag/units/ the unit classifier is trained on all the others,
  then the held-out document is tagged (rules + classifier + links) and its units scored:
  goal (goal or sub-goal), activity, requirement on a supplier, and actor names (on the units whose actors
  were labelled by hand: tests/data/tag/sample.jsonl's seed passages and the synthetic plans).
  Also: the Kalmar check (36 Målområde goals, activity→goal links) on the held-out Kalmar tags.
  --no-genre  tag without the documents' genre (the classifier alone must keep procurement free of activities)
  --errors    list every false positive / false negative
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from planmine.tag.classify import apply_decisions, classify_docs
from planmine.tag.evaluate import Counts, kalmar_scores, read_jsonl
from planmine.tag.labelled import DocumentUnits, gold_units, load_labelled, training_rows
from planmine.tag.model import UnitModel
from planmine.tag.pipeline import link
from planmine.tag.units import GOAL_LABELS
from planmine.types import Tag

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag"
KINDS = ("goal", "activity", "requirement", "actor")


def _gold_kinds(row: dict[str, object]) -> set[str]:
    label = str(row["label"])
    kinds = {"goal" if label in GOAL_LABELS else label}
    kinds |= set(row.get("also") or [])  # type: ignore[arg-type]
    return {"requirement" if k == "requirement_on_supplier" else k for k in kinds}


def score_document(analysed: DocumentUnits, tags: list[Tag], counts: dict[str, Counts]) -> None:
    by_passage: dict[int, list[Tag]] = {}
    for tag in tags:
        by_passage.setdefault(tag.passage_index, []).append(tag)
    for _d, unit, row in gold_units(analysed):
        own = [t for t in by_passage.get(unit.passage_index, []) if t.start < unit.end and unit.start < t.end]
        predicted = {t.kind for t in own}
        expected = _gold_kinds(row)
        for kind in ("goal", "activity", "requirement"):
            c = counts[kind]
            if kind in predicted and kind in expected:
                c.tp += 1
            elif kind in predicted:
                c.fp += 1
                c.errors.append(f"FP {analysed.document.id}#{row['i']}: {unit.text[:90]!r}")
            elif kind in expected:
                c.fn += 1
                c.errors.append(f"FN {analysed.document.id}#{row['i']}: {unit.text[:90]!r}")
        if row.get("actors_by_hand") or row.get("synthetic"):
            got = {t.label for t in own if t.kind == "actor"}
            want = set(row.get("actors") or [])  # type: ignore[arg-type]
            c = counts["actor"]
            c.tp += len(got & want)
            c.fp += len(got - want)
            c.fn += len(want - got)
            c.errors += [f"FP {analysed.document.id}#{row['i']}: {a}" for a in sorted(got - want)]
            c.errors += [f"FN {analysed.document.id}#{row['i']}: {a}" for a in sorted(want - got)]


def _line(name: str, counts: dict[str, Counts]) -> str:
    cells = []
    for kind in KINDS:
        c = counts[kind]
        n = c.tp + c.fn
        cells.append(
            f"{c.precision:5.2f} {c.recall:5.2f} {n:4}" if c.tp + c.fp + c.fn else f"{'-':>5} {'-':>5} {0:4}"
        )
    return f"{name:<26} " + "  ".join(cells)


def _cache() -> Path | None:
    return Path(sys.argv[sys.argv.index("--cache") + 1]) if "--cache" in sys.argv else None


def main() -> None:
    show_errors = "--errors" in sys.argv
    use_genre = "--no-genre" not in sys.argv
    start = time.perf_counter()
    documents = load_labelled(DATA / "units", ROOT, cache=_cache())
    rows = {a.document.id: training_rows(a) for a in documents}
    overall = {k: Counts() for k in KINDS}
    print(
        f"leave-one-document-out over {len(documents)} documents, {sum(len(r[1]) for r in rows.values())} "
        f"labelled units ({'with' if use_genre else 'without'} the documents' genre)"
    )
    print(f"{'held-out document':<26} " + "  ".join(f"{k[:11]:>11} {'n':>4}" for k in KINDS))
    print(f"{'':<26} " + "  ".join(f"{'P':>5} {'R':>5} {'':4}" for _ in KINDS))
    kalmar_tags: list[Tag] = []
    for analysed in documents:
        held = analysed.document.id
        features = [f for doc_id, (fs, _) in rows.items() if doc_id != held for f in fs]
        labels = [y for doc_id, (_, ys) in rows.items() if doc_id != held for y in ys]
        model = UnitModel().fit(features, labels)
        genre = analysed.document.genre if use_genre else ""
        for doc, (units, probs) in zip(analysed.docs, classify_docs(analysed.docs, model), strict=True):
            apply_decisions(doc, units, probs, genre=genre)
        tags = link(analysed.passages, analysed.docs)
        if held == "kalmar":
            kalmar_tags = tags
        counts = {k: Counts() for k in KINDS}
        score_document(analysed, tags, counts)
        for kind in KINDS:
            overall[kind].tp += counts[kind].tp
            overall[kind].fp += counts[kind].fp
            overall[kind].fn += counts[kind].fn
            overall[kind].errors += counts[kind].errors
        marker = " (synthetic)" if analysed.document.synthetic else ""
        print(_line(held[: 26 - len(marker)] + marker, counts))
    print(_line("OVERALL", overall))
    if kalmar_tags:
        found, linked, total, problems = kalmar_scores(read_jsonl(DATA / "kalmar_goals.jsonl"), kalmar_tags)
        print(
            f"\nKalmar held out: {found}/36 Målområde goals; {linked}/{total} activity rows linked "
            f"({linked / total:.1%})"
        )
        if show_errors:
            print("\n".join("    " + p for p in problems))
    if show_errors:
        for kind in KINDS:
            print(f"\n{kind} errors:")
            print("\n".join("    " + e for e in overall[kind].errors))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
