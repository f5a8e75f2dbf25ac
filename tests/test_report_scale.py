"""The report at national size: it aggregates, stays under its byte cap and says what it left out."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from planmine.graph import DiscoveredTheme
from planmine.report import DocumentQuality, RegionSummary, render_report
from planmine.report.limits import REPORT_LIMITS, ReportLimits, shorten
from planmine.types import Comparison, ComparisonRow, Evidence, QueryAnswer, RegionEvidence
from scale_fixtures import HashEmbedder, corpus_sentences, synthetic_store

REGIONS = [f"Region {i:02}" for i in range(21)]


def national(themes: int = 60, quotes: int = 12, documents: int = 6000, discovered: int = 700) -> dict:
    """render_report's arguments for a corpus of every region: long quotes, thousands of documents."""
    sentences = corpus_sentences()
    text = lambda k: " ".join(sentences[(k + j) % len(sentences)] for j in range(4))  # noqa: E731
    names = [f"{REGIONS[d % 21]} plan {d:05}.pdf" for d in range(documents)]

    def evidence(k: int, region: str) -> Evidence:
        return Evidence(document=names[k % documents], page=k % 90 + 1, section="Äldre › Aktiviteter",
                        kind="activity", text=text(k), score=0.8, region=region)  # fmt: skip

    rows = [
        ComparisonRow(
            f"t{t}",
            f"Tema {t}",
            {
                r: RegionEvidence(
                    r, "addressed", 0.8, [evidence(t * 997 + i * 31 + j, r) for j in range(quotes)]
                )
                for i, r in enumerate(REGIONS)
            },
        )
        for t in range(themes)
    ]
    found = [
        DiscoveredTheme(
            id=f"D{i}",
            label=f"ord{i} · ord{i + 1}",
            terms=[f"ord{i}"],
            passage_ids=list(range(i % 40 + 2)),
            regions=REGIONS[: i % 20 + 2],
            closest_theme="t1",
            closest_cosine=0.4,
            candidate=i % 3 == 0,
            examples=[i, i + 1, i + 2],
        )
        for i in range(discovered)
    ]
    return {
        "comparison": Comparison(regions=REGIONS, rows=rows),
        "discovered": found,
        "passage_evidence": {i: evidence(i, REGIONS[i % 21]) for i in range(discovered + 2)},
        "answers": [
            QueryAnswer(f"Fråga {q}?", [rows[q].cells[r] for r in REGIONS]) for q in range(min(5, themes))
        ],
        "region_summaries": [
            RegionSummary(
                r, documents=[n for n in names if n.startswith(r)], goal_count=300, activity_count=900
            )
            for r in REGIONS
        ],
        "document_quality": [
            DocumentQuality(
                document=n,
                region=n[:9],
                pages=40,
                passages=170,
                warnings=["page 3: OCR confidence 41"] if d % 10 == 0 else [],
                title=f"Plan {d}",
                path=f"/data/plans/{n}",
            )
            for d, n in enumerate(names)
        ],
        "documents": {
            n: {"title": f"Plan {d}", "date": "2024-01-01", "path": f"/data/plans/{n}"}
            for d, n in enumerate(names)
        },
    }


@pytest.fixture(scope="module")
def big() -> dict:
    return national()


def test_a_national_report_stays_under_the_cap_and_says_what_it_left_out(big):
    html = render_report(**big)
    size = len(html.encode("utf-8"))
    assert size <= REPORT_LIMITS.max_bytes
    left = re.search(r'<section id="left-out">(.*?)</section>', html, re.S)
    assert left, "the report has no section on what it leaves out"
    said = left.group(1)
    # 60 themes x 21 regions x (12 - 3) cells' quotes plus 5 answers x 21 x 9 stay in the exports
    assert f"{(60 * 21 + 5 * 21) * 9} more quotes" in said or f"{(60 * 21 + 5 * 21) * 9} citat till" in said
    assert "200 största av 700" in said  # discovered themes
    assert "2000 av 6000 dokument" in said
    assert "planmine compare -o tabell.xlsx" in said  # where the full evidence is
    assert html.count('data-document="') == 2000
    assert html.count('data-discovered="') == 200
    # documents with warnings are kept first when the table is cut: all 600 of them are listed
    assert html.count("OCR confidence 41") == 600
    # every region card lists at most 40 documents and says how many more there are
    assert html.count('class="muted more-documents"') == 21


def test_the_uncapped_report_would_be_far_larger(big):
    """The cap is what keeps the file small: without the limits the same inputs give many times the bytes."""
    wide = ReportLimits(max_bytes=10**12, quotes_per_cell=12, discovered_themes=10**6, documents_per_region=10**6,
                        documents_listed=10**6, quote_chars=10**6)  # fmt: skip
    full = len(render_report(**big, limits=wide).encode("utf-8"))
    capped = len(render_report(**big).encode("utf-8"))
    assert full > 2 * capped


def test_a_report_over_its_cap_is_rendered_again_tighter_and_says_so(big):
    limits = replace(REPORT_LIMITS, max_bytes=3_000_000)
    html = render_report(**big, limits=limits)
    assert len(html.encode("utf-8")) <= 3_000_000
    assert "kortats för att hålla sig under 3 MB" in html
    # tighter steps show fewer quotes per cell than the default three
    cell = re.search(r'<td class="cell".*?</td>', html, re.S)
    assert cell and cell.group(0).count('<blockquote class="quote">') < 3


def test_a_small_report_leaves_nothing_out_and_still_names_the_exports():
    small = national(themes=3, quotes=2, documents=10, discovered=2)
    html = render_report(**small, lang="en")
    assert "The report shows everything that was found." in html
    assert "planmine compare -o table.xlsx" in html
    assert html.count('data-document="') == 10


def test_long_quotes_are_shortened_at_a_word_and_marked():
    text = "ord " * 500
    cut = shorten(text, 100)
    assert len(cut) <= 100 and cut.endswith("…") and not cut[:-1].endswith(" ")
    assert shorten("kort citat", 100) == "kort citat"


def test_above_the_size_the_report_skips_the_passage_graph_and_says_so(tmp_path, monkeypatch):
    from planmine.report import build

    store = synthetic_store(tmp_path / "s.db", documents=6, passages=5)
    monkeypatch.setattr(build, "REPORT_LIMITS", replace(REPORT_LIMITS, passage_graph_max=10))

    def no_fit(*args, **kwargs):
        raise AssertionError("the passage graph was fitted above the size")

    monkeypatch.setattr(build, "analyse", no_fit)
    html = build.build_report(store, HashEmbedder(), request=build.ReportRequest(themes=("sip",)))
    assert "Styckegrafen (upptäckta teman) togs inte fram: 30 stycken är fler än 10" in html
    assert "Inga teman upptäcktes" not in html  # not sought is not the same as none found
    store.close()
