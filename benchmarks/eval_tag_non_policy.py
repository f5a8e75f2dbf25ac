"""Goals and activities tagged in real non-policy documents (procurement, risk analyses, manuals, other).

Usage: PYTHONPATH=src python benchmarks/eval_tag_non_policy.py [FOLDER ...]
  Each PDF/DOCX/HTML/MD file under the folders (default: ../shared/realdocs2) goes through
  `planmine.pipeline.prepare`, as `planmine ingest` does: read, clean, classify the genre, tag (with the
  genre). Printed per file: the genre, then goals / activities / requirements as tagged, and the goals and
  activities the tagger gives without the genre (the classifier alone). The bar: no goal or activity in a
  document whose genre is not a region's policy work (planmine.tag.classify.REQUIREMENT_GENRES).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from planmine.pipeline import FileTicket, PreparedDocument, prepare
from planmine.tag import tag_passages
from planmine.tag.classify import REQUIREMENT_GENRES

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".pdf", ".docx", ".html", ".md", ".txt"}


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared" / "realdocs2"]
    files = sorted(p for f in folders for p in f.rglob("*") if p.suffix.lower() in SUFFIXES)
    files = [p for p in files if p.name != "INDEX.md"]
    print(f"{'file':<58} {'genre':<14} {'goal':>4} {'act':>4} {'req':>4}   no genre: {'goal':>4} {'act':>4}")
    failures = 0
    start = time.perf_counter()
    for path in files:
        result = prepare(FileTicket(str(path), "", {}, "option"))
        if not isinstance(result, PreparedDocument):
            print(f"{str(path.relative_to(path.parents[1]))[:58]:<58} not read: {result}")
            continue
        kinds = Counter(t.kind for t in result.tags)
        plain = Counter(t.kind for t in tag_passages(result.passages))
        genre = result.meta.genre
        bad = genre in REQUIREMENT_GENRES and (kinds["goal"] or kinds["activity"])
        failures += bool(bad)
        print(
            f"{str(path.relative_to(path.parents[1]))[:58]:<58} {genre:<14} {kinds['goal']:>4} "
            f"{kinds['activity']:>4} {kinds['requirement']:>4}   {'':>9} {plain['goal']:>4} "
            f"{plain['activity']:>4}{'  <- FAIL' if bad else ''}"
        )
    print(f"\n{failures} non-policy documents with a goal or activity; {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
