"""Small pure ``str -> str`` cleaning steps, composed in order by :func:`make_pipeline`.

Each step does one thing, takes keyword-only options, and leaves text it has nothing to do with unchanged,
so that every step is idempotent and clean text passes through untouched.
"""

from __future__ import annotations

import html
import re
import statistics
import unicodedata
from collections.abc import Callable

from planmine.clean import patterns as P

Step = Callable[[str], str]


def make_pipeline(*steps: Step) -> Step:
    """Compose steps left to right into one ``str -> str`` function."""

    def pipeline(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    pipeline.__doc__ = "Pipeline: " + " → ".join(getattr(s, "__name__", repr(s)) for s in steps)
    return pipeline


def normalize_unicode(text: str, *, form: str = "NFC") -> str:
    """Unicode NFC, ligatures spelled out, soft hyphens and zero-width marks dropped, odd spaces made plain."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
    if any(lig in text for lig in P.LIGATURES):
        for lig, plain in P.LIGATURES.items():
            text = text.replace(lig, plain)
    text = P.INVISIBLE.sub("", text)
    return P.ODD_SPACES.sub(" ", text)


def _unescape_entities(text: str) -> str:
    return P.HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def clean_cell(cell: str) -> str:
    """One table cell: HTML tags and entities out, whitespace collapsed to single spaces (no newlines)."""
    cell = normalize_unicode(cell)
    cell = P.HTML_LI_OPEN.sub(" - ", cell)
    cell = P.HTML_TAG.sub(" ", cell)
    cell = _unescape_entities(cell)
    return " ".join(cell.split())


def strip_html(text: str) -> str:
    """HTML tags and entities removed; block tags become line breaks, except inside tab-separated table rows."""
    if "<" not in text and "&" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        if "\t" in line:
            # A table row: clean each cell and keep the tabs, so the row stays one line.
            lines.append(
                "\t".join(clean_cell(cell) if P.HTML_TAG.search(cell) else cell for cell in line.split("\t"))
            )
            continue
        if P.HTML_TAG.search(line):
            line = P.HTML_LI_OPEN.sub("\n- ", line)
            line = P.HTML_BLOCK_TAG.sub("\n", line)
            line = P.HTML_TAG.sub("", line)
        lines.append(line)
    return _unescape_entities("\n".join(lines))


def strip_markdown(text: str) -> str:
    """Markdown emphasis, stray ``**`` marks, link and image syntax and heading hashes removed."""
    if not any(ch in text for ch in "*_[#"):
        return text
    text = P.MD_IMAGE.sub(r"\1", text)
    text = P.MD_LINK.sub(r"\1", text)
    text = P.MD_STRONG.sub(r"\2", text)
    text = P.MD_STRAY_STRONG.sub("", text)
    text = P.MD_EMPHASIS.sub(r"\1", text)
    return P.MD_HEADING.sub("", text)


def remove_page_markers(text: str) -> str:
    """Lines that are only a page marker (``2 (51)``, ``Sida 3 av 12``) removed."""
    return P.PAGE_MARKER_LINE.sub("", text)


def normalize_bullets(text: str, *, marker: str = "- ") -> str:
    """Bullets (``•``, ``*``, ``–``, ``-`` and OCR's ``o``/``e`` before a capital) become ``- `` list items."""
    return P.BULLET_LINE.sub(marker, text)


def dehyphenate(text: str) -> str:
    """Line-end hyphenation joined ("hälso-\\nfrämjande"), suspended parts kept ("hälso-\\noch sjukvård")."""

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if right.lower() in P.SUSPENSION_WORDS:
            return f"{left}- "
        if right[0].islower() and right[0].isalpha():
            line_start = text.rfind("\n", 0, match.start()) + 1
            prefix = text[line_start : match.start() + 1].split()
            if prefix and len(prefix[-1]) == 1:  # "e-\nhälsa" keeps its hyphen
                return f"{left}-"
            return left
        return f"{left}-"

    return P.HYPHEN_BREAK.sub(join, text)


def _is_block_line(line: str) -> bool:
    """Lines that never join with their neighbours: list items and table rows."""
    return line.startswith("- ") or "\t" in line


def rebuild_paragraphs(text: str, *, wrap_ratio: float = 0.6, unwrapped_width: int = 130) -> str:
    """Hard-wrapped lines joined into one line per paragraph; paragraphs separated by one blank line.

    Lines are judged hard-wrapped when most prose lines are short (typical width under ``unwrapped_width``);
    a line then continues onto the next when it is at least ``wrap_ratio`` of that width. List items and
    tab-separated table rows stay one per line.
    """
    lines = text.split("\n")
    prose = [len(line) for line in lines if line.strip() and not _is_block_line(line.strip())]
    if not prose:
        return text
    width = statistics.quantiles(prose, n=10)[-1] if len(prose) >= 2 else prose[0]
    wrapped = width < unwrapped_width
    out: list[str] = []
    for raw in lines:
        line = raw.strip(" ")
        if not out or not line.strip():
            out.append(line)
            continue
        prev = out[-1]
        prev_s = prev.strip()
        if not prev_s:
            out.append(line)
            continue
        if "\t" in line and "\t" in prev:
            out.append(line)  # consecutive table rows stay together
            continue
        heading = len(line) < wrap_ratio * width and (
            P.NUMBERED_HEADING.match(line) is not None
            or (prev_s.endswith((".", "!", "?", ":")) and not line.endswith((".", ",", ";", ":")))
        )
        continues = (
            wrapped
            and not heading
            and "\t" not in line
            and "\t" not in prev
            and not line.startswith("- ")
            and len(prev_s) >= wrap_ratio * width
            and not (
                prev_s.endswith((".", "!", "?", ":")) and line[:1].isupper() and len(prev_s) < 0.85 * width
            )
        )
        if continues:
            out[-1] = f"{prev.rstrip()} {line}"
        elif line.startswith("- ") and (prev_s.startswith("- ") or prev_s.endswith(":")):
            out.append(line)
        else:
            out.extend(["", line])
    return "\n".join(out)


def normalize_whitespace(text: str) -> str:
    """Runs of spaces collapsed, line ends trimmed, at most one blank line, no blank text ends (tabs kept)."""
    text = text.replace("\f", "\n\n")
    text = P.TRAILING_SPACE.sub("", text)
    text = P.LEADING_SPACE.sub("", text)
    text = P.MULTI_SPACE.sub(" ", text)
    text = P.MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip("\n ")


BASIC_STEPS: tuple[Step, ...] = (
    normalize_unicode,
    strip_html,
    strip_markdown,
    remove_page_markers,
    normalize_bullets,
    dehyphenate,
)
LAYOUT_STEPS: tuple[Step, ...] = (rebuild_paragraphs, normalize_whitespace)
