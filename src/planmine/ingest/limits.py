"""Resource limits of ingest: one home for every bound that keeps a hostile or broken file from hanging
or exhausting the machine (size, time, inflated streams, rendered pixels, XML)."""

from __future__ import annotations

import io
import math
import re
import zlib
from dataclasses import dataclass

from planmine.errors import IngestError, UsageError

MB = 1024**2


@dataclass(frozen=True)
class IngestLimits:
    """Bounds applied to every file; the CLI sets `max_bytes` (--max-mb) and `time_budget_s` (--timeout)."""

    max_bytes: int = 200 * MB  # the file itself
    time_budget_s: float = 600.0  # reading, cleaning and tagging one file; 0 = no limit
    max_stream_bytes: int = 256 * MB  # one PDF stream once inflated (a page image at 600 dpi is ~100 MB)
    max_inflated_bytes: int = 2048 * MB  # all PDF streams of one file once inflated
    max_page_pixels: int = (
        40_000_000  # a rendered page for OCR (A3 at 300 dpi is 17 MP); bigger pages scale down
    )
    min_ocr_dpi: int = 100  # ... but not below this resolution: such a page is refused
    max_xml_bytes: int = 32 * MB  # one XML part of a DOCX once unzipped

    def __post_init__(self) -> None:
        if not self.max_bytes > 0:
            raise UsageError(f"The size limit must be a positive number of MB, got {self.max_bytes / MB}.")
        if not (math.isfinite(self.time_budget_s) and self.time_budget_s >= 0):
            raise UsageError(
                f"The time budget must be 0 (no limit) or a positive number of seconds, got {self.time_budget_s}."
            )


DEFAULT_LIMITS = IngestLimits()


def megabytes(value: float, *, option: str = "--max-mb") -> int:
    """A size limit given in MB as bytes; NaN, infinity, zero and negative values are a usage error."""
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{option} must be a positive number of megabytes, got {value}.")
    return max(1, int(value * MB))


_STREAM = re.compile(rb"(?<!end)stream\r?\n")


def check_pdf_streams(data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> None:
    """Refuse a PDF whose compressed streams inflate beyond the limits (a decompression bomb).

    Every zlib stream is inflated once, in small pieces, only to count its bytes: memory stays bounded.
    Streams that are not zlib (images, encrypted data) are skipped.
    """
    total = 0
    position = 0
    while (found := _STREAM.search(data, position)) is not None:
        start = found.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        size = _inflated_size(memoryview(data)[start:end], limits.max_stream_bytes)
        if size > limits.max_stream_bytes:
            raise IngestError(
                "",
                f"a compressed stream of the PDF inflates to more than {limits.max_stream_bytes // MB} MB "
                "(a decompression bomb); it is not read",
                code="too_large",
            )
        total += size
        if total > limits.max_inflated_bytes:
            raise IngestError(
                "",
                f"the PDF's compressed streams inflate to more than {limits.max_inflated_bytes // MB} MB "
                "in all (a decompression bomb); it is not read",
                code="too_large",
            )
        position = end + len(b"endstream")


def _inflated_size(stream: memoryview, cap: int) -> int:
    """Bytes the zlib stream inflates to, counted up to just over `cap`; 0 when it is not zlib."""
    inflater = zlib.decompressobj()
    size = 0
    piece = 1 << 16
    try:
        for offset in range(0, len(stream), piece):
            chunk: bytes = bytes(stream[offset : offset + piece])
            while chunk:
                size += len(inflater.decompress(chunk, 1 << 20))
                if size > cap or inflater.eof:
                    return size
                chunk = inflater.unconsumed_tail
    except zlib.error:
        return size
    return size


def check_zip_parts(data: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> None:
    """Refuse a DOCX whose XML parts unzip beyond `max_xml_bytes` (a bomb of empty paragraphs)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")) and info.file_size > limits.max_xml_bytes:
                raise IngestError(
                    "",
                    f"its part '{info.filename}' unzips to {info.file_size / MB:.0f} MB of XML, over the limit "
                    f"of {limits.max_xml_bytes // MB} MB (a zip bomb or a generated file); it is not read",
                    code="too_large",
                )
