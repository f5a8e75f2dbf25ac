"""Readers of the ingest stage on fixtures built here from real corpus text, and every bad-input case."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest_fixtures as fx
from planmine.errors import IngestError, MissingExtraError
from planmine.ingest import SUPPORTED_SUFFIXES, iter_documents, read_document, sniff
from planmine.ingest.language import detect_language
from planmine.ingest.ocr import check_tesseract, text_layer_problem

# the shared real documents: beside the repository (as in conftest.py) or at the team's shared path
REALDOCS = next(
    (p for p in (fx.ROOT.parent / "shared" / "realdocs", Path("/work/shared/realdocs")) if p.is_dir()),
    Path("/work/shared/realdocs"),
)


def flat(text: str) -> str:
    """Text with every run of whitespace as one space, to compare across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- PDF with a text layer


def test_one_column_pdf_keeps_pages_header_footer_and_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    per_page = fx.text_pdf(path, pages=3)
    doc = read_document(path)
    assert doc.format == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    for page, paragraphs in zip(doc.pages, per_page, strict=True):
        assert not page.ocr
        lines = page.text.splitlines()
        assert lines[0] == fx.HEADER  # raw text: header kept (cleaning removes it)
        assert lines[-1] == f"{fx.FOOTER} {page.number} (3)"
        for paragraph in paragraphs:
            assert flat(paragraph) in flat(page.text)
        # paragraphs are separated by a blank line, lines inside them are not
        assert page.text.count("\n\n") == len(paragraphs) + 1
    # page boundaries are exact: a paragraph of page 2 is not on page 1 or 3
    assert flat(per_page[1][0]) not in flat(doc.pages[0].text) + flat(doc.pages[2].text)
    assert "å" in doc.text and "ö" in doc.text
    assert doc.metadata["pages"] == "3"
    assert doc.metadata["language"] == "sv"
    assert doc.warnings == []


def test_two_column_page_reads_left_column_before_right(tmp_path: Path) -> None:
    path = tmp_path / "columns.pdf"
    title, left, right = fx.two_column_pdf(path)
    text = flat(read_document(path).pages[0].text)
    assert flat(left) in text, "left column must read as one unbroken paragraph"
    assert flat(right) in text, "right column must read as one unbroken paragraph"
    assert text.index(title) < text.index(flat(left)) < text.index(flat(right))
    assert text.startswith("Region Skåne 2021-09-24"), "the header above the columns is read first"
    assert text.endswith("1 (1)")


def test_table_rows_come_back_as_cells_and_leave_the_running_text(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    before, after = fx.table_pdf(path)
    page = read_document(path).pages[0]
    assert page.tables == [fx.TABLE_ROWS]
    # the running text is exactly the paragraphs around the table: no cell text is left in it
    assert flat(page.text) == flat(before) + " " + flat(after)
    assert "Mobila team för sköra äldre" not in page.text


def test_ligatures_are_expanded(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    fx.register_font()
    path = tmp_path / "ligatures.pdf"
    c = canvas.Canvas(str(path))
    c.setFont(fx.FONT, 11)
    c.drawString(
        56, 760, "Denna ﬁnansiering ﬂyttas till ett eﬀektivt och ﬃnt arbete med hälso- och sjukvård."
    )
    c.showPage()
    c.save()
    text = read_document(path).pages[0].text
    assert "finansiering flyttas till ett effektivt och ffint" in text
    assert not set("ﬀﬁﬂﬃﬄ") & set(text)


def test_words_placed_apart_without_space_characters_are_separated(tmp_path: Path) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    fx.register_font()
    path = tmp_path / "tex.pdf"
    sentence = "Hälso- och sjukvården ska ställa om så att primärvården är navet i vården"
    words = sentence.split(" ")
    c = canvas.Canvas(str(path))
    c.setFont(fx.FONT, 10)
    x = 56.0
    for word in words:  # as TeX does: each word positioned, a 0.25 em gap, no space glyph
        c.drawString(x, 760, word)
        x += stringWidth(word, fx.FONT, 10) + 2.5
    c.showPage()
    c.save()
    assert read_document(path).pages[0].text == " ".join(words)


def test_turned_page_and_vertical_margin_note_are_read_upright(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    fx.register_font()
    path = tmp_path / "liggande.pdf"
    first, second = fx.corpus_paragraphs("skane")[:2]
    c = canvas.Canvas(str(path))
    c.setPageRotation(90)  # shown turned: the text runs down the screen
    fx._draw_paragraphs(c, [first], 56, 780, 480)
    c.showPage()
    c.setPageRotation(0)
    fx._draw_paragraphs(c, [second], 56, 780, 480)
    c.saveState()
    c.translate(30, 200)
    c.rotate(90)  # a note running up the left margin
    c.setFont(fx.FONT, 8)
    c.drawString(0, 0, "Diarienummer RS 2021/0123 Vårdsamverkan Skåne")
    c.restoreState()
    c.showPage()
    c.save()
    turned, upright = read_document(path).pages
    assert flat(turned.text) == flat(first)
    body, note = upright.text.split("\n\n")
    assert flat(body) == flat(second)
    assert note == "Diarienummer RS 2021/0123 Vårdsamverkan Skåne"


def test_text_layer_problem_flags_empty_cid_and_symbol_text() -> None:
    good = fx.corpus_paragraphs("skane")[0]
    assert text_layer_problem(good) == ""
    assert text_layer_problem("  3 (12) ") == "empty"
    assert text_layer_problem(" ".join(["(cid:72)(cid:101)"] * 40)) == "cid"
    assert text_layer_problem("\ufffd\ufffd\ufffd abc " * 20) == "glyphs"
    assert text_layer_problem("•·–—…" * 20) == "symbols"
    contents = "\n".join(
        f"{n} Avsnitt om nära vård . . . . . . . . . . . . . . . . {n + 2}" for n in range(1, 12)
    )
    assert text_layer_problem(contents) == "", "dot leaders of a table of contents are not garbage"


# ---------------------------------------------------------------- OCR


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ocr") / "mixed.pdf"
    fx.scanned_pdf(path, with_text_page=True)
    return path


@pytest.mark.slow
def test_image_only_page_is_ocred_in_swedish(mixed_pdf: Path) -> None:
    check_tesseract("swe")
    doc = read_document(mixed_pdf)
    text_page, scanned = doc.pages
    assert not text_page.ocr and text_page.ocr_confidence is None
    assert flat(fx.corpus_paragraphs("skane")[0]) in flat(text_page.text)
    assert scanned.ocr
    assert scanned.ocr_confidence is not None and 60 <= scanned.ocr_confidence <= 100
    for words in ("hälso- och sjukvård", "området", "Omställningen", "jämlik", "äldre", "stärka"):
        assert words in flat(scanned.text), words
    assert doc.warnings == []


def test_scanned_page_without_ocr_is_no_text(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    fx.scanned_pdf(path)
    with pytest.raises(IngestError) as info:
        read_document(path, ocr=False)
    assert info.value.code == "no_text"
    assert "scan.pdf" in str(info.value) and "OCR" in str(info.value)


def test_mixed_pdf_without_ocr_warns_about_the_pages(mixed_pdf: Path) -> None:
    doc = read_document(mixed_pdf, ocr=False)
    assert doc.pages[0].text and not doc.pages[1].text
    assert "partly unreadable: no usable text layer on pages 2 and OCR is off" in doc.warnings
    assert "partly unreadable: no text on pages 2" in doc.warnings


def test_low_ocr_confidence_is_a_warning_naming_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planmine.ingest import ocr

    path = tmp_path / "blek.pdf"
    fx.scanned_pdf(path, with_text_page=True)
    # a faded scan: Tesseract reads words but is unsure of them
    monkeypatch.setattr(
        ocr, "ocr_image", lambda image: ocr.OcrResult("Omställningen till nära vård", 41.5, 4)
    )
    doc = read_document(path)
    assert doc.pages[1].ocr and doc.pages[1].ocr_confidence == 41.5
    assert "partly unreadable: low OCR confidence (< 50) on pages 2" in doc.warnings


def test_missing_tesseract_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.pdf"
    fx.scanned_pdf(path)
    monkeypatch.setattr("planmine.ingest.ocr.shutil.which", lambda name: None)
    check_tesseract.cache_clear()
    try:
        with pytest.raises(MissingExtraError, match=r"Tesseract.*apt-get install tesseract-ocr"):
            read_document(path)
    finally:
        check_tesseract.cache_clear()


# ---------------------------------------------------------------- TXT, MD, HTML, DOCX


def test_txt_in_cp1252_with_form_feed_pages(tmp_path: Path) -> None:
    first, second = fx.corpus_paragraphs("varmland")[:2]
    path = tmp_path / "plan.txt"
    path.write_bytes(f"{first}\r\n\f{second}\r\n\f".encode("cp1252"))
    doc = read_document(path)
    assert doc.format == "txt"
    assert doc.metadata["encoding"] == "cp1252"
    assert [p.text for p in doc.pages] == [first, second]
    assert "värmlänningar" in doc.pages[1].text


def test_markdown_front_matter_is_metadata_not_text(tmp_path: Path) -> None:
    body = "# Fallrond\n\n" + fx.corpus_paragraphs("skane")[1]
    path = tmp_path / "rutin.md"
    path.write_text(
        f'---\ntitle: "Fallrond – rutin"\ndate: 2025-03-14\ntags: [fall, äldre]\n---\n\n{body}\n', "utf-8"
    )
    doc = read_document(path)
    assert doc.format == "md"
    assert doc.metadata["title"] == "Fallrond – rutin"
    assert doc.metadata["date"] == "2025-03-14"
    assert doc.metadata["tags"] == "fall, äldre"
    assert doc.text.strip() == body
    assert "title:" not in doc.text


def test_html_drops_scripts_keeps_headings_lists_and_tables(tmp_path: Path) -> None:
    html, parts = fx.html_page()
    path = tmp_path / "sida.html"
    path.write_text(html, "utf-8")
    doc = read_document(path)
    assert doc.format == "html"
    assert doc.metadata["title"] == "God och nära vård i Skåne"
    text = doc.pages[0].text
    for dropped in ("spårning", "skript", "font-family", "Startsida", "Aktivera JavaScript"):
        assert dropped not in text
    lines = text.splitlines()
    assert "Målbild för nära vård" in lines and "Insatser" in lines
    assert [f"- {item}" for item in parts["items"]] == [line for line in lines if line.startswith("- ")]
    assert str(parts["paragraph"]) in lines
    assert doc.pages[0].tables == [fx.TABLE_ROWS]
    assert "\t".join(fx.TABLE_ROWS[1]) in lines
    assert "Senast uppdaterad\n2021-09-24" in text


def test_html_in_windows_1252_with_nested_list(tmp_path: Path) -> None:
    path = tmp_path / "gammal.htm"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>Nära vård – Värmland</title></head><body><h2>Åtgärder för äldre</h2>"
        "<ol><li>Förebygga fall<ul><li>Balansträning i hemmet</li></ul></li><li>Läkemedelsgenomgång</li></ol>"
        "</body></html>"
    )
    path.write_bytes(html.encode("cp1252"))
    doc = read_document(path)
    assert doc.metadata["title"] == "Nära vård – Värmland"
    assert doc.pages[0].text.splitlines() == [
        "Åtgärder för äldre",
        "",
        "- Förebygga fall",
        "  - Balansträning i hemmet",
        "- Läkemedelsgenomgång",
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.lists(
        st.text(alphabet="abcåäöÅÄÖ éü.,;:-–()0123 \n", min_size=1, max_size=80).filter(
            lambda t: t.strip() and t == t.strip("\n")
        ),
        min_size=1,
        max_size=4,
    )
)
def test_text_pages_round_trip(tmp_path: Path, pages: list[str]) -> None:
    path = tmp_path / "sidor.txt"
    path.write_text("\f".join(pages), "utf-8")
    doc = read_document(path)
    assert [p.text for p in doc.pages] == pages
    assert [p.number for p in doc.pages] == list(range(1, len(pages) + 1))


def test_docx_paragraphs_lists_tables_and_title(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    parts = fx.docx_file(path)
    doc = read_document(path)
    assert doc.format == "docx"
    assert doc.metadata["title"] == "Målbild och handlingsplan Skåne"
    first, second = doc.pages
    blocks = first.text.split("\n\n")
    assert blocks[0] == "Bakgrund och förutsättningar för Skåne"
    assert blocks[1] == parts["paragraph"]
    assert blocks[2] == "\n".join(f"- {item}" for item in parts["items"])  # type: ignore[union-attr]
    assert blocks[3] == "\n".join("\t".join(row) for row in fx.TABLE_ROWS)
    assert first.tables == [fx.TABLE_ROWS]
    assert second.number == 2 and second.text.startswith("Värmland")
    assert parts["second"] in second.text


# ---------------------------------------------------------------- bad input


def expect_error(path: Path, code: str, *words: str, **kwargs: object) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_document(path, **kwargs)  # type: ignore[arg-type]
    error = info.value
    assert error.code == code, str(error)
    message = str(error)
    assert path.name in message and "\n" not in message
    for word in words:
        assert word in message, message
    return error


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "tom.pdf"
    path.write_bytes(b"")
    expect_error(path, "empty", "empty")


def test_truncated_pdf(tmp_path: Path) -> None:
    full = tmp_path / "full.pdf"
    fx.text_pdf(full, pages=3)
    path = tmp_path / "avbruten.pdf"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    expect_error(path, "corrupt", "truncated")


def test_pdf_with_a_damaged_body(tmp_path: Path) -> None:
    path = tmp_path / "trasig.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage\n%%EOF\n")
    expect_error(path, "corrupt", "damaged")


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "skyddad.pdf"
    fx.encrypted_pdf(path)
    expect_error(path, "encrypted", "password")


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utskriftsskydd.pdf"
    fx.encrypted_pdf(path, user_password="")
    assert "Skåne" in read_document(path).text


def test_html_error_page_saved_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "handlingsplan.pdf"
    path.write_text(
        "<!DOCTYPE html><html><head><title>404</title></head><body>Sidan finns inte</body></html>"
    )
    expect_error(path, "mismatch", "HTML", "not a PDF")


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "brus.pdf"
    path.write_bytes(random.Random(7).randbytes(4096))
    expect_error(path, "corrupt", "PDF")


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(b"PK\x03\x04" + random.Random(3).randbytes(2000))
    expect_error(path, "corrupt", "DOCX")
    page = tmp_path / "inloggning.docx"
    page.write_text("<html><body>Logga in för att ladda ner dokumentet</body></html>")
    expect_error(page, "mismatch", "HTML page, not a Word document")


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "data.xyz"
    path.write_text("kolumn1;kolumn2\n1;2\n")
    expect_error(path, "unsupported", ".xyz", "PDF, DOCX, HTML, TXT or MD")
    image = tmp_path / "bild.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    expect_error(image, "unsupported", "PNG image")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "stor.txt"
    path.write_text(fx.corpus_paragraphs("skane")[0] * 20, "utf-8")
    error = expect_error(path, "too_large", "limit", max_bytes=1000)
    assert f"{path.stat().st_size} bytes" in error.reason and "1000 bytes" in error.reason


def test_document_without_text(tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    fx.blank_pdf(blank)
    expect_error(blank, "no_text", "no readable text")
    spaces = tmp_path / "tomrum.txt"
    spaces.write_text(" \n\n \f \n")
    expect_error(spaces, "no_text")


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "finns-inte.pdf", "not_found", "does not exist")


def test_english_text_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "english.txt"
    path.write_text(
        "The government and the regions have agreed on a plan for good and close care. The aim is that "
        "primary care should be the hub of the health system, and that patients should be involved in "
        "their own care. This is a long-term reform that will be followed up by the agency every year, "
        "with reports on how the regions and the municipalities work together on it."
    )
    doc = read_document(path)
    assert doc.warnings == ["not Swedish: looks like English"]
    assert doc.metadata["language"] == "en"


# ---------------------------------------------------------------- dispatch, discovery, language


def test_content_decides_over_suffix(tmp_path: Path) -> None:
    pdf = tmp_path / "plan.txt"
    fx.table_pdf(pdf)
    assert read_document(pdf).format == "pdf"
    html, _ = fx.html_page()
    page = tmp_path / "sida"
    page.write_text(html)
    assert read_document(page).format == "html"
    assert sniff(b"\xef\xbb\xbf  <!doctype HTML><p>x") == "html"
    assert sniff("Hälso- och sjukvård".encode()) == "text"
    assert sniff(random.Random(1).randbytes(512)) == "binary"


def test_iter_documents_expands_folders_and_skips_hidden_and_manifests(tmp_path: Path) -> None:
    for name in (
        "b/plan.pdf",
        "a.txt",
        "b/c/notes.xyz",
        ".hidden.txt",
        ".git/x.txt",
        "manifest.yaml",
        "planmine.yaml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    single = tmp_path / ".hidden.txt"
    found = list(iter_documents([tmp_path, single, tmp_path / "a.txt"]))
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["a.txt", "b/c/notes.xyz", "b/plan.pdf", ".hidden.txt"]
    assert ".pdf" in SUPPORTED_SUFFIXES and ".xyz" not in SUPPORTED_SUFFIXES


def test_detect_language() -> None:
    assert detect_language(" ".join(fx.corpus_paragraphs("varmland")[:3])) == "sv"
    assert (
        detect_language("Sundhedsvæsenet i kommunen er ikke klar, og det skal være bedre for borgerne " * 3)
        == "da_no"
    )
    assert (
        detect_language("Die Versorgung ist nicht gut und das wird sich mit der Reform ändern " * 3) == "de"
    )
    assert detect_language("för kort") == "unknown"


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="shared real documents not present")
def test_real_documents_and_corpus_read_without_error() -> None:
    paths = list(iter_documents([REALDOCS, fx.CORPUS]))
    read = 0
    for path in paths:
        if path.suffix == ".tsv":
            expect_error(path, "unsupported", ".tsv")
            continue
        doc = read_document(path)
        assert doc.text.strip(), path
        if path.parent != fx.CORPUS or path.suffix == ".txt":
            assert doc.metadata["language"] == "sv", path
        read += 1
    assert read >= 50


# ---------------------------------------------------------------- fast PDF text layer (pdfium)


def test_fast_text_layer_reads_plain_pages_as_pdfplumber_does(tmp_path: Path) -> None:
    """Pages without tables come from pdfium's text layer, with the same text as pdfplumber's reading."""
    import pypdfium2

    from planmine.ingest.pdf import read_pdf
    from planmine.ingest.pdf_text import fast_page_text

    path = tmp_path / "text.pdf"
    fx.text_pdf(path, pages=3)
    data = path.read_bytes()
    document = pypdfium2.PdfDocument(data)
    try:
        assert all(fast_page_text(document[i]) is not None for i in range(1, 3)), "plain pages go fast"
    finally:
        document.close()
    slow = read_pdf(data, ocr=False, fast_text=False)[0]
    fast = read_pdf(data, ocr=False, fast_text=True)[0]
    assert [p.text for p in fast] == [p.text for p in slow]
    assert [p.label for p in fast] == [p.label for p in slow]


def test_fast_text_layer_leaves_tables_to_pdfplumber(tmp_path: Path) -> None:
    """A page with a ruled table is not read by pdfium: its table stays apart from the running text."""
    import pypdfium2

    from planmine.ingest.pdf import read_pdf
    from planmine.ingest.pdf_text import fast_page_text

    path = tmp_path / "table.pdf"
    fx.table_pdf(path)
    data = path.read_bytes()
    document = pypdfium2.PdfDocument(data)
    try:
        assert fast_page_text(document[0]) is None
    finally:
        document.close()
    slow = read_pdf(data, ocr=False, fast_text=False)[0]
    fast = read_pdf(data, ocr=False, fast_text=True)[0]
    assert fast[0].tables and fast[0].tables == slow[0].tables


def test_fast_text_layer_reads_two_columns_left_before_right(tmp_path: Path) -> None:
    """pdfium's words go through the same layout step: a two-column page reads column by column."""
    import pypdfium2

    from planmine.ingest.pdf_text import fast_page_text

    path = tmp_path / "columns.pdf"
    title, left, right = fx.two_column_pdf(path)
    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        fast = fast_page_text(document[0])
    finally:
        document.close()
    assert fast is not None
    text = flat(fast)
    assert flat(left) in text and flat(right) in text
    assert text.index(title) < text.index(flat(left)) < text.index(flat(right))
    assert text.startswith("Region Skåne 2021-09-24") and text.endswith("1 (1)")
