"""Region, title and date accuracy of planmine's metadata on the real documents (shared/realdocs, realdocs2).

Labels: tests/data/meta/labels.jsonl (real documents; see its README) and synthetic.jsonl (synthetic
variants of owner evidence, split `synthetic`). Each real label has a `split`: `tune` (the documents rules
may be developed on) or `heldout` (scored only); the figures are printed per split. A title counts as right
when rapidfuzz's ratio of the two titles, folded and without punctuation, is at least 85; a date when it
equals the label; an owner when both `owner_kind` and `municipality` equal the label's.
Run: python benchmarks/eval_meta.py [--verbose] [--split tune|heldout|synthetic]
(--verbose lists the misses of the tune and synthetic splits only, unless --split heldout asks for them).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from planmine.clean import clean_document
from planmine.ingest import read_document
from planmine.meta import detect_metadata
from planmine.regions import fold

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "tests" / "data" / "meta" / "labels.jsonl"
SYNTHETIC = ROOT / "tests" / "data" / "meta" / "synthetic.jsonl"  # files relative to tests/data/meta
SPLITS = ("tune", "heldout", "synthetic")
LISTED = ("tune", "synthetic")  # splits whose misses --verbose may list


def _norm(title: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", fold(title)).split())


@dataclass
class Tally:
    """Counts of one split."""

    n: int = 0
    right: int = 0
    wrong: int = 0
    unknown: int = 0
    titles: int = 0
    dates: int = 0
    dated: int = 0
    owners: int = 0
    misses: list[str] = field(default_factory=list)


def main() -> None:
    verbose = "--verbose" in sys.argv
    only = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else None
    labels = [
        json.loads(line)
        for path in (LABELS, SYNTHETIC)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    start = time.perf_counter()
    tallies = {s: Tally() for s in SPLITS}
    for label in labels:
        if only and label["split"] != only:
            continue
        t = tallies[label["split"]]
        base = LABELS.parent if label["split"] == "synthetic" else SHARED
        meta = detect_metadata(clean_document(read_document(base / label["file"])))
        region = meta.region
        t.n += 1
        if region == label["region"]:
            t.right += 1
        elif region == "unknown":
            t.unknown += 1
        else:
            t.wrong += 1
        title_ok = fuzz.ratio(_norm(meta.title), _norm(label["title"])) >= 85
        t.titles += title_ok
        if label["date"]:
            t.dated += 1
            t.dates += meta.date == label["date"]
        owner_ok = (meta.owner_kind, meta.municipality) == (label["owner_kind"], label["municipality"])
        t.owners += owner_ok
        if (
            region != label["region"]
            or not title_ok
            or (label["date"] and meta.date != label["date"])
            or not owner_ok
        ):
            t.misses.append(
                f"  {label['file']}: region {region} (label {label['region']}; {meta.region_evidence}); "
                f"owner {meta.owner_kind}/{meta.municipality or '-'} "
                f"(label {label['owner_kind']}/{label['municipality'] or '-'}); title {meta.title!r} "
                f"(label {label['title']!r}); date {meta.date!r} (label {label['date']!r}; {meta.date_evidence})"
            )
    print(f"load average {os.getloadavg()[0]:.2f}, {time.perf_counter() - start:.0f} s")
    for name, t in tallies.items():
        if not t.n:
            continue
        print(f"[{name}] documents: {t.n}")
        print(f"[{name}] region: {t.right}/{t.n} right, {t.unknown} unknown, {t.wrong} wrong")
        print(f"[{name}] title:  {t.titles}/{t.n} right (ratio >= 85)")
        print(f"[{name}] date:   {t.dates}/{t.dated} right (of the documents with a labelled date)")
        print(f"[{name}] owner:  {t.owners}/{t.n} right (owner kind and municipality)")
        if verbose and (name in LISTED or only == name):
            print("\n".join(t.misses))


if __name__ == "__main__":
    main()
