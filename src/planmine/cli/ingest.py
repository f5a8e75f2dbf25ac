"""`planmine ingest` and `planmine docs`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planmine.cli._app import (
    StoreOption,
    app,
    console,
    err_console,
    handle_errors,
    print_json,
    store_path,
)
from planmine.pipeline import IngestResult, ingest_paths
from planmine.regions import canonical_region
from planmine.store import Store

_STYLE = {
    "ok": "green",
    "replaced": "cyan",
    "unchanged": "dim",
    "duplicate": "yellow",
    "partial": "yellow",
    "failed": "bold red",
}


def _result_line(result: IngestResult) -> str:
    name = escape(Path(result.path).name)
    style = _STYLE.get(result.status, "")
    if result.failed:
        return f"[{style}]failed[/]    {name}: {escape(result.reason)}"
    detail = f"{escape(result.region or '?')}, {result.pages} p., {result.passages} passages"
    if result.status in ("unchanged", "duplicate"):
        detail = escape(result.reason)
    line = f"[{style}]{result.status:<9}[/] {name} ({detail})"
    for warning in result.warnings:
        line += f"\n          [yellow]warning:[/] {escape(Path(result.path).name)}: {escape(warning)}"
    return line


@app.command()
@handle_errors
def ingest(
    paths: list[Path] = typer.Argument(
        ..., help="Files and folders (PDF, scanned PDF, TXT, MD, HTML, DOCX)."
    ),
    store: Path | None = StoreOption,
    region: str | None = typer.Option(
        None, "--region", help="Region of these documents (overrides detection and manifests)."
    ),
    max_mb: float = typer.Option(200.0, "--max-mb", help="Refuse files larger than this many MB."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not OCR pages without a text layer."),
    no_embed: bool = typer.Option(
        False, "--no-embed", help="Do not embed passages now (they are embedded on first use)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
) -> None:
    """Read documents into the store: extract, OCR where needed, clean, detect region, tag.

    Re-ingesting an unchanged file changes nothing; a changed file replaces its earlier version.
    Exit 0 when every file went in, 1 when some failed (the others are stored), 2 on wrong usage.

    Example: planmine ingest corpus/ --store outputs/planmine.db
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[bold red]error:[/] no such file or folder: {escape(', '.join(missing))}")
        raise typer.Exit(2)
    if region:
        region = canonical_region(region)
    out = err_console if as_json else console
    with Store(store_path(store)) as db:
        show_bar = sys.stderr.isatty() and not as_json
        with Progress(
            TextColumn("[bold]ingest[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=not show_bar,
            transient=True,
        ) as progress:
            from planmine.ingest import iter_documents

            files = list(iter_documents(paths))  # walked once; ingest_paths takes the files as given
            task = progress.add_task("", total=len(files))

            def on_file(path: Path) -> None:
                progress.update(task, description=escape(path.name))

            def on_result(result: IngestResult) -> None:
                progress.advance(task)
                if not as_json:
                    progress.console.print(_result_line(result), highlight=False)

            results = ingest_paths(
                files,
                db,
                region=region,
                max_bytes=int(max_mb * 1024**2),
                ocr=not no_ocr,
                embed=not no_embed,
                on_file=on_file,
                on_result=on_result,
            )
    failed = [r for r in results if r.failed]
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        counts = {s: sum(r.status == s for r in results) for s in _STYLE}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        out.print(
            f"{len(results)} files: {summary or 'nothing to do'} → {store_path(store)}", highlight=False
        )
    if failed:
        for r in failed:
            err_console.print(f"[bold red]error:[/] {escape(r.path)}: {escape(r.reason)}", highlight=False)
        raise typer.Exit(1)


@app.command()
@handle_errors
def docs(
    store: Path | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the documents in the store: region, title, year, type, genre, pages, passages, OCR, warnings.

    Example: planmine docs --json
    """
    with Store(store_path(store), create=False) as db:
        documents = db.documents()
    if as_json:
        print_json(
            [
                {
                    "id": d.id,
                    "name": d.name,
                    "path": d.path,
                    "region": d.region,
                    "region_source": d.meta.region_source,
                    "region_evidence": d.meta.region_evidence,
                    "title": d.meta.title,
                    "year": d.meta.year,
                    "type": d.meta.doc_type,
                    "genre": d.meta.genre,
                    "genre_confidence": round(d.meta.genre_confidence, 3),
                    "genre_evidence": d.meta.genre_evidence,
                    "language": d.meta.language,
                    "format": d.format,
                    "pages": d.pages,
                    "passages": d.passages,
                    "ocr_share": round(d.ocr_share, 3),
                    "repaired_words": d.repaired_words,
                    "status": d.status,
                    "warnings": d.warnings,
                    "sha256": d.sha256,
                }
                for d in documents
            ]
        )
        return
    from planmine.cli._app import records_or_table

    columns = [("id", 4), ("region", 22), ("title", 40), ("year", 9), ("type", 16), ("genre", 18), ("pages", 5),
               ("passages", 8), ("OCR", 4), ("repaired", 8), ("warnings", 40)]  # fmt: skip
    rows = [
        [str(d.id), d.region, d.meta.title, d.meta.year, d.meta.doc_type,
         f"{d.meta.genre} {d.meta.genre_confidence:.2f}" if d.meta.genre else "–", str(d.pages), str(d.passages),
         f"{d.ocr_share:.0%}", str(d.repaired_words), "; ".join(d.warnings)]
        for d in documents
    ]  # fmt: skip
    table = records_or_table(f"{len(documents)} documents in {store_path(store)}", columns, rows)
    console.print(table)
