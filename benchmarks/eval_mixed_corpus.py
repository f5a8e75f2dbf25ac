"""The quality bar of issue 11 on a mixed store: the seed corpus plus all of ../shared/realdocs2.

Runs `compare()` as `planmine compare` does by default (policy documents) and prints every violation:
  - an `addressed` or `mentioned` cell for Region Norrbotten (its only documents are IT procurement);
  - an `addressed` or `mentioned` cell quoting a realdocs2 document labelled non-policy in
    tests/data/genre/labels.jsonl (procurement, risk analysis, the Riksbank report, manuals, ...);
  - a seed region whose level for a theme differs from the seed corpus alone.
Then, for information, the same with every document type counted (`--types all`): how many cells rest on
non-policy documents only, with the relevance model and with terms alone.

Usage: python benchmarks/eval_mixed_corpus.py --store MIXED.db --seed-store SEED.db [--with-realdocs]
Without --store, corpus/ and ../shared/realdocs2 (with --with-realdocs also ../shared/realdocs: press
releases, government decisions, a form, whose non-policy documents then count as banned quotes too) are
ingested into a temporary store (minutes, no OCR).
Exit 1 when there is a violation.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from planmine.compare import compare
from planmine.genre import POLICY_GENRES, parse_types
from planmine.store import Store
from planmine.themes.semantic import configured_embedder
from planmine.types import Comparison

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "tests" / "data" / "genre" / "labels.jsonl"
NO_POLICY_REGIONS = ("Region Norrbotten",)
SHOWN = ("addressed", "mentioned")


def non_policy_files(sources: tuple[str, ...] = ("realdocs2",)) -> set[str]:
    rows = [json.loads(x) for x in LABELS.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {Path(r["file"]).name for r in rows if r["source"] in sources and r["genre"] not in POLICY_GENRES}


def ingest(paths: list[Path]) -> Path:
    from planmine.pipeline import ingest_paths

    path = Path(tempfile.mkdtemp(prefix="planmine-mixed-")) / "planmine.db"
    with Store(path) as store:
        ingest_paths(paths, store, ocr=False)
    return path


def levels(table: Comparison) -> dict[tuple[str, str], str]:
    return {(row.theme_id, region): cell.level for row in table.rows for region, cell in row.cells.items()}


def violations(table: Comparison, seed: Comparison | None, banned: set[str]) -> list[str]:
    out = []
    for row in table.rows:
        for region, cell in row.cells.items():
            if cell.level not in SHOWN:
                continue
            if region in NO_POLICY_REGIONS:
                out.append(f"{region} × {row.theme_id}: {cell.level} ({cell.reason})")
            for name in sorted({ev.document for ev in cell.evidence} & banned):
                out.append(f"{region} × {row.theme_id}: {cell.level} quoting non-policy {name}")
    if seed is not None:
        mixed = levels(table)
        for key, level in levels(seed).items():
            if mixed.get(key) != level:
                out.append(f"seed level changed: {key[1]} × {key[0]}: {level} → {mixed.get(key)}")
    return out


def resting_on(table: Comparison, banned: set[str]) -> int:
    """Cells shown as addressed/mentioned whose every quote comes from a non-policy document."""
    return sum(
        1
        for row in table.rows
        for cell in row.cells.values()
        if cell.level in SHOWN and cell.evidence and all(ev.document in banned for ev in cell.evidence)
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", help="a store of corpus/ plus ../shared/realdocs2")
    parser.add_argument("--seed-store", help="a store of corpus/ alone (for the seed levels)")
    parser.add_argument(
        "--with-realdocs",
        action="store_true",
        help="also ingest ../shared/realdocs (press releases, government decisions, a form) and count its "
        "non-policy documents as banned quotes",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    folders = [ROOT / "corpus", SHARED / "realdocs2"] + ([SHARED / "realdocs"] if args.with_realdocs else [])
    mixed_path = Path(args.store) if args.store else ingest(folders)
    seed_path = (
        Path(args.seed_store) if args.seed_store else (ingest([ROOT / "corpus"]) if not args.store else None)
    )
    banned = non_policy_files(("realdocs2", "realdocs") if args.with_realdocs else ("realdocs2",))
    embedder = configured_embedder()
    with Store(mixed_path, create=False) as store:
        table = compare(store, embedder)
        everything = compare(store, embedder, types=parse_types("all"))
        from planmine.themes import index as index_module

        index_module._CACHE.clear()
        with mock.patch("planmine.themes.relevance.load_relevance_model", return_value=None):
            terms_only = compare(store, embedder, types=parse_types("all"))
            mixed_terms_only = compare(store, embedder)
        index_module._CACHE.clear()
    seed = seed_terms_only = None
    if seed_path is not None:
        with Store(seed_path, create=False) as store:
            seed = compare(store, embedder)
            index_module._CACHE.clear()
            with mock.patch("planmine.themes.relevance.load_relevance_model", return_value=None):
                seed_terms_only = compare(store, embedder)
            index_module._CACHE.clear()
    found = violations(table, seed, banned)
    print(f"mixed store {mixed_path}: {len(table.regions)} regions, {len(table.rows)} themes; default types")
    print(f"documents left out by default: {len(table.excluded)}")
    print(f"violations: {len(found)}")
    for line in found:
        print(f"  {line}")
    if seed_terms_only is not None:
        changed = [x for x in violations(mixed_terms_only, seed_terms_only, set()) if x.startswith("seed")]
        print(
            f"seed levels changed by the added documents with terms alone (no relevance model): {len(changed)}"
        )
        for line in changed:
            print(f"  {line}")
    print(
        f"--types all: cells shown from non-policy documents only: {resting_on(everything, banned)} with the "
        f"relevance model, {resting_on(terms_only, banned)} with terms alone"
    )
    print(f"time {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}")
    if not args.store:
        shutil.rmtree(mixed_path.parent, ignore_errors=True)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
