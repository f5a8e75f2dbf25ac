"""Ingest: read PDF (text layer or scanned), TXT, MD, HTML and DOCX files into RawDocument records.

`read_document` sniffs what a file really is from its bytes (not only its suffix), dispatches to one
reader per format, and raises IngestError with a stable `code` for every expected failure:
not_found, unreadable, empty, too_large, unsupported, mismatch, corrupt, encrypted, no_text.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from planmine.errors import IngestError, PlanmineError
from planmine.ingest._text import decode_text, one_line, page_ranges
from planmine.ingest.language import detect_language, language_name
from planmine.ingest.limits import DEFAULT_LIMITS, IngestLimits, check_pdf_streams, check_zip_parts
from planmine.types import DocumentFormat, Page, RawDocument

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BYTES",
    "MANIFEST_NAMES",
    "SUPPORTED_SUFFIXES",
    "IngestLimits",
    "detect_language",
    "iter_documents",
    "read_document",
    "regular_file_size",
    "sniff",
]

DEFAULT_MAX_BYTES = 200 * 1024**2
SUPPORTED_SUFFIXES = frozenset(
    {".pdf", ".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".docx"}
)
MANIFEST_NAMES = frozenset({"planmine.yaml", "manifest.yaml", "manifest.yml", "manifest.csv"})
# Notes about a folder of documents, not documents: skipped when a folder is expanded (not when named).
FOLDER_NOTES = frozenset({"readme.md", "readme.txt", "sources.md", "index.md", "changelog.md", "license"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MIN_OCR_CONFIDENCE = 50.0  # mean word confidence below this marks a page as partly unreadable
MIN_WORDS_FOR_LANGUAGE_WARNING = 100

Content = Literal["pdf", "docx", "docm", "zip", "html", "text", "binary"]

# Magic bytes of common formats we do not read, to name them in the error.
_OTHER_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls/.ppt)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def iter_documents(paths: Iterable[Path | str]) -> Iterator[Path]:
    """The files to ingest: files as given, folders expanded recursively in sorted order.

    Inside folders, hidden files and folders (name starting with '.'), manifest files
    (planmine.yaml, manifest.yaml, manifest.csv) and notes about the folder (README.md, SOURCES.md,
    INDEX.md) are skipped; every other file is yielded, also
    unsupported ones, so that the caller reports them. Paths that do not exist are yielded as given
    (read_document raises IngestError code 'not_found'). Each file is yielded once.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = (
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.name.lower() not in MANIFEST_NAMES | FOLDER_NOTES
            )
            candidates = sorted(found, key=lambda p: p.as_posix())
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve() if candidate.exists() else candidate
            if key not in seen:
                seen.add(key)
                yield candidate


def read_document(
    path: Path | str,
    *,
    max_bytes: int | None = None,
    ocr: bool = True,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> RawDocument:
    """Read one file into a RawDocument: pages with text and tables, metadata, sha256, warnings.

    Raises IngestError (with `.code`) for expected failures, MissingExtraError when a scanned page needs
    Tesseract and it is not installed. A non-Swedish document is not an error: it gets a warning.
    `limits` bounds the file size, inflated PDF streams, rendered pages and DOCX XML; `max_bytes`
    overrides its size limit.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes if max_bytes is not None else limits.max_bytes)
    kind = _format_of(path, data)
    try:
        pages, metadata, warnings = _read(kind, data, ocr=ocr, limits=limits)
    except IngestError as exc:
        raise IngestError(path, exc.reason, code=exc.code) from None
    except PlanmineError:
        raise
    except Exception as exc:  # a damaged file can break a parser in many ways
        reason = f"the {kind.upper()} file is damaged ({one_line(f'{type(exc).__name__}: {exc}')})"
        raise IngestError(path, reason, code="corrupt") from None
    if not any(page.text.strip() or _has_cells(page) for page in pages):
        hint = (
            "; it may be a scan and OCR was off (drop --no-ocr)"
            if kind in ("pdf", "docx") and not ocr
            else ""
        )
        if why := [w.removeprefix("partly unreadable: ") for w in warnings if "could not be" in w]:
            hint += f" ({'; '.join(why[:3])})"
        raise IngestError(path, f"no readable text in the {kind.upper()} file{hint}", code="no_text")
    document = RawDocument(
        path=str(path),
        format=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
        metadata=metadata,
        warnings=warnings,
    )
    document.warnings.extend(_quality_warnings(document))
    return document


def sniff(data: bytes) -> Content:
    """What the bytes are: 'pdf', 'docx', 'zip' (another ZIP), 'html', 'text' or 'binary'."""
    head = data[:2048]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # before %PDF-: a ZIP may store a PDF uncompressed
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                types = archive.read("[Content_Types].xml")[:65536] if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
            return "binary"
        if "word/document.xml" not in names:
            return "zip"
        return "docm" if b"macroEnabled" in types or "word/vbaProject.bin" in names else "docx"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if not _looks_like_text(data[:8192]):
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<") and any(
        tag in start[:1024] for tag in (b"<!doctype html", b"<html", b"<head", b"<body")
    ):
        return "html"
    return "text"


def regular_file_size(path: Path) -> int:
    """The size of `path`, a regular file; IngestError for a missing path, a folder, a FIFO, a device.

    Checked before any byte is read: reading a FIFO or /dev/zero would never end.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(path, "the file does not exist; check the path", code="not_found") from None
    except OSError as exc:
        raise IngestError(
            path, f"the file cannot be read ({exc.strerror or exc})", code="unreadable"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(path, "this is a folder, not a file", code="unsupported")
    if not stat.S_ISREG(info.st_mode):
        what = next((name for test, name in _SPECIAL_FILES if test(info.st_mode)), "not a regular file")
        raise IngestError(path, f"it is {what}, not a regular file; only files are read", code="unsupported")
    return info.st_size


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    size = regular_file_size(path)
    try:
        if size == 0:
            raise IngestError(path, "the file is empty (0 bytes)", code="empty")
        if size > max_bytes:
            raise IngestError(
                path,
                f"the file is {_megabytes(size)}, over the size limit of {_megabytes(max_bytes)}; "
                "raise it with --max-mb (max_bytes in Python) to read it",
                code="too_large",
            )
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(
            path, f"the file cannot be read ({exc.strerror or exc})", code="unreadable"
        ) from None


def _format_of(path: Path, data: bytes) -> DocumentFormat:
    """The reader for this file, from its content first and its suffix second."""
    suffix = path.suffix.lower()
    content = sniff(data)
    if content == "pdf":
        return "pdf"
    if content == "docx":
        return "docx"
    if content == "docm":
        raise IngestError(
            path,
            "it is a macro-enabled Word document (.docm); planmine does not open those: "
            "save it as .docx (without macros) in Word",
            code="unsupported",
        )
    if suffix == ".pdf":
        if content == "html":
            raise IngestError(
                path,
                "it is an HTML page (perhaps an error page), not a PDF: download it again",
                code="mismatch",
            )
        if content in ("text", "zip"):
            what = "plain text" if content == "text" else "a ZIP archive"
            raise IngestError(path, f"it is {what}, not a PDF", code="mismatch")
        raise IngestError(path, "not a valid PDF: no %PDF header; the file is damaged", code="corrupt")
    if suffix == ".docx":
        if content in ("html", "text", "zip"):
            what = {"html": "an HTML page", "text": "plain text", "zip": "a ZIP archive of another kind"}[
                content
            ]
            raise IngestError(path, f"it is {what}, not a Word document", code="mismatch")
        raise IngestError(path, "not a valid DOCX file: it is not a readable ZIP archive", code="corrupt")
    if content in ("html", "text"):
        if suffix in MARKDOWN_SUFFIXES:
            return "md"  # Markdown may hold HTML tags; its front matter still needs the Markdown reader
        if content == "html" or suffix in HTML_SUFFIXES:
            return "html"
        if suffix in TEXT_SUFFIXES:
            return "txt"
    raise IngestError(path, _unsupported_reason(suffix, content, data), code="unsupported")


def _unsupported_reason(suffix: str, content: Content, data: bytes) -> str:
    allowed = "PDF, DOCX, HTML, TXT or MD"
    what = next((name for magic, name in _OTHER_MAGIC if data.startswith(magic)), "")
    if content == "zip":
        what = "a ZIP archive that is not a Word document"
    if what:
        return f"unsupported file type: it is {what}; planmine reads {allowed}"
    if content == "binary" and suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES:
        kind = "HTML" if suffix in HTML_SUFFIXES else "Markdown" if suffix in MARKDOWN_SUFFIXES else "text"
        return (
            f"the file is named '{suffix or '(no suffix)'}' but holds binary data, not {kind}: "
            "it may be damaged or renamed"
        )
    if what:
        return f"unsupported file type: it is {what}; planmine reads {allowed}"
    label = f"'{suffix}'" if suffix else "(no suffix)"
    return f"unsupported file type {label}; planmine reads {allowed}"


def _read(
    kind: DocumentFormat, data: bytes, *, ocr: bool, limits: IngestLimits
) -> tuple[list[Page], dict[str, str], list[str]]:
    if kind == "pdf":
        from planmine.ingest import ocr as ocr_module
        from planmine.ingest.pdf import read_pdf

        check_pdf_streams(data, limits)
        with ocr_module.pixel_limits(limits.max_page_pixels, limits.min_ocr_dpi):
            return read_pdf(data, ocr=ocr)
    if kind == "docx":
        from planmine.ingest.docx import read_docx

        check_zip_parts(data, limits)

        return read_docx(data, ocr=ocr)
    if kind == "html":
        from planmine.ingest.html import read_html

        pages, metadata = read_html(data)
        return pages, metadata, []
    from planmine.ingest.text import read_text

    return read_text(data, markdown=kind == "md")


def _quality_warnings(document: RawDocument) -> list[str]:
    """Warnings about partly unreadable pages and a language other than Swedish.

    Every warning about unreadable pages starts with 'partly unreadable:' and names the pages.
    """
    warnings: list[str] = []
    pages = document.pages
    low = [
        p.number
        for p in pages
        if p.ocr and p.ocr_confidence is not None and p.ocr_confidence < MIN_OCR_CONFIDENCE
    ]
    if low:
        warnings.append(
            f"partly unreadable: low OCR confidence (< {MIN_OCR_CONFIDENCE:.0f}) on pages {page_ranges(low)}"
        )
    empty = [p.number for p in pages if not p.text.strip() and not _has_cells(p)]
    if empty and len(empty) < len(pages):
        warnings.append(f"partly unreadable: no text on pages {page_ranges(empty)}")
    text = document.text
    language = detect_language(text)
    document.metadata.setdefault("language", language)
    if language not in ("sv", "unknown"):
        warnings.append(f"not Swedish: looks like {language_name(language)}")
    elif language == "unknown" and len(text.split()) >= MIN_WORDS_FOR_LANGUAGE_WARNING:
        warnings.append("not Swedish: the language was not recognised")
    return warnings


def _has_cells(page: Page) -> bool:
    return any(cell.strip() for table in page.tables for row in table for cell in row)


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    try:  # the sample may end inside a UTF-8 sequence: decode incrementally
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        text, _ = decode_text(sample)
    if not text:
        return False
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1b")
    return controls / len(text) < 0.02


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MB" if size >= 100 * 1024 else f"{size} bytes"
