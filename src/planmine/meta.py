"""Document metadata from the text: region, title, year or period, document type; manifests override."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from planmine.errors import UsageError
from planmine.genre import GENRES
from planmine.ingest import MANIFEST_NAMES
from planmine.regions import canonical_region, detect_region, fold
from planmine.types import CleanDocument, DocumentMeta

# Document types, most specific first; matched in the title, then the first page.
_DOC_TYPES = (
    ("handlingsplan", r"handlingsplan"),
    ("målbild", r"malbild"),
    ("färdplan", r"fardplan"),
    ("överenskommelse", r"overenskommelse"),
    ("riktlinje", r"riktlinje"),
    ("rutin", r"rutin\b|rutiner\b|samverkansrutin"),
    ("strategi", r"strategi"),
    ("avtal", r"\bavtal\b"),
    ("blankett", r"blankett"),
    ("proposition", r"\bprop\.|proposition"),
    ("kommittédirektiv", r"kommittedirektiv|\bdir\. \d{4}"),
    ("regeringsuppdrag", r"regeringsuppdrag|uppdrag (om|till|att)"),
    ("pressmeddelande", r"pressmeddelande"),
    ("artikel", r"\bartikel\b"),
)
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[–—-]|till)\s*((?:19|20)\d{2})(?!\d)")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2}-[01]\d-[0-3]\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/-])")
_NOT_TITLE = re.compile(
    r"^(dnr|diarienummer|datum|sida|page|innehåll|innehållsförteckning|version|\d+\s*\(\d+\)|[\W\d_]+)\b",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"\b(och|för|inom|i|av|om|med|till|vid|samt|kring)$", re.IGNORECASE)


def detect_title(text: str, metadata: dict[str, Any]) -> str:
    """The document's title: the metadata title if any, else its first title-like lines."""
    for key in ("title", "Title", "dc:title"):
        value = str(metadata.get(key) or "").strip()
        if len(value) >= 4:
            return value
    lines = [line.strip().lstrip("#").strip(" *") for line in text.splitlines()]
    for i, line in enumerate(lines[:60]):
        if len(line) < 4 or len(line) > 160 or _NOT_TITLE.match(line) or "\t" in line:
            continue
        if sum(ch.isalpha() for ch in line) < 0.6 * len(line):
            continue
        title = line
        nxt = i + 1
        # A title broken over lines ("Samordnande ... inom" / "Länsgemensam ledning i samverkan").
        while nxt < len(lines) and (_CONTINUES.search(title) or (lines[nxt] and lines[nxt][0].islower())):
            if not lines[nxt] or len(title) > 200:
                break
            title = f"{title} {lines[nxt]}"
            nxt += 1
        return title.rstrip(".:")
    return ""


def detect_year(text: str, metadata: dict[str, Any]) -> str:
    """A period ('2023–2024'), a date ('2021-09-24') or a year, preferring the document's opening."""
    for key in ("date", "datum", "year", "published"):
        if metadata.get(key):
            return str(metadata[key]).strip()
    head = text[:3000]
    if match := _PERIOD.search(head):
        return f"{match.group(1)}–{match.group(2)}"
    if match := _DATE.search(head):
        return match.group(1)
    if years := _YEAR.findall(head):
        return max(set(years), key=years.count)
    return ""


def detect_doc_type(title: str, text: str) -> str:
    """The kind of document (handlingsplan, målbild, färdplan, överenskommelse, rutin, ...)."""
    for haystack in (fold(title), fold(text[:2500])):
        for name, pattern in _DOC_TYPES:
            if re.search(pattern, haystack):
                return name
    return "dokument"


def detect_metadata(doc: CleanDocument) -> DocumentMeta:
    """Region, title, year, type and language of a cleaned document, detected from its text."""
    text = doc.text
    metadata = doc.raw.metadata
    title = detect_title(text, metadata)
    source = next(
        (
            str(metadata[k]).strip()
            for k in ("source_url", "url", "original_url", "source")
            if metadata.get(k)
        ),
        "",
    )
    guess = detect_region(text, source_url=source)
    language = "sv"
    for warning in doc.raw.warnings:
        if warning.startswith("not Swedish"):
            language = warning.split("looks like", 1)[-1].strip() or "other"
    return DocumentMeta(
        region=guess.region or "unknown",
        region_source="detected" if guess.region else "unknown",
        title=title,
        year=detect_year(text, metadata),
        doc_type=detect_doc_type(title, text),
        language=language,
        region_evidence=guess.evidence,
    )


def load_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Per-file overrides from a manifest beside the documents: {file name: {region, title, year, type, genre}}.

    YAML: a mapping of file name to fields, or a list of mappings with a `file` key. CSV: a header with
    `file` and any of region, title, year, type.
    """
    for name in sorted(MANIFEST_NAMES):
        path = folder / name
        if not path.is_file():
            continue
        try:
            if path.suffix == ".csv":
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    rows: Any = list(csv.DictReader(fh))
            else:
                rows = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, csv.Error, UnicodeDecodeError) as exc:
            raise UsageError(f"Cannot read manifest '{path}': {exc}. Fix the file or remove it.") from exc
        if isinstance(rows, dict):
            rows = [{"file": key, **(value or {})} for key, value in rows.items()]
        if not isinstance(rows, list) or not all(isinstance(r, dict) and r.get("file") for r in rows):
            raise UsageError(
                f"Manifest '{path}' must map file names to fields (region, title, year, type), "
                "or list entries with a 'file' key."
            )
        return {str(r["file"]): {k: str(v) for k, v in r.items() if k != "file" and v} for r in rows}
    return {}


def apply_overrides(meta: DocumentMeta, overrides: dict[str, str], *, source: str) -> DocumentMeta:
    """Metadata with a manifest's or the command line's values put over the detected ones."""
    changes: dict[str, Any] = {}
    if overrides.get("region"):
        changes["region"] = canonical_region(overrides["region"])
        changes["region_source"] = source
        changes["region_evidence"] = f"set by {source}"
    for key, field_name in (("title", "title"), ("year", "year"), ("type", "doc_type")):
        if overrides.get(key):
            changes[field_name] = overrides[key]
    if genre := overrides.get("genre"):
        if genre not in GENRES:
            raise UsageError(
                f"Unknown genre '{genre}' in the {source}. Allowed: {', '.join(GENRES)}. Fix the {source}."
            )
        changes |= {"genre": genre, "genre_confidence": 1.0, "genre_evidence": f"set by {source}"}
    return replace(meta, **changes)
