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
from planmine.errors import IngestInterrupted
from planmine.ingest.limits import IngestLimits, megabytes
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
    timeout: float = typer.Option(
        IngestLimits().time_budget_s,
        "--timeout",
        help="Give up on a file after this many seconds (the batch goes on); 0 for no limit.",
    ),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Do not OCR pages without a text layer."),
    no_embed: bool = typer.Option(
        False, "--no-embed", help="Do not embed passages now (they are embedded on first use)."
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Prepare and embed on a local Dask cluster of N worker processes."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        envvar="PLANMINE_SCHEDULER",
        help="Use a running Dask scheduler (tcp://host:8786); its workers must see the same paths.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
) -> None:
    """Read documents into the store: extract, OCR where needed, clean, detect region, tag.

    Re-ingesting an unchanged file changes nothing; a changed file replaces its earlier version.
    Exit 0 when every file went in, 1 when some failed (the others are stored), 2 on wrong usage.

    With --workers N (or --scheduler ADDRESS) files are prepared and embedded on Dask workers while
    this process alone writes the store, one document per transaction.

    Example: planmine ingest corpus/ --store outputs/planmine.db --workers 2
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[bold red]error:[/] no such file or folder: {escape(', '.join(missing))}")
        raise typer.Exit(2)
    if region:
        region = canonical_region(region)
    limits = IngestLimits(max_bytes=megabytes(max_mb), time_budget_s=timeout)  # bad values: exit 2
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
            current = {"name": ""}
            files_done = [0]

            def on_file(path: Path) -> None:
                current["name"] = escape(path.name)
                progress.update(task, description=current["name"])

            def on_page(done: int, total: int) -> None:  # a scan moves the bar page by page
                progress.update(
                    task,
                    completed=files_done[0] + done / max(total, 1),
                    description=f"{current['name']} · OCR page {done}/{total}",
                )

            def on_result(result: IngestResult) -> None:
                files_done[0] += 1
                progress.update(task, completed=files_done[0])
                if not as_json and result.code != "not_tried":
                    progress.console.print(_result_line(result), highlight=False)

            try:
                results = ingest_paths(
                    files,
                    db,
                    region=region,
                    ocr=not no_ocr,
                    embed=not no_embed,
                    workers=workers,
                    scheduler=scheduler,
                    on_file=on_file,
                    on_result=on_result,
                    on_page=on_page,
                    limits=limits,
                )
            except IngestInterrupted as stop:
                done = [r for r in stop.results if isinstance(r, IngestResult)]
                stored = sum(r.status in ("ok", "partial", "replaced") for r in done)
                err_console.print(
                    f"interrupted: {len(done)} of {len(files)} files done ({stored} stored, each whole), "
                    f"{len(files) - len(done)} not tried → {escape(str(store_path(store)))}",
                    highlight=False,
                )
                if as_json:
                    print_json([r.to_dict() for r in done])
                raise typer.Exit(130) from None
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
            if r.code != "not_tried":
                err_console.print(
                    f"[bold red]error:[/] {escape(r.path)}: {escape(r.reason)}", highlight=False
                )
        if untried := sum(r.code == "not_tried" for r in failed):
            err_console.print(
                f"[bold red]error:[/] the batch stopped: no space left on the store's disk; "
                f"{untried} files not tried (free space and run the same command again)",
                highlight=False,
            )
        raise typer.Exit(1)


@app.command()
@handle_errors
def docs(
    store: Path | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    municipality: str | None = typer.Option(
        None, "--municipality", "-m", help="Only documents owned by this municipality (e.g. Tierp)."
    ),
) -> None:
    """List the documents in the store: region, owner, title, year, type, genre, pages, passages, OCR.

    Example: planmine docs --municipality Botkyrka --json
    """
    from planmine.owners import canonical_municipality

    with Store(store_path(store), create=False) as db:
        documents = db.documents()
    if municipality:
        wanted = canonical_municipality(municipality)
        documents = [d for d in documents if d.meta.municipality == wanted]
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
                    "title_evidence": d.metadata.get("title_evidence", ""),
                    "year": d.meta.year,
                    "date": d.meta.date,
                    "date_evidence": d.meta.date_evidence,
                    "period": d.meta.period,
                    "period_evidence": d.meta.period_evidence,
                    "owner_kind": d.meta.owner_kind,
                    "municipality": d.meta.municipality,
                    "version_of": d.meta.version_of,
                    "paged": d.metadata.get("paged", "yes") != "no",
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

    columns = [("id", 4), ("region", 22), ("owner", 12), ("title", 40), ("year", 9), ("type", 16), ("genre", 18), ("pages", 5),
               ("passages", 8), ("OCR", 4), ("repaired", 8), ("warnings", 40)]  # fmt: skip
    rows = [
        [str(d.id), d.region, d.meta.municipality or d.meta.owner_kind, d.meta.title, d.meta.year, d.meta.doc_type,
         f"{d.meta.genre} {d.meta.genre_confidence:.2f}" if d.meta.genre else "–", str(d.pages), str(d.passages),
         f"{d.ocr_share:.0%}", str(d.repaired_words), "; ".join(d.warnings)]
        for d in documents
    ]  # fmt: skip
    table = records_or_table(f"{len(documents)} documents in {store_path(store)}", columns, rows)
    console.print(table)
