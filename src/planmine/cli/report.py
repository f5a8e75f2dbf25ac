"""`planmine graph` and `planmine report`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from planmine.cli._app import StoreOption, app, check_output, console, handle_errors, store_path
from planmine.report.limits import REPORT_LIMITS

DEFAULT_GRAPH = Path("outputs/graph.graphml")
DEFAULT_REPORT = Path("outputs/report.html")


@app.command()
@handle_errors
def graph(
    output: Path = typer.Option(
        DEFAULT_GRAPH,
        "-o",
        "--output",
        help="File to write; the suffix picks .graphml, .gexf, .json or .png.",
    ),
    store: Path | None = StoreOption,
    seed: int = typer.Option(0, "--seed", help="Seed of the community detection (same seed, same graph)."),
) -> None:
    """Write the similarity graph of passages, themes and regions, with the discovered themes.

    GraphML and GEXF open in Gephi; .json is networkx node-link data; .png draws regions and themes.

    Example: planmine graph -o outputs/graph.gexf
    """
    from planmine.graph import ThemeGraph, write_graph
    from planmine.graph.export import FORMATS
    from planmine.report.build import analyse, load_cached_embedder
    from planmine.store import Store

    if output.suffix.lower() not in FORMATS:
        from planmine.errors import UsageError

        raise UsageError(
            f"Unknown graph format '{output.suffix}' in '{output}'. Use one of {', '.join(FORMATS)}."
        )
    check_output(output, parents=True)
    with Store(store_path(store), create=False) as db:
        analysis = analyse(db, load_cached_embedder(db), aligner=ThemeGraph(seed=seed))
    fitted = analysis.graph
    path = write_graph(fitted.graph_, output)
    g = fitted.graph_
    console.print(
        f"Wrote {escape(str(path))}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, "
        f"{len(fitted.similar_pairs_)} cross-region similarity edges (threshold {fitted.threshold_:.3f}), "
        f"{len(fitted.themes_)} discovered themes ({len(fitted.candidate_themes_)} candidates)."
    )


@app.command()
@handle_errors
def report(
    output: Path = typer.Option(DEFAULT_REPORT, "-o", "--output", help="HTML file to write."),
    store: Path | None = StoreOption,
    question: list[str] = typer.Option(
        [], "--question", "-q", help="A question to answer in the report (repeat for several)."
    ),
    theme: list[str] = typer.Option(
        [], "--theme", "-t", help="Only this theme (id, label or abbreviation; repeat for several)."
    ),
    region: list[str] = typer.Option([], "--region", "-r", help="Only this region (repeat for several)."),
    types: str | None = typer.Option(
        None, "--types", help="Document types to read, comma-separated (default: policy documents)."
    ),
    as_of: int | None = typer.Option(None, "--as-of", help="Only documents in force in this year."),
    lang: str = typer.Option("sv", "--lang", help="Language of the report: sv or en."),
    all_regions: bool = typer.Option(
        False, "--all-regions", help="A column for each of the 21 regions, those without documents too."
    ),
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no discovered themes)."),
    discovered: bool | None = typer.Option(
        None,
        "--discovered/--no-discovered",
        help="Fit the passage graph for the discovered themes (default: only up to "
        f"{REPORT_LIMITS.passage_graph_max:,} passages).",
    ),
) -> None:
    """Write one self-contained HTML report, in Swedish unless --lang en: your questions, the theme
    table with the best quotes (document title, date, page, a link to the source file), a map of which
    regions work on the same themes, discovered themes, the regions and their documents. It opens
    offline in any browser; full evidence is in `planmine compare -o table.xlsx`.

    Example: planmine report --question "Vilka regioner arbetar med fallprevention?" --theme sip -o outputs/report.html
    """
    import planmine
    from planmine.errors import StoreError
    from planmine.levels import check_language

    check_language(lang)
    check_output(output, parents=True)
    path = store_path(store)
    if not path.is_file():
        raise StoreError(f"No store at '{path}'. Run `planmine ingest corpus/` first, or pass --store FILE.")
    with planmine.open(path, model=not no_model) as pm:
        written = pm.report(
            output, questions=question, themes=theme or None, regions=region or None, types=types,
            as_of=as_of, lang=lang, all_regions=all_regions, discovered=discovered,
        )  # fmt: skip
    size = written.stat().st_size / 1024
    console.print(f"Wrote {escape(str(written))} ({size:.0f} KiB).", highlight=False)
