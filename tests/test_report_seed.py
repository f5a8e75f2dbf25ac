"""The report of the seed corpus: built from an ingested store and opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report import CHROMIUM, opened_in_chromium

pytestmark = pytest.mark.slow
QUESTION = "Vilka regioner arbetar med fallprevention?"


@pytest.fixture(scope="module")
def seed_report(seed_store, tmp_path_factory) -> tuple[Path, int]:
    from planmine.report.build import ReportRequest, analyse, build_report, load_cached_embedder

    folder = tmp_path_factory.mktemp("report")
    embedder = load_cached_embedder(seed_store)
    analysis = analyse(seed_store, embedder)
    request = ReportRequest(questions=(QUESTION,))
    html = build_report(seed_store, embedder, analysis=analysis, request=request)
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, len(analysis.comparison.rows)


def test_seed_report_sections_and_escaping(seed_report):
    path, rows = seed_report
    html = path.read_text(encoding="utf-8")
    assert html.count("<tr data-theme=") == rows >= 30
    assert html.count("<script") == 1
    for region in (
        "Region Kalmar län",
        "Region Skåne",
        "Region Värmland",
        "Region Örebro län",
        "Region Östergötland",
    ):
        assert f'data-region="{region}"' in html
    assert 'data-discovered="D1"' in html
    assert f"<h3>{QUESTION}</h3>" in html and "Teman i regionernas planer" in html
    assert "2023–2024" in html  # Kalmar's plan shows its period
    kalmar = next(Path(__file__).resolve().parent.parent.joinpath("corpus").glob("kalmar_*.txt"))
    assert f'href="{kalmar.resolve().as_uri()}"' in html
    assert len(html) < 1_500_000  # bounded: best quotes only, full evidence in the exports


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_seed_report_in_headless_chromium(seed_report):
    path, rows = seed_report
    with opened_in_chromium(path) as (page, problems, _requests):
        assert page.locator("#comparison tbody tr").count() == rows
        cell = page.locator('#comparison tr[data-theme="sip"] td.cell details.evidence').first
        quote = cell.locator("blockquote.quote").first
        assert not quote.is_visible()
        cell.locator("summary").click()
        assert quote.is_visible() and quote.inner_text().strip()
        widths = page.locator("img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) == 2 and min(widths) > 0
        kalmar = page.locator('#questions tr[data-region="Region Kalmar län"]')
        assert "arbetar med" in kalmar.inner_text()
        link = kalmar.locator("a.source").first
        href = link.get_attribute("href") or ""
        link.click()
        page.wait_for_load_state("load")
        assert page.url == href and "Kalmar" in page.locator("body").inner_text()
    assert problems == []
