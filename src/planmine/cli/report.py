"""`planmine graph` and `planmine report`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from planmine.cli._app import StoreOption, app, check_output, console, handle_errors, store_path

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
) -> None:
    """Write one self-contained HTML report: table with evidence, heatmap, graph, discovered themes,
    region summaries and document quality. It opens offline in any browser.

    Example: planmine report -o outputs/report.html
    """
    from planmine.report.build import build_report, load_cached_embedder
    from planmine.store import Store

    check_output(output, parents=True)
    with Store(store_path(store), create=False) as db:
        html = build_report(db, load_cached_embedder(db))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    console.print(f"Wrote {escape(str(output))} ({len(html.encode('utf-8')) / 1024:.0f} KiB).")
