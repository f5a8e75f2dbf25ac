"""Exports a decision maker can use: tidy csv/json, Markdown, a styled xlsx, formula-safe cells, format rules."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planmine.compare_export import (
    TIDY_COLUMNS,
    _safe_text,
    export,
    render_table,
    resolve_format,
    to_csv,
    to_json,
    to_markdown,
    write_xlsx,
)
from planmine.errors import UsageError
from planmine.levels import STYLES
from planmine.types import Comparison, ComparisonRow, Evidence, RegionEvidence

REGIONS = ["Region Kalmar län", "Region Skåne", "Region Värmland"]
FORMULAS = ['=HYPERLINK("http://x","klicka")', "+1+2", "-2+3", "@SUM(A1)", "\tflik", "\rcr"]
DOCS = {
    "kalmar.pdf": {"title": "Handlingsplan 2023", "date": "2023-04-01", "path": "/data/kalmar.pdf", "id": 1,
                   "region": REGIONS[0], "type": "handlingsplan", "name": "kalmar.pdf"},
}  # fmt: skip


def _ev(text: str, document: str = "kalmar.pdf", page: int = 4) -> Evidence:
    return Evidence(document, page, "Äldre", "activity", text, 0.8, REGIONS[0], "term")


def make_table() -> Comparison:
    fall = {
        REGIONS[0]: RegionEvidence(REGIONS[0], "addressed", 0.8, [_ev("Fallprevention för äldre."), _ev(FORMULAS[0])]),
        REGIONS[1]: RegionEvidence(REGIONS[1], "mentioned", 0.4, [_ev(FORMULAS[3], "skane.docx", 2)]),
        REGIONS[2]: RegionEvidence(REGIONS[2], "not_found", 0.0),
    }  # fmt: skip
    sip = {r: RegionEvidence(r, "cannot_assess", 0.0) for r in REGIONS}
    sip[REGIONS[0]] = RegionEvidence(REGIONS[0], "no_documents", 0.0)
    return Comparison(
        list(REGIONS),
        [ComparisonRow("fallprevention", "Fallprevention", fall), ComparisonRow("sip", "=SIP", sip)],
    )


@pytest.mark.parametrize("text", FORMULAS)
def test_safe_text_neutralises_formula_starts(text: str) -> None:
    assert _safe_text(text) == "'" + text
    assert _safe_text("Fall " + text) == "Fall " + text  # only a leading character is dangerous
    assert _safe_text(None) == ""


def test_csv_is_tidy_and_formula_safe() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(make_table(), DOCS))))
    assert tuple(rows[0]) == TIDY_COLUMNS
    assert len(rows) == 2 * len(REGIONS)  # one row per region × theme
    kalmar = rows[0]
    assert (kalmar["theme"], kalmar["label"], kalmar["region"], kalmar["level"]) == (
        "fallprevention", "Fallprevention", REGIONS[0], "addressed",
    )  # fmt: skip
    assert kalmar["passages"] == "2" and kalmar["page"] == "4" and kalmar["title"] == "Handlingsplan 2023"
    assert kalmar["level_name"] == "arbetar med" and kalmar["source"] == "/data/kalmar.pdf"
    skane = rows[1]
    assert skane["quote"] == "'" + FORMULAS[3]  # document text beginning with @ is neutralised
    assert rows[3]["label"] == "'=SIP"  # so is a label from a user's taxonomy file
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_json_is_tidy_and_keeps_the_nested_rows() -> None:
    data = json.loads(to_json(make_table(), DOCS))
    assert data["regions"] == REGIONS
    assert [t["theme"] for t in data["themes"]] == ["fallprevention", "sip"]
    assert data["levels"]["not_found"] == {"sv": "hittades inte", "en": "not found"}
    cells = data["cells"]
    assert len(cells) == 6 and tuple(cells[0]) == TIDY_COLUMNS
    assert cells[0]["title"] == "Handlingsplan 2023" and cells[0]["passages"] == 2
    kalmar = data["rows"][0]["cells"][REGIONS[0]]  # the nested shape, with every quote
    assert kalmar["level"] == "addressed"
    assert [e["text"] for e in kalmar["evidence"]] == ["Fallprevention för äldre.", FORMULAS[0]]


def test_markdown_reads_as_words_with_a_section_per_theme() -> None:
    md = to_markdown(make_table(), DOCS)
    assert "| Fallprevention | arbetar med | nämns | hittades inte |" in md
    assert "## Fallprevention (`fallprevention`)" in md
    assert (
        "| Region Kalmar län | arbetar med | 2 | “Fallprevention för äldre.” | Handlingsplan 2023 | 4 |" in md
    )
    assert "inga dokument" in md
    assert "| Fallprevention | addressed | mentioned | not found |" in to_markdown(make_table(), lang="en")


def test_xlsx_has_labels_sheets_styles_and_no_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(make_table(), tmp_path / "out" / "t.xlsx", DOCS)
    wb = load_workbook(path)
    assert wb.sheetnames == ["table", "cells", "evidence", "documents", "legend"]
    table = wb["table"]
    assert [c.value for c in table[1]] == ["Tema", "Tema-id", *REGIONS]
    assert table["A2"].value == "Fallprevention" and table["B2"].value == "fallprevention"
    assert table["C2"].value == "arbetar med" and table["E2"].value == "hittades inte"
    assert table["C2"].fill.fgColor.rgb.endswith(STYLES["addressed"].fill.lstrip("#").upper())
    assert table["D2"].fill.fgColor.rgb.endswith(STYLES["mentioned"].fill.lstrip("#").upper())
    assert table["E2"].fill.fgColor.rgb.endswith(STYLES["not_found"].fill.lstrip("#").upper())
    assert table.freeze_panes == "C2" and table.auto_filter.ref == "A1:E3"
    assert table.column_dimensions["A"].width >= len("Fallprevention")
    evidence = wb["evidence"]
    head = [c.value for c in evidence[1]]
    assert {"Dokument", "Datum", "Sida", "Citat", "Källa"} <= set(head)
    first = dict(zip(head, [c.value for c in evidence[2]], strict=True))
    assert first["Dokument"] == "Handlingsplan 2023" and first["Datum"] == "2023-04-01" and first["Sida"] == 4
    assert first["Källa"] == "/data/kalmar.pdf" and evidence.cell(2, head.index("Källa") + 1).hyperlink
    assert evidence.freeze_panes == "A2" and evidence.auto_filter.ref
    assert evidence.cell(2, head.index("Citat") + 1).alignment.wrap_text
    assert evidence.max_row == 1 + 3  # three quotes in all
    legend = wb["legend"]
    assert [legend.cell(r, 2).value for r in range(2, 7)] == list(STYLES)
    assert legend["A2"].fill.fgColor.rgb.endswith(STYLES["addressed"].fill.lstrip("#").upper())
    docs = wb["documents"]
    assert docs["C2"].value == "Handlingsplan 2023"
    for ws in wb.worksheets:  # no cell is a formula, whatever the documents contained
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    quotes = [c.value for row in wb["evidence"].iter_rows() for c in row]
    assert "'" + FORMULAS[0] in quotes


def test_format_follows_the_suffix_and_a_mismatch_is_an_error() -> None:
    assert resolve_format(None, Path("x.xlsx")) == "xlsx"
    assert resolve_format(None, Path("x.CSV")) == "csv"
    assert resolve_format(None, None) == "table"
    assert resolve_format("json", None) == "json"
    assert resolve_format("xlsx", Path("x.xlsx")) == "xlsx"
    with pytest.raises(UsageError, match="does not match"):
        resolve_format("md", Path("x.xlsx"))
    with pytest.raises(UsageError, match="suffix"):
        resolve_format(None, Path("x.pdf"))
    with pytest.raises(UsageError, match="Allowed"):
        resolve_format("pdf", None)
    with pytest.raises(UsageError, match="needs an output file"):
        export(make_table(), "xlsx")


def _rendered(width: int) -> list[str]:
    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(render_table(make_table(), width=width))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_terminal_table_fits_80_columns_without_letter_wrapping() -> None:
    lines = _rendered(80)
    assert max(len(line) for line in lines) <= 80
    assert any("Fallprevention" in line for line in lines)
    assert any("Kalmar län" in line and "Skåne" in line for line in lines)  # three regions fit: a grid
    assert any("addressed (2)" in line for line in lines)
    narrow = _rendered(50)  # too narrow for the grid: one block per theme, a line per region
    assert max(len(line) for line in narrow) <= 50
    assert any(line.startswith("  Region Kalmar län") and "addressed" in line for line in narrow)
    assert not any(len(line.strip()) == 1 for line in narrow)  # nothing wrapped letter by letter
