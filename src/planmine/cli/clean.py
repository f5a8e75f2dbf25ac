"""`planmine clean`: the cleaned text of one file, or what cleaning changed and why."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from planmine.cli._app import app, fail, handle_errors
from planmine.errors import IngestError


@app.command("clean")
@handle_errors
def clean_command(
    file: Path = typer.Argument(..., help="Document to clean (PDF, scanned PDF, TXT, MD, HTML, DOCX)."),
    diff: bool = typer.Option(False, "--diff", help="Show each change with its step and reason instead."),
    repair: bool | None = typer.Option(
        None, "--repair/--no-repair", help="Force Swedish OCR repair on or off (default: decide per page)."
    ),
) -> None:
    """Print the cleaned text of FILE (no store needed); --diff lists what changed and why.

    Example: planmine clean corpus/orebro_handlingsplan-sammanhallen-vard-och-omsorg_2019-2022.txt --diff
    """
    from planmine.clean import clean_document
    from planmine.ingest import read_document

    try:
        raw = read_document(file)
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
