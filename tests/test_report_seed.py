"""The report of the seed corpus: built from an ingested store and opened in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_report(corpus_dir, tmp_path_factory) -> tuple[Path, int]:
    from planmine.pipeline import ingest_paths
    from planmine.report.build import analyse, build_report, load_cached_embedder
    from planmine.store import Store

    folder = tmp_path_factory.mktemp("report")
    with Store(folder / "seed.db") as store:
        ingest_paths([corpus_dir], store)
        embedder = load_cached_embedder(store)
        analysis = analyse(store, embedder)
        html = build_report(store, embedder, analysis=analysis)
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
    sync_api = pytest.importorskip("playwright.sync_api")
    path, rows = seed_report
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(path.as_uri())
            assert page.locator("#comparison tbody tr").count() == rows
            cell = page.locator('#comparison tr[data-theme="sip"] td.cell details.evidence').first
            quote = cell.locator("blockquote.quote").first
            assert not quote.is_visible()
            cell.locator("summary").click()
            assert quote.is_visible() and quote.inner_text().strip()
            widths = page.locator("img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) == 2 and min(widths) > 0
        finally:
            browser.close()
    assert problems == []
