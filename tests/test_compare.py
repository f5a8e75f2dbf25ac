"""compare() and gaps(); every export format parses back with the same cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planmine.compare import compare, gaps
from planmine.compare_export import export, to_csv, to_html, to_json, to_markdown, write_xlsx
from planmine.embed import Embedder
from planmine.store import Store
from planmine.types import Comparison


@pytest.fixture(scope="module")
def table(seed_store: Store, embedder: Embedder) -> Comparison:
    return compare(seed_store, embedder, ["sip", "fallprevention", "patientkontrakt", "nutrition"])


def test_table_shape(table: Comparison) -> None:
    assert len(table.regions) == 5
    assert [r.theme_id for r in table.rows] == ["sip", "fallprevention", "patientkontrakt", "nutrition"]
    fall = table.rows[1].cells
    assert fall["Region Kalmar län"].level == "addressed"
    assert fall["Region Östergötland"].level == "not_found"


def expected(table: Comparison) -> list[tuple[str, str, str, int]]:
    return [
        (row.theme_id, region, row.cells[region].level, len(row.cells[region].evidence))
        for row in table.rows
        for region in table.regions
    ]


def test_csv_round_trip(table: Comparison) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert [(r["theme"], r["region"], r["level"], int(r["passages"])) for r in rows] == expected(table)


def test_markdown_names_every_level_in_words(table: Comparison) -> None:
    from planmine.levels import level_name

    md = to_markdown(table)
    for row in table.rows:
        line = next(line for line in md.splitlines() if line.startswith(f"| {row.label} |"))
        words = [row.label, *(level_name(row.cells[r].level) for r in table.regions)]
        assert line == "| " + " | ".join(words) + " |"


def test_json_round_trip(table: Comparison) -> None:
    data = json.loads(to_json(table))
    assert data["regions"] == table.regions
    cells = [(c["theme"], c["region"], c["level"], c["passages"]) for c in data["cells"]]
    assert cells == expected(table)
    for row, rec in zip(table.rows, data["rows"], strict=True):
        for region in table.regions:
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
    assert wb.sheetnames == ["table", "cells", "evidence", "documents", "legend"]
    rows = list(wb["cells"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[4], r[6]) for r in rows] == expected(table)
    labels = [r[0] for r in wb["table"].iter_rows(min_row=2, max_col=1, values_only=True)]
    assert labels == [row.label for row in table.rows]
    n_evidence = sum(len(row.cells[r].evidence) for row in table.rows for r in table.regions)
    assert wb["evidence"].max_row == n_evidence + 1


def test_export_rejects_unknown_format(table: Comparison) -> None:
    from planmine.errors import UsageError

    with pytest.raises(UsageError, match="Allowed"):
        export(table, "pdf")


def test_gaps_lists_themes_others_address(seed_store: Store, embedder: Embedder) -> None:
    found = gaps(seed_store, embedder, "östergötland")
    ids = {g.theme_id for g in found}
    assert "fast_vardkontakt" in ids  # Kalmar, Skåne, Värmland, Örebro address it; Östergötland does not
    assert all(len(g.addressed_by) >= 2 for g in found)
