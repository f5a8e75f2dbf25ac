"""Document metadata from the text: region and owner, title, date and period, type; manifests override.

The parts live beside: titles and types in meta_title, dates and periods in meta_dates, owners and
municipalities in owners, regions in regions. This module puts them together and applies overrides.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from planmine.errors import UsageError
from planmine.genre import GENRES
from planmine.ingest import MANIFEST_NAMES
from planmine.meta_dates import detect_date, detect_period, display_year
from planmine.meta_title import detect_doc_type, detect_title
from planmine.owners import OwnerGuess, canonical_municipality, detect_owner, municipality_region
from planmine.regions import canonical_region, detect_region
from planmine.types import CleanDocument, DocumentMeta


def detect_metadata(doc: CleanDocument) -> DocumentMeta:
    """Region and owner, title, date and period, type and language of a cleaned document, from its text."""
    text = doc.text
    raw = doc.raw
    metadata: dict[str, Any] = {**raw.metadata, "format": raw.format}
    read = [p for p in raw.pages if p.text.strip()]
    metadata["text_from_images"] = bool(read) and all(p.ocr for p in read)  # weak title evidence
    first_page = next((p.text for p in doc.pages if p.text.strip()), "")
    doc_type_guess = detect_doc_type("", text)
    title = detect_title(text, metadata, first_page=first_page, path=raw.path, doc_type=doc_type_guess)
    raw.metadata["title_evidence"] = title.evidence  # stored with the file's metadata
    doc_type = detect_doc_type(title.value, text)
    source = next(
        (
            str(metadata[k]).strip()
            for k in ("source_url", "url", "original_url", "source")
            if metadata.get(k)
        ),
        "",
    )
    # Letterheads and footers repeated on every page ('Tierps kommun | Socialförvaltningen') are cleaned
    # away as running lines, yet they name the owner: read once, before the text.
    running = dict.fromkeys(
        c.before.strip() for p in doc.pages for c in p.changes if c.step == "remove_running_lines"
    )
    owned = "\n".join([*running, "", text]) if running else text
    guess = detect_region(owned, source_url=source)
    owner = detect_owner(owned, source_url=source, region=guess.region)
    region, region_evidence = _decide_region(guess.region, guess.evidence, owner)
    cover = raw.pages[0].text if raw.pages else ""  # running headers ('Datum 2015-03-04') are cleaned away
    date = detect_date(f"{cover}\n\n{text}", metadata, title=title.value, path=raw.path)
    period = detect_period(text, title=title.value)
    language = "sv"
    for warning in raw.warnings:
        if warning.startswith("not Swedish"):
            language = warning.split("looks like", 1)[-1].strip() or "other"
    return DocumentMeta(
        region=region or "unknown",
        region_source="detected" if region else "unknown",
        title=title.value,
        year=display_year(period.value, date.value),
        doc_type=doc_type,
        language=language,
        region_evidence=region_evidence,
        date=date.value,
        date_evidence=date.evidence,
        period=period.value,
        period_evidence=period.evidence,
        owner_kind=owner.kind,
        municipality=owner.municipality,
    )


def _decide_region(region: str | None, evidence: str, owner: OwnerGuess) -> tuple[str, str]:
    """The region from the text, else the owner's (a municipality's region, a national body)."""
    if region and owner.kind == "municipality" and owner.region and owner.region != region:
        return owner.region, f"municipality {owner.municipality}: {owner.evidence}"
    if region:
        return region, evidence
    if owner.region:
        via = f"municipality {owner.municipality}" if owner.municipality else owner.kind
        return owner.region, f"{via}: {owner.evidence}"
    return "", evidence if owner.kind == "unknown" else f"{evidence}; owner: {owner.evidence}"


def load_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Per-file overrides from a manifest beside the documents: {file name: {region, title, year, ...}}.

    Fields: region, municipality, owner, title, date, period, year, type, genre.

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
    if overrides.get("municipality"):
        changes["municipality"] = canonical_municipality(overrides["municipality"])
        changes["owner_kind"] = "municipality"
        if not overrides.get("region"):
            changes["region"] = municipality_region(changes["municipality"])
            changes["region_source"] = source
            changes["region_evidence"] = f"municipality set by {source}"
    for key in ("date", "period"):
        if overrides.get(key):
            changes[key] = overrides[key]
            changes[f"{key}_evidence"] = f"set by {source}"
    if overrides.get("date") or overrides.get("period"):
        changes["year"] = display_year(changes.get("period", meta.period), changes.get("date", meta.date))
    for key, field_name in (
        ("title", "title"),
        ("year", "year"),
        ("type", "doc_type"),
        ("owner", "owner_kind"),
    ):
        if overrides.get(key):
            changes[field_name] = overrides[key]
    if genre := overrides.get("genre"):
        if genre not in GENRES:
            raise UsageError(
                f"Unknown genre '{genre}' in the {source}. Allowed: {', '.join(GENRES)}. Fix the {source}."
            )
        changes |= {"genre": genre, "genre_confidence": 1.0, "genre_evidence": f"set by {source}"}
    return replace(meta, **changes)
