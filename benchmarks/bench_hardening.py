"""Resource figures of issue 16: hostile and huge inputs through `ingest_file` (no embedding), each timed
with CPU seconds beside wall seconds, and the load average printed (the machine is shared).

Cases: a one-page TXT of N paragraphs (was 97 s at 4,000 before the linear diff), a DOCX of N paragraphs
(was > 300 s at 10,000), a one-line TXT of N MB without spaces (was > 400 s at 5 MB), a PDF bomb
(300 MB of zeros in a ~300 KB file) and a DOCX bomb (40 MB of empty paragraphs in a ~100 KB file).

Usage: PYTHONPATH=src python benchmarks/bench_hardening.py [--paragraphs 4000] [--docx 10000] [--mb 5]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_hardening import SWEDISH, _docx, _pdf_with_stream, _zeros_deflated  # noqa: E402


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def build_txt(folder: Path, paragraphs: int) -> Path:
    path = folder / "one_page.txt"
    path.write_text("\n\n".join(f"{i}. {SWEDISH}" for i in range(paragraphs)), encoding="utf-8")
    return path


def build_docx(folder: Path, paragraphs: int) -> Path:
    sentences = SWEDISH.split(". ")
    path = folder / "long.docx"
    path.write_bytes(_docx([f"{i}: {sentences[i % len(sentences)]}." for i in range(paragraphs)]))
    return path


def build_line(folder: Path, megabytes: float) -> Path:
    path = folder / "line.txt"
    path.write_text(("Region-Värmland.nära_vård/" * 400_000)[: int(megabytes * 1024**2)], encoding="utf-8")
    return path


def build_pdf_bomb(folder: Path) -> Path:
    path = folder / "bomb.pdf"
    path.write_bytes(_pdf_with_stream(_zeros_deflated(300)))
    return path


def build_docx_bomb(folder: Path) -> Path:
    source = zipfile.ZipFile(io.BytesIO(_docx([SWEDISH])))
    xml = source.read("word/document.xml").replace(
        b"<w:body>", b"<w:body>" + b"<w:p/>" * (40 * 1024**2 // 6), 1
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = xml if item.filename == "word/document.xml" else source.read(item.filename)
            target.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    path = folder / "bomb.docx"
    path.write_bytes(out.getvalue())
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=4000)
    parser.add_argument("--docx", type=int, default=10_000)
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()
    from planmine.clean.lexicon import get_lexicon
    from planmine.pipeline import ingest_file
    from planmine.store import Store
    from planmine.tag import analyse  # noqa: F401  (imported before timing: spaCy loads once)

    get_lexicon()
    print(f"load average before: {os.getloadavg()}")
    cases: list[tuple[str, Callable[[Path], Path]]] = [
        (f"one-page TXT, {args.paragraphs} paragraphs", lambda f: build_txt(f, args.paragraphs)),
        (f"DOCX, {args.docx} paragraphs", lambda f: build_docx(f, args.docx)),
        (f"one-line TXT, {args.mb:g} MB", lambda f: build_line(f, args.mb)),
        ("PDF bomb (300 MB inflated)", build_pdf_bomb),
        ("DOCX bomb (40 MB of XML)", build_docx_bomb),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store(folder / "bench.db") as store:
            for label, build in cases:
                path = build(folder)
                wall, cpu = time.perf_counter(), cpu_seconds()
                result = ingest_file(path, store)
                wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
                size = path.stat().st_size / 1024
                print(
                    f"{label:<34} {size:9.0f} KB  {wall:7.1f} s wall  {cpu:7.1f} s CPU  "
                    f"{result.status} {result.code} {result.reason[:70]}"
                )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
