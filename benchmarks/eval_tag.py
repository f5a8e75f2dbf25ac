"""Print precision/recall per kind on the hand-annotated sample, and the seed-corpus quality bars.

Usage: PYTHONPATH=src python benchmarks/eval_tag.py [--clean] [--errors]
  --clean   run the real reader + cleaner (planmine.ingest/planmine.clean) instead of the stand-in
  --errors  list every false positive / false negative
"""

from __future__ import annotations

import sys
from pathlib import Path

from planmine.tag import analyse
from planmine.tag.corpus import corpus_files, load_clean_document
from planmine.tag.evaluate import found_as, kalmar_scores, read_jsonl, score_sample

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag"


def main() -> None:
    use_clean = "--clean" in sys.argv
    show_errors = "--errors" in sys.argv
    analysed = {}
    for i, path in enumerate(corpus_files(ROOT / "corpus")):
        analysed[path.name] = analyse(load_clean_document(path, use_clean_stage=use_clean), i + 1)
    gold = read_jsonl(DATA / "sample.jsonl")
    counts, missing = score_sample(gold, analysed)
    print(f"Annotated sample: {len(gold)} passages ({missing} not found after segmentation)")
    print(f"{'kind':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for kind, c in counts.items():
        print(f"{kind:<10} {c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f} {c.tp:4} {c.fp:4} {c.fn:4}")
        if show_errors:
            for line in c.errors:
                print("    " + line)

    def tags_of(prefix: str):
        return next(v for k, v in analysed.items() if k.startswith(prefix))[1]

    found, linked, total, problems = kalmar_scores(read_jsonl(DATA / "kalmar_goals.jsonl"), tags_of("kalmar"))
    print(
        f"\nKalmar: {found}/36 Målområde goals found; {linked}/{total} activity rows linked to the right goal "
        f"({linked / total:.1%})"
    )
    if show_errors:
        for line in problems:
            print("    " + line)
    for name, file, kind in (
        ("Örebro delmål as goals", "orebro_delmal.jsonl", "goal"),
        ("Värmland Bilaga 1 examples as activities", "varmland_bilaga1.jsonl", "activity"),
        ("Östergötland exempel bullets as activities", "ostergotland_exempel.jsonl", "activity"),
    ):
        texts = [str(r["text"]) for r in read_jsonl(DATA / file)]
        prefix = file.split("_")[0]
        n, missed = found_as(texts, tags_of(prefix), kind)
        print(f"{name}: {n}/{len(texts)} ({n / len(texts):.1%})")
        if show_errors:
            for text in missed:
                print("    missed: " + text)


if __name__ == "__main__":
    main()
