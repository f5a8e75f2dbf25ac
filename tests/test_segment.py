"""Segmentation of the seed corpus: sections, passage kinds, offsets, tables, table-of-contents lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from planmine.segment import is_toc_line, segment, split_cells
from planmine.tag.corpus import corpus_files, minimal_clean_document
from planmine.types import CleanDocument, CleanPage, Page, RawDocument

ROOT = Path(__file__).resolve().parents[1]
CORPUS = corpus_files(ROOT / "corpus")


def _doc(*pages: str, tables: list[list[list[str]]] | None = None) -> CleanDocument:
    raw = RawDocument(
        path="x.txt", format="txt", sha256="0", pages=[Page(i + 1, t) for i, t in enumerate(pages)]
    )
    clean = [CleanPage(number=i + 1, text=t, raw_text=t) for i, t in enumerate(pages)]
    if tables:
        clean[0].tables = tables
    return CleanDocument(raw=raw, pages=clean)


def _passages(prefix: str):
    path = next(p for p in CORPUS if p.name.startswith(prefix))
    doc = minimal_clean_document(path)
    return doc, segment(doc, 7)


def test_corpus_has_five_plans() -> None:
    assert len(CORPUS) == 5


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name.split("_")[0])
def test_offsets_point_into_the_page_text(path: Path) -> None:
    doc = minimal_clean_document(path)
    passages = segment(doc, 3)
    assert len(passages) > 50
    assert [p.index for p in passages] == list(range(len(passages)))
    for p in passages:
        assert p.document_id == 3
        assert doc.pages[p.page - 1].text[p.start : p.end] == p.text
        assert p.text.strip() and (p.kind == "table_row" or p.text.strip() == p.text)
        assert p.kind in ("heading", "paragraph", "list_item", "table_row")


def test_table_of_contents_lines_are_not_passages() -> None:
    _, passages = _passages("kalmar")
    assert is_toc_line("Äldre\t14") and is_toc_line("Aktiviteter Äldre.....\t15")
    assert not is_toc_line("Fast läkarkontakt\tCosmic")
    texts = {p.text for p in passages}
    assert "Äldre\t14" not in texts and "Aktiviteter Äldre.....\t15" not in texts
    assert not any(is_toc_line(p.text) for p in passages)


def test_kalmar_sections_and_tables() -> None:
    _, passages = _passages("kalmar")
    sections = {p.section_path for p in passages}
    assert "Äldre › Aktiviteter Äldre" in sections
    assert "Psykisk hälsa › Aktiviteter Psykisk hälsa" in sections
    rows = [p for p in passages if p.kind == "table_row"]
    headers = [
        r for r in rows if r.cells[:2] in (("Målområde", "Aktiviteter"), ("Målområden", "Aktiviteter"))
    ]
    assert len(headers) == 36
    continuation = [r for r in rows if r.cells[0] == "" and len(r.cells) == 2]
    assert len(continuation) >= 55
    assert all("<p>" not in c for r in rows for c in r.cells)
    suicide = next(r for r in rows if r.cells[0].startswith("Antalet suicid"))
    assert suicide.cells[0] == "Antalet suicid bland invånare i länet ska minska"


def test_orebro_numbered_headings_and_ocr_bullets() -> None:
    _, passages = _passages("orebro")
    sections = {p.section_path for p in passages}
    assert "6. Prioriterat insatsomrade › 6.1 Delmal 1" in sections
    assert "3. Effektmal och 6nskvart lage 2030 › 3.1 Genomsyrande perspektiv › 3.1.1 Delaktighet" in sections
    items = [p.text for p in passages if p.kind == "list_item"]
    assert "Stdrka det héalsoframjande och sjukdomsfdrebyggande arbetet" in items  # bullet 'o' removed
    assert "Starka processer for att undvika vardskador" in items  # bullet 'e' removed
    # hard-wrapped lines are joined into one paragraph
    para = next(p for p in passages if p.text.startswith("Utgangspunkten for denna handlingsplan"))
    assert para.text.endswith("omsorg.") and para.text.count("\n") == 5


def test_varmland_one_paragraph_per_line_and_appendix() -> None:
    _, passages = _passages("varmland")
    headings = [p.text for p in passages if p.kind == "heading"]
    assert {"Förord", "Sammanfattning", "Bilaga 1. Exempel inom respektive utvecklingsområde"} <= set(
        headings
    )
    hemmonitorering = next(p for p in passages if p.text == "Hemmonitorering")
    assert hemmonitorering.kind == "list_item"
    assert hemmonitorering.section == (
        "Bilaga 1. Exempel inom respektive utvecklingsområde",
        "4. Digitala verktyg och välfärdsteknik",
    )
    broken = next(p for p in passages if p.text.startswith("Gör invånare mer delaktiga"))
    assert broken.text.endswith("omsorg.")  # '- ... vård och' + '- omsorg.' is one item


def test_ostergotland_bold_labels_are_sections() -> None:
    _, passages = _passages("ostergotland")
    item = next(p for p in passages if p.text == "Erbjud egenmonitorering")
    assert item.section == ("Strategi", "Regionala exempel")
    assert item.kind == "list_item"


def test_form_feed_pages_and_blank_lines() -> None:
    doc = minimal_clean_document(ROOT / "corpus" / CORPUS[0].name)
    assert len(doc.pages) == 1
    two = _doc("Rubrik ett\n\nEn mening här.", "Rubrik två\n\n- punkt ett\n- punkt två")
    passages = segment(two, 1)
    assert [(p.page, p.kind) for p in passages] == [
        (1, "heading"),
        (1, "paragraph"),
        (2, "heading"),
        (2, "list_item"),
        (2, "list_item"),
    ]
    assert passages[-1].section == ("Rubrik två",)


def test_extracted_tables_become_rows_and_empty_first_cell_is_kept() -> None:
    doc = _doc(
        "Handlingsplan\n\nText om planen.",
        tables=[[["Mål", "Aktivitet"], ["Färre fall", "Utbilda personal"], [None, "Följ upp"]]],  # type: ignore[list-item]
    )
    rows = [p for p in segment(doc, 1) if p.kind == "table_row"]
    assert [r.cells for r in rows] == [
        ("Mål", "Aktivitet"),
        ("Färre fall", "Utbilda personal"),
        ("", "Följ upp"),
    ]
    assert all((r.start, r.end) == (0, 0) for r in rows)
    assert split_cells("<p>a</p>\t<i>b</i> c") == ("a", "b c")


def test_a_line_longer_than_a_passage_is_cut_at_sentence_ends_with_true_offsets():
    from planmine.segment import MAX_PASSAGE_CHARS
    from planmine.types import CleanDocument, CleanPage, RawDocument

    sentence = "Kommunen ska utveckla samverkan kring personer med stora behov. "
    text = sentence * (3 * MAX_PASSAGE_CHARS // len(sentence))
    page = CleanPage(number=1, text=text, raw_text=text)
    doc = CleanDocument(raw=RawDocument(path="/x/lang.txt", format="txt", sha256="x", pages=[]), pages=[page])
    passages = segment(doc, 0)
    assert len(passages) >= 3
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(p.text == text[p.start : p.end] for p in passages)
    assert all(p.text.rstrip().endswith(".") for p in passages)
