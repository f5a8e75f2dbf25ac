"""Shared fixtures: paths to the seed corpus and the real documents beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

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
