"""Unit tests of the pure cleaning steps and of page-level cleaning (no OCR repair involved)."""

from __future__ import annotations

from pathlib import Path

from planmine.clean import (
    clean_document,
    clean_text,
    dehyphenate,
    make_pipeline,
    normalize_bullets,
    normalize_unicode,
    normalize_whitespace,
    rebuild_paragraphs,
    remove_page_markers,
    strip_html,
    strip_markdown,
)
from planmine.types import Page, RawDocument

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_dehyphenation_joins_a_broken_word() -> None:
    assert dehyphenate("det hälso-\nfrämjande arbetet") == "det hälsofrämjande arbetet"


def test_dehyphenation_keeps_a_suspended_compound_part() -> None:
    assert dehyphenate("god hälso-\noch sjukvård") == "god hälso- och sjukvård"
    assert dehyphenate("vård-\neller omsorgsbehov") == "vård- eller omsorgsbehov"


def test_dehyphenation_keeps_hyphen_before_capital_or_digit() -> None:
    assert dehyphenate("Covid-\n19") == "Covid-19"
    assert dehyphenate("Region-\nÖrebro") == "Region-Örebro"


def test_bullets_become_list_items() -> None:
    text = (
        "Delmål:\no Stärka det arbetet\ne Starka insatser\n• Punkt\n* Stjärna\n– Tankstreck\n-Utan mellanrum"
    )
    out = normalize_bullets(text)
    lines = out.split("\n")
    assert lines[1:6] == ["- Stärka det arbetet", "- Starka insatser", "- Punkt", "- Stjärna", "- Tankstreck"]


def test_lowercase_o_and_e_words_are_not_bullets() -> None:
    assert normalize_bullets("o och e är bokstäver") == "o och e är bokstäver"


def test_html_in_kalmar_table_cells_is_removed_and_tabs_kept() -> None:
    line = "<p>Invånare ska bli lyssnade till.</p>\t<p>Samverkan med <i>brukare</i> &amp; anhöriga.</p> <p>Mer.</p>"
    out = strip_html(line)
    assert out == "Invånare ska bli lyssnade till.\tSamverkan med brukare & anhöriga. Mer."


def test_html_outside_tables_becomes_lines_and_list_items() -> None:
    out = strip_html("<p>Inledning</p><ul><li>Barn</li><li>Äldre</li></ul>")
    assert [ln for ln in out.split("\n") if ln.strip()] == ["Inledning", "- Barn", "- Äldre"]


def test_html_step_leaves_comparisons_and_ocr_ampersands_alone() -> None:
    text = "barn <5 år och &r en OCR-rest"
    assert strip_html(text) == text


def test_markdown_marks_and_links_are_removed() -> None:
    assert strip_markdown("- Östgöten**") == "- Östgöten"
    assert strip_markdown("**Gemensam** målbild") == "Gemensam målbild"
    assert strip_markdown('SOU 2021:34 ["Börja med barnen!"](#)') == 'SOU 2021:34 "Börja med barnen!"'
    assert strip_markdown("## Bakgrund") == "Bakgrund"


def test_page_markers_are_removed() -> None:
    text = "slutet av sidan.\n2 (51)\nNästa sida\nSida 3 av 12\n"
    assert "2 (51)" not in remove_page_markers(text)
    assert "Sida 3" not in remove_page_markers(text)
    assert "Nästa sida" in remove_page_markers(text)


def test_page_marker_inside_a_sentence_stays() -> None:
    assert remove_page_markers("se bilaga 2 (51) för detaljer") == "se bilaga 2 (51) för detaljer"


def test_unicode_ligatures_soft_hyphens_and_nfc() -> None:
    decomposed = "va\u0308rd"  # ä as a + combining diaeresis
    assert normalize_unicode(decomposed) == "värd"
    assert normalize_unicode("e\ufb03cient ﬁn\u00adans") == "efficient finans"


def test_hard_wrapped_lines_become_paragraphs() -> None:
    text = (
        "Den regionala utvecklingsstrategin pekar på tre utmaningar i länet inom området\n"
        "hälsofrämjande arbete och hälso- och sjukvård i hela länet.\n"
        "\n"
        "2. Utmaningar i länet\n"
        "Skillnaden i hälsa och levnadsvanor ökar mellan olika grupper i hela länet och\n"
        "det syns tydligt."
    )
    out = rebuild_paragraphs(text)
    paragraphs = out.split("\n\n")
    assert paragraphs[0].startswith("Den regionala") and paragraphs[0].endswith("hela länet.")
    assert "2. Utmaningar i länet" in paragraphs
    assert paragraphs[-1].endswith("det syns tydligt.")


def test_one_paragraph_per_line_text_gets_blank_lines() -> None:
    long = "Omställningen till god och nära vård innebär en förändring i hela välfärden och berör alla. " * 2
    out = rebuild_paragraphs(f"Förord\n{long}\n{long}")
    assert out.split("\n\n")[0] == "Förord"
    assert len(out.split("\n\n")) == 3


def test_table_rows_stay_one_per_line() -> None:
    text = "Målområde\tAktiviteter\nBarn får stöd.\tSammanställa\n\tUtveckla en struktur"
    assert rebuild_paragraphs(text) == text


def test_whitespace() -> None:
    assert normalize_whitespace("  a  b \n\n\n\nc\t d  ") == "a b\n\nc\t d"


def test_make_pipeline_composes_in_order() -> None:
    pipeline = make_pipeline(str.strip, str.upper)
    assert pipeline("  hej ") == "HEJ"
    assert "strip" in (pipeline.__doc__ or "")


def test_clean_text_logs_changes_with_step_and_reason() -> None:
    text, changes = clean_text("Det hälso-\nfrämjande arbetet.\n2 (51)\n", repair=False)
    assert "hälsofrämjande" in text and "2 (51)" not in text
    steps = {c.step for c in changes}
    assert {"dehyphenate", "remove_page_markers"} <= steps
    assert all(c.reason for c in changes)
    hyphen = next(c for c in changes if c.step == "dehyphenate")
    assert hyphen.before.startswith("hälso-") and hyphen.after == "hälsofrämjande"


def _pages(texts: list[str]) -> RawDocument:
    return RawDocument("x.txt", "txt", "0" * 64, [Page(number=i + 1, text=t) for i, t in enumerate(texts)])


def test_running_headers_and_footers_are_removed_and_pages_kept() -> None:
    body = [
        "Första sidans text om vård och omsorg.",
        "Andra sidan handlar om samverkan i länet.",
        "Tredje sidan om mobila team.",
        "Fjärde sidan om uppföljning.",
    ]
    texts = [f"Handlingsplan 2023–2024\n{b}\nRegion Kalmar län | sida {i + 1}" for i, b in enumerate(body)]
    doc = clean_document(_pages(texts), repair=False)
    assert len(doc.pages) == 4
    for page, b in zip(doc.pages, body, strict=True):
        assert page.text == b
        assert page.raw_text.startswith("Handlingsplan")
        assert any(c.step == "remove_running_lines" for c in page.changes)
        assert not page.repaired


def test_page_tables_get_cell_cleaning() -> None:
    raw = _pages(["Text på sidan om vård."])
    raw.pages[0].tables = [[["<p>Mål</p>", "Aktivitet &amp;  <i>plan</i>"]]]
    doc = clean_document(raw, repair=False)
    assert doc.pages[0].tables == [[["Mål", "Aktivitet & plan"]]]


def test_kalmar_plan_keeps_tab_rows_without_html() -> None:
    raw = (CORPUS / "kalmar_handlingsplaner-lansgemensam-ledning_2023-2024.txt").read_text(encoding="utf-8")
    text, _ = clean_text(raw, repair=False)
    rows = [ln for ln in text.split("\n") if "\t" in ln]
    assert len(rows) > 100
    assert not any("<p>" in ln or "<i>" in ln or "<ul" in ln for ln in text.split("\n"))
    assert "Stödja projektet Digital ungdomsmottagning i länet." in text


def test_ostergotland_stars_are_gone() -> None:
    raw = (CORPUS / "ostergotland_malbild-nara-vard-2030.txt").read_text(encoding="utf-8")
    text, _ = clean_text(raw, repair=False)
    assert "**" not in text
    assert "- Östgöten\n" in text
