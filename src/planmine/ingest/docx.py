"""DOCX reader (python-docx): paragraphs, headings and list items in order, tables as rows of cells.

A Word file holding only pictures of pages (a scanned document pasted into Word) is read by OCR of its
images, through the same Tesseract path as scanned PDF pages.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from planmine.ingest._text import collapse_spaces, normalize_text
from planmine.types import Page

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MIN_TEXT_CHARS = 25  # fewer visible characters than this in the whole file: read its images by OCR
MIN_OCR_IMAGE_PIXELS = 200_000  # smaller images are logos and icons, not pages
OCR_IMAGE_DPI = 300  # images are scaled to this resolution (from their own dpi) before OCR
HEADING_STYLES = ("heading", "title", "rubrik", "subtitle", "underrubrik")


def read_docx(data: bytes, *, ocr: bool = True) -> tuple[list[Page], dict[str, str], list[str]]:
    """Read a Word document: one block per paragraph, '- item' for list items, tables as rows of cells.

    Tables also appear in the running text as tab-separated lines (as in the HTML reader). Hard page
    breaks start a new page. A document with (almost) no text but page-sized images gets one OCR'd page
    per image. Returns (pages, metadata from the core properties and the Title style, warnings).
    """
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    metadata = _core_properties(document)
    styles = _style_names(document)
    pages: list[Page] = []
    blocks: list[str] = []
    tables: list[list[list[str]]] = []

    def new_page() -> None:
        pages.append(Page(number=len(pages) + 1, text="\n\n".join(blocks), tables=list(tables)))
        blocks.clear()
        tables.clear()

    for item in document.iter_inner_content():
        if not isinstance(item, Table) and not metadata.get("title_style"):
            style = styles.get(item._p.style, styles[None])  # not item.style: a scan of all styles
            if style in ("title", "rubrik") and collapse_spaces(item.text):
                metadata["title_style"] = collapse_spaces(normalize_text(item.text))
        if isinstance(item, Table):
            rows = _table_rows(item)
            if rows:
                tables.append(rows)
                blocks.append("\n".join("\t".join(row) for row in rows))
            continue
        text = _paragraph_text(item, styles)
        before_break, has_break = _text_before_page_break(item)
        if has_break and not before_break.strip() and (blocks or tables):
            new_page()
        if text.startswith("- ") and blocks and blocks[-1].startswith("- "):
            blocks[-1] += "\n" + text  # a list stays one block, one item per line
        elif text:
            blocks.append(text)
        if has_break and before_break.strip():
            new_page()
    if blocks or tables or not pages:
        new_page()
    visible = sum(len("".join(p.text.split())) for p in pages)
    if visible < MIN_TEXT_CHARS:
        images = _page_images(document)
        if images and not ocr:
            return pages, metadata, ["partly unreadable: the document holds only images and OCR is off"]
        if images:
            metadata["paged"] = "yes"
            return _ocr_images(images), metadata, []
    metadata["paged"] = "yes" if len(pages) > 1 else "no"  # hard page breaks are true pages
    return pages, metadata, []


def _page_images(document: object) -> list[bytes]:
    """The document's page-sized pictures in document order, as the bytes of their image files."""
    part = document.part  # type: ignore[attr-defined]
    blobs: list[bytes] = []
    seen: set[str] = set()
    for blip in part.element.iter(f"{_A}blip"):
        rid = blip.get(f"{_R}embed")
        if not rid or rid in seen or rid not in part.related_parts:
            continue
        seen.add(rid)
        blob = getattr(part.related_parts[rid], "blob", b"")
        if blob:
            blobs.append(blob)
    return [b for b in blobs if _pixels(b) >= MIN_OCR_IMAGE_PIXELS]


def _pixels(blob: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(blob)) as image:
            return int(image.width * image.height)
    except (UnidentifiedImageError, OSError, ValueError):
        return 0


def _ocr_images(images: list[bytes]) -> list[Page]:
    """One page per image, read by Tesseract (MissingExtraError when it is not installed)."""
    from PIL import Image

    from planmine.ingest import ocr as ocr_module

    ocr_module.check_tesseract()
    pages: list[Page] = []
    for number, blob in enumerate(images, start=1):
        with Image.open(io.BytesIO(blob)) as opened:
            image = opened.convert("L")
            dpi = float((opened.info.get("dpi") or (OCR_IMAGE_DPI, OCR_IMAGE_DPI))[0] or OCR_IMAGE_DPI)
        if dpi < OCR_IMAGE_DPI * 0.9:  # Tesseract reads small print better scaled up
            scale = OCR_IMAGE_DPI / dpi
            image = image.resize((round(image.width * scale), round(image.height * scale)))
        if ocr_module.is_blank(image):
            pages.append(Page(number=number, text=""))
            continue
        result = ocr_module.ocr_image(image, dpi=OCR_IMAGE_DPI)
        pages.append(Page(number=number, text=result.text, ocr=True, ocr_confidence=result.confidence))
    return pages


def _xml_text(element: Any) -> str:
    """The text of a paragraph or cell element, also inside content controls (python-docx skips those)."""
    parts: list[str] = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}p"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag == f"{_W}p":
            if parts:
                parts.append("\n")
        elif node.get(f"{_W}type") != "page":
            parts.append("\n")
    return "".join(parts)


def _style_names(document: object) -> dict[str | None, str]:
    """Lowercase paragraph style names by style id, None for the default style: looked up once, because
    python-docx's `paragraph.style` scans every style per paragraph (10,000 paragraphs took minutes)."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles  # type: ignore[attr-defined]
    names: dict[str | None, str] = {s.style_id: (s.name or "").lower() for s in styles}
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    names[None] = (default.name or "").lower() if default is not None else ""
    return names


def _paragraph_text(paragraph: Paragraph, styles: dict[str | None, str]) -> str:
    text = normalize_text(_xml_text(paragraph._p)).replace("\t", " ")
    lines = [collapse_spaces(line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        return ""
    style_id = paragraph._p.style
    style = styles.get(style_id, styles[None])
    if _is_list_item(paragraph, style):
        return "- " + text
    return text


def _is_list_item(paragraph: Paragraph, style: str) -> bool:
    if style.startswith(("list", "liststycke", "punktlista", "numrerad lista")):
        return True
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.find(f"{_W}numPr") is not None


def _text_before_page_break(paragraph: Paragraph) -> tuple[str, bool]:
    """The paragraph's text before its first hard page break, and whether it has one."""
    parts: list[str] = []
    for node in paragraph._p.iter(f"{_W}t", f"{_W}br"):
        if node.tag == f"{_W}br" and node.get(f"{_W}type") == "page":
            return "".join(parts), True
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
    return "".join(parts), False


def _table_rows(table: Table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a horizontally merged cell is returned once per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(collapse_spaces(normalize_text(_xml_text(cell._tc)).replace("\n", " ")))
        if any(cells):
            rows.append(cells)
    return rows


def _core_properties(document: object) -> dict[str, str]:
    props = document.core_properties  # type: ignore[attr-defined]
    metadata: dict[str, str] = {}
    for key in ("title", "subject", "author", "keywords"):
        value = getattr(props, key, None)
        if value:
            metadata[key] = normalize_text(str(value)).strip()
    for key in ("created", "modified"):
        value = getattr(props, key, None)
        if value is not None:
            metadata[key] = value.isoformat()
    return metadata
