"""What a passage says, for theme evidence: index items per document, the reading (role, commitment,
enumeration) around a match, the quote, the explanation, and the cosines to the themes.

Shared by the in-memory `ThemeIndex` and the evidence computed at ingest (`themes.materialise`), so
that both read a passage by one rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planmine.themes.evidence import PassageReading, Role
from planmine.themes.matcher import TermHit
from planmine.themes.text import enumeration_size, is_background, ocr_fold, sentences, unquotable
from planmine.types import Passage

_INDICATOR_HEAD = re.compile(r"^\s*(indikator\w*|kalla|matt\w*)\b")
_ACTIVITY_HEAD = re.compile(r"^\s*(malomrade\w*|aktivitet\w*|atgard\w*|insats\w*)\b")
_STATEMENT_KINDS = ("goal", "activity", "indicator")
QUOTE_CHARS = 300  # passages up to this long are quoted whole; longer ones by the sentences that match
QUOTE_MIN_CHARS = 60
_COMMITMENT_RANK = {"binding": 3, "intention": 2, None: 1, "background": 0}


@dataclass(frozen=True)
class PassageTag:
    """A goal, activity or indicator the tagging stage found in a passage (offsets into its text)."""

    kind: str
    commitment: str | None
    start: int
    end: int


Reading = PassageReading


@dataclass
class IndexedPassage:
    """A passage with what matching needs: region, document name, folded text, tags, table context."""

    passage: Passage
    region: str
    document: str  # the document's file name
    folded: str
    table_context: str = ""  # "indicator" or "activity" for rows of such a table
    tags: tuple[PassageTag, ...] = ()
    document_id: int = 0
    genre: str = ""
    quotable: bool = True  # False for a table-of-contents line, running header/footer, form field


def passage_tag(kind: str, commitment: str | None, text: str, passage_text: str) -> PassageTag:
    """A tag located in its passage's text (passage-wide where its text is not found, which never happens)."""
    start = passage_text.find(text)
    if start < 0:
        return PassageTag(kind, commitment, 0, len(passage_text))
    return PassageTag(kind, commitment, start, start + len(text))


def index_document(
    passages: Sequence[Passage],
    tags: Mapping[int, Sequence[PassageTag]],
    *,
    region: str,
    document: str,
    document_id: int,
    genre: str,
) -> list[IndexedPassage]:
    """One document's readable passages as index items (`tags` keyed by `Passage.index`): folded text,
    table context and quotability depend on this document alone."""
    passages = [p for p in passages if p.text.strip()]
    repeats = Counter(" ".join(p.text.split()).lower() for p in passages)
    table_context = ""
    items: list[IndexedPassage] = []
    for p in passages:
        folded = ocr_fold(p.text)
        if p.kind == "table_row":
            if _INDICATOR_HEAD.match(folded):
                table_context = "indicator"
            elif _ACTIVITY_HEAD.match(folded):
                table_context = "activity"
        elif p.kind == "heading":
            table_context = ""
        items.append(
            IndexedPassage(
                passage=p,
                region=region,
                document=document,
                folded=folded,
                table_context=table_context if p.kind == "table_row" else "",
                tags=tuple(tags.get(p.index, ())),
                document_id=document_id,
                genre=genre,
                # a repeated heading is a section of its own (cleaning removed running headers)
                quotable=not unquotable(
                    p.text, 1 if p.kind == "heading" else repeats[" ".join(p.text.split()).lower()]
                ),
            )
        )
    return items


def passage_reading(item: IndexedPassage, start: int, end: int) -> Reading:
    """The role of a passage around [start, end): its tag there, else its kind and cues."""
    sentence, s_start = item.folded, 0
    for a, b in sentences(item.folded):
        if a <= start < b:
            sentence, s_start = item.folded[a:b], a
            break
    enum = enumeration_size(sentence, start - s_start, end - s_start)
    here = [t for t in item.tags if t.start < end and start < t.end]
    if here:
        tag = max(here, key=lambda t: (t.kind != "indicator", _COMMITMENT_RANK[t.commitment]))
        role: Role = "background" if tag.commitment == "background" else tag.kind  # type: ignore[assignment]
        return Reading(role, tag.kind, tag.commitment, enum)
    kind = item.passage.kind
    if kind == "heading":
        return Reading("heading", kind, None, enum)
    if kind == "table_row" and item.table_context == "indicator":
        return Reading("indicator", kind, None, enum)
    if is_background(sentence):
        return Reading("background", kind, None, enum)
    stated = [t for t in item.tags if t.kind != "indicator" and t.commitment != "background"]
    if stated:  # the passage states a goal or activity, in another sentence than the match
        best = max(stated, key=lambda t: _COMMITMENT_RANK[t.commitment])
        return Reading("statement", kind, best.commitment, enum)
    return Reading("paragraph", kind, None, enum)


def passage_quote(item: IndexedPassage, start: int, end: int) -> tuple[str, int]:
    """Whole sentence(s) of a passage around [start, end) (the whole passage when it is short), and
    where the quote starts in the passage text."""
    text = item.passage.text
    if len(text) <= QUOTE_CHARS:
        lead = len(text) - len(text.lstrip())
        return text.strip(), lead
    spans = sentences(item.folded)
    first = next((k for k, (a, b) in enumerate(spans) if a <= start < b), 0)
    last = next((k for k, (a, b) in enumerate(spans) if a < end <= b), first)
    last = max(last, first)
    a, b = spans[first][0], spans[last][1]
    while b - a < QUOTE_MIN_CHARS and (first > 0 or last < len(spans) - 1):
        if last < len(spans) - 1:
            last += 1
            b = spans[last][1]
        else:
            first -= 1
            a = spans[first][0]
    piece = text[a:b]
    lead = len(piece) - len(piece.lstrip())
    return piece.strip(), a + lead


def quote_and_match(
    item: IndexedPassage, spans: list[tuple[int, int]] | None
) -> tuple[str, int, list[tuple[int, int]]]:
    """The quote of a passage around its matches, where it starts in the passage text, and the matched
    words' offsets in the quote (none where OCR folding changed the text's length)."""
    if not spans:
        text = item.passage.text
        return text.strip(), len(text) - len(text.lstrip()), []
    quote, offset = passage_quote(item, spans[0][0], spans[-1][1])
    same_length = len(item.folded) == len(item.passage.text)
    match = [
        (s - offset, e - offset) for s, e in spans if same_length and offset <= s and e - offset <= len(quote)
    ]
    return quote, offset, match


def term_explanation(
    hit: TermHit, reading: PassageReading, terms: Sequence[str], cosine: float | None, z: float
) -> str:
    """Why a passage with a term is a candidate (`cosine` None: no vectors)."""
    why = f"term '{hit.term}' as '{hit.surface}'"
    why += f" (fuzzy {hit.quality:.2f})" if hit.quality < 1 else ""
    why += f"{' (related term)' if hit.strength == 'weak' else ''} in {reading.describe()}"
    why += f"; list of {reading.enumeration}" if reading.enumeration > 1 else ""
    why += f"; cosine {cosine:.3f} (z {z:.1f})" if cosine is not None else ""
    if len(terms) > 1:
        why += f"; terms {', '.join(terms)}"
    return why


def semantic_explanation(cosine: float, z: float) -> str:
    return f"by meaning only (no term): cosine {cosine:.3f} (z {z:.1f})"


def theme_cosines(centroids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Themes × passages cosines, the same to the last bit for a document alone as within the whole store
    (einsum sums each dot product in one order; a BLAS product's order depends on the matrix sizes)."""
    return np.einsum("td,nd->tn", np.asarray(centroids, np.float64), np.asarray(vectors, np.float64))
