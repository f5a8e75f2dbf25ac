"""The heatmap and the self-contained HTML report: escaping, no network, structure, and a real browser."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from planmine.errors import UsageError
from planmine.graph import DiscoveredTheme
from planmine.report import DocumentQuality, RegionSummary, heatmap_bytes, plot_heatmap, render_report
from planmine.report.html import REPORT_SCRIPT, script_hash
from planmine.types import Comparison, ComparisonRow, Evidence, QueryAnswer, RegionEvidence

REGIONS = ["Region Kalmar län", "Region Skåne", "Region Värmland"]
SOURCE = next((Path(__file__).resolve().parent.parent / "corpus").glob("kalmar_*.txt"))
DOCUMENTS = {
    f"{REGIONS[0]} plan.pdf": {
        "title": "Handlingsplan för nära vård <i>", "date": "2023-05-10", "type": "handlingsplan",
        "path": str(SOURCE),
    }
}  # fmt: skip
HOSTILE = 'Fallprevention <script>window.pwned = 1</script> & <img src=x onerror="window.pwned=2"> "citat"'


def _evidence(text: str, region: str, page: int = 3) -> Evidence:
    return Evidence(
        document=f"{region} plan.pdf", page=page, section="Äldre › Aktiviteter", kind="activity", text=text,
        score=0.81, region=region, why="term 'fallprevention'",
    )  # fmt: skip


def make_comparison() -> Comparison:
    fall = {
        REGIONS[0]: RegionEvidence(
            REGIONS[0], "addressed", 0.81, [_evidence(HOSTILE, REGIONS[0])], "2 activities"
        ),
        REGIONS[1]: RegionEvidence(
            REGIONS[1], "mentioned", 0.55, [_evidence("Balansträning för äldre.", REGIONS[1])]
        ),
        REGIONS[2]: RegionEvidence(REGIONS[2], "not_found", 0.1, [], "no passage above the threshold"),
    }
    sip = {
        REGIONS[0]: RegionEvidence(
            REGIONS[0], "addressed", 0.9, [_evidence("SIP ska upprättas.", REGIONS[0], 5)]
        ),
        REGIONS[1]: RegionEvidence(REGIONS[1], "cannot_assess", 0.0, [], "document unreadable"),
    }
    mobile = {r: RegionEvidence(r, "not_found", 0.0) for r in REGIONS}
    return Comparison(
        regions=list(REGIONS),
        rows=[
            ComparisonRow("fallprevention", "Fallprevention", fall),
            ComparisonRow("sip", "SIP <b>samordnad</b> plan", sip),
            ComparisonRow("mobile_care", "Mobil vård", mobile),
        ],
    )


def make_report(lang: str = "sv") -> str:
    discovered = [
        DiscoveredTheme(
            id="D1", label="drönare · leverans", terms=["drönare", "leverans"], passage_ids=[1, 2],
            regions=REGIONS[:2], closest_theme="mobile_care", closest_cosine=0.41, candidate=True, examples=[1, 2],
        )
    ]  # fmt: skip
    return render_report(
        make_comparison(),
        discovered=discovered,
        passage_evidence={
            1: _evidence("Drönare <script>x()</script> levererar", REGIONS[0]),
            2: _evidence("Drönare", REGIONS[1]),
        },
        answers=[
            QueryAnswer(
                "Vilka regioner arbetar med fallprevention?", list(make_comparison().rows[0].cells.values())
            )
        ],
        heatmap_png=heatmap_bytes(make_comparison()),
        graph_png=heatmap_bytes(make_comparison()),
        region_summaries=[
            RegionSummary(
                REGIONS[0],
                ["plan.pdf"],
                [_evidence("Mål <script>", REGIONS[0])],
                [],
                [("kommunerna", 4)],
                1,
                0,
            )
        ],
        document_quality=[
            DocumentQuality("plan <script>.pdf", REGIONS[0], 10, 2, 14, 120, ["OCR <script> page 3"])
        ],
        generated_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        documents=DOCUMENTS,
        lang=lang,
        selection=["teman: fallprevention, sip"],
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def report_html() -> str:
    return make_report()


def test_document_text_is_escaped(report_html):
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in report_html
    assert "&lt;img src=x onerror=" in report_html
    assert "SIP &lt;b&gt;samordnad&lt;/b&gt; plan" in report_html
    parsed = _Collector()
    parsed.feed(report_html)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert parsed.scripts == [REPORT_SCRIPT]
    assert not [a for t, a in parsed.tags if t == "img" and a.get("src") == "x"]


def test_report_is_self_contained(report_html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", report_html, re.I)
    assert "@import" not in report_html and "url(" not in report_html
    parsed = _Collector()
    parsed.feed(report_html)
    images = [a["src"] or "" for t, a in parsed.tags if t == "img"]
    assert len(images) == 2 and all(src.startswith("data:image/png;base64,") for src in images)
    csp = next(
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in (csp or "") and script_hash(REPORT_SCRIPT) in (csp or "")


def test_report_has_a_row_per_theme_and_cells_with_quotes(report_html):
    body = report_html.split('<table id="comparison">')[1].split("</table>")[0]
    assert body.count("<tr data-theme=") == 3
    assert body.count('<td class="cell"') == 9
    assert body.count('<details class="evidence">') == 3  # only cells that have evidence expand
    # the quote names its document by title (escaped), its date and page, and links to the source file
    assert "Handlingsplan för nära vård &lt;i&gt;</a>" in body and "2023-05-10 · s. 3" in body
    assert f'href="{SOURCE.as_uri()}"' in body


def test_report_speaks_swedish_by_default_and_english_on_request(report_html):
    assert '<html lang="sv">' in report_html
    for words in ("Teman i regionernas planer", "arbetar med", "nämns", "hittades inte", "kan inte bedömas",
                  "Frågor", "Urval: teman: fallprevention, sip", "nytt tema"):  # fmt: skip
        assert words in report_html, words
    assert "cosine" not in report_html and "addressed" not in report_html.split("<body>")[1].replace(
        "level-addressed", ""
    ).replace('data-level="addressed"', "")
    english = make_report("en")
    assert '<html lang="en">' in english
    assert "Themes in the regions&#39; plans" in english and "not found" in english and "p. 3" in english
    with pytest.raises(UsageError, match="Allowed: sv, en"):
        make_report("de")


def test_report_sections(report_html):
    for section in ("table", "heatmap", "map", "discovered", "questions", "regions", "quality"):
        assert f'<section id="{section}">' in report_html
    assert "kommunerna (4)" in report_html
    assert "plan &lt;script&gt;.pdf" in report_html and "OCR &lt;script&gt; page 3" in report_html
    assert "2024-01-02 03:04 UTC" in report_html


def test_heatmap_png_svg_and_bad_suffix(tmp_path: Path):
    comparison = make_comparison()
    png = plot_heatmap(comparison, tmp_path / "heatmap.png").read_bytes()
    svg = plot_heatmap(comparison, tmp_path / "heatmap.svg").read_text(encoding="utf-8")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg and "Fallprevention" in svg and "not found" in svg  # labels and legend as text
    assert heatmap_bytes(comparison, fmt="svg") == heatmap_bytes(comparison, fmt="svg")
    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        plot_heatmap(comparison, tmp_path / "heatmap.gif")


def test_heatmap_colours_follow_the_levels():
    from planmine.report.plots import LEVEL_COLOURS, heatmap_figure

    fig = heatmap_figure(make_comparison())
    image = fig.axes[0].images[0]
    rgba = image.cmap(image.norm(image.get_array()))
    import matplotlib.colors as mcolors

    assert mcolors.to_hex(rgba[0, 0]) == LEVEL_COLOURS["addressed"]
    assert mcolors.to_hex(rgba[0, 1]) == LEVEL_COLOURS["mentioned"]
    assert mcolors.to_hex(rgba[1, 2]) == LEVEL_COLOURS["cannot_assess"]  # missing cell
    assert mcolors.to_hex(rgba[2, 0]) == LEVEL_COLOURS["not_found"]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextlib.contextmanager
def opened_in_chromium(path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The report open in headless Chromium: (page, console errors and warnings, requested URLs)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            yield page, problems, requests
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_report_in_headless_chromium(report_html, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(report_html, encoding="utf-8")
    with opened_in_chromium(path) as (page, problems, requests):
        assert page.locator("#comparison tbody tr").count() == 3
        assert page.evaluate("window.pwned") is None  # the hostile quote never ran
        cell = page.locator('#comparison tr[data-theme="fallprevention"] td[data-region="Region Kalmar län"]')
        quote = cell.locator("blockquote.quote").first
        assert not quote.is_visible()
        cell.locator("summary").click()
        assert quote.is_visible()
        assert "<script>window.pwned = 1</script>" in quote.inner_text()
        page.locator('button[data-toggle-all="open"]').click()  # the inline script runs under the CSP
        assert page.locator("details.evidence[open]").count() == page.locator("details.evidence").count()
        assert page.locator("#heatmap img").evaluate("img => img.naturalWidth") > 0
        assert (
            page.locator("#questions h3").first.inner_text() == "Vilka regioner arbetar med fallprevention?"
        )
        assert page.locator("#comparison thead th").first.inner_text() == "Tema"
        link = page.locator("#questions a.source").first
        assert link.get_attribute("href") == SOURCE.as_uri()
        link.click()
        page.wait_for_load_state("load")
        assert page.url == SOURCE.as_uri()  # the link opens the source file
        assert "Kalmar" in page.locator("body").inner_text()
    assert problems == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


def test_region_map_links_regions_by_shared_themes_rarest_first():
    from planmine.report.region_map import RegionMapConfig, region_links, region_map_png, short_label

    def cell(region: str, level: str) -> RegionEvidence:
        return RegionEvidence(region, level, 0.5)  # type: ignore[arg-type]

    a, b, c, d = "Region A", "Region B", "Region C", "Region D"
    levels = {  # theme → regions that address it
        "common": {a, b, c},
        "rare": {a, b},
        "other": {d},
    }
    rows = [
        ComparisonRow(
            t, t.capitalize(), {r: cell(r, "addressed" if r in who else "not_found") for r in (a, b, c, d)}
        )
        for t, who in levels.items()
    ]
    table = Comparison([a, b, c, d], rows)
    links = region_links(table)
    assert (links[0].a, links[0].b, links[0].shared) == (a, b, ("Rare", "Common"))  # rarest shared first
    assert not [link for link in links if d in (link.a, link.b)]  # D shares nothing
    assert all(link.overlap >= RegionMapConfig().min_overlap for link in links)
    assert region_map_png(table)[:8] == b"\x89PNG\r\n\x1a\n"
    assert short_label("Samordnad individuell plan (SIP)") == "SIP"
    assert short_label("Läkemedelsgenomgångar och läkemedelssäkerhet") == "Läkemedelsgenomgångar o…"
