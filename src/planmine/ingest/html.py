"""HTML reader: visible text in reading order, headings and list items as lines, tables as rows of cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planmine.ingest._text import collapse_spaces, normalize_text, split_marked_pages
from planmine.types import Page

if TYPE_CHECKING:
    from bs4 import Tag

# Elements whose content is never running text.
DROPPED = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "head")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "address",
    "figure", "figcaption", "form", "fieldset", "details", "summary", "dl", "dt", "dd", "hr", "body",
    "center", "caption", "legend",
}  # fmt: skip
LISTS = {"ul", "ol", "menu"}


def read_html(data: bytes) -> tuple[list[Page], dict[str, str]]:
    """Read an HTML document: headings, paragraphs, '- item' lines and tab-separated table rows.

    The table cells also go into Page.tables (rows of cells). The text is one page unless it carries
    printed page markers ("2 (51)"); `metadata["paged"]` says which. Returns (pages, metadata).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    metadata: dict[str, str] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = normalize_text(collapse_spaces(soup.title.get_text(" ")))
    if soup.original_encoding:
        metadata["encoding"] = str(soup.original_encoding)
    if (h1 := soup.find("h1")) is not None and collapse_spaces(h1.get_text(" ")):
        metadata["h1"] = normalize_text(collapse_spaces(h1.get_text(" ")))
    for element in soup.find_all(DROPPED):
        element.decompose()
    root = soup.body or soup
    walker = _Walker()
    walker.walk(root)  # type: ignore[arg-type]
    walker.flush()
    text = normalize_text("\n\n".join(block for block in walker.blocks if block.strip()))
    tables = [[[normalize_text(cell) for cell in row] for row in table] for table in walker.tables]
    marked = split_marked_pages(text)
    metadata["paged"] = "yes" if marked else "no"
    if not marked:
        return [Page(number=1, text=text, tables=tables)], metadata
    pages = [
        Page(number=i, text=chunk.strip("\n"), label=label) for i, (label, chunk) in enumerate(marked, 1)
    ]
    for table in tables:  # each table goes with the page whose text holds its first row
        first = "\t".join(table[0])
        page = next((p for p in pages if first in p.text), pages[0])
        page.tables.append(table)
    return pages, metadata


class _Walker:
    """Collects text blocks in document order; inline text is buffered until a block boundary."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = "\n".join(collapse_spaces(line) for line in "".join(self._inline).split("\n"))
        text = "\n".join(line for line in text.split("\n") if line)
        if text:
            self.blocks.append(text)
        self._inline = []

    def walk(self, element: Tag, depth: int = 0) -> None:
        from bs4 import NavigableString
        from bs4 import Tag as TagType
        from bs4.element import Comment, Doctype, ProcessingInstruction

        for child in element.children:
            if isinstance(child, Comment | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                self._inline.append(str(child).replace("\n", " "))
                continue
            if not isinstance(child, TagType):
                continue
            name = child.name
            if name == "br":
                self._inline.append("\n")
            elif name in HEADINGS:
                self.flush()
                heading = collapse_spaces(child.get_text(" "))
                if heading:
                    self.blocks.append(heading)
            elif name in LISTS:
                self.flush()
                self._list(child, depth)
            elif name == "table":
                self.flush()
                self._table(child)
            elif name in BLOCKS or name == "li":
                self.flush()
                self.walk(child, depth)
                self.flush()
            elif name == "pre":
                self.flush()
                pre = child.get_text().strip("\n")
                if pre.strip():
                    self.blocks.append(pre)
            else:
                self.walk(child, depth)

    def _list(self, element: Tag, depth: int) -> None:
        lines = self._list_lines(element, depth)
        if lines:
            self.blocks.append("\n".join(lines))

    def _list_lines(self, element: Tag, depth: int) -> list[str]:
        """One '- item' line per list item, nested lists indented by two spaces per level."""
        lines: list[str] = []
        for item in element.find_all("li", recursive=False):
            nested = item.find_all(list(LISTS), recursive=False)
            for sublist in nested:
                sublist.extract()
            text = collapse_spaces(item.get_text(" "))
            if text:
                lines.append("  " * depth + "- " + text)
            for sublist in nested:
                lines.extend(self._list_lines(sublist, depth + 1))
        return lines

    def _table(self, table: Tag) -> None:
        caption = table.find("caption", recursive=False)
        if caption is not None and collapse_spaces(caption.get_text(" ")):
            self.blocks.append(collapse_spaces(caption.get_text(" ")))
        rows: list[list[str]] = []
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a row of a nested table
            cells = [
                collapse_spaces(cell.get_text(" ")) for cell in row.find_all(["td", "th"], recursive=False)
            ]
            if any(cells):
                rows.append(cells)
        if rows:
            self.tables.append(rows)
            self.blocks.append("\n".join("\t".join(cells) for cells in rows))
