"""The comparison as an Excel workbook a decision maker can open: labels, colours, a legend, filters.

Sheets: `table` (themes × regions, levels in words, coloured), `cells` (tidy: one row per region × theme),
`evidence` (every quote with document title, date, page and source path), `documents`, `legend`. Every
sheet has a frozen header, an autofilter, column widths and wrapped long text. Text from documents is
written through `compare_export._safe_text` and stored as a string cell, never as a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planmine.compare_export import _safe_text, evidence_records, to_records
from planmine.levels import LEVELS, STYLES, level_name
from planmine.types import Comparison

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEETS = ("table", "cells", "evidence", "documents", "legend")
_HEAD = {
    "sv": {"theme": "Tema", "theme_id": "Tema-id", "region": "Region", "level": "Nivå", "level_id": "Nivå (id)",
           "score": "Styrka", "passages": "Stycken", "quote": "Citat", "document": "Fil", "title": "Dokument",
           "date": "Datum", "page": "Sida", "page_label": "Tryckt sida", "source": "Källa", "rank": "Rang",
           "section": "Avsnitt",
           "kind": "Slag", "why": "Varför", "type": "Typ", "genre": "Genre", "pages": "Sidor",
           "id": "Id", "meaning": "Betydelse", "year": "År", "period": "Period"},
    "en": {"theme": "Theme", "theme_id": "Theme id", "region": "Region", "level": "Level", "level_id": "Level (id)",
           "score": "Score", "passages": "Passages", "quote": "Quote", "document": "File", "title": "Document",
           "date": "Date", "page": "Page", "page_label": "Printed page", "source": "Source", "rank": "Rank",
           "section": "Section",
           "kind": "Kind", "why": "Why", "type": "Type", "genre": "Genre", "pages": "Pages",
           "id": "Id", "meaning": "Meaning", "year": "Year", "period": "Period"},
}  # fmt: skip
# Column widths in characters; text columns wider than this wrap.
_WIDTH = {"quote": 80, "why": 40, "section": 30, "title": 40, "source": 45, "document": 30, "theme": 30,
          "meaning": 70, "region": 24}  # fmt: skip
_HEADER_FILL = "DDDDDD"


def write_workbook(
    table: Comparison, path: Path, documents: Mapping[str, Mapping[str, Any]], lang: str
) -> Path:
    """Write the workbook to `path` (its folder is created) and return the path."""
    from openpyxl import Workbook

    head = _HEAD[lang]
    wb = Workbook()
    _table_sheet(wb.active, table, lang)
    cells = [
        [r["label"], r["theme"], r["region"], level_name(r["level"], lang), r["level"], r["score"],
         r["passages"], r["quote"], r["title"], r["date"], r["page"], r["page_label"], r["document"],
         r["source"]]
        for r in to_records(table, documents)
    ]  # fmt: skip
    _fill_sheet(
        wb.create_sheet("cells"),
        ["theme", "theme_id", "region", "level", "level_id", "score", "passages", "quote", "title", "date",
         "page", "page_label", "document", "source"],
        cells, head, level_column=3, levels=[c[4] for c in cells],
    )  # fmt: skip
    evidence_rows = evidence_records(table, documents)
    evidence = [
        [e["label"], e["theme"], e["region"], level_name(e["level"], lang), e["rank"], e["title"], e["date"],
         e["page"], e["page_label"], e["text"], e["section"], e["kind"], e["score"], e["why"], e["document"],
         e["source"]]
        for e in evidence_rows
    ]  # fmt: skip
    _fill_sheet(
        wb.create_sheet("evidence"),
        ["theme", "theme_id", "region", "level", "rank", "title", "date", "page", "page_label", "quote",
         "section", "kind",
         "score", "why", "document", "source"],
        evidence, head, level_column=3, levels=[e["level"] for e in evidence_rows],
    )  # fmt: skip
    docs = [
        [d.get("id"), d.get("region"), d.get("title"), d.get("date"), d.get("period"), d.get("type"),
         d.get("genre"), d.get("pages"), d.get("name"), d.get("path")]
        for d in documents.values()
    ]  # fmt: skip
    _fill_sheet(
        wb.create_sheet("documents"),
        ["id", "region", "title", "date", "period", "type", "genre", "pages", "document", "source"],
        docs, head,
    )  # fmt: skip
    legend = [[STYLES[lv].name(lang), lv, STYLES[lv].meaning(lang)] for lv in LEVELS]
    _fill_sheet(
        wb.create_sheet("legend"),
        ["level", "level_id", "meaning"],
        legend,
        head,
        level_column=0,
        levels=list(LEVELS),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    rgb = colour.lstrip("#").upper()
    return PatternFill("solid", start_color=rgb, end_color=rgb)


def _level_style(cell: Any, level_id: str) -> None:
    from openpyxl.styles import Font

    style = STYLES.get(level_id)
    if style is not None:
        cell.fill = _fill(style.fill)
        cell.font = Font(color=style.ink.lstrip("#").upper())


def _write(ws: Worksheet, row: int, column: int, value: object) -> Any:
    """One cell; text goes through _safe_text and is stored as a string (data_type 's'), never a formula."""
    cell = ws.cell(row=row, column=column)
    if value is None or isinstance(value, bool | int | float):
        cell.value = value
    else:
        cell.value = _safe_text(value)
        cell.data_type = "s"
    return cell


def _header(ws: Worksheet, labels: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    for j, label in enumerate(labels, 1):
        cell = _write(ws, 1, j, label)
        cell.font = Font(bold=True)
        cell.fill = _fill(_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fill_sheet(
    ws: Worksheet,
    keys: Sequence[str],
    rows: Sequence[Sequence[object]],
    head: Mapping[str, str],
    *,
    level_column: int | None = None,
    levels: Sequence[str] = (),
) -> None:
    """Header, rows, widths, wrapping, frozen header and autofilter; the level column coloured."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    _header(ws, [head[k] for k in keys])
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for i, values in enumerate(rows):
        for j, value in enumerate(values, 1):
            cell = _write(ws, i + 2, j, value)
            cell.alignment = wrap if keys[j - 1] in _WIDTH else top
            if keys[j - 1] == "source" and isinstance(value, str) and value.startswith("/"):
                cell.hyperlink = Path(value).as_uri()
        if level_column is not None and i < len(levels):
            _level_style(ws.cell(row=i + 2, column=level_column + 1), levels[i])
    for j, key in enumerate(keys, 1):
        longest = max([len(head[key]), *(len(str(r[j - 1] or "")) for r in rows[:200])])
        ws.column_dimensions[get_column_letter(j)].width = min(_WIDTH.get(key, 14), max(8, longest + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _table_sheet(ws: Worksheet, table: Comparison, lang: str) -> None:
    """Themes as rows (label, then id), regions as columns, each cell the level in words and its colour."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws.title = "table"
    head = _HEAD[lang]
    _header(ws, [head["theme"], head["theme_id"], *table.regions])
    for i, row in enumerate(table.rows, 2):
        _write(ws, i, 1, row.label)
        _write(ws, i, 2, row.theme_id)
        for j, region in enumerate(table.regions, 3):
            cell = row.cells.get(region)
            level = cell.level if cell else "cannot_assess"
            c = _write(ws, i, j, level_name(level, lang))
            _level_style(c, level)
            c.alignment = Alignment(horizontal="center", vertical="center")
    ws.column_dimensions["A"].width = min(40, max([10, *(len(r.label) + 2 for r in table.rows)]))
    ws.column_dimensions["B"].width = min(28, max([10, *(len(r.theme_id) + 2 for r in table.rows)]))
    for j, region in enumerate(table.regions, 3):
        ws.column_dimensions[get_column_letter(j)].width = max(16, min(26, len(region) + 2))
        ws.cell(row=1, column=j).alignment = Alignment(wrap_text=True, horizontal="center", vertical="top")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
