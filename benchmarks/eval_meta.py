"""Region, title and date accuracy of planmine's metadata on the real documents (shared/realdocs, realdocs2).

Labels: tests/data/meta/labels.jsonl (see its README; the figures are in-sample). A title counts as right
when rapidfuzz's ratio of the two titles, folded and without punctuation, is at least 85; a date when it
equals the label. Run: python benchmarks/eval_meta.py [--verbose]
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz

from planmine.clean import clean_document
from planmine.ingest import read_document
from planmine.meta import detect_metadata
from planmine.regions import fold

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "tests" / "data" / "meta" / "labels.jsonl"


def _norm(title: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", fold(title)).split())


def main() -> None:
    verbose = "--verbose" in sys.argv
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.perf_counter()
    right = wrong = unknown = titles = dates = dated = 0
    for label in labels:
        meta = detect_metadata(clean_document(read_document(SHARED / label["file"])))
        region = meta.region
        if region == label["region"]:
            right += 1
        elif region == "unknown":
            unknown += 1
        else:
            wrong += 1
        title_ok = fuzz.ratio(_norm(meta.title), _norm(label["title"])) >= 85
        titles += title_ok
        if label["date"]:
            dated += 1
            dates += meta.date == label["date"]
        if verbose and (
            region != label["region"] or not title_ok or (label["date"] and meta.date != label["date"])
        ):
            print(
                f"  {label['file']}: region {region} (label {label['region']}); title {meta.title!r} "
                f"(label {label['title']!r}); date {meta.date!r} (label {label['date']!r})"
            )
    n = len(labels)
    print(
        f"documents: {n}  (in-sample; load average {os.getloadavg()[0]:.2f}, {time.perf_counter() - start:.0f} s)"
    )
    print(f"region: {right}/{n} right, {unknown} unknown, {wrong} wrong")
    print(f"title:  {titles}/{n} right (ratio >= 85)")
    print(f"date:   {dates}/{dated} right (of the documents with a labelled date)")


if __name__ == "__main__":
    main()
