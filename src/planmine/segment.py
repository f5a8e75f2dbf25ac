"""Segmentation: a cleaned document → sections → passages (headings, paragraphs, list items, table rows).

Works line by line on each cleaned page. Every passage keeps its page, its section path and offsets into the
page text, so that ``page.text[p.start:p.end] == p.text`` for running text. Table rows extracted from PDFs
(``CleanPage.tables``) become table_row passages with their cells and offsets (0, 0).

Handles the shapes of the seed corpus: blank-line separated paragraphs (Kalmar, Skåne), hard-wrapped OCR
lines (Örebro, bullets read as "o"/"e"), one paragraph per line (Värmland), tab-separated tables with HTML
left in cells (Kalmar) and table-of-contents lines ("Äldre<TAB>14"), which are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planmine.folding import fold
from planmine.types import CleanDocument, CleanPage, Passage, PassageKind

_TERMINAL = ".!?:;"
_BULLET = re.compile(r"^[ \t]*(?:[-–—•*·▪►○●]|\d{1,2}[.)](?=\s)|(?:o|e|O)(?=\s+[A-ZÅÄÖ\"”“]))\s+(?=\S)")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=[A-ZÅÄÖ\"”“])")
_LETTER_HEADING = re.compile(r"^[a-z]\)\s+(?=[A-ZÅÄÖ])")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(?=\S)")
_TOC_LEADER = re.compile(r"(?:\.{3,}|…+)\s*\d{1,3}\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:\d{1,3}|\d{1,3}\s*\(\d{1,3}\)|sida \d+( av \d+)?)\s*$", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]{1,200}>")
_LINKISH = re.compile(r"\(pdf\)|\bpdf,|https?://|www\.|\.se\b", re.IGNORECASE)
_NOT_A_TITLE = re.compile(r"^(citat från|källa|foto|bild)\b", re.IGNORECASE)
# Short label lines that name a part of the section above ("Övergripande mål", "Målgrupp") rather than a
# new section of their own.
_LABEL_HEADINGS = frozenset(
    [
        "overgripande mal",
        "mal",
        "malgrupp",
        "malgrupper",
        "genomforande",
        "ansvarig",
        "ansvar",
        "malomrade",
        "malomraden",
        "aktiviteter",
        "indikatorer",
        "uppfoljning",
        "tidsplan",
        "beslutad av",
        "identifierade fokusomraden",
    ]
)
_WRAP_CONJUNCTIONS = frozenset(["och", "eller", "samt"])
_CAPS_STATEMENT = re.compile(r"\b(SKA|SKALL|VILL)\b")  # a new capitalised statement, not a wrapped rest
# a capitalised line ending in a word no statement ends with goes on below ('I KRONOBERG SKA' + 'MEDARBETARNA ...')
_CAPS_OPEN_END = re.compile(r"\b(SKA|SKALL|VILL|OCH|ATT|FÖR|I|PÅ|MED|TILL|AV|SOM|EN|ETT|DEN|DET)\s*$")


def strip_html(text: str) -> str:
    """Text of a table cell without HTML tags or surrounding space (Kalmar cells keep <p>, <i>, <ul>)."""
    return re.sub(r"\s+", " ", _HTML_TAG.sub(" ", text)).strip()


def split_cells(line: str) -> tuple[str, ...]:
    """Cells of a tab-separated table line, HTML removed."""
    return tuple(strip_html(c) for c in line.rstrip("\r\n").split("\t"))


def is_toc_line(line: str) -> bool:
    """A table-of-contents line: 'Äldre<TAB>14' or 'Aktiviteter Äldre.....<TAB>15' or 'Inledning ..... 3'."""
    stripped = line.strip()
    if not stripped:
        return False
    if _TOC_LEADER.search(stripped):
        return True
    if "\t" in stripped:
        cells = [c.strip() for c in stripped.split("\t")]
        return (
            len(cells) == 2
            and bool(re.fullmatch(r"\d{1,3}", cells[1]))
            and 0 < len(cells[0].rstrip(". ")) <= 80
            and not cells[0].rstrip(".").endswith((",", ";"))
        )
    return False


@dataclass
class _Line:
    start: int  # offset of the first non-space character in the page text
    end: int  # offset after the last non-space character
    text: str  # the stripped line
    raw_start: int  # offset of the line start (tables keep their leading empty cell)
    kind: str  # blank | table | toc | bullet | heading | text | skip


def _lines(page_text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in page_text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        lead = len(body) - len(body.lstrip())
        start = pos + lead
        out.append(_Line(start, start + len(stripped), stripped, pos, "blank" if not stripped else "text"))
        if "\t" in body.strip(" ") and body.strip():
            # keep the leading tab: an empty first cell continues the goal above
            tab_lead = len(body) - len(body.lstrip(" "))
            out[-1].start = pos + tab_lead
            out[-1].end = pos + len(body.rstrip())
            out[-1].text = body[tab_lead : len(body.rstrip())]
        pos += len(raw)
    return out


def _ends_terminal(text: str) -> bool:
    t = text.rstrip("*”\"' )")
    return bool(t) and t[-1] in _TERMINAL


def _starts_lower(text: str) -> bool:
    t = text.lstrip('-–•*·"”“( ')
    return bool(t) and t[0].islower()


def _is_wrapped_page(lines: list[_Line]) -> bool:
    """Hard-wrapped text (OCR, PDF text layer): most long lines end mid-sentence."""
    long_lines = [ln for ln in lines if ln.kind != "blank" and "\t" not in ln.text and len(ln.text) >= 45]
    if len(long_lines) < 4:
        return False
    open_ends = sum(1 for ln in long_lines if not _ends_terminal(ln.text))
    return open_ends / len(long_lines) > 0.5


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _caps_continues(last: str, nxt: _Line) -> bool:
    """A capitalised statement wrapped onto the next line ('I KRONOBERG SKA VÅRDEN VARA NÄRA' + 'OCH ...')."""
    return (
        nxt.kind in ("text", "heading")
        and _caps(last)
        and _caps(nxt.text)
        and (len(last.split()) >= 4 or (len(last.split()) >= 2 and _CAPS_OPEN_END.search(last) is not None))
        and len(nxt.text.split()) <= 5
        and len(last.split()) + len(nxt.text.split()) <= 16
        and not _CAPS_STATEMENT.search(nxt.text)
        and not _ends_terminal(last)
        and not _MARKDOWN_HEADING.match(nxt.text)
        and not _NUMBERED_HEADING.match(nxt.text)
    )


def _caps_next(lines: list[_Line], j: int, last: str) -> int | None:
    """Index of the line that continues capitalised `last` at `j` (or after one blank line), else None."""
    if j < len(lines) and lines[j].kind == "blank":
        j += 1
    return j if j < len(lines) and _caps_continues(last, lines[j]) else None


def _heading_like(text: str) -> bool:
    """A short title line: a few words, starts with a capital, no sentence punctuation at its end."""
    numbered = _NUMBERED_HEADING.match(text) or _LETTER_HEADING.match(text)
    if len(text) > (110 if numbered else 90) or len(text.split()) > (16 if numbered else 13) or len(text) < 2:
        return False
    if text.startswith(("”", '"', "“", "'", "/", "(")) or _NOT_A_TITLE.match(text):
        return False
    if _LINKISH.search(text) or ": " in text:
        return False
    core = text.rstrip("* ")
    if core.endswith((".", ",", ";", ":", "!")) or not core:
        return False
    body = _LETTER_HEADING.sub("", _NUMBERED_HEADING.sub("", core.lstrip("#").lstrip()))
    first = body[:1]
    return first.isalpha() and (first.isupper() or _MARKDOWN_HEADING.match(text) is not None)


def _classify(lines: list[_Line]) -> None:
    """Set each line's kind, looking at its neighbours (a wrapped line is never a heading)."""
    wrapped = _is_wrapped_page(lines)
    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            continue
        text = ln.text
        if is_toc_line(text):
            ln.kind = "toc"
        elif "\t" in text:
            ln.kind = "table"
        elif _PAGE_NUMBER.match(text):
            ln.kind = "skip"
        elif _MARKDOWN_HEADING.match(text):
            ln.kind = "heading"
        elif _BULLET.match(text) and not (_NUMBERED_HEADING.match(text) and _heading_like(text)):
            ln.kind = "bullet"
            if text.rstrip().endswith("**") and len(text) <= 60:
                ln.kind = "heading"  # '- Regionala exempel**': a bold label over the bullets below
        else:
            prev = lines[i - 1] if i > 0 else None
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            continues_prev = (
                prev is not None
                and prev.kind in ("text",)
                and not _ends_terminal(prev.text)
                and len(prev.text) >= 45
            )
            continued_by_next = nxt is not None and nxt.kind != "blank" and _starts_lower(nxt.text)
            numbered = _NUMBERED_HEADING.match(text) or _LETTER_HEADING.match(text)
            # in hard-wrapped text an unnumbered title stands alone: a blank line (or the end) follows it
            alone = nxt is None or nxt.kind == "blank" or numbered is not None
            if (
                _heading_like(text.rstrip("*"))
                and not continued_by_next
                and (alone or not wrapped)
                and (not continues_prev or numbered)
                and not (numbered is None and text[:1].isdigit())
            ):
                ln.kind = "heading"


@dataclass
class _SectionStack:
    items: list[tuple[int, str, bool]]  # (level, name, is_label)
    numbered_depth: int = 0  # depth of the last numbered heading, 0 before any

    def path(self) -> tuple[str, ...]:
        return tuple(name for _, name, _ in self.items)

    def push(self, heading: str) -> None:
        name, level, is_label = self._level(heading)
        while self.items and self.items[-1][0] >= level:
            self.items.pop()
        self.items.append((level, name, is_label))

    def _level(self, heading: str) -> tuple[str, int, bool]:
        text = heading.strip()
        md = _MARKDOWN_HEADING.match(text)
        name = re.sub(r"^#+\s*|^[-–•*]\s*|\*+", "", text).strip()
        folded = fold(name).rstrip(":")
        top_level = [lvl for lvl, _, lab in self.items if not lab]
        current = top_level[-1] if top_level else 0
        if md:
            return name, len(md.group(1)), False
        if re.match(r"bilaga\s+\d", folded):
            self.numbered_depth = 0
            return name, 1, False
        num = _NUMBERED_HEADING.match(text)
        if num:
            depth = num.group(1).count(".") + 1
            in_appendix = bool(self.items) and fold(self.items[0][1]).startswith("bilaga")
            self.numbered_depth = depth + (1 if in_appendix else 0)
            return name, self.numbered_depth, False
        if _LETTER_HEADING.match(text):
            return name, self.numbered_depth + 1 if self.numbered_depth else current + 1, False
        if folded in _LABEL_HEADINGS or heading.rstrip().endswith("**"):
            return name, current + 1, True
        if folded.startswith("aktiviteter ") and self.items:
            rest = folded[len("aktiviteter ") :].strip(". ")
            top = fold(self.items[0][1])
            if rest and (top.startswith(rest[:12]) or rest.startswith(top[:12])):
                return name, 2, False
        in_appendix = bool(self.items) and fold(self.items[0][1]).startswith("bilaga")
        if self.numbered_depth:
            return name, self.numbered_depth + 1, False
        if in_appendix:
            return name, 2, False
        return name, 1, False


# A passage longer than this (a page-long line without breaks, a text dump) is cut into pieces at sentence
# ends or spaces: a quote must stay readable, and tagging and embedding stay linear in the text.
MAX_PASSAGE_CHARS = 4000


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut into pieces of at most MAX_PASSAGE_CHARS, each at a sentence end or space if any."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_PASSAGE_CHARS:
        half, limit = start + MAX_PASSAGE_CHARS // 2, start + MAX_PASSAGE_CHARS
        window = text[half:limit]
        if (k := window.rfind(". ")) >= 0:
            cut = half + k + 1
        elif (k := window.rfind(" ")) >= 0:
            cut = half + k
        else:
            cut = limit
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def _page_passages(
    page: CleanPage, document_id: int, sections: _SectionStack, first_index: int
) -> list[Passage]:
    lines = _lines(page.text)
    _classify(lines)
    wrapped = _is_wrapped_page(lines)
    passages: list[Passage] = []

    def emit(kind: PassageKind, start: int, end: int, cells: tuple[str, ...] = ()) -> None:
        if end - start > MAX_PASSAGE_CHARS and not cells:
            for a, b in _chunks(page.text, start, end):
                emit(kind, a, b)
            return
        passages.append(
            Passage(
                document_id=document_id,
                page=page.number,
                index=first_index + len(passages),
                kind=kind,
                text=page.text[start:end],
                section=sections.path(),
                start=start,
                end=end,
                cells=cells,
            )
        )

    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.kind in ("blank", "toc", "skip"):
            i += 1
            continue
        if ln.kind == "heading":
            end, j = ln.end, i + 1
            while (k := _caps_next(lines, j, page.text[ln.start : end])) is not None:
                end, j = lines[k].end, k + 1
            sections.push(" ".join(page.text[ln.start : end].split()))
            emit("heading", ln.start, end)
            i = j
            continue
        if ln.kind == "table":
            emit("table_row", ln.start, ln.end, split_cells(ln.text))
            i += 1
            continue
        start, end = ln.start, ln.end
        kind: PassageKind = "paragraph"
        if ln.kind == "bullet":
            kind = "list_item"
            marker = _BULLET.match(ln.text)
            start = ln.start + (marker.end() if marker else 0)
        last = ln.text
        j = i + 1
        while j < len(lines):
            if lines[j].kind == "blank" and (k := _caps_next(lines, j, last)) is not None:
                j = k  # the cleaner set the wrapped rest of a capitalised statement apart
            nxt = lines[j]
            if nxt.kind == "text":
                if wrapped:
                    joins = kind == "paragraph" or not _ends_terminal(last) or _starts_lower(nxt.text)
                else:  # one paragraph per line: only a line broken mid-sentence continues
                    joins = _starts_lower(nxt.text)
            elif nxt.kind == "bullet" and kind == "list_item":
                # '- ... vård och' + '- omsorg.': one item broken in two by the converter
                words = last.split()
                body = _BULLET.sub("", nxt.text)
                joins = bool(words) and words[-1].lower() in _WRAP_CONJUNCTIONS and _starts_lower(body)
            else:
                joins = False
            joins = joins or _caps_continues(last, nxt)
            if not joins:
                break
            end, last = nxt.end, nxt.text
            j += 1
        if end > start:
            emit(kind, start, end)
        i = j
    for table in page.tables:
        for row in table:
            cells = tuple(strip_html(c or "") for c in row)
            if any(cells):
                passages.append(
                    Passage(
                        document_id=document_id,
                        page=page.number,
                        index=first_index + len(passages),
                        kind="table_row",
                        text="\t".join(cells),
                        section=sections.path(),
                        cells=cells,
                    )
                )
    return passages


def segment(doc: CleanDocument, document_id: int) -> list[Passage]:
    """Passages of a cleaned document in reading order, with sections, kinds and page offsets."""
    sections = _SectionStack(items=[])
    passages: list[Passage] = []
    for page in doc.pages:
        passages.extend(_page_passages(page, document_id, sections, len(passages)))
    return passages


def sections(passages: list[Passage]) -> list[tuple[str, ...]]:
    """The distinct section paths of a document, in order of appearance."""
    return list(dict.fromkeys(p.section for p in passages if p.section))
