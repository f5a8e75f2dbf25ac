"""The web app end to end in headless Chromium (Playwright) against uvicorn on 127.0.0.1."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_fixtures import HOSTILE_TEXT, KALMAR, QUESTION, TOKEN, copy_store, live_server

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
from planmine.web import WebConfig, create_app  # noqa: E402  (after the skip: needs fastapi)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def server(seed_store, tmp_path_factory) -> Iterator[str]:
    store = copy_store(seed_store.conn, tmp_path_factory.mktemp("web-browser") / "planmine.db")
    with live_server(create_app(WebConfig(store=store, token=TOKEN))) as url:
        yield url


@pytest.fixture()
def browser_page(server: str) -> Iterator[tuple[Any, list[str], str]]:
    """A fresh page; `problems` collects dialogs, console errors and page errors."""
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        try:
            yield page, problems, server
        finally:
            browser.close()


def test_ask_see_kalmar_quote_and_open_its_page(browser_page):
    page, problems, url = browser_page
    page.goto(url + "/")
    page.fill("#q", QUESTION)
    page.click("form.ask button")
    row = page.locator(f'tr[data-region="{KALMAR}"]')
    row.wait_for()
    assert row.get_attribute("data-level") == "addressed"
    quote = row.locator("blockquote.quote").first
    assert "fall" in quote.inner_text().lower()
    assert quote.locator("mark").count() >= 1
    assert "läst som temat" in page.inner_text("#reading")
    link = quote.locator("a.doclink")
    href = link.get_attribute("href") or ""
    page_number = href.split("page=")[1].split("#")[0]
    link.click()
    page.wait_for_url(f"**/documents/*?page={page_number}*")
    target = page.locator(f"#page-{page_number}")
    assert "target" in (target.get_attribute("class") or "")
    assert target.is_visible()
    assert KALMAR in page.inner_text("dl.facts")
    assert not problems, problems


def test_filter_the_comparison_and_download_the_xlsx(browser_page):
    import openpyxl

    page, problems, url = browser_page
    page.goto(url + "/compare")
    page.select_option('select[name="region"]', [KALMAR, "Region Skåne"])
    page.select_option('select[name="theme"]', ["fallprevention", "sip"])
    page.click("#filters button")
    page.wait_for_url("**/compare?*")
    headers = page.locator("#compare thead th").all_inner_texts()
    assert headers[1:] == [KALMAR, "Region Skåne"]
    assert page.locator("#compare tbody tr").count() == 2
    cell = page.locator(f'tr[data-theme="fallprevention"] td[data-region="{KALMAR}"]')
    cell.locator("summary").click()
    assert cell.locator("blockquote").first.is_visible()
    with page.expect_download() as info:
        page.click("#download-xlsx")
    data = Path(info.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    shown = [
        book[name] for name in ("table", "cells", "evidence") if name in book.sheetnames
    ] or book.worksheets
    values = {str(c.value) for sheet in shown for row in sheet.iter_rows() for c in row}
    assert KALMAR in values and "Region Skåne" in values and "Region Värmland" not in values
    assert not problems, problems


def test_upload_with_the_token_is_listed_and_renders_inert(browser_page, tmp_path: Path):
    page, problems, url = browser_page
    hostile = tmp_path / "hostile <img src=x onerror=alert(3)>.txt"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    page.goto(url + "/upload")
    page.fill('input[name="token"]', TOKEN)
    page.fill('input[name="region"]', "Kalmar")
    page.set_input_files('input[name="files"]', str(hostile))
    page.click("#upload-form button")
    page.wait_for_url("**/upload?job=*")
    page.wait_for_selector('#job[data-state="done"]')
    status = page.inner_text("#job-files tbody tr td.status")
    assert status in ("ok", "partial"), page.inner_text("#job-files")
    page.goto(url + "/documents")
    row = page.locator("#documents tbody tr", has_text="hostile")
    assert row.count() == 1
    row.locator("a").first.click()
    page.wait_for_selector("section.page")
    assert "<script>" in page.inner_text("main")  # shown as text
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("main img").count() == 0
    assert not problems, problems
