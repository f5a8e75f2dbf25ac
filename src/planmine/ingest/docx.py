"""DOCX reader (python-docx): paragraphs, headings and list items in order, tables as rows of cells."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from planmine.ingest._text import collapse_spaces, normalize_text
from planmine.types import Page

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_STYLES = ("heading", "title", "rubrik", "subtitle", "underrubrik")


def read_docx(data: bytes) -> tuple[list[Page], dict[str, str]]:
    """Read a Word document: one block per paragraph, '- item' for list items, tables as rows of cells.

    Tables also appear in the running text as tab-separated lines (as in the HTML reader). Hard page
    breaks start a new page. Returns (pages, metadata from the core properties).
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
    return pages, metadata


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
    text = normalize_text(paragraph.text).replace("\t", " ")
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
            cells.append(collapse_spaces(normalize_text(cell.text).replace("\n", " ")))
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
