"""The labelled units of tests/data/tag/units/: documents, reading them, matching labels to units.

``documents.yaml`` names each labelled document (path, genre, synthetic or real); ``<id>.jsonl`` holds one
line per unit: its text, passage kind, hand label and (where labelled) actor names. Used by
``scripts/train_tagger.py`` and ``benchmarks/eval_tag.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from planmine.errors import PlanmineError
from planmine.segment import fold
from planmine.tag.units import UNIT_LABELS, Unit, doc_units

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from planmine.types import CleanDocument, Passage


@dataclass(frozen=True)
class LabelledDocument:
    """One labelled document: where its file is, its genre, whether we wrote it ourselves."""

    id: str
    path: Path
    genre: str
    synthetic: bool
    pages: tuple[int, int] | None = None  # only these pages (first, last) were labelled


@dataclass
class DocumentUnits:
    """A labelled document read through the pipeline (rules only): passages, docs, units and gold labels."""

    document: LabelledDocument
    passages: list[Passage]
    docs: list[Doc]
    units: list[list[Unit]]  # per doc
    gold: dict[tuple[int, int, int], dict[str, object]] = field(default_factory=dict)


def unit_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key of a unit text (labels survive re-cleaning)."""
    return re.sub(r"\W+", " ", fold(text)).strip()


def load_documents(data_dir: Path, root: Path) -> list[LabelledDocument]:
    """The labelled documents named in `data_dir`/documents.yaml (paths relative to the repo `root`)."""
    manifest = data_dir / "documents.yaml"
    entries = yaml.safe_load(manifest.read_text(encoding="utf-8")) or []
    documents = []
    for entry in entries:
        path = (root / str(entry["path"])).resolve()
        pages = entry.get("pages")
        documents.append(
            LabelledDocument(
                id=str(entry["id"]),
                path=path,
                genre=str(entry.get("genre", "")),
                synthetic=bool(entry.get("synthetic", False)),
                pages=(int(pages[0]), int(pages[1])) if pages else None,
            )
        )
    return documents


def read_clean(document: LabelledDocument) -> CleanDocument:
    """The document through the real reader and cleaner, limited to its labelled pages."""
    from planmine.clean import clean_document
    from planmine.ingest import read_document

    if not document.path.exists():
        raise PlanmineError(f"Labelled document '{document.id}' not found at '{document.path}'.")
    clean = clean_document(read_document(document.path))
    if document.pages:
        first, last = document.pages
        clean.pages = [p for p in clean.pages if first <= p.number <= last]
    return clean


def analyse_rules(document: LabelledDocument, clean: CleanDocument | None = None) -> DocumentUnits:
    """Segment and run the rule components (not the classifier) over a labelled document."""
    from planmine.segment import segment
    from planmine.tag.pipeline import run

    passages = segment(clean if clean is not None else read_clean(document), 1)
    docs = run(passages, genre=document.genre, rules_only=True)
    return DocumentUnits(document, passages, docs, [doc_units(d) for d in docs])


def read_labels(path: Path) -> list[dict[str, object]]:
    """The labelled units of one document; checks each label is known."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if row["label"] not in UNIT_LABELS:
            raise PlanmineError(
                f"'{path.name}' unit {row.get('i')}: unknown label {row['label']!r}; "
                f"allowed: {', '.join(UNIT_LABELS)}"
            )
    return rows


def attach_labels(analysed: DocumentUnits, rows: list[dict[str, object]]) -> int:
    """Match labelled rows to the analysed units by text key (in order); returns how many did not match."""
    by_key: dict[str, list[tuple[int, int, int]]] = {}
    for d, units in enumerate(analysed.units):
        for u in units:
            by_key.setdefault(unit_key(u.text), []).append((d, u.start, u.end))
    missing = 0
    for row in rows:
        keys = by_key.get(unit_key(str(row["text"])))
        if not keys:
            missing += 1
            continue
        analysed.gold[keys.pop(0)] = row
    return missing


def gold_units(analysed: DocumentUnits) -> list[tuple[int, Unit, dict[str, object]]]:
    """(doc number, unit, label row) of every labelled unit of an analysed document."""
    out = []
    for d, units in enumerate(analysed.units):
        for u in units:
            row = analysed.gold.get((d, u.start, u.end))
            if row is not None:
                out.append((d, u, row))
    return out


def _cached_clean(document: LabelledDocument, cache: Path | None) -> CleanDocument:
    """read_clean, kept as a pickle under `cache` (keyed by the file's size and mtime) when one is given."""
    if cache is None:
        return read_clean(document)
    import pickle

    stat = document.path.stat()
    key = cache / f"{document.id}-{stat.st_size}-{int(stat.st_mtime)}.pickle"
    if key.exists():
        with key.open("rb") as fh:
            clean: CleanDocument = pickle.load(fh)
        return clean
    clean = read_clean(document)
    cache.mkdir(parents=True, exist_ok=True)
    with key.open("wb") as fh:
        pickle.dump(clean, fh)
    return clean


def load_labelled(data_dir: Path, root: Path, *, cache: Path | None = None) -> list[DocumentUnits]:
    """Every labelled document read, analysed by the rules and matched to its labels.

    `cache`: a folder for the cleaned documents (reading the PDFs is the slow part of an evaluation).
    """
    loaded = []
    for document in load_documents(data_dir, root):
        analysed = analyse_rules(document, _cached_clean(document, cache))
        missing = attach_labels(analysed, read_labels(data_dir / f"{document.id}.jsonl"))
        if missing:
            import warnings

            warnings.warn(f"{document.id}: {missing} labelled units not found in the text", stacklevel=2)
        loaded.append(analysed)
    return loaded


def training_rows(analysed: DocumentUnits) -> tuple[list[list[tuple[str, float]]], list[str]]:
    """Features and labels of an analysed document's labelled units."""
    from planmine.tag.units import unit_features

    features, labels = [], []
    for d, unit, row in gold_units(analysed):
        features.append(unit_features(analysed.docs[d], unit))
        labels.append(str(row["label"]))
    return features, labels
