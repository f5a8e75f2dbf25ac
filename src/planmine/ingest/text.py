"""Plain text and Markdown reader: encoding fallback, YAML front matter as metadata, and pages.

Pages come from form feeds, else from printed page markers ("2 (51)", "Sida 3 av 12"; the page's label),
else (plain text only) from page starts marked by one leading space, as some OCR output has them. A text
with none of these is one page and `metadata["paged"] == "no"`: its quotes carry no page ("–").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from planmine.ingest._text import (
    decode_text,
    normalize_text,
    split_leading_space_pages,
    split_marked_pages,
)
from planmine.types import Page

# Front matter: '---' on the first line, YAML, then a line '---' or '...'.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def read_text(data: bytes, *, markdown: bool = False) -> tuple[list[Page], dict[str, str], list[str]]:
    """Read a TXT or MD file: pages split at form feeds, Markdown front matter moved into metadata.

    Returns (pages, metadata, warnings). Trailing empty pages (a final form feed) are dropped;
    empty pages between text pages are kept so that page numbers stay true.
    """
    text, encoding = decode_text(data)
    text = normalize_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    metadata: dict[str, str] = {"encoding": encoding}
    warnings: list[str] = []
    if markdown:
        text, front, warning = split_front_matter(text)
        metadata.update(front)
        if warning:
            warnings.append(warning)
    pages, how = text_pages(text, markdown=markdown)
    metadata["paged"] = "yes" if how else "no"
    if how:
        metadata["pages_from"] = how
    return pages, metadata, warnings


def text_pages(text: str, *, markdown: bool = False) -> tuple[list[Page], str]:
    """The pages of a text and how they were found ('form feeds', 'page markers', 'leading spaces', '').

    Trailing empty pages (a final form feed) are dropped; empty pages between text pages are kept so
    that page numbers stay true.
    """
    chunks = text.split("\f")
    while len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()
    if len(chunks) > 1:
        return [Page(number=i, text=c.strip("\n")) for i, c in enumerate(chunks, start=1)], "form feeds"
    if marked := split_marked_pages(text):
        pages = [
            Page(number=i, text=chunk.strip("\n"), label=label)
            for i, (label, chunk) in enumerate(marked, start=1)
        ]
        return pages, "page markers"
    if not markdown and (starts := split_leading_space_pages(text)):
        return [Page(number=i, text=c.strip("\n")) for i, c in enumerate(starts, start=1)], "leading spaces"
    return [Page(number=1, text=text.strip("\n"))], ""


def split_front_matter(text: str) -> tuple[str, dict[str, str], str]:
    """Split YAML front matter off a Markdown text.

    Returns (text without front matter, metadata as strings, warning or ''). Front matter that is not a
    YAML mapping stays in the text, with a warning.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}, ""
    try:
        loaded = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return text, {}, f"front matter is not valid YAML ({first}); kept as text"
    if loaded is None:
        return text[match.end() :], {}, ""
    if not isinstance(loaded, dict):
        return text, {}, "front matter is not a YAML mapping; kept as text"
    metadata = {str(key).strip().lower(): _as_string(value) for key, value in loaded.items()}
    return text[match.end() :].lstrip("\n"), metadata, ""


def _as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_as_string(v) for v in value)
    return str(value).strip()
