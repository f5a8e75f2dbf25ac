"""Tagging quality with whole documents held out (leave-one-document-out), per document and overall.

Usage: PYTHONPATH=src python benchmarks/eval_tag.py [--errors] [--no-genre] [--cache DIR]
  For each labelled document of tests/data/tag/units/ the unit classifier is trained on all the others,
  then the held-out document is tagged (rules + classifier + links) and its units scored:
  goal (goal or sub-goal), activity, requirement on a supplier, and actor names (on the units whose actors
  were labelled by hand: tests/data/tag/sample.jsonl's seed passages and the synthetic plans).
  Also, on held-out tags: the Kalmar check (36 Målområde goals, activity→goal links), and the two-column
  strategy PDF of tests/tag_fixtures.py (16 capitalised goal statements, none in any labelled document),
  tagged by the model trained without syn_kronoberg_strategi, the labelled plan in that style.
  Scoring lives in planmine.tag.evaluate; this script prints.
  --no-genre  tag without the documents' genre (the classifier alone must keep procurement free of activities)
  --errors    list every false positive / false negative
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from planmine.tag.evaluate import (
    UNIT_KINDS,
    Counts,
    HeldOut,
    goal_layout_scores,
    kalmar_scores,
    leave_one_document_out,
    read_jsonl,
    tag_with_model,
)
from planmine.tag.labelled import load_labelled

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag"
STYLE_OF_STRATEGY = "syn_kronoberg_strategi"


def _line(name: str, counts: dict[str, Counts]) -> str:
    cells = []
    for kind in UNIT_KINDS:
        c = counts[kind]
        n = c.tp + c.fn
        cells.append(
            f"{c.precision:5.2f} {c.recall:5.2f} {n:4}" if c.tp + c.fp + c.fn else f"{'-':>5} {'-':>5} {0:4}"
        )
    return f"{name:<26} " + "  ".join(cells)


def _cache() -> Path | None:
    return Path(sys.argv[sys.argv.index("--cache") + 1]) if "--cache" in sys.argv else None


def _strategy(held: HeldOut, show_errors: bool) -> None:
    try:
        sys.path.insert(0, str(ROOT))
        from tests.tag_fixtures import strategy_pdf
    except ImportError as exc:  # reportlab is a test dependency
        print(f"\ntwo-column strategy: not built ({exc})")
        return
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.segment import segment

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strategi.pdf"
        plan = strategy_pdf(path)
        passages = segment(clean_document(read_document(path)), 1)
    score = goal_layout_scores(plan["goals"], tag_with_model(passages, held.model, genre="plan"))
    print(
        f"two-column strategy PDF (model without {held.document}): {score.goals_found}/{score.goals} goals "
        f"whole, {score.spliced} spliced; {score.linked}/{score.activities} activities linked to their goal; "
        f"{score.background_tagged} background sentences tagged"
    )
    if show_errors:
        print("\n".join("    " + p for p in score.problems))


def main() -> None:
    show_errors = "--errors" in sys.argv
    use_genre = "--no-genre" not in sys.argv
    start = time.perf_counter()
    documents = load_labelled(DATA / "units", ROOT, cache=_cache())
    n_units = sum(len(a.gold) for a in documents)
    print(
        f"leave-one-document-out over {len(documents)} documents, {n_units} labelled units "
        f"({'with' if use_genre else 'without'} the documents' genre)"
    )
    print(f"{'held-out document':<26} " + "  ".join(f"{k[:11]:>11} {'n':>4}" for k in UNIT_KINDS))
    print(f"{'':<26} " + "  ".join(f"{'P':>5} {'R':>5} {'':4}" for _ in UNIT_KINDS))
    overall = {k: Counts() for k in UNIT_KINDS}
    results = leave_one_document_out(documents, use_genre=use_genre)
    for held in results:
        for kind in UNIT_KINDS:
            overall[kind].add(held.counts[kind])
        marker = " (synthetic)" if held.synthetic else ""
        print(_line(held.document[: 26 - len(marker)] + marker, held.counts))
    print(_line("OVERALL", overall))
    by_id = {h.document: h for h in results}
    if "kalmar" in by_id:
        found, linked, total, problems = kalmar_scores(
            read_jsonl(DATA / "kalmar_goals.jsonl"), by_id["kalmar"].tags
        )
        print(
            f"\nKalmar held out: {found}/36 Målområde goals; {linked}/{total} activity rows linked "
            f"({linked / total:.1%})"
        )
        if show_errors:
            print("\n".join("    " + p for p in problems))
    if STYLE_OF_STRATEGY in by_id:
        _strategy(by_id[STYLE_OF_STRATEGY], show_errors)
    if show_errors:
        for kind in UNIT_KINDS:
            print(f"\n{kind} errors:")
            print("\n".join("    " + e for e in overall[kind].errors))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
