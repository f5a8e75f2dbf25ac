"""PDF text layer: pages per second of the pdfplumber reader and of the fast reader (pdfium's text where it
suffices), and how far their texts agree page by page (rapidfuzz ratio), on the seed-style fixture PDFs
and the real PDFs of ../shared/realdocs2. Both readers run with OCR off; the load average is printed.

Usage: PYTHONPATH=src python benchmarks/bench_pdf.py [--repeat 1] [PDF ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
REAL = ROOT.parent / "shared" / "realdocs2"


def fixture_pdfs(folder: Path) -> list[Path]:
    """The reader tests' PDFs built from seed-plan text: running text, two columns, a table."""
    import ingest_fixtures as fx

    paths = [folder / "text.pdf", folder / "two_columns.pdf", folder / "table.pdf"]
    fx.text_pdf(paths[0], pages=12)
    fx.two_column_pdf(paths[1])
    fx.table_pdf(paths[2])
    return paths


def _fast_pages(data: bytes) -> int:
    """How many pages the fast reader takes from pdfium (the others go to pdfplumber)."""
    import pypdfium2

    from planmine.ingest.pdf_text import fast_page_text

    document = pypdfium2.PdfDocument(data)
    try:
        return sum(fast_page_text(document[i]) is not None for i in range(1, len(document)))
    finally:
        document.close()


def main() -> None:
    from rapidfuzz import fuzz

    from planmine.ingest.pdf import read_pdf

    parser = argparse.ArgumentParser()
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = args.pdfs or [*fixture_pdfs(Path(tmp)), *sorted(REAL.glob("*/*.pdf"))]
        totals = {"old": 0.0, "new": 0.0}
        pages_total = 0
        worst: list[tuple[float, str]] = []
        print(
            f"{'file':<44} {'pages':>5} {'old p/s':>8} {'new p/s':>8} {'pdfium':>6} {'mean ratio':>10} {'min':>5}"
        )
        for path in pdfs:
            data = path.read_bytes()
            timings = {}
            results = {}
            for name, fast in (("old", False), ("new", True)):
                best = float("inf")
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    results[name] = read_pdf(data, ocr=False, fast_text=fast)[0]
                    best = min(best, time.perf_counter() - started)
                timings[name] = best
                totals[name] += best
            old, new = results["old"], results["new"]
            ratios = [fuzz.ratio(a.text, b.text) / 100 for a, b in zip(old, new, strict=True)]
            same_tables = sum(a.tables == b.tables for a, b in zip(old, new, strict=True))
            fast_pages = _fast_pages(data)
            pages_total += len(old)
            worst += [(r, f"{path.name} p{i + 1}") for i, r in enumerate(ratios)]
            print(
                f"{path.name[:44]:<44} {len(old):>5} {len(old) / timings['old']:>8.1f} "
                f"{len(new) / timings['new']:>8.1f} {fast_pages:>6} {sum(ratios) / len(ratios):>10.3f} "
                f"{min(ratios):>5.2f}  tables same on {same_tables}/{len(old)} pages"
            )
        print(
            f"all: {pages_total} pages, old {pages_total / totals['old']:.1f} pages/s, "
            f"new {pages_total / totals['new']:.1f} pages/s ({totals['old'] / totals['new']:.1f}x)"
        )
        print("lowest agreement:", ", ".join(f"{name} {r:.2f}" for r, name in sorted(worst)[:6]))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
