"""Shared helpers of the theme benchmarks: the seed corpus store, a cached embedder, the gold data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from planmine.themes.memstore import MemoryStore
from planmine.themes.semantic import default_embedder, model_name

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "themes" / "gold.jsonl"
CACHE = ROOT / "outputs" / "cache"


def seed_store(store_path: str | None = None) -> Any:
    """The SQLite store when given (after `planmine ingest corpus/`), else the seed corpus in memory."""
    if store_path:
        from planmine.store import Store  # type: ignore[import-not-found]

        return Store(Path(store_path))
    return MemoryStore.from_files(sorted((ROOT / "corpus").glob("*.txt")))


def load_vectors(store: Any, embedder: Any) -> None:
    """Warm a memory store with passage vectors cached on disk by earlier runs (embedding is slow)."""
    if not isinstance(store, MemoryStore):
        return
    for model in (model_name(embedder), model_name(embedder) + "#query"):
        path = CACHE / f"vectors-{model}.npz"
        if path.exists():
            data = np.load(path)
            store.put_vectors(model, {k: data[k] for k in data.files})


def save_vectors(store: Any, embedder: Any) -> None:
    if not isinstance(store, MemoryStore):
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    name = model_name(embedder)
    for model in (name, name + "#query"):
        vecs = {h: v for (m, h), v in store._vectors.items() if m == model}
        np.savez(CACHE / f"vectors-{model}.npz", **vecs)


def embedder() -> Any:
    return default_embedder()


def gold() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["type"] == "cell"], [r for r in rows if r["type"] == "question"]
