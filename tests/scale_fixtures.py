"""Synthetic stores and a hashing embedder for the scale tests: fast, deterministic, no model needed.

Passage texts are sentences of the seed corpus recombined per passage, so every passage is unique.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from planmine.embed.base import Embedder, l2_normalise
from planmine.store import Store
from planmine.types import CleanDocument, CleanPage, DocumentMeta, Page, Passage, RawDocument, Tag

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REGIONS = ["Region Kalmar län", "Region Skåne", "Region Värmland", "Region Örebro län"]


class HashEmbedder(Embedder):
    """Unit vectors seeded by each text's hash: equal texts, equal vectors; counts what it embedded."""

    def __init__(self, name: str = "hash-test", dim: int = 32) -> None:
        self.name = name
        self.dim = dim
        self.embedded = 0

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        rows = [
            np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")).normal(
                size=self.dim
            )
            for t in texts
        ]
        return l2_normalise(np.array(rows, dtype=np.float32).reshape(len(texts), self.dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([f"query: {t}" for t in texts])


def corpus_sentences() -> list[str]:
    sentences = []
    for path in sorted(CORPUS.glob("*.txt")):
        for s in re.split(r"(?<=[.!?])\s+", " ".join(path.read_text(encoding="utf-8").split())):
            if 5 <= len(s.split()) <= 40:
                sentences.append(s)
    return sentences


def add_document(
    store: Store, number: int, passages: int, *, seed: int = 0, folder: str = "/synthetic"
) -> int:
    """Store one synthetic plan of ``passages`` paragraphs (the first a goal) for a region; its id."""
    rng = np.random.default_rng(seed * 100_003 + number)
    pool = corpus_sentences()
    region = REGIONS[number % len(REGIONS)]
    texts = [
        f"{' '.join(pool[k] for k in rng.choice(len(pool), size=3))} (avsnitt {number}.{i})"
        for i in range(passages)
    ]
    page_text = "\n\n".join(texts)
    path = f"{folder}/plan{number:05}-{seed}.txt"
    raw = RawDocument(path=path, format="txt", sha256=hashlib.sha256(path.encode() + page_text.encode()).hexdigest(),
                      pages=[Page(number=1, text=page_text)])  # fmt: skip
    clean = CleanDocument(raw=raw, pages=[CleanPage(number=1, text=page_text, raw_text=page_text)])
    records, offset = [], 0
    for i, text in enumerate(texts):
        records.append(
            Passage(
                document_id=0,
                page=1,
                index=i,
                kind="paragraph",
                text=text,
                start=offset,
                end=offset + len(text),
            )
        )
        offset += len(text) + 2
    tags = [Tag(kind="goal", text=texts[0][:40], start=0, end=40, passage_index=0, commitment="binding")]
    meta = DocumentMeta(
        region=region, region_source="manifest", title=f"Plan {number}", year="2024", genre="plan"
    )
    return store.save_document(clean, meta, records, tags)


def synthetic_store(path: Path, documents: int, passages: int, *, seed: int = 0) -> Store:
    """A store of ``documents`` synthetic plans with ``passages`` paragraphs each, over four regions."""
    store = Store(path)
    for number in range(documents):
        add_document(store, number, passages, seed=seed)
    return store
