"""PDF reader (pdfium's text layer where it suffices, else pdfplumber): page by page in reading order, tables apart, OCR for pages without a text layer."""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from planmine.errors import IngestError
from planmine.ingest import ocr as ocr_module
from planmine.ingest._text import (
    collapse_spaces,
    consistent_labels,
    normalize_text,
    one_line,
    page_label,
    page_ranges,
)
from planmine.ingest.layout import page_text
from planmine.types import Page

if TYPE_CHECKING:
    import pdfplumber.page
    import pypdfium2

MIN_TABLE_ROWS = 2  # a ruled box with one row or one column is a frame around text, not a table
MIN_TABLE_COLUMNS = 2
SCAN_IMAGE_SHARE = 0.3  # images covering this share of a page with no text make it a scan
MIN_VECTOR_OBJECTS = 200  # ... or this many curves (text converted to outlines)
# Many PDFs (TeX, some office exports) place words apart without space characters; a gap wider than
# this share of the font size starts a new word (spaces are 0.2-0.33 em, kerning well under 0.1 em).
WORD_GAP_RATIO = 0.15
# The cover's title: the words set in the page's largest size, when that is this much above the body text.
COVER_TITLE_SIZE_RATIO = 1.3
COVER_TITLE_SIZE_SHARE = 0.85  # words at least this share of the largest size belong to the title


def read_pdf(
    data: bytes, *, ocr: bool = True, fast_text: bool = True
) -> tuple[list[Page], dict[str, str], list[str]]:
    """Read a PDF into pages (1-based) of running text and tables; OCR pages whose text layer is unusable.

    With `fast_text`, pages that need neither table finding nor turned text nor OCR are read from
    pdfium's text layer (pdf_text.fast_page_text, ~50x faster); the others by pdfplumber.
    Returns (pages, metadata, warnings). Raises IngestError (path left empty) with code 'encrypted'
    or 'corrupt'; MissingExtraError when a page needs OCR and Tesseract or its Swedish model is missing.
    """
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    # pdfminer logs every oddity of a damaged file; the reader reports what matters as warnings/errors
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if b"%%EOF" not in data[-2048:]:
        raise IngestError("", "the PDF is truncated: it has no end-of-file marker (%%EOF)", code="corrupt")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _open_error(exc) from None
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        raise IngestError("", f"the PDF is damaged ({_short(exc)})", code="corrupt") from None
    warnings: list[str] = []
    fast: pypdfium2.PdfDocument | None = None
    try:
        try:
            plumber_pages = pdf.pages
        except Exception as exc:
            raise IngestError("", f"the PDF's page tree is damaged ({_short(exc)})", code="corrupt") from None
        if not plumber_pages:
            raise IngestError("", "the PDF has no pages", code="corrupt")
        metadata = _metadata(pdf.metadata)
        metadata["pages"] = str(len(plumber_pages))
        pages: list[Page] = []
        failed: list[int] = []
        no_layer: list[int] = []
        fast = _pdfium_document(data) if fast_text else None
        for index, plumber_page in enumerate(plumber_pages):
            number = index + 1
            if index and fast is not None and (text := _fast_text(fast, index)) is not None:
                plumber_page.close()
                pages.append(Page(number=number, text=text, tables=[]))
                continue
            try:
                if index == 0 and (cover := _cover_title(plumber_page)):
                    metadata["cover_title"] = cover
                text, tables = _page_content(plumber_page)
                problem = ocr_module.text_layer_problem(text + "\n" + _tables_text(tables))
                wants_ocr = bool(problem) and (problem != "empty" or _looks_scanned(plumber_page))
            except Exception as exc:
                failed.append(number)
                warnings.append(f"partly unreadable: page {number} could not be read ({_short(exc)})")
                text, tables, wants_ocr = "", [], True
            finally:
                plumber_page.close()
            pages.append(Page(number=number, text=text, tables=tables))
            if wants_ocr:
                no_layer.append(number)
        if ocr and no_layer:  # also pages pdfplumber failed on: pdfium may still render them
            _ocr_pages(data, pages, no_layer, warnings)
            no_layer = []
        if len(failed) == len(pages) and not any(p.text.strip() for p in pages):
            raise IngestError("", "the PDF is damaged: no page could be read", code="corrupt")
        labels = consistent_labels([page_label(p.text) for p in pages])
        for page, label in zip(pages, labels, strict=True):
            page.label = label
        metadata["paged"] = "yes"
        if no_layer:
            warnings.append(
                f"partly unreadable: no usable text layer on pages {page_ranges(no_layer)} and OCR is off"
            )
        return pages, metadata, warnings
    finally:
        pdf.close()
        if fast is not None:
            fast.close()


def _pdfium_document(data: bytes) -> pypdfium2.PdfDocument | None:
    """The PDF opened by pdfium for the fast text layer; None if pdfium cannot open it (pdfplumber did)."""
    try:
        import pypdfium2

        return pypdfium2.PdfDocument(data)
    except Exception:
        return None


def _fast_text(document: pypdfium2.PdfDocument, index: int) -> str | None:
    """pdfium's reading of page `index`, or None when pdfplumber must read it (see pdf_text)."""
    from planmine.ingest.pdf_text import fast_page_text

    try:
        page = document[index]
    except Exception:
        return None
    try:
        return fast_page_text(page)
    except Exception:  # anything pdfium stumbles on is read the careful way
        return None
    finally:
        page.close()


def _page_content(page: pdfplumber.page.Page) -> tuple[str, list[list[list[str]]]]:
    """Running text in reading order (table text removed) and the page's tables as rows of cells."""
    tables: list[list[list[str]]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for table in page.find_tables():
        rows = [[_cell(cell) for cell in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if len(rows) >= MIN_TABLE_ROWS and max(len(row) for row in rows) >= MIN_TABLE_COLUMNS:
            tables.append(rows)
            boxes.append(table.bbox)
    body: Any = page
    if boxes:
        body = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    return normalize_text(_chars_text(body.chars)), tables


def _cover_title(page: pdfplumber.page.Page) -> str:
    """The words of the first page set clearly larger than its body text, in reading order ('' if none)."""
    from statistics import median

    words = page.extract_words(extra_attrs=["size"], x_tolerance_ratio=WORD_GAP_RATIO)
    sizes = [float(w["size"]) for w in words if w.get("upright", True)]
    if len(sizes) < 2:
        return ""
    largest = max(sizes)
    if largest < COVER_TITLE_SIZE_RATIO * median(sizes):
        return ""
    big = [w for w in words if float(w["size"]) >= COVER_TITLE_SIZE_SHARE * largest]
    big.sort(key=lambda w: (round(float(w["top"]) / 4), float(w["x0"])))
    return collapse_spaces(normalize_text(" ".join(str(w["text"]) for w in big)))[:300]


def _chars_text(chars: list[dict[str, Any]]) -> str:
    """Text of a page's characters: horizontal and turned (vertical) text each in reading order.

    Vertical text (a page turned to landscape, a note up the margin) is turned upright first; the
    larger group of characters is read first.
    """
    from pdfplumber.utils import extract_words

    upright = [c for c in chars if c.get("upright", True)]
    turned = [c for c in chars if not c.get("upright", True)]
    texts: list[str] = []
    for group in sorted((g for g in (upright, turned) if g), key=len, reverse=True):
        words = extract_words(
            group if group is upright else _turn_upright(group),
            keep_blank_chars=False,
            use_text_flow=False,
            expand_ligatures=True,
            x_tolerance_ratio=WORD_GAP_RATIO,
        )
        texts.append(page_text(words))
    return "\n\n".join(text for text in texts if text)


def _turn_upright(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of vertical characters with boxes turned so that their text runs left to right."""
    steps = [b["top"] - a["top"] for a, b in itertools.pairwise(chars) if abs(b["x0"] - a["x0"]) < 1]
    downwards = sum(step > 0 for step in steps) >= sum(step < 0 for step in steps)
    turned: list[dict[str, Any]] = []
    for char in chars:
        if downwards:  # read top to bottom; the next line is to the left
            x0, x1, top, bottom = char["top"], char["bottom"], -char["x1"], -char["x0"]
        else:  # read bottom to top; the next line is to the right
            x0, x1, top, bottom = -char["bottom"], -char["top"], char["x0"], char["x1"]
        turned.append(dict(char, x0=x0, x1=x1, top=top, bottom=bottom, doctop=top, upright=True))
    return turned


def _cell(value: str | None) -> str:
    return collapse_spaces(normalize_text(value or "").replace("\n", " "))


def _inside(obj: dict[str, Any], boxes: Sequence[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _tables_text(tables: list[list[list[str]]]) -> str:
    return "\n".join(" ".join(row) for table in tables for row in table)


def _looks_scanned(page: pdfplumber.page.Page) -> bool:
    """A page without text that is mostly image (a scan) or a mass of curves (text as outlines)."""
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for image in page.images:
        covered += max(0.0, float(image["x1"] - image["x0"])) * max(
            0.0, float(image["bottom"] - image["top"])
        )
    return covered / area >= SCAN_IMAGE_SHARE or len(page.curves) >= MIN_VECTOR_OBJECTS


def _ocr_pages(data: bytes, pages: list[Page], numbers: list[int], warnings: list[str]) -> None:
    """Replace the unusable text layer of pages `numbers` by OCR of their rendering, in place.

    Pages are rendered one by one and OCR'd by up to ocr_workers() Tesseract processes at a time
    (each on one thread); blank renderings are not OCR'd.
    """
    ocr_module.check_tesseract()
    workers = ocr_module.ocr_workers()
    notes: dict[int, str] = {}
    running: dict[int, Future[ocr_module.OcrResult]] = {}
    renderer = ocr_module.PageRenderer(data)
    page_done = ocr_module.progress_reporter(len(numbers))
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for number in numbers:
                try:
                    image = renderer.render(number - 1)
                except Exception as exc:
                    notes[number] = f"page {number} could not be rendered for OCR ({_short(exc)})"
                    page_done()
                    continue
                if ocr_module.is_blank(image):
                    page_done()
                    continue
                running[number] = pool.submit(ocr_module.ocr_image, image)
                running[number].add_done_callback(lambda _: page_done())
                del image
                busy = [f for f in running.values() if not f.done()]
                if len(busy) > workers:  # keep few rendered pages in memory
                    wait(busy, return_when=FIRST_COMPLETED)
            for number, future in running.items():
                page = pages[number - 1]
                try:
                    result = future.result()
                except RuntimeError as exc:
                    notes[number] = f"OCR failed on page {number} ({_short(exc)})"
                    continue
                text = result.text if result.text.strip() else page.text
                tables = [] if result.text.strip() else page.tables
                pages[number - 1] = Page(
                    number=number, text=text, tables=tables, ocr=True, ocr_confidence=result.confidence
                )
    finally:
        renderer.close()
    warnings.extend(f"partly unreadable: {notes[n]}" for n in sorted(notes))


def _open_error(exc: Exception) -> IngestError:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    name = type(cause).__name__
    if "Password" in name or "Encryption" in name or "password" in str(cause).lower():
        return IngestError(
            "",
            "the PDF is encrypted with a password; save an unprotected copy to ingest it",
            code="encrypted",
        )
    return IngestError("", f"the PDF is damaged or truncated ({_short(cause)})", code="corrupt")


def _metadata(info: dict[str, Any]) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"):
        value = info.get(key)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.strip():
            metadata[key.lower()] = normalize_text(collapse_spaces(value))
    return metadata


def _short(exc: BaseException) -> str:
    return one_line(str(exc)) or type(exc).__name__
