"""Decided region × theme cells kept in the store: a comparison reads 21 × 60 cells, not every candidate.

A cell is `decision.decide`'s answer for one theme in one region, computed from the stored theme
evidence (planmine.themes.materialise) and kept under a key of everything it depends on: the region's
documents in scope with the stamp of each one's stored evidence, the region's readable-text quality,
the decision config, top_k, the embedding model (or none), and the code of the evidence and decision
modules. A change to any of them is a new key, so a stale cell is never read; a region's cells are
computed again only when its own documents change (z is measured against a fixed background, so
another region's documents cannot move them). Older cells of a (theme, region) beyond
`CELLS_KEPT` are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from planmine.types import Evidence, RegionEvidence

if TYPE_CHECKING:
    from planmine.themes.evidence import RegionQuality
    from planmine.themes.index import ThemeIndex

CELLS_KEPT = 8  # per theme and region: a few scopes (types, as-of years) stay answered from the store


@lru_cache(maxsize=1)
def code_version() -> str:
    """The evidence and decision code a cell was decided by (a new planmine decides again)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in (
        "cells.py", "decision.py", "evidence.py", "index.py", "materialise.py", "passages.py", "relevance.py",
    ):  # fmt: skip
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def region_keys(
    index: ThemeIndex, documents: set[int] | None, quality: dict[str, RegionQuality], top_k: int
) -> dict[str, str]:
    """Per region the part of its cells' key that does not depend on the theme."""
    stamps = index.store.evidence_stamps()
    config = json.dumps(index.thresholds.to_dict(), sort_keys=True)
    model = index.embedder.name if index.embedder is not None else ""
    in_scope: dict[str, list[tuple[int, str]]] = {r: [] for r in index.regions}
    for doc_id, doc in index.documents.items():
        if documents is None or doc_id in documents:
            in_scope[doc.region or "unknown"].append((doc_id, stamps.get(doc_id, "")))
    keys = {}
    for region in index.regions:
        q = quality[region]
        text = f"{code_version()}|{model}|{top_k}|{config}|{region}|{asdict(q)}|{sorted(in_scope[region])}"
        keys[region] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return keys


def cell_key(region_key: str, theme_id: str) -> str:
    return hashlib.sha256(f"{region_key}|{theme_id}".encode()).hexdigest()[:32]


def to_json(cell: RegionEvidence) -> str:
    return json.dumps(asdict(cell), ensure_ascii=False)


def from_json(text: str) -> RegionEvidence:
    data = json.loads(text)
    evidence = [Evidence(**{**e, "match": [tuple(m) for m in e["match"]]}) for e in data.pop("evidence")]
    return RegionEvidence(**data, evidence=evidence)


def read_cells(index: ThemeIndex, keys: dict[str, str]) -> dict[str, RegionEvidence]:
    """The stored cells of these regions (region → key), where stored."""
    found = index.store.cells(list(keys.values()))
    return {region: from_json(found[key]) for region, key in keys.items() if key in found}


def keep_cells(index: ThemeIndex, theme_id: str, cells: dict[str, tuple[str, RegionEvidence]]) -> None:
    """Store decided cells (region → (key, cell)); a store that cannot be written keeps none."""
    if index.store.conn.in_transaction:  # a reader's pinned snapshot
        return
    with contextlib.suppress(sqlite3.OperationalError):  # a read-only file
        index.store.put_cells(
            theme_id, [(key, region, to_json(cell)) for region, (key, cell) in cells.items()], CELLS_KEPT
        )
