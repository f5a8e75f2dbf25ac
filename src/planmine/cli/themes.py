"""CLI commands for themes: `themes`, `query`, `compare`, `gaps` (thin layer over the library)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from planmine.cli._app import (
    StoreOption,
    app,
    check_output,
    check_questions,
    console,
    handle_errors,
    print_json,
    store_path,
)
from planmine.errors import StoreError, UsageError
from planmine.types import QueryAnswer

if TYPE_CHECKING:
    from planmine.embed import Embedder
    from planmine.store import Store

TypesOption = typer.Option(
    None,
    "--types",
    help="Document types to count, comma-separated: policy (default: plans, agreements, guidelines, "
    "follow-ups), all, or genres (plan, agreement, guideline, report, decision, procurement, "
    "risk_analysis, press, manual, other).",
    show_default=False,
)


AllRegionsOption = typer.Option(
    False, "--all-regions", help="List all 21 regions; those without documents as no_documents."
)
ThemesOption = typer.Option(
    None,
    "--themes",
    help="Your own taxonomy YAML, merged by id (default: $PLANMINE_THEMES).",
    show_default=False,
)


@contextlib.contextmanager
def open_store(path: Path | None) -> Iterator[Store]:
    """The store at --store (or $PLANMINE_STORE, or outputs/planmine.db), which must exist."""
    from planmine.store import Store

    p = store_path(path)
    if p.is_dir() or not p.exists():
        raise StoreError(
            f"No store at '{p}'{' (that is a folder)' if p.is_dir() else ''}. "
            "Run `planmine ingest corpus/` first, or pass --store FILE."
        )
    with Store(p, create=False) as store:
        yield store


AsOfOption = typer.Option(
    None,
    "--as-of",
    min=1900,
    max=2100,
    help="Count the plan versions in force in this year (default: the newest version of each series).",
)
MunicipalityOption = typer.Option(
    None, "--municipality", "-m", help="Only the documents of this municipality (e.g. Tierp)."
)


@contextlib.contextmanager
def documents_of(store: Store, municipality: str | None) -> Iterator[Store]:
    """The store itself, or a temporary one holding only one municipality's documents."""
    if not municipality:
        yield store
        return
    from planmine.owners import canonical_municipality
    from planmine.versions import store_subset

    wanted = canonical_municipality(municipality)
    ids = [d.id for d in store.documents() if d.meta.municipality == wanted]
    if not ids:
        raise UsageError(f"No documents of {wanted} in the store. See `planmine docs` for the owners.")
    with store_subset(store, ids) as subset:
        yield subset


def _embedder(no_model: bool) -> Embedder | None:
    """The configured embedding model (loaded when first needed), or None for lexical matching only."""
    if no_model:
        return None
    from planmine.query import QUERY_THREADS
    from planmine.themes.semantic import configured_embedder

    return configured_embedder(num_threads=QUERY_THREADS)


def _taxonomy(themes_file: Path | None) -> Any:
    from planmine.themes.taxonomy import load_taxonomy

    return load_taxonomy(themes_file)


@app.command("themes")
@handle_errors
def themes_command(
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    themes_file: Path | None = ThemesOption,
    store: Path | None = StoreOption,
    discovered: bool = typer.Option(
        True, "--discovered/--taxonomy-only", help="Also list the themes discovered in the store."
    ),
) -> None:
    """List the theme taxonomy, and the cross-regional themes discovered in the store's plans.

    Discovered themes are communities of similar goal and activity passages from at least two regions;
    those that match no taxonomy theme are candidate new themes, shown with their passages.

    Example: planmine themes --json
    """
    taxonomy = _taxonomy(themes_file)
    found = _discovered(store) if discovered else []
    if json_out:
        print_json({"taxonomy": [t.to_dict() for t in taxonomy], "discovered": found})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(taxonomy)} themes", show_lines=False)
    for col in ("id", "label (sv)", "label (en)", "terms"):
        table.add_column(col)
    for t in taxonomy:
        terms = ", ".join([*t.alt_labels[:5], *t.abbreviations])
        table.add_row(escape(t.id), escape(t.label_sv), escape(t.label_en), escape(terms))
    console.print(table)
    if not found:
        return
    table = Table(title=f"{len(found)} themes discovered across regions")
    for col in ("id", "label (distinctive lemmas)", "regions", "passages", "taxonomy theme"):
        table.add_column(col, overflow="fold")
    for d in found:
        table.add_row(
            str(d["id"]),
            escape(str(d["label"])),
            escape(", ".join(d["regions"])),
            str(d["size"]),
            escape(str(d["taxonomy_theme"]) or "[bold]candidate new theme[/]"),
        )
    console.print(table)
    for d in (d for d in found if d["candidate"]):
        console.print(f"[bold]{d['id']}[/] {escape(str(d['label']))}")
        for p in d["passages"][:4]:
            quote = p["text"] if len(p["text"]) <= 140 else p["text"][:139] + "…"
            console.print(f"  {escape(p['region'])}, {escape(p['document'])} p. {p['page']}: {escape(quote)}")


def _discovered(store: Path | None) -> list[dict[str, Any]]:
    """Discovered themes of the store with their passages; none when there is no store yet."""
    if not store_path(store).exists():
        return []
    from planmine.graph import discover_themes
    from planmine.report.build import load_cached_embedder

    with open_store(store) as db:
        if not db.documents():
            return []
        found = discover_themes(db, load_cached_embedder(db))
        passages = {p.id: p for p in db.passages()}
        docs = {d.id: d for d in db.documents()}
    result = []
    for theme in found:
        item = theme.to_dict()
        item["passages"] = [
            {
                "region": docs[passages[pid].document_id].region,
                "document": docs[passages[pid].document_id].name,
                "page": passages[pid].page,
                "section": passages[pid].section_path,
                "kind": passages[pid].kind,
                "text": passages[pid].text,
            }
            for pid in theme.passage_ids
            if pid in passages
        ]
        result.append(item)
    return result


@app.command("query")
@handle_errors
def query_command(
    text: list[str] = typer.Argument(..., help="One or more questions or phrases, Swedish or English."),
    top: int = typer.Option(5, "--top", min=1, help="Evidence passages per region."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array, one object per TEXT."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
    municipality: str | None = MunicipalityOption,
    types: str | None = TypesOption,
    all_regions: bool = AllRegionsOption,
    as_of: int | None = typer.Option(
        None,
        "--as-of",
        min=1900,
        max=2100,
        help="Only the plan versions in force in this year (default: every version).",
    ),
) -> None:
    """Which regions address TEXT? Every region with level, score and evidence, best first.

    Each answer first says how the question was read: as a taxonomy theme ("läst som temat
    Fallprevention") or as a free question about its own concept ("fri fråga: ambulanssjukvård"). A
    region, municipality or year in the question restricts the answer to it; --as-of YEAR reads only
    the plan versions in force that year, as compare does.

    Example: planmine query "Which regions work to prevent falls among the elderly?" "Hur arbetar Region Skåne med SIP?" --json
    """
    from planmine.genre import parse_types
    from planmine.query import answer

    check_questions(list(text))
    wanted = parse_types(types)
    with open_store(store) as whole, documents_of(whole, municipality) as st:
        embedder = _embedder(no_model)
        answers = answer(
            list(text), st, embedder, top_k=top, taxonomy=_taxonomy(themes_file), types=wanted, as_of=as_of
        )
        unpaged = {d.name for d in st.documents() if d.metadata.get("paged") == "no"}
    if all_regions:
        from planmine.api import answer_all_regions

        answers = [answer_all_regions(a) for a in answers]
    if json_out:
        print_json([a.to_dict() for a in answers])
        return
    for a in answers:
        print_answer(a, top, unpaged=unpaged)


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: width - 1].rsplit(" ", 1)[0] + "…"


def short_name(name: str, width: int = 48) -> str:
    """A file name of at most `width` characters: its start and its end, which tell documents apart."""
    if len(name) <= width:
        return name
    tail = width // 3
    return name[: width - tail - 1] + "…" + name[-tail:]


def print_answer(answer: QueryAnswer, top: int, *, unpaged: set[str] | None = None) -> None:
    """A line per region (level, score); under it the best evidence: document, page, kind, then the quote."""
    from rich.markup import escape

    from planmine.compare_export import COLOURS

    console.rule(f"[bold]{escape(answer.query)}", align="left")
    line = answer.reading.get("line") if answer.reading else None
    if line:
        console.print(f"[italic]{escape(str(line))}[/]", highlight=False)
    if answer.excluded:
        console.print(f"[dim]left out by document type: {escape(', '.join(answer.excluded))}[/]")
    if not answer.regions:
        console.print("no region in scope")
    width = max(len(r.region) for r in answer.regions) if answer.regions else 10
    for r in answer.regions:
        level = f"[{COLOURS[r.level]}]{r.level:<13}[/]"
        console.print(f"{escape(r.region):<{width}}  {level} {r.score:4.2f}", highlight=False, soft_wrap=True)
        for e in r.evidence[: min(top, 2)]:
            page = "–" if e.document in (unpaged or set()) else e.cite()  # no false "p. 1"
            console.print(
                f"    [dim]{escape(short_name(e.document))}, {page}, {e.kind}:[/] “{escape(shorten(e.text, 90))}”",
                highlight=False,
                soft_wrap=True,
            )


@app.command("compare")
@handle_errors
def compare_command(
    theme: list[str] = typer.Argument(None, help="Theme ids, labels or abbreviations (default: all)."),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="table, csv, md, xlsx, html or json (default: the suffix of -o, else table).",
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file (format by suffix)."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
    municipality: str | None = MunicipalityOption,
    all_regions: bool = AllRegionsOption,
    types: str | None = TypesOption,
    as_of: int | None = AsOfOption,
) -> None:
    """The region × theme table: each cell a level, the number of passages and the best quote.

    The format follows the suffix of -o (.xlsx, .csv, .json, .md, .html) unless --format says otherwise;
    a --format that contradicts the suffix is an error. CSV and JSON are tidy: one row per region × theme.
    By default only policy documents count; a region whose documents are all of other kinds shows
    `no_documents`, and the documents left out are listed.

    Of each series of plan versions only the newest counts; --as-of YEAR counts the versions in force
    that year instead (documents that start later are left out and listed).

    Example: planmine compare sip fallprevention --types plan,agreement -o outputs/themes.xlsx
    """
    from planmine.api import comparison_all_regions, document_record
    from planmine.compare import compare
    from planmine.compare_export import export, render_table, resolve_format
    from planmine.genre import parse_types

    fmt = resolve_format(fmt, output)
    check_output(output)  # before the analysis, not after it
    wanted = parse_types(types)
    with open_store(store) as whole, documents_of(whole, municipality) as st:
        embedder = _embedder(no_model)
        table = compare(
            st,
            embedder,
            list(theme or []) or None,
            taxonomy=_taxonomy(themes_file),
            types=wanted,
            as_of=as_of,
        )
        documents = {d.name: document_record(d) for d in st.documents()}
    if all_regions:
        table = comparison_all_regions(table)
    if fmt == "table" and output is None:
        from planmine.cli._app import terminal_width

        console.print(render_table(table, width=terminal_width()))
        if table.excluded:
            console.print(f"left out: {', '.join(table.excluded)}", highlight=False)
        return
    text = export(table, "md" if fmt == "table" else fmt, output, documents)
    if output is None and text is not None:
        typer.echo(text, nl=False)
    elif output is not None:
        console.print(f"wrote {output}", highlight=False)


@app.command("gaps")
@handle_errors
def gaps_command(
    region: str = typer.Option(..., "--region", "-r", help="The region to look at (name or part of it)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
    types: str | None = TypesOption,
    as_of: int | None = AsOfOption,
) -> None:
    """Themes most other regions address but REGION does not, with the others' evidence.

    Example: planmine gaps --region "Region Skåne" --types policy
    """
    from rich.markup import escape

    from planmine.compare import gaps
    from planmine.genre import parse_types

    wanted = parse_types(types)
    with open_store(store) as st:
        embedder = _embedder(no_model)
        found = gaps(st, embedder, region, taxonomy=_taxonomy(themes_file), types=wanted, as_of=as_of)
    if json_out:
        print_json([g.to_dict() for g in found])
        return
    if not found:
        console.print("No gaps: no theme that most other regions address is missing here.")
    for g in found:
        console.print(
            f"[bold]{escape(g.label)}[/] ({escape(g.theme_id)}): here {g.level}; "
            f"addressed by {escape(', '.join(g.addressed_by))}",
            highlight=False,
        )
        for r, cell in g.others.items():
            if cell.evidence:
                e = cell.evidence[0]
                console.print(
                    f"    [dim]{escape(r)}: {escape(short_name(e.document))}, {e.cite()}, {e.kind}:[/] "
                    f"“{escape(shorten(e.text, 90))}”",
                    highlight=False,
                    soft_wrap=True,
                )
