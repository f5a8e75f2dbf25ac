"""CLI commands for themes: `themes`, `query`, `compare`, `gaps` (thin layer over the library)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from planmine.cli._app import StoreOption, app, console, handle_errors, print_json, store_path
from planmine.errors import StoreError

ThemesOption = typer.Option(
    None,
    "--themes",
    help="Your own taxonomy YAML, merged by id (default: $PLANMINE_THEMES).",
    show_default=False,
)


@contextlib.contextmanager
def open_store(path: Path | None) -> Iterator[Any]:
    """The store at --store; a folder of .txt plans is read in memory (no ingest needed)."""
    p = store_path(path)
    if p.is_dir():
        from planmine.themes.memstore import MemoryStore

        files = sorted(p.glob("*.txt"))
        if not files:
            raise StoreError(
                f"'{p}' is a folder without .txt plans. Pass a store file or run `planmine ingest`."
            )
        yield MemoryStore.from_files(files)
        return
    if not p.exists():
        raise StoreError(f"No store at '{p}'. Run `planmine ingest corpus/` first, or pass --store FILE.")
    try:
        from planmine.store import Store  # type: ignore[import-not-found]
    except ImportError as exc:  # pragma: no cover - store.py lands on main
        raise StoreError(f"Cannot open '{p}': planmine.store is not available in this build.") from exc
    with Store(p) as store:
        yield store


def _taxonomy(themes_file: Path | None) -> Any:
    from planmine.themes.taxonomy import load_taxonomy

    return load_taxonomy(themes_file)


@app.command("themes")
@handle_errors
def themes_command(
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    themes_file: Path | None = ThemesOption,
) -> None:
    """List the theme taxonomy (id, labels, definition, terms).

    Example: planmine themes --json
    """
    taxonomy = _taxonomy(themes_file)
    if json_out:
        print_json({"taxonomy": [t.to_dict() for t in taxonomy]})
        return
    from rich.table import Table

    table = Table(title=f"{len(taxonomy)} themes", show_lines=False)
    for col in ("id", "label (sv)", "label (en)", "terms"):
        table.add_column(col)
    for t in taxonomy:
        terms = ", ".join([*t.alt_labels[:5], *t.abbreviations])
        table.add_row(t.id, t.label_sv, t.label_en, terms)
    console.print(table)


@app.command("query")
@handle_errors
def query_command(
    text: list[str] = typer.Argument(..., help="One or more questions or phrases, Swedish or English."),
    top: int = typer.Option(5, "--top", min=1, help="Evidence passages per region."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array, one object per TEXT."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
) -> None:
    """Which regions address TEXT? Every region with level, score and evidence, best first.

    Example: planmine query "Which regions work to prevent falls among the elderly?" fallprevention --json
    """
    from planmine.query import answer
    from planmine.themes.semantic import default_embedder

    with open_store(store) as st:
        embedder = None if no_model else default_embedder()
        answers = answer(list(text), st, embedder, top_k=top, taxonomy=_taxonomy(themes_file))
    if json_out:
        print_json([a.to_dict() for a in answers])
        return
    from planmine.compare_export import COLOURS

    for a in answers:
        console.rule(f"[bold]{a.query}")
        for r in a.regions:
            console.print(f"[bold]{r.region}[/]: [{COLOURS[r.level]}]{r.level}[/] (score {r.score:.2f})")
            for e in r.evidence[:2]:
                quote = " ".join(e.text.split())[:160]
                console.print(
                    f"   [dim]{e.document} p. {e.page} {e.kind} {e.score:.2f}:[/] {quote}", highlight=False
                )


@app.command("compare")
@handle_errors
def compare_command(
    theme: list[str] = typer.Argument(None, help="Theme ids, labels or abbreviations (default: all)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, md, xlsx, html or json."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
) -> None:
    """The region × theme table: each cell a level, the number of passages and the best quote.

    Example: planmine compare sip fallprevention --format xlsx -o outputs/themes.xlsx
    """
    from planmine.compare import compare
    from planmine.compare_export import FORMATS, export, render_table
    from planmine.errors import UsageError
    from planmine.themes.semantic import default_embedder

    if fmt not in FORMATS:
        raise UsageError(f"Unknown format '{fmt}'. Allowed: {', '.join(FORMATS)}.")
    with open_store(store) as st:
        embedder = None if no_model else default_embedder()
        table = compare(st, embedder, list(theme) or None, taxonomy=_taxonomy(themes_file))
    if fmt == "table" and output is None:
        console.print(render_table(table))
        return
    text = export(table, "md" if fmt == "table" else fmt, output)
    if output is None and text is not None:
        typer.echo(text, nl=False)
    elif output is not None:
        console.print(f"wrote {output}")


@app.command("gaps")
@handle_errors
def gaps_command(
    region: str = typer.Option(..., "--region", "-r", help="The region to look at (name or part of it)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
) -> None:
    """Themes most other regions address but REGION does not, with the others' evidence.

    Example: planmine gaps --region "Region Skåne"
    """
    from planmine.compare import gaps
    from planmine.themes.semantic import default_embedder

    with open_store(store) as st:
        embedder = None if no_model else default_embedder()
        found = gaps(st, embedder, region, taxonomy=_taxonomy(themes_file))
    if json_out:
        print_json([g.to_dict() for g in found])
        return
    if not found:
        console.print("No gaps: no theme that most other regions address is missing here.")
    for g in found:
        console.print(
            f"[bold]{g.label}[/] ({g.theme_id}): here {g.level}; addressed by {', '.join(g.addressed_by)}"
        )
        for r, cell in g.others.items():
            if cell.evidence:
                quote = " ".join(cell.evidence[0].text.split())[:140]
                console.print(f"   [dim]{r}, p. {cell.evidence[0].page}:[/] {quote}", highlight=False)
