"""The fast text layer of a PDF page (pypdfium2, ~50x pdfplumber): words with boxes, for the layout step.

pdfium reads a page's text and character boxes in C. A page goes this way only when nothing on it needs
pdfplumber: not the cover (its title is read from font sizes), no ruling that could frame a table, no
turned text, no form objects, and a usable text layer. Any other page returns None and is read by
pdfplumber as before (`pdf._page_content`), so tables, turned text and OCR decisions are unchanged.
"""

from __future__ import annotations

import ctypes
import re
from typing import TYPE_CHECKING, Any

from planmine.ingest import ocr as ocr_module
from planmine.ingest._text import normalize_text
from planmine.ingest.layout import Word, page_text

if TYPE_CHECKING:
    import pypdfium2

MAX_TURNED_ANGLE = 0.01  # radians: a character turned more than this is vertical text
_WORD = re.compile(r"\S+")


def fast_page_text(page: pypdfium2.PdfPage) -> str | None:
    """The page's running text in reading order, or None when the page needs pdfplumber."""
    import pypdfium2.raw as pdfium_c

    height = float(page.get_height())
    edges: list[dict[str, Any]] = []
    for obj in page.get_objects(max_depth=1):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            return None  # nested content (its own coordinates): not worth the risk
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            edges.extend(_path_edges(obj, height))
    if edges and _may_hold_table(edges):
        return None
    textpage = page.get_textpage()
    try:
        words = _words(textpage, height)
    finally:
        textpage.close()
    if words is None:
        return None
    text = normalize_text(page_text(words))
    if ocr_module.text_layer_problem(text):
        return None  # pdfplumber and the OCR decision take the page
    return text


def _words(textpage: pypdfium2.PdfTextPage, height: float) -> list[Word] | None:
    """Words (runs of non-space characters) with the loose boxes of their first and last characters."""
    import pypdfium2.raw as pdfium_c

    count = textpage.count_chars()
    # pdfium marks a hyphen it found at a line end as U+0002; the text layer holds a hyphen there
    text = textpage.get_text_range(0, count).replace("\x02", "-")
    if len(text) != count:  # characters outside the BMP: indices and text no longer line up
        return None
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    words: list[Word] = []
    for match in _WORD.finditer(text):
        first, last = match.start(), match.end() - 1
        if abs(pdfium_c.FPDFText_GetCharAngle(raw, first)) > MAX_TURNED_ANGLE and (
            pdfium_c.FPDFText_GetCharAngle(raw, first) < 2 * 3.14159 - MAX_TURNED_ANGLE
        ):
            return None  # turned text: pdfplumber turns it upright
        pdfium_c.FPDFText_GetLooseCharBox(raw, first, ctypes.byref(rect))
        x0, top, bottom = rect.left, height - rect.top, height - rect.bottom
        pdfium_c.FPDFText_GetLooseCharBox(raw, last, ctypes.byref(rect))
        x1 = rect.right
        if x1 < x0:  # right-to-left or a broken box: let pdfplumber read the page
            return None
        words.append({"text": match.group(), "x0": x0, "x1": x1, "top": top, "bottom": bottom})
    return words


def _path_edges(obj: Any, height: float) -> list[dict[str, Any]]:
    """The horizontal and vertical edges between a path's consecutive points, as pdfplumber makes them."""
    import pypdfium2.raw as pdfium_c

    a, b, c, d, e, f = obj.get_matrix().get()
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    edges: list[dict[str, Any]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO:
            points = []
        if points:
            edges.extend(_edge(points[-1], point))
        points.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment) and len(points) > 2:
            edges.extend(_edge(point, points[0]))
    return edges


def _edge(p0: tuple[float, float], p1: tuple[float, float]) -> list[dict[str, Any]]:
    """The edge from p0 to p1 in pdfplumber's form; none for a slanted one (no table ruling)."""
    (x0, top), (x1, bottom) = sorted([p0, p1], key=lambda p: (p[0], p[1]))
    top, bottom = min(p0[1], p1[1]), max(p0[1], p1[1])
    if abs(p0[1] - p1[1]) < 0.01:
        orientation = "h"
    elif abs(p0[0] - p1[0]) < 0.01:
        orientation = "v"
    else:
        return []
    return [
        {
            "x0": x0,
            "x1": x1,
            "top": top,
            "bottom": bottom,
            "doctop": top,
            "width": x1 - x0,
            "height": bottom - top,
            "orientation": orientation,
            "object_type": "curve_edge",
        }
    ]


def _box_edges(x0: float, top: float, x1: float, bottom: float) -> list[dict[str, Any]]:
    """The four edges of a path's bounding box, as pdfplumber's table finder takes rectangle edges."""
    base = {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "object_type": "rect_edge"}
    return [
        {**base, "bottom": top, "height": 0.0, "width": x1 - x0, "orientation": "h"},
        {**base, "top": bottom, "doctop": bottom, "height": 0.0, "width": x1 - x0, "orientation": "h"},
        {**base, "x1": x0, "width": 0.0, "height": bottom - top, "orientation": "v"},
        {**base, "x0": x1, "width": 0.0, "height": bottom - top, "orientation": "v"},
    ]


def _may_hold_table(edges: list[dict[str, Any]]) -> bool:
    """Whether pdfplumber's 'lines' strategy could find a table of 2 × 2 cells or more in these edges."""
    from pdfplumber.table import (
        TableSettings,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )
    from pdfplumber.utils import filter_edges

    settings = TableSettings.resolve(None)
    # 2 × 2 cells need three rulings each way; most pages have fewer (a header rule, a logo)
    for orientation, length in (("h", "width"), ("v", "height")):
        rulings = [
            e for e in edges if e["orientation"] == orientation and e[length] >= settings.edge_min_length
        ]
        if len(rulings) < 3:
            return False
    merged = merge_edges(
        edges,
        snap_x_tolerance=settings.snap_x_tolerance,
        snap_y_tolerance=settings.snap_y_tolerance,
        join_x_tolerance=settings.join_x_tolerance,
        join_y_tolerance=settings.join_y_tolerance,
    )
    merged = filter_edges(merged, min_length=settings.edge_min_length)
    cells = intersections_to_cells(
        edges_to_intersections(merged, settings.intersection_x_tolerance, settings.intersection_y_tolerance)
    )
    for table in cells_to_tables(cells):
        rows = {round(cell[1], 1) for cell in table}
        columns = {round(cell[0], 1) for cell in table}
        if len(rows) >= 2 and len(columns) >= 2:
            return True
    return False
