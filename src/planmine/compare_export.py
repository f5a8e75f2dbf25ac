"""Exporters of the comparison table: rich terminal table, csv, md, xlsx, html, json."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

from planmine.errors import UsageError
from planmine.types import Comparison, RegionEvidence

FORMATS = ("table", "csv", "md", "xlsx", "html", "json")
COLOURS = {
    "addressed": "green",
    "mentioned": "yellow",
    "not_found": "red",
    "cannot_assess": "magenta",
    "no_documents": "bright_black",
}
HTML_COLOURS = {
    "addressed": "#c8e6c9",
    "mentioned": "#fff3c4",
    "not_found": "#ffd6d6",
    "cannot_assess": "#e1d5f0",
    "no_documents": "#e0e0e0",
}


def cell_text(cell: RegionEvidence, quote_chars: int = 120) -> str:
    """'level (n): “best quote” p. N' — the one-line form of a cell used by csv, md and xlsx."""
    n = len(cell.evidence)
    if not cell.evidence:
        return cell.level
    best = cell.evidence[0]
    quote = " ".join(best.text.split())
    if len(quote) > quote_chars:
        quote = quote[: quote_chars - 1] + "…"
    return f"{cell.level} ({n}): “{quote}” p. {best.page}"


def to_records(table: Comparison) -> list[dict[str, Any]]:
    """One record per cell: theme, region, level, score, passages, best quote and page."""
    out = []
    for row in table.rows:
        for region in table.regions:
            cell = row.cells[region]
            best = cell.evidence[0] if cell.evidence else None
            out.append(
                {
                    "theme": row.theme_id,
                    "label": row.label,
                    "region": region,
                    "level": cell.level,
                    "addressed": cell.addressed,
                    "score": round(cell.score, 4),
                    "passages": len(cell.evidence),
                    "quote": best.text if best else "",
                    "document": best.document if best else "",
                    "page": best.page if best else None,
                }
            )
    return out


def evidence_records(table: Comparison) -> list[dict[str, Any]]:
    """Every evidence passage of every cell (the xlsx 'evidence' sheet)."""
    return [
        {
            "theme": row.theme_id,
            "region": region,
            "level": row.cells[region].level,
            "rank": rank,
            **e.to_dict(),
        }
        for row in table.rows
        for region in table.regions
        for rank, e in enumerate(row.cells[region].evidence, 1)
    ]


def to_json(table: Comparison) -> str:
    data = {
        "regions": table.regions,
        "rows": [
            {
                "theme": row.theme_id,
                "label": row.label,
                "cells": {region: cell.to_dict() for region, cell in row.cells.items()},
            }
            for row in table.rows
        ],
        "excluded_documents": table.excluded,
        "config": table.config,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _grid(table: Comparison) -> list[list[str]]:
    header = ["theme", *table.regions]
    return [header] + [
        [row.theme_id] + [cell_text(row.cells[r]) for r in table.regions] for row in table.rows
    ]


def to_csv(table: Comparison) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(_grid(table))
    return buf.getvalue()


def to_markdown(table: Comparison) -> str:
    grid = _grid(table)

    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(c) for c in grid[0]) + " |", "|" + "---|" * len(grid[0])]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in grid[1:]]
    return "\n".join(lines) + "\n"


def to_html(table: Comparison) -> str:
    """A small self-contained HTML table, cells coloured by level, the best quote under each level."""
    head = "".join(f"<th>{html.escape(r)}</th>" for r in table.regions)
    body = []
    for row in table.rows:
        tds = []
        for region in table.regions:
            c = row.cells[region]
            quote = ""
            if c.evidence:
                e = c.evidence[0]
                quote = f"<q>{html.escape(' '.join(e.text.split())[:200])}</q> <small>p. {e.page}</small>"
            tds.append(
                f'<td class="{c.level}" data-level="{c.level}" data-passages="{len(c.evidence)}" '
                f'style="background:{HTML_COLOURS[c.level]}"><b>{c.level}</b> ({len(c.evidence)})<br>{quote}</td>'
            )
        body.append(
            f'<tr><th data-theme="{html.escape(row.theme_id)}">{html.escape(row.label)}</th>{"".join(tds)}</tr>'
        )
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8"><title>planmine: themes × regions</title>'
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:4px;vertical-align:top;font-size:13px;max-width:260px}q{color:#333}</style></head><body>"
        f"<table><thead><tr><th>theme</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )


def write_xlsx(table: Comparison, path: Path) -> None:
    """Sheet 'table' (themes × regions) and sheet 'evidence' (every evidence passage)."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "table"
    grid = _grid(table)
    for line in grid:
        ws.append(line)
    for i, row in enumerate(table.rows, start=2):
        for j, region in enumerate(table.regions, start=2):
            colour = HTML_COLOURS[row.cells[region].level].lstrip("#").upper()
            ws.cell(row=i, column=j).fill = PatternFill("solid", start_color=colour, end_color=colour)
    ev = wb.create_sheet("evidence")
    records = evidence_records(table)
    keys = ["theme", "region", "level", "rank", "document", "page", "section", "kind", "score", "text", "why"]
    ev.append(keys)
    for rec in records:
        ev.append([rec[k] for k in keys])
    wb.save(path)


def render_table(table: Comparison) -> Any:
    """A rich Table for the terminal, coloured by level."""
    from rich.table import Table

    t = Table(title="Themes × regions", show_lines=True)
    t.add_column("theme", style="bold")
    for region in table.regions:
        t.add_column(region)
    for row in table.rows:
        cells = []
        for region in table.regions:
            c = row.cells[region]
            text = f"[{COLOURS[c.level]}]{c.level}[/] ({len(c.evidence)})"
            if c.evidence:
                q = " ".join(c.evidence[0].text.split())
                text += f"\n[dim]{html.escape(q[:80]).replace('[', '(')} p. {c.evidence[0].page}[/]"
            cells.append(text)
        t.add_row(row.label, *cells)
    return t


def export(table: Comparison, fmt: str, path: Path | None = None) -> str | None:
    """Write the table in `fmt` to `path` (xlsx needs one); returns the text for text formats."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format '{fmt}'. Allowed: {', '.join(FORMATS)}.")
    if fmt == "xlsx":
        if path is None:
            raise UsageError("The xlsx format needs an output file: add -o table.xlsx.")
        write_xlsx(table, path)
        return None
    text = {"csv": to_csv, "md": to_markdown, "html": to_html, "json": to_json}.get(fmt, to_markdown)(table)
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text
