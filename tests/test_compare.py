"""compare() and gaps(); every export format parses back with the same cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planmine.compare import compare, gaps
from planmine.compare_export import cell_text, export, to_csv, to_html, to_json, to_markdown, write_xlsx
from planmine.themes.memstore import MemoryStore
from planmine.types import Comparison

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def table() -> Comparison:
    store = MemoryStore.from_files(sorted(CORPUS.glob("*.txt")))
    return compare(store, None, ["sip", "fallprevention", "patientkontrakt", "nutrition"])


def expected(table: Comparison) -> list[list[str]]:
    return [[row.theme_id, *(cell_text(row.cells[r]) for r in table.regions)] for row in table.rows]


def test_table_shape(table: Comparison) -> None:
    assert len(table.regions) == 5
    assert [r.theme_id for r in table.rows] == ["sip", "fallprevention", "patientkontrakt", "nutrition"]
    fall = table.rows[1].cells
    assert fall["Region Kalmar län"].level == "addressed"
    assert fall["Region Östergötland"].level == "not_found"


def test_csv_round_trip(table: Comparison) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == ["theme", *table.regions]
    assert rows[1:] == expected(table)


def test_markdown_round_trip(table: Comparison) -> None:
    lines = to_markdown(table).strip().splitlines()
    parsed = [[c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")] for line in lines[2:]]
    assert parsed == expected(table)


def test_json_round_trip(table: Comparison) -> None:
    data = json.loads(to_json(table))
    assert data["regions"] == table.regions
    for row, rec in zip(table.rows, data["rows"], strict=True):
        for region in table.regions:
            assert rec["cells"][region]["level"] == row.cells[region].level
            assert len(rec["cells"][region]["evidence"]) == len(row.cells[region].evidence)


def test_html_round_trip(table: Comparison) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(to_html(table), "html.parser")
    body = soup.find("tbody").find_all("tr")
    for row, tr in zip(table.rows, body, strict=True):
        assert tr.th["data-theme"] == row.theme_id
        levels = [td["data-level"] for td in tr.find_all("td")]
        assert levels == [row.cells[r].level for r in table.regions]


def test_xlsx_round_trip(table: Comparison, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    write_xlsx(table, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["table", "evidence"]
    rows = [[c or "" for c in r] for r in wb["table"].iter_rows(values_only=True)]
    assert rows[1:] == expected(table)
    n_evidence = sum(len(row.cells[r].evidence) for row in table.rows for r in table.regions)
    assert wb["evidence"].max_row == n_evidence + 1


def test_export_rejects_unknown_format(table: Comparison) -> None:
    from planmine.errors import UsageError

    with pytest.raises(UsageError, match="Allowed"):
        export(table, "pdf")


def test_gaps_lists_themes_others_address() -> None:
    store = MemoryStore.from_files(sorted(CORPUS.glob("*.txt")))
    found = gaps(store, None, "östergötland")
    ids = {g.theme_id for g in found}
    assert "fast_vardkontakt" in ids  # Kalmar, Skåne, Värmland, Örebro address it; Östergötland does not
    assert all(len(g.addressed_by) >= 2 for g in found)
