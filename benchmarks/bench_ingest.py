"""Ingest speed: text-layer PDF pages per second and OCR seconds per A4 page at 300 dpi.

Builds its PDFs from corpus text (tests/ingest_fixtures.py), reads them with planmine.ingest and
prints the figures, with plain pdfplumber `extract_text` on the same file as the reference.
Aims (issue 2): text layer >= 10 pages/s on one core; OCR <= 6 s per A4 page.

Usage: python benchmarks/bench_ingest.py [--text-pages 30] [--ocr-pages 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import ingest_fixtures as fx  # noqa: E402
from planmine.ingest import read_document  # noqa: E402
from planmine.ingest.ocr import PageRenderer, check_tesseract, ocr_image  # noqa: E402


def bench_text(folder: Path, pages: int) -> None:
    import pdfplumber

    path = folder / "text.pdf"
    fx.text_pdf(path, pages=pages)
    start = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
    reference = time.perf_counter() - start
    start = time.perf_counter()
    doc = read_document(path)
    elapsed = time.perf_counter() - start
    assert len(doc.pages) == pages and not any(p.ocr for p in doc.pages)
    print(f"text layer: {pages} pages in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s (aim >= 10)")
    print(
        f"  reference pdfplumber extract_text: {pages / reference:.1f} pages/s; "
        f"planmine reader (layout, tables, checks) takes {elapsed / reference:.2f}x its time"
    )


def bench_ocr(folder: Path, pages: int) -> None:
    check_tesseract("swe")
    path = folder / "scan.pdf"
    fx.scanned_pdf(path, pages=pages, full_a4=True)
    start = time.perf_counter()
    doc = read_document(path)
    elapsed = time.perf_counter() - start
    assert all(p.ocr for p in doc.pages)
    words = sum(len(p.text.split()) for p in doc.pages)
    confidence = [p.ocr_confidence for p in doc.pages if p.ocr_confidence is not None]
    print(
        f"OCR: {pages} A4 pages at 300 dpi in {elapsed:.1f} s = {elapsed / pages:.2f} s/page (aim <= 6); "
        f"{words / pages:.0f} words/page, mean confidence {sum(confidence) / len(confidence):.1f}"
    )
    renderer = PageRenderer(path.read_bytes())
    start = time.perf_counter()
    image = renderer.render(0)
    render = time.perf_counter() - start
    start = time.perf_counter()
    ocr_image(image)
    tesseract = time.perf_counter() - start
    renderer.close()
    print(f"  one page: render {render:.2f} s, Tesseract (swe, OMP_THREAD_LIMIT=1) {tesseract:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-pages", type=int, default=30)
    parser.add_argument("--ocr-pages", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_text(Path(tmp), args.text_pages)
        if args.ocr_pages:
            bench_ocr(Path(tmp), args.ocr_pages)


if __name__ == "__main__":
    main()
