"""The report of the seed corpus: built from an ingested store and opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report import CHROMIUM, opened_in_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_report(seed_store, tmp_path_factory) -> tuple[Path, int]:
    from planmine.report.build import analyse, build_report, load_cached_embedder

    folder = tmp_path_factory.mktemp("report")
    embedder = load_cached_embedder(seed_store)
    analysis = analyse(seed_store, embedder)
    html = build_report(seed_store, embedder, analysis=analysis)
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
    assert problems == []
