"""Shared helpers of the theme benchmarks: a store of the seed corpus built by the real pipeline, the gold."""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from planmine.store import Store

ROOT = Path(__file__).resolve().parents[1]
THEMES_DATA = ROOT / "tests" / "data" / "themes"
GOLD = THEMES_DATA / "gold.jsonl"
HELDOUT = THEMES_DATA / "heldout_questions.jsonl"
DEV2 = THEMES_DATA / "dev2_questions.jsonl"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def seed_store(store_path: str | None = None) -> Store:
    """The store at `store_path`, or corpus/ ingested now (read, clean, segment, tag, embed) into a temp file."""
    if store_path:
        return Store(Path(store_path), create=False)
    from planmine.pipeline import ingest_paths

    path = Path(tempfile.mkdtemp(prefix="planmine-themes-")) / "planmine.db"
    store = Store(path)
    t0, c0 = time.perf_counter(), cpu_seconds()
    results = ingest_paths([ROOT / "corpus"], store)
    failed = [f"{r.path}: {r.reason}" for r in results if r.failed]
    if failed:
        raise SystemExit("ingest failed:\n" + "\n".join(failed))
    warnings = sorted({w for r in results for w in r.warnings if "embedded" in w})
    print(
        f"ingested corpus/ into {path}: {len(results)} documents, {store.counts()['passages']} passages, "
        f"{time.perf_counter() - t0:.1f} s wall, {cpu_seconds() - c0:.1f} s CPU"
        + (f" ({'; '.join(warnings)})" if warnings else "")
    )
    return store


def read_jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The labelled cells (theme × region) and the development questions of gold.jsonl."""
    rows = read_jsonl(GOLD)
    return [r for r in rows if r["type"] == "cell"], [r for r in rows if r["type"] == "question"]


def heldout_questions() -> list[dict[str, str]]:
    """Paraphrased questions written apart from the development set, never used for tuning."""
    return read_jsonl(HELDOUT)


def dev2_questions() -> list[dict[str, str]]:
    """A second development set of Swedish paraphrases (written apart from gold.jsonl and the held-out set)."""
    return read_jsonl(DEV2)
