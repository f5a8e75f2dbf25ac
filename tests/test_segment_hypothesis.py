"""Property: for any text, passages point into the page text and are non-empty slices of it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planmine.segment import segment
from planmine.types import CleanDocument, CleanPage, Page, RawDocument

_PIECES = st.sampled_from(
    [
        "a",
        "bc",
        "Å",
        "ä",
        "ö",
        " ",
        "Ord",
        "Rubrik",
        ".",
        ",",
        ":",
        ";",
        "-",
        "–",
        "•",
        "*",
        "#",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "0",
        "12",
        '"',
        "”",
        "(",
        "o ",
        "e ",
        "- ",
        "\n- ",
        "1. ",
        "6.1 ",
        "a) ",
        "<p>",
        "**",
        "Bilaga 1",
        "Aktiviteter ",
        "....\t15",
        "\f",
        "\u2028",
    ]
)
_TEXT = st.lists(_PIECES, max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.text(max_size=200)), min_size=1, max_size=3))
def test_offsets_stay_inside_the_text(pages: list[str]) -> None:
    raw = RawDocument(path="x", format="txt", sha256="0", pages=[Page(i + 1, t) for i, t in enumerate(pages)])
    doc = CleanDocument(raw=raw, pages=[CleanPage(i + 1, t, t) for i, t in enumerate(pages)])
    passages = segment(doc, 1)
    for i, p in enumerate(passages):
        text = pages[p.page - 1]
        assert p.index == i
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.text
        assert p.text.strip()
