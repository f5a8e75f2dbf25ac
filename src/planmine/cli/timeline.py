"""CLI command `timeline`: each region's level per theme, period by period (documents grouped by period)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from planmine.cli._app import StoreOption, app, console, handle_errors, print_json
from planmine.cli.themes import ThemesOption, _embedder, _taxonomy, open_store


def timeline_rows(
    store: Any, embedder: Any, themes: list[str] | None, region: str | None, taxonomy: Any
) -> list[dict[str, Any]]:
    """One row per (region, period, theme): the level from planmine.compare over that period's documents."""
    from planmine.compare import compare, resolve_region
    from planmine.versions import period_key, start_year, store_subset

    docs = store.documents()
    if region:
        wanted = resolve_region(sorted({d.region for d in docs}), region)
        docs = [d for d in docs if d.region == wanted]
    periods: dict[str, list[Any]] = {}
    for doc in docs:
        periods.setdefault(period_key(doc), []).append(doc)
    order = sorted(periods, key=lambda k: (min((start_year(d) or 9999) for d in periods[k]), k))
    rows: list[dict[str, Any]] = []
    for key in order:
        group = periods[key]
        with store_subset(store, [d.id for d in group]) as subset:
            table = compare(subset, embedder, themes, taxonomy=taxonomy)
        for row in table.rows:
            for name, cell in row.cells.items():
                titles = [d.meta.title or d.name for d in group if d.region == name]
                if not titles:
                    continue
                best = cell.evidence[0] if cell.evidence else None
                rows.append(
                    {
                        "region": name,
                        "period": key,
                        "theme": row.theme_id,
                        "label": row.label,
                        "level": cell.level,
                        "score": round(cell.score, 4),
                        "documents": titles,
                        "quote": best.text if best else "",
                    }
                )
    rows.sort(key=lambda r: (r["region"], r["theme"], order.index(r["period"])))
    return rows


@app.command("timeline")
@handle_errors
def timeline_command(
    theme: list[str] = typer.Argument(None, help="Theme ids, labels or abbreviations (default: all)."),
    region: str | None = typer.Option(None, "--region", "-r", help="Only this region (name or part of it)."),
    json_out: bool = typer.Option(
        False, "--json", help="Print JSON: one object per region, period and theme."
    ),
    store: Path | None = StoreOption,
    themes_file: Path | None = ThemesOption,
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
) -> None:
    """Each region's level per theme, period by period: how plans changed from one version to the next.

    Documents are grouped by their period ('2019–2022'), else the year of their date; each group is
    compared on its own.

    Example: planmine timeline --region Örebro fallprevention sip
    """
    with open_store(store) as st:
        rows = timeline_rows(
            st, _embedder(no_model), list(theme or []) or None, region, _taxonomy(themes_file)
        )
    if json_out:
        print_json(rows)
        return
    periods = list(dict.fromkeys(r["period"] for r in sorted(rows, key=lambda r: r["period"])))
    table = Table(title="Levels per period")
    for column in ("region", "theme", *periods):
        table.add_column(column, overflow="fold")
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        cells.setdefault((r["region"], r["label"]), {})[r["period"]] = r["level"]
    for (name, label), levels in cells.items():
        table.add_row(escape(name), escape(label), *(levels.get(p, "–") for p in periods))
    console.print(table)
