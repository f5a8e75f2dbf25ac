"""Small text helpers shared by the readers: ligatures, Unicode form, decoding, page ranges."""

from __future__ import annotations

import re
import unicodedata

# Typographic ligatures that PDF fonts (and some Word files) carry as one code point.
LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",  # long s + t
        "\ufb06": "st",
    }
)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_text(text: str) -> str:
    """Expand ligatures and compose characters (a + combining ring → å) without other changes."""
    return unicodedata.normalize("NFC", text.translate(LIGATURES))


def collapse_spaces(text: str) -> str:
    """One space for every run of spaces, tabs and no-break spaces; stripped."""
    return _SPACES.sub(" ", text).strip()


def one_line(text: str, limit: int = 120) -> str:
    """A message on one line, at most `limit` characters (for error reasons built from exceptions)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM allowed, also UTF-16 with BOM), else cp1252, else latin-1.

    Returns the text and the encoding that worked.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    return data.decode("latin-1"), "latin-1"


def page_ranges(numbers: list[int]) -> str:
    """Compact page list: [1, 2, 3, 7] → '1–3, 7'."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)
