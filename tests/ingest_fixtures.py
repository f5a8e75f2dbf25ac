"""Builders of ingest fixtures from real corpus text: PDFs (text layer, columns, table, scan), HTML, DOCX.

Used by tests/test_ingest_readers.py and benchmarks/bench_ingest.py; needs reportlab and Pillow.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT = "DejaVuSans"

HEADER = "Målbild och handlingsplan – god och nära vård"
FOOTER = "Vårdsamverkan Skåne"

# Rendered into the scanned page; the OCR test expects these words back.
SCANNED_TEXT = (
    "Omställningen till en god och nära vård innebär att hälso- och sjukvård ska ges "
    "nära patienten. Inom området psykisk hälsa ska kommunerna och regionen samverka "
    "för att stärka stödet till barn och äldre. Målet är en jämlik vård för alla."
)
TABLE_ROWS = [
    ["Område", "Aktivitet", "Ansvar"],
    ["Psykisk hälsa", "Gemensam rutin för samordnad individuell plan", "Region och kommuner"],
    ["Äldres hälsa", "Mobila team för sköra äldre", "Kommunerna"],
    ["Barn och unga", "Uppföljning av överenskommelsen", "Vårdsamverkan"],
]


@cache
def corpus_paragraphs(name: str, min_chars: int = 200) -> tuple[str, ...]:
    """Long paragraphs of a corpus file (e.g. 'skane', 'varmland'), in file order."""
    path = next(CORPUS.glob(f"{name}*.txt"))
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", path.read_text("utf-8"))]
    return tuple(p for p in paragraphs if len(p) >= min_chars and not p.startswith("-"))


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))


def _wrap(text: str, width_pt: float, size: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    return simpleSplit(text, FONT, size, width_pt)


def _header_footer(canvas: object, number: int, total: int, width: float, height: float) -> None:
    c = canvas
    c.setFont(FONT, 8)  # type: ignore[attr-defined]
    c.drawCentredString(width / 2, height - 40, HEADER)  # type: ignore[attr-defined]
    c.drawString(56, 30, FOOTER)  # type: ignore[attr-defined]
    c.drawCentredString(width / 2, 30, f"{number} ({total})")  # type: ignore[attr-defined]


def _draw_paragraphs(canvas: object, paragraphs: Sequence[str], x: float, top: float, width: float) -> float:
    """Draw paragraphs from `top` downwards; returns the y below the last line."""
    c = canvas
    c.setFont(FONT, 10)  # type: ignore[attr-defined]
    y = top
    for paragraph in paragraphs:
        lines = _wrap(paragraph, width, 10)
        if y - 13 * len(lines) < 60:  # keep clear of the footer
            break
        for line in lines:
            c.drawString(x, y, line)  # type: ignore[attr-defined]
            y -= 13
        y -= 9
    return y


def text_pdf(path: Path, pages: int = 3) -> list[list[str]]:
    """One-column A4 PDF with running header, footer and 'N (M)' page numbers; returns paragraphs per page.

    Each page gets the next three corpus paragraphs that fit (paragraphs too long for the page are left out).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas

    register_font()
    width, height = A4
    source = corpus_paragraphs("skane") + corpus_paragraphs("varmland")
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    per_page: list[list[str]] = []
    for number in range(1, pages + 1):
        chosen = [source[(3 * (number - 1) + k) % len(source)] for k in range(3)]
        _header_footer(c, number, pages, width, height)
        chosen = [p for p in chosen if len(_wrap(p, width - 112, 10)) <= 16]
        _draw_paragraphs(c, chosen, 56, height - 80, width - 112)
        per_page.append(chosen)
        c.showPage()
    c.save()
    return per_page


def two_column_pdf(path: Path) -> tuple[str, str, str]:
    """A page with a split running header, a title and two columns; returns (title, left, right paragraph)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas

    register_font()
    width, height = A4
    title = "Bakgrund och förutsättningar"  # ends left of the gutter: part of the band
    left = corpus_paragraphs("skane")[1]
    right = corpus_paragraphs("varmland")[1]
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 8)  # a running header in two parts, above the columns
    c.drawString(56, height - 40, "Region Skåne")
    c.drawRightString(width - 56, height - 40, "2021-09-24")
    c.drawCentredString(width / 2, 30, "1 (1)")
    c.setFont(FONT, 14)
    c.drawString(56, height - 90, title)
    column = (width - 112 - 24) / 2
    _draw_paragraphs(c, [left], 56, height - 120, column)
    _draw_paragraphs(c, [right], 56 + column + 24, height - 120, column)
    c.showPage()
    c.save()
    return title, left, right


def table_pdf(path: Path) -> tuple[str, str]:
    """A page with a paragraph, a ruled table (TABLE_ROWS) and a paragraph; returns the two paragraphs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import Table, TableStyle

    register_font()
    width, height = A4
    before, after = corpus_paragraphs("skane")[2], corpus_paragraphs("skane")[3]
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    y = _draw_paragraphs(c, [before], 56, height - 80, width - 112)
    table = Table(TABLE_ROWS, colWidths=[110, 250, 120])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("GRID", (0, 0), (-1, -1), 0.7, (0, 0, 0)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    _, table_height = table.wrapOn(c, width - 112, height)
    table.drawOn(c, 56, y - table_height)
    _draw_paragraphs(c, [after], 56, y - table_height - 30, width - 112)
    c.showPage()
    c.save()
    return before, after


def text_image(text: str, width_px: int, height_px: int, *, dpi: int = 300, size_pt: float = 12):
    """Render text in black DejaVu Sans on white, as a scanner would see a printed page."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_PATH), round(size_pt * dpi / 72))
    margin = round(dpi * 0.8)
    chars_per_line = int((width_px - 2 * margin) / (0.55 * size_pt * dpi / 72))
    y = margin
    line_height = round(size_pt * dpi / 72 * 1.5)
    for paragraph in text.split("\n"):
        for line in textwrap.wrap(paragraph, chars_per_line):
            if y + line_height > height_px - margin // 2:
                return image
            draw.text((margin, y), line, fill=0, font=font)
            y += line_height
        y += line_height // 2
    return image


def scanned_pdf(path: Path, *, with_text_page: bool = False, pages: int = 1, full_a4: bool = False) -> None:
    """Image-only pages (text rendered at 300 dpi, no text layer); optionally a text page first.

    By default each scanned page is half an A4 (A4 width, half its height) to keep OCR quick.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as rl_canvas

    register_font()
    width, height = A4 if full_a4 else (A4[0], A4[1] / 2)
    c = rl_canvas.Canvas(str(path), pagesize=(width, height))
    if with_text_page:
        _draw_paragraphs(c, [corpus_paragraphs("skane")[0]], 56, height - 60, width - 112)
        c.showPage()
    text, size = SCANNED_TEXT, 12.0
    if full_a4:  # a dense page, as in a scanned plan: about 450 words at 10.5 pt
        text, size = "\n".join([SCANNED_TEXT, *corpus_paragraphs("varmland")[:10]]), 10.5
    image = text_image(text, round(width / 72 * 300), round(height / 72 * 300), size_pt=size)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, width, height)
        c.showPage()
    c.save()


def blank_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas as rl_canvas

    c = rl_canvas.Canvas(str(path))
    c.showPage()
    c.save()


def encrypted_pdf(path: Path, *, user_password: str = "hemligt") -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas as rl_canvas

    register_font()
    encryption = pdfencrypt.StandardEncryption(user_password, ownerPassword="ägare-lösen", canPrint=0)
    c = rl_canvas.Canvas(str(path), encrypt=encryption)
    _draw_paragraphs(c, [corpus_paragraphs("skane")[0]], 56, 780, 480)
    c.showPage()
    c.save()


def docx_file(path: Path) -> dict[str, object]:
    """A Word file with a title property, heading, paragraphs, a bulleted list, a table and a page break."""
    import docx
    from docx.enum.text import WD_BREAK

    skane = corpus_paragraphs("skane")
    document = docx.Document()
    document.core_properties.title = "Målbild och handlingsplan Skåne"
    document.add_heading("Bakgrund och förutsättningar för Skåne", level=1)
    document.add_paragraph(skane[1])
    items = ["Psykisk hälsa för barn och unga", "Äldres hälsa och sköra äldre", "Hälso- och sjukvårdsavtalet"]
    for item in items:
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=0, cols=3)
    for row in TABLE_ROWS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Värmland", level=2)
    document.add_paragraph(corpus_paragraphs("varmland")[1])
    document.save(str(path))
    return {"paragraph": skane[1], "items": items, "second": corpus_paragraphs("varmland")[1]}


def html_page(title: str = "God och nära vård i Skåne") -> tuple[str, dict[str, object]]:
    """An HTML page with script, style, nav, headings, a paragraph, a list and a table."""
    paragraph = corpus_paragraphs("skane")[1]
    items = ["Samordnad individuell plan", "Mobila team för äldre", "Fallprevention i hemmet"]
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE_ROWS[1:])
    header = "<tr>" + "".join(f"<th>{c}</th>" for c in TABLE_ROWS[0]) + "</tr>"
    html = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: sans-serif; }} .hidden {{ display: none }}</style>
<script>var tracking = "spårning"; window.alert("skript");</script></head>
<body>
<nav><a href="/">Startsida</a> <a href="/om">Om webbplatsen</a></nav>
<h1>Målbild för nära vård</h1>
<p>{paragraph}</p>
<h2>Insatser</h2>
<ul>{"".join(f"<li>{i}</li>" for i in items)}</ul>
<table>{header}{rows}</table>
<noscript>Aktivera JavaScript</noscript>
<p>Senast uppdaterad<br>2021-09-24</p>
</body></html>"""
    return html, {"paragraph": paragraph, "items": items}
