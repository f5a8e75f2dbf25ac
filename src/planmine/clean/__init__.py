"""Text cleaning: small pure ``str -> str`` steps and a Swedish OCR repairer.

Public entry points: :func:`clean_document` (per page, with a change log) and :func:`clean_text`.
"""

from planmine.clean.ocr_repair import Damage, OcrRepairer
from planmine.clean.pipeline import clean_cells, clean_document, clean_text, run_steps
from planmine.clean.steps import (
    clean_cell,
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

__all__ = [
    "Damage",
    "OcrRepairer",
    "clean_cell",
    "clean_cells",
    "clean_document",
    "clean_text",
    "dehyphenate",
    "make_pipeline",
    "normalize_bullets",
    "normalize_unicode",
    "normalize_whitespace",
    "rebuild_paragraphs",
    "remove_page_markers",
    "run_steps",
    "strip_html",
    "strip_markdown",
]
