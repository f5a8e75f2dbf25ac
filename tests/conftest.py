"""Shared fixtures: the seed corpus, the real documents beside the repository, a store built from the corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from planmine.embed import Embedder
    from planmine.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REALDOCS = ROOT.parent / "shared" / "realdocs"

SEED_REGIONS = {
    "orebro": "Region Örebro län",
    "varmland": "Region Värmland",
    "ostergotland": "Region Östergötland",
    "skane": "Region Skåne",
    "kalmar": "Region Kalmar län",
}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


def seed_file(prefix: str) -> Path:
    """The seed plan whose file name starts with `prefix` (orebro, varmland, ...)."""
    return next(CORPUS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """corpus/ ingested once per session by the real pipeline (read, clean, segment, tag, embed).

    Shared by every module that needs a real store: treat it as read-only (the vector cache may grow).
    Needs the embedding model ($PLANMINE_MODELS or ./models; `planmine model install` builds it).
    """
    from planmine.pipeline import ingest_paths
    from planmine.store import Store

    path = tmp_path_factory.mktemp("seed-store") / "planmine.db"
    with Store(path) as store:
        results = ingest_paths([CORPUS], store)
        failed = [f"{r.path}: {r.reason}" for r in results if r.failed]
        assert not failed, failed
        assert len(results) == len(SEED_REGIONS)
        yield store


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The configured embedding model, loaded once per session."""
    from planmine.embed import load_embedder

    return load_embedder()
