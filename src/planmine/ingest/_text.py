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


# Printed page labels: "18 (51)", "18(51)", "Sida 3 av 12", "Sida 3/12", "s. 4"; a lone number only as
# a header or footer line (see page_label).
_LABEL_FULL = re.compile(
    r"^\s*(?:(?P<n1>\d{1,4})\s?\((?P<m1>\d{1,4})\)|(?:sida|page|s\.)\s*(?P<n2>\d{1,4})\s*(?:av|of|/)\s*"
    r"(?P<m2>\d{1,4}))\s*$",
    re.IGNORECASE,
)
_LABEL_IN_LINE = re.compile(
    r"(?:^|\s)(?:(?P<n1>\d{1,4})\s?\((?P<m1>\d{1,4})\)|(?:sida|page)\s+(?P<n2>\d{1,4})\s*(?:av|of|/)\s*"
    r"(?P<m2>\d{1,4}))\s*$",
    re.IGNORECASE,
)
_LONE_NUMBER = re.compile(r"^\s*[-–]?\s*(\d{1,4})\s*[-–]?\s*$")
LABEL_EDGE_LINES = 3  # a printed label stands in the first or last lines of a page


def _label_number(match: re.Match[str]) -> tuple[int, int]:
    n = match.group("n1") or match.group("n2")
    m = match.group("m1") or match.group("m2")
    return int(n), int(m)


def page_label(text: str) -> tuple[str, int | None]:
    """The printed label of a page ('18 (51)', 'Sida 3 av 12', '7') and its number, from its edge lines.

    Returns ('', None) when the page carries none. A lone number counts only as the first or last line.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "", None
    edges = lines[:LABEL_EDGE_LINES] + lines[-LABEL_EDGE_LINES:]
    for line in edges:
        if match := _LABEL_FULL.match(line) or _LABEL_IN_LINE.search(line):
            n, m = _label_number(match)
            if 0 < n <= m:
                return " ".join(match.group(0).split()), n
    for line in (lines[0], lines[-1]):
        if match := _LONE_NUMBER.match(line):
            return match.group(1), int(match.group(1))
    return "", None


def consistent_labels(found: list[tuple[str, int | None]]) -> list[str]:
    """Labels that number the pages in order (each larger than the last); stray numbers are dropped.

    Lone numbers (a '7' that may be a table cell) are kept only when most pages carry one and they rise
    with the physical pages by a constant offset.
    """
    labels = [label for label, _ in found]
    lone = [i for i, (label, n) in enumerate(found) if n is not None and label == str(n)]
    if lone:
        offsets = [found[i][1] - (i + 1) for i in lone if found[i][1] is not None]  # type: ignore[operator]
        usual = max(set(offsets), key=offsets.count)
        keep = offsets.count(usual) >= max(2, len(found) // 2)
        for i in lone:
            if not keep or found[i][1] - (i + 1) != usual:  # type: ignore[operator]
                labels[i] = ""
    last = 0
    for i, (_label, n) in enumerate(found):
        if labels[i] and n is not None:
            if n <= last:
                labels[i] = ""
            else:
                last = n
    return labels


_MARKER_LINE = re.compile(
    r"^[ \t]*(?:\d{1,4}[ \t]?\(\d{1,4}\)|(?:sida|page)[ \t]+\d{1,4}[ \t]*(?:av|of|/)[ \t]*\d{1,4})[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_LEADING_SPACE_START = re.compile(r"^ (?=[^\s\-–•*])", re.MULTILINE)  # not an indented list item
MIN_PAGE_MARKERS = 2  # fewer page markers than this in a text are no page numbering
MIN_LEADING_SPACE_PAGES = 3


def split_marked_pages(text: str) -> list[tuple[str, str]] | None:
    """Pages of a plain text from its printed page markers, as (label, page text); None when unmarked.

    Marker lines ('2 (51)', 'Sida 3 av 12') are kept in the page text (cleaning removes running lines).
    Markers are footers when they count from 1 and the last one ends the text, else page headers (text
    before the first header is a page of its own).
    """
    markers = []
    last = 0
    for match in _MARKER_LINE.finditer(text):
        label = " ".join(match.group(0).split())
        number = int(re.findall(r"\d+", label)[0])
        if number > last:
            markers.append((match, label))
            last = number
    if len(markers) < MIN_PAGE_MARKERS:
        return None
    first_number = int(re.findall(r"\d+", markers[0][1])[0])
    # Footers: numbering starts at 1 and the last marker ends the text; otherwise markers head pages.
    header = first_number > 1 or bool(text[markers[-1][0].end() :].strip())
    pages: list[tuple[str, str]] = []
    if header:
        before = text[: markers[0][0].start()]
        if before.strip():
            pages.append(("", before))
        for i, (match, label) in enumerate(markers):
            end = markers[i + 1][0].start() if i + 1 < len(markers) else len(text)
            pages.append((label, text[match.start() : end]))
    else:
        start = 0
        for match, label in markers:
            pages.append((label, text[start : match.end()]))
            start = match.end()
        if text[start:].strip():
            pages.append(("", text[start:]))
    return pages


def split_leading_space_pages(text: str) -> list[str] | None:
    """Pages of an OCR text whose page starts are marked by one leading space; None when it has none.

    Only a text where such lines are rare (page starts, not indentation) and at least
    MIN_LEADING_SPACE_PAGES long is split.
    """
    starts = [m.start() for m in _LEADING_SPACE_START.finditer(text)]
    lines = text.count("\n") + 1
    if len(starts) < MIN_LEADING_SPACE_PAGES - (1 if text.startswith(" ") else 0) or len(starts) > lines / 10:
        return None
    if re.search(r"^  +\S", text, re.MULTILINE):
        return None  # indented text (code, poems, tables): leading spaces are layout, not page starts
    bounds = sorted({0, *starts})
    pages = [text[a:b] for a, b in zip(bounds, [*bounds[1:], len(text)], strict=True)]
    return [p for p in pages if p.strip()]
