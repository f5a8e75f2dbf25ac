"""Exporters of the comparison table: terminal table, tidy csv and json, Markdown, html and xlsx.

Tidy means one record per region × theme (theme id and label, region, level, score, passage count, best
quote, document, page), so a spreadsheet can filter and pivot by level. Every text cell that comes from a
document or a user file passes through `_safe_text`, which neutralises spreadsheet formulas.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planmine.errors import UsageError
from planmine.levels import LEVELS, STYLES, check_language, level_name
from planmine.types import Comparison, RegionEvidence

FORMATS = ("table", "csv", "md", "xlsx", "html", "json")
SUFFIXES = {".csv": "csv", ".md": "md", ".markdown": "md", ".xlsx": "xlsx", ".html": "html", ".htm": "html",
            ".json": "json", ".txt": "table"}  # fmt: skip
COLOURS = {level: style.terminal for level, style in STYLES.items()}  # rich styles, by level
HTML_COLOURS = {level: style.fill for level, style in STYLES.items()}
TIDY_COLUMNS = ("theme", "label", "region", "level", "level_name", "addressed", "score", "passages",
                "quote", "document", "title", "date", "page", "page_label", "source")  # fmt: skip
# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DocumentFacts = Mapping[str, Mapping[str, Any]]  # document file name → its record (api.document_record)


def _safe_text(value: object) -> str:
    """A text cell that no spreadsheet reads as a formula: a leading = + - @ tab or CR gets a ' before it.

    Every document-derived text written to csv or xlsx goes through here (OWASP: CSV injection).
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def resolve_format(fmt: str | None, output: Path | None) -> str:
    """The export format: `fmt` when given, else the suffix of `output`, else the terminal table.

    Raises:
        UsageError: an unknown format or suffix, or a `fmt` that contradicts the suffix of `output`.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"Unknown format '{fmt}'. Allowed: {', '.join(FORMATS)}.")
    by_suffix = SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if output is not None and by_suffix is None and fmt is None:
        raise UsageError(
            f"Cannot tell the format of '{output}' from its suffix '{output.suffix}'. Use one of "
            f"{', '.join(s for s in SUFFIXES)} or pass --format."
        )
    if (
        fmt is not None
        and by_suffix is not None
        and fmt != by_suffix
        and not (fmt == "md" and by_suffix == "table")
    ):
        raise UsageError(
            f"--format {fmt} does not match the output file '{output}' (a {by_suffix} suffix). "
            f"Drop --format or name the file with .{fmt if fmt != 'table' else 'txt'}."
        )
    return fmt or by_suffix or "table"


def cell_text(cell: RegionEvidence, quote_chars: int = 120, lang: str = "en") -> str:
    """'level (n): “best quote” p. N', the one-line form of a cell (terminal record layout)."""
    name = cell.level if lang == "en" else level_name(cell.level, lang)
    if not cell.evidence:
        return name
    best = cell.evidence[0]
    return f"{name} ({len(cell.evidence)}): “{clip(best.text, quote_chars)}” {best.cite()}"


def clip(text: str, width: int) -> str:
    """One line of at most `width` characters, cut with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(width - 1, 0)].rstrip() + "…"


def to_records(table: Comparison, documents: DocumentFacts | None = None) -> list[dict[str, Any]]:
    """One record per region × theme (TIDY_COLUMNS): level, score, passages, best quote and its document."""
    docs = documents or {}
    out = []
    for row in table.rows:
        for region in table.regions:
            cell = row.cells.get(region) or RegionEvidence(region, "cannot_assess", 0.0)
            best = cell.evidence[0] if cell.evidence else None
            doc = docs.get(best.document, {}) if best else {}
            out.append(
                {
                    "theme": row.theme_id,
                    "label": row.label,
                    "region": region,
                    "level": cell.level,
                    "level_name": level_name(cell.level, "sv"),
                    "addressed": cell.addressed,
                    "score": round(cell.score, 4),
                    "passages": len(cell.evidence),
                    "quote": best.text if best else "",
                    "document": best.document if best else "",
                    "title": doc.get("title", ""),
                    "date": doc.get("date") or doc.get("year") or "",
                    "page": best.page if best else None,
                    "page_label": best.page_label if best else "",
                    "source": doc.get("path", ""),
                }
            )
    return out


def evidence_records(table: Comparison, documents: DocumentFacts | None = None) -> list[dict[str, Any]]:
    """Every evidence passage of every cell, with its document's title, date and source path."""
    docs = documents or {}
    out = []
    for row in table.rows:
        for region in table.regions:
            cell = row.cells.get(region)
            for rank, e in enumerate(cell.evidence if cell else [], 1):
                doc = docs.get(e.document, {})
                out.append(
                    {
                        "theme": row.theme_id,
                        "label": row.label,
                        "region": region,
                        "level": cell.level if cell else "",
                        "rank": rank,
                        **e.to_dict(),
                        "title": doc.get("title", ""),
                        "date": doc.get("date") or doc.get("year") or "",
                        "source": doc.get("path", ""),
                    }
                )
    return out


def to_json(table: Comparison, documents: DocumentFacts | None = None) -> str:
    """{"regions", "themes", "levels", "cells", "rows", "excluded_documents"}.

    `cells` is tidy (one record per region × theme, TIDY_COLUMNS); `rows` keeps the nested shape the web
    API and scripts already read (theme → region → level, score, reason and every evidence passage).
    """
    data = {
        "regions": table.regions,
        "themes": [{"theme": row.theme_id, "label": row.label} for row in table.rows],
        "levels": {lv: {"sv": STYLES[lv].name_sv, "en": STYLES[lv].name_en} for lv in LEVELS},
        "cells": to_records(table, documents),
        "rows": [
            {
                "theme": row.theme_id,
                "label": row.label,
                "cells": {region: cell.to_dict() for region, cell in row.cells.items()},
            }
            for row in table.rows
        ],
        "excluded_documents": table.excluded,  # left out by type or version, each with its reason
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(table: Comparison, documents: DocumentFacts | None = None) -> str:
    """Tidy CSV: a header of TIDY_COLUMNS, one line per region × theme, formulas neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TIDY_COLUMNS)
    for rec in to_records(table, documents):
        writer.writerow([_csv_value(rec[c]) for c in TIDY_COLUMNS])
    return buf.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, bool | int | float) else _safe_text(value)


_MD_WORDS = {
    "sv": ("Teman och regioner", "Tema", "Region", "Nivå", "Stycken", "Bästa citat", "Dokument", "Sida",
           "Nivåer"),
    "en": ("Themes across regions", "Theme", "Region", "Level", "Passages", "Best quote", "Document", "Page",
           "Levels"),
}  # fmt: skip


def to_markdown(table: Comparison, documents: DocumentFacts | None = None, lang: str = "sv") -> str:
    """Markdown for reading: an overview grid of levels in words, then a section per theme with quotes."""
    check_language(lang)
    title, theme_h, region_h, level_h, n_h, quote_h, doc_h, page_h, levels_h = _MD_WORDS[lang]
    docs = documents or {}

    def esc(s: object) -> str:  # document text stays text in any Markdown renderer: no raw HTML
        return html.escape(str(s), quote=False).replace("|", "\\|").replace("\n", " ")

    lines = [f"# {title}", ""]
    lines += [
        "| " + " | ".join([theme_h, *map(esc, table.regions)]) + " |",
        "|" + "---|" * (len(table.regions) + 1),
    ]
    for row in table.rows:
        levels = [level_name(row.cells[r].level, lang) if r in row.cells else "" for r in table.regions]
        lines.append("| " + " | ".join([esc(row.label), *levels]) + " |")
    lines += [
        "",
        f"{levels_h}: "
        + "; ".join(f"**{STYLES[lv].name(lang)}**: {STYLES[lv].meaning(lang)}" for lv in LEVELS),
    ]
    for row in table.rows:
        lines += ["", f"## {esc(row.label)} (`{row.theme_id}`)", ""]
        lines += [
            f"| {region_h} | {level_h} | {n_h} | {quote_h} | {doc_h} | {page_h} |",
            "|---|---|---|---|---|---|",
        ]
        for region in table.regions:
            cell = row.cells.get(region)
            if cell is None:
                continue
            best = cell.evidence[0] if cell.evidence else None
            doc = (docs.get(best.document, {}).get("title") or best.document) if best else ""
            quote = f"“{esc(clip(best.text, 300))}”" if best else ""
            page = best.cite(lang, bare=True) if best else ""  # under a 'page' column: '18 (pdf-sida 17)'
            lines.append(
                f"| {esc(region)} | {level_name(cell.level, lang)} | {len(cell.evidence)} | {quote} | {esc(doc)} | {page} |"
            )
    return "\n".join(lines) + "\n"


def to_html(table: Comparison, documents: DocumentFacts | None = None, lang: str = "sv") -> str:
    """A small self-contained HTML table, cells coloured by level, the best quote under each level."""
    check_language(lang)
    head = "".join(f"<th>{html.escape(r)}</th>" for r in table.regions)
    body = []
    for row in table.rows:
        tds = []
        for region in table.regions:
            c = row.cells.get(region) or RegionEvidence(region, "cannot_assess", 0.0)
            style = STYLES[c.level]
            quote = ""
            if c.evidence:
                e = c.evidence[0]
                quote = f"<q>{html.escape(clip(e.text, 200))}</q> <small>{html.escape(e.cite('sv'))}</small>"
            tds.append(
                f'<td class="{c.level}" data-level="{c.level}" data-passages="{len(c.evidence)}" '
                f'style="background:{style.fill};color:{style.ink}"><b>{html.escape(style.name(lang))}</b> '
                f"({len(c.evidence)})<br>{quote}</td>"
            )
        body.append(
            f'<tr><th data-theme="{html.escape(row.theme_id)}">{html.escape(row.label)}</th>{"".join(tds)}</tr>'
        )
    theme_h = _MD_WORDS[lang][1]
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>planmine: '
        f"{html.escape(_MD_WORDS[lang][0])}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:4px;vertical-align:top;font-size:13px;max-width:260px}q{color:#333}</style></head><body>"
        f"<table><thead><tr><th>{theme_h}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )


def write_xlsx(
    table: Comparison, path: Path, documents: DocumentFacts | None = None, lang: str = "sv"
) -> Path:
    """A workbook with a sheet per view: table, cells (tidy), evidence, documents and a legend."""
    from planmine.xlsx_export import write_workbook

    return write_workbook(table, Path(path), documents or {}, check_language(lang))


def render_table(table: Comparison, width: int = 80, lang: str = "en") -> Any:
    """The table for a terminal of `width` columns: a grid when the regions fit, else one block per theme.

    Long cells are cut with "…", never wrapped letter by letter.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    theme_width = min(28, max((len(r.label) for r in table.rows), default=5))
    region_width = 14
    if theme_width + 3 + len(table.regions) * (region_width + 3) <= width:
        t = Table(title="Themes × regions", show_lines=False)
        t.add_column("theme", style="bold", no_wrap=True, overflow="ellipsis", max_width=theme_width)
        for region in table.regions:
            t.add_column(
                clip(region.removeprefix("Region "), region_width), no_wrap=True, overflow="ellipsis"
            )
        for row in table.rows:
            cells = []
            for region in table.regions:
                c = row.cells.get(region) or RegionEvidence(region, "cannot_assess", 0.0)
                name = c.level if lang == "en" else level_name(c.level, lang)
                cells.append(Text(f"{name} ({len(c.evidence)})", style=COLOURS[c.level]))
            t.add_row(clip(row.label, theme_width), *cells)
        return t
    blocks: list[Any] = []
    name_width = min(24, max((len(r) for r in table.regions), default=6))
    for row in table.rows:
        blocks.append(Text(clip(f"{row.label} ({row.theme_id})", width), style="bold"))
        for region in table.regions:
            c = row.cells.get(region) or RegionEvidence(region, "cannot_assess", 0.0)
            line = Text(f"  {clip(region, name_width):<{name_width}} ")
            name = c.level if lang == "en" else level_name(c.level, lang)
            line.append(f"{name:<13}", style=COLOURS[c.level])
            line.append(f" {len(c.evidence):>2}")
            room = width - len(line.plain) - 2
            if c.evidence and room > 12:
                line.append(" " + clip(c.evidence[0].text, room), style="dim")
            blocks.append(line)
    return Group(*blocks)


def export(
    table: Comparison,
    fmt: str,
    path: Path | None = None,
    documents: DocumentFacts | None = None,
    lang: str = "sv",
) -> str | None:
    """Write the table in `fmt` to `path` (xlsx needs one); returns the text for text formats."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format '{fmt}'. Allowed: {', '.join(FORMATS)}.")
    if fmt == "xlsx":
        if path is None:
            raise UsageError("The xlsx format needs an output file: add -o table.xlsx.")
        write_xlsx(table, path, documents, lang)
        return None
    if fmt == "csv":
        text = to_csv(table, documents)
    elif fmt == "json":
        text = to_json(table, documents)
    elif fmt == "html":
        text = to_html(table, documents, lang)
    else:  # md, and the table written to a file
        text = to_markdown(table, documents, lang)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text
