"""OCR of PDF pages without a usable text layer: render with pypdfium2, read with Tesseract's Swedish model."""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Any

from planmine.errors import MissingExtraError
from planmine.ingest._text import normalize_text
from planmine.ingest.layout import PARAGRAPH_LEAD

if TYPE_CHECKING:
    from PIL.Image import Image

OCR_DPI = 300
OCR_LANG = "swe"
OCR_TIMEOUT_S = 180
# (most pixels of one rendered page, lowest dpi a big page may be scaled down to): see IngestLimits
_PIXEL_LIMITS: ContextVar[tuple[int, int]] = ContextVar("pixel_limits", default=(40_000_000, 100))
# Told (pages done, pages to OCR) as each page of a file is OCR'd: the CLI's progress bar (page_progress)
PageProgress = Callable[[int, int], None]
_PAGE_PROGRESS: ContextVar[PageProgress | None] = ContextVar("page_progress", default=None)

# A text layer is unusable when it has fewer than MIN_TEXT_CHARS visible characters, when more than
# MAX_CID_SHARE of its tokens are '(cid:NN)' (glyphs without a Unicode mapping), when more than
# MAX_BAD_GLYPH_SHARE of its characters are replacement, private-use or control characters, or when
# fewer than MIN_ALNUM_SHARE of its characters are letters or digits (runs of one repeated punctuation
# mark, such as the dot leaders of a table of contents, are not counted).
MIN_TEXT_CHARS = 25
MAX_CID_SHARE = 0.05
MAX_BAD_GLYPH_SHARE = 0.10
MIN_ALNUM_SHARE = 0.50
# A rendered page with fewer dark pixels than this share is blank: nothing to OCR.
MIN_INK_SHARE = 0.0005

_CID = re.compile(r"\(cid:\d+\)")
_LEADERS = re.compile(
    r"([.·…_\-–—=~*•])(?:\s?\1){2,}"
)  # dot leaders of a table of contents, rules of underscores


def text_layer_problem(text: str) -> str:
    """Why a page's text layer cannot be used ('' when it is fine): 'empty', 'cid', 'glyphs' or 'symbols'."""
    cids = len(_CID.findall(text))
    tokens = len(text.split())
    if tokens and cids / tokens > MAX_CID_SHARE:
        return "cid"
    visible = [c for c in _LEADERS.sub("", _CID.sub("", text)) if not c.isspace()]
    if len(visible) < MIN_TEXT_CHARS:
        return "empty"
    bad = sum(1 for c in visible if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc", "Cn", "Cs"))
    if bad / len(visible) > MAX_BAD_GLYPH_SHARE:
        return "glyphs"
    alnum = sum(1 for c in visible if c.isalnum())
    if alnum / len(visible) < MIN_ALNUM_SHARE:
        return "symbols"
    return ""


@dataclass(frozen=True)
class OcrResult:
    """Text read by Tesseract and its mean word confidence (0-100; None when no word was read)."""

    text: str
    confidence: float | None
    words: int


def ocr_workers() -> int:
    """How many Tesseract processes may run at once: $PLANMINE_OCR_WORKERS, else the cores (at most 4)."""
    try:
        wanted = int(os.environ.get("PLANMINE_OCR_WORKERS", "0"))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else max(1, min(4, os.cpu_count() or 1))


@functools.lru_cache(maxsize=4)
def check_tesseract(lang: str = OCR_LANG) -> str:
    """Path of the tesseract program; MissingExtraError when it or the language model is missing."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingExtraError(
            "Tesseract OCR (needed for scanned PDF pages)",
            "Install it with `apt-get install tesseract-ocr tesseract-ocr-swe` (scripts/setup.sh does this), "
            "or ingest with OCR turned off.",
        )
    try:
        listed = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingExtraError(f"A working Tesseract ({exc})", "Reinstall tesseract-ocr.") from exc
    if lang not in listed.split():
        raise MissingExtraError(
            f"Tesseract's '{lang}' language model",
            f"Install it with `apt-get install tesseract-ocr-{lang}` (scripts/setup.sh does this).",
        )
    return exe


class PageRenderer:
    """Renders pages of one PDF with pypdfium2; the document is opened on first use, once."""

    def __init__(self, pdf_bytes: bytes, *, dpi: int = OCR_DPI) -> None:
        self._data = pdf_bytes
        self._dpi = dpi
        self._document: Any = None

    def render(self, index: int) -> Image:
        """Page `index` (0-based) as a grayscale image at the renderer's dpi, scaled down to the pixel limit.

        Raises PageTooLarge for a page that would need less than the minimum dpi to fit the limit.
        """
        import pypdfium2 as pdfium

        if self._document is None:
            self._document = pdfium.PdfDocument(self._data)
        page = self._document[index]
        try:
            width, height = page.get_size()  # PDF points, 72 per inch
            dpi = render_dpi(width, height, self._dpi)
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            image.load()
            return image
        finally:
            page.close()

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None


class PageTooLarge(ValueError):
    """A page too large to render for OCR within the pixel limit at a readable resolution."""


@contextlib.contextmanager
def pixel_limits(max_pixels: int, min_dpi: int) -> Iterator[None]:
    """Bound the pages rendered for OCR while the block runs (IngestLimits.max_page_pixels, min_ocr_dpi)."""
    token = _PIXEL_LIMITS.set((max_pixels, min_dpi))
    try:
        yield
    finally:
        _PIXEL_LIMITS.reset(token)


@contextlib.contextmanager
def page_progress(callback: PageProgress | None) -> Iterator[None]:
    """Call `callback(done, total)` after each page OCR'd while the block runs (a scan takes minutes)."""
    token = _PAGE_PROGRESS.set(callback)
    try:
        yield
    finally:
        _PAGE_PROGRESS.reset(token)


def progress_reporter(total: int) -> Callable[[], None]:
    """A thread-safe 'one more page done' for the OCR of `total` pages; a no-op without page_progress."""
    import threading

    callback = _PAGE_PROGRESS.get()  # read here: the pages finish in worker threads, outside the context
    lock = threading.Lock()
    done = 0

    def one_done() -> None:
        nonlocal done
        if callback is None:
            return
        with lock:
            done += 1
            callback(done, total)

    return one_done


def render_dpi(width_pt: float, height_pt: float, dpi: int = OCR_DPI) -> float:
    """The dpi to render a page of this size at: `dpi`, or less so that it fits the pixel limit."""
    max_pixels, min_dpi = _PIXEL_LIMITS.get()
    inches = max(width_pt, 1.0) / 72 * max(height_pt, 1.0) / 72
    fit = (max_pixels / inches) ** 0.5 * 0.995  # margin: the renderer rounds pixel sizes up
    if fit >= dpi:
        return float(dpi)
    if fit < min_dpi:
        raise PageTooLarge(
            f"the page is {width_pt / 72:.0f} × {height_pt / 72:.0f} inches, too large to render for OCR "
            f"(over {max_pixels / 1e6:.0f} megapixels at {min_dpi} dpi)"
        )
    return fit


def is_blank(image: Image) -> bool:
    """True when almost no pixel is dark: a blank page or an empty scan."""
    gray = image.convert("L")
    histogram = gray.histogram()
    dark = sum(histogram[:128])
    return dark / max(1, gray.width * gray.height) < MIN_INK_SHARE


def ocr_image(image: Image, *, lang: str = OCR_LANG, dpi: int = OCR_DPI) -> OcrResult:
    """OCR one page image with Tesseract (one thread): text in lines and paragraphs, mean word confidence."""
    exe = check_tesseract(lang)
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PPM")  # uncompressed: faster than PNG to write and read
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # more threads were 4-6x slower on 2-core machines
    try:
        done = subprocess.run(
            [exe, "stdin", "stdout", "-l", lang, "--dpi", str(dpi), "--psm", "3", "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            env=env,
            timeout=OCR_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"Tesseract took more than {OCR_TIMEOUT_S} s on one page") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Tesseract failed: {message[-1] if message else done.returncode}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrResult:
    """Rebuild text and mean word confidence from Tesseract TSV.

    Lines are joined by newlines; a blank line goes between Tesseract's blocks and where the step to the
    next line is larger than PARAGRAPH_LEAD times the block's usual line pitch (Tesseract's own paragraph
    numbers split sentences too often to be used).
    """
    lines: dict[tuple[int, int, int], list[str]] = {}
    tops: dict[tuple[int, int, int], int] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 12 or fields[0] != "5":
            continue
        word = fields[11].strip()
        if not word:
            continue
        try:
            conf = float(fields[10])
            key = (int(fields[2]), int(fields[3]), int(fields[4]))
            top = int(fields[7])
        except ValueError:
            continue
        if conf >= 0:
            confidences.append(conf)
        lines.setdefault(key, []).append(word)
        tops[key] = min(tops.get(key, top), top)
    keys = list(lines)
    steps = [tops[b] - tops[a] for a, b in itertools.pairwise(keys) if a[0] == b[0]]
    usual = median([s for s in steps if s > 0] or [0])
    parts: list[str] = []
    for i, key in enumerate(keys):
        if i:
            previous = keys[i - 1]
            new_block = previous[0] != key[0]
            big_step = usual > 0 and tops[key] - tops[previous] > PARAGRAPH_LEAD * usual
            parts.append("\n\n" if new_block or big_step else "\n")
        parts.append(" ".join(lines[key]))
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrResult(text=normalize_text("".join(parts)), confidence=confidence, words=len(confidences))
