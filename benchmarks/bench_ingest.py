"""Ingest speed: text-layer PDF pages per second and OCR seconds per A4 page at 300 dpi.

Builds its PDFs from corpus text (tests/ingest_fixtures.py), reads them with planmine.ingest and
prints the figures, with plain pdfplumber `extract_text` on the same file as the reference.
Aims (issue 2): text layer >= 10 pages/s on one core; OCR <= 6 s per A4 page.

Usage: python benchmarks/bench_ingest.py [--text-pages 30] [--ocr-pages 3]
CPU-second figures are printed beside wall time: the 2-core machines are often shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import ingest_fixtures as fx  # noqa: E402
from planmine.ingest import read_document  # noqa: E402
from planmine.ingest.ocr import PageRenderer, check_tesseract, ocr_workers  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract): robust to other load on the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    start, cpu = time.perf_counter(), cpu_seconds()
    doc = read_document(path)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    assert len(doc.pages) == pages and not any(p.ocr for p in doc.pages)
    print(
        f"text layer: {pages} pages in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s (aim >= 10); "
        f"CPU time {cpu:.2f} s = {pages / cpu:.1f} pages per CPU-second"
    )
    print(
        f"  reference pdfplumber extract_text: {pages / reference:.1f} pages/s; "
        f"planmine reader (layout, tables, checks) takes {elapsed / reference:.2f}x its time"
    )


def bench_ocr(folder: Path, pages: int) -> None:
    check_tesseract("swe")
    path = folder / "scan.pdf"
    fx.scanned_pdf(path, pages=pages, full_a4=True)
    for workers in sorted({1, ocr_workers()}):
        os.environ["PLANMINE_OCR_WORKERS"] = str(workers)
        start, cpu = time.perf_counter(), cpu_seconds()
        doc = read_document(path)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        assert all(p.ocr for p in doc.pages)
        words = sum(len(p.text.split()) for p in doc.pages)
        confidence = [p.ocr_confidence for p in doc.pages if p.ocr_confidence is not None]
        print(
            f"OCR, {workers} Tesseract process(es) of one thread: {pages} A4 pages at 300 dpi in {elapsed:.1f} s "
            f"= {elapsed / pages:.2f} s/page (aim <= 6 on one core); CPU {cpu / pages:.2f} CPU-s/page; "
            f"{words / pages:.0f} words/page, mean confidence {sum(confidence) / len(confidence):.1f}"
        )
    os.environ.pop("PLANMINE_OCR_WORKERS", None)
    renderer = PageRenderer(path.read_bytes())
    start = time.perf_counter()
    renderer.render(0)
    print(f"  of which rendering one page at 300 dpi: {time.perf_counter() - start:.2f} s")
    renderer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-pages", type=int, default=30)
    parser.add_argument("--ocr-pages", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (wall figures slow down under load)")
    with tempfile.TemporaryDirectory() as tmp:
        bench_text(Path(tmp), args.text_pages)
        if args.ocr_pages:
            bench_ocr(Path(tmp), args.ocr_pages)


if __name__ == "__main__":
    main()
