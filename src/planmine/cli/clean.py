"""CLI commands of this stage (registered on the shared app)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import typer

from planmine.cli._app import app, fail, handle_errors
from planmine.errors import IngestError
from planmine.types import Page, RawDocument


def _read_text_file(path: Path) -> RawDocument:
    """Fallback reader for .txt/.md (UTF-8, else cp1252); pages split on form feeds."""
    # TODO(lead): switch to planmine.ingest.read_document once the ingest branch is merged.
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, exc.strerror or str(exc)) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    parts = text.split("\f") if "\f" in text else [text]
    pages = [Page(number=i, text=part) for i, part in enumerate(parts, start=1)]
    fmt = "md" if path.suffix.lower() in {".md", ".markdown"} else "txt"
    return RawDocument(str(path), fmt, hashlib.sha256(data).hexdigest(), pages)  # type: ignore[arg-type]


def _read(path: Path) -> RawDocument:
    try:
        from planmine.ingest import read_document  # type: ignore[attr-defined]
    except ImportError:
        read_document = None
    if read_document is not None:
        return read_document(path)  # type: ignore[no-any-return]
    if not path.is_file():
        raise IngestError(path, "no such file")
    if path.suffix.lower() not in {".txt", ".md", ".markdown", ".text"}:
        raise IngestError(
            path, f"'{path.suffix}' files need the ingest readers; this build reads .txt and .md"
        )
    return _read_text_file(path)


@app.command("clean")
@handle_errors
def clean_command(
    file: Path = typer.Argument(
        ..., help="Document to clean (.txt, .md; PDF/HTML/DOCX once ingest is merged)."
    ),
    diff: bool = typer.Option(False, "--diff", help="Show each change with its step and reason instead."),
    repair: bool | None = typer.Option(
        None, "--repair/--no-repair", help="Force Swedish OCR repair on or off (default: decide per page)."
    ),
) -> None:
    """Print the cleaned text of FILE (no store needed); --diff lists what changed and why.

    Example: planmine clean corpus/orebro_handlingsplan-sammanhallen-vard-och-omsorg_2019-2022.txt --diff
    """
    from planmine.clean import clean_document

    try:
        raw = _read(file)
    except IngestError as exc:
        fail(str(exc), 1)
    document = clean_document(raw, repair=repair)
    if not diff:
        sys.stdout.write(document.text + "\n")
        return
    for page in document.pages:
        for change in page.changes:
            before = change.before.replace("\n", "⏎")
            after = change.after.replace("\n", "⏎")
            sys.stdout.write(f"p{page.number}\t{change.step}\t{before!r} → {after!r}\t{change.reason}\n")
    repaired = sum(p.repaired for p in document.pages)
    total = sum(len(p.changes) for p in document.pages)
    sys.stdout.write(f"# {total} changes on {len(document.pages)} pages; OCR repair on {repaired} pages\n")
