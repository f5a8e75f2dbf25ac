"""Units of the unit classifier: the sentences of paragraphs and whole headings, list items and table rows.

A unit is what a reader labels as a goal, sub-goal, activity, indicator, background, a requirement on a
supplier or other. Its features are the folded words of its text plus what the rules and the passage's
context say about it (the rule tags it overlaps, passage kind, section words, the list's intro, shape).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planmine.segment import fold
from planmine.tag import rules

if TYPE_CHECKING:
    from spacy.tokens import Doc

UNIT_LABELS = (
    "goal",
    "subgoal",
    "activity",
    "indicator",
    "background",
    "requirement_on_supplier",
    "other",
)
GOAL_LABELS = frozenset({"goal", "subgoal"})
_WORD = re.compile(r"[a-z0-9]+")
_SECTION_CUES = (
    ("goal", re.compile(r"\b(mal\w*|vision\w*|malbild\w*|strategisk\w* \w+|inriktning\w*)\b")),
    ("strategy", re.compile(r"\b(strategi\w*|fokusomrade\w*|insatsomrade\w*|delmal\w*)\b")),
    ("activity", re.compile(r"\b(aktivitet\w*|insats\w*|atgard\w*|handlingsplan\w*|genomforande)\b")),
    ("background", re.compile(r"\b(bakgrund|inledning|syfte|forord|sammanfattning|om \w+)\b")),
    (
        "requirement",
        re.compile(r"\b(krav\w*|kravspecifikation|upphandling\w*|avrop\w*|leverans\w*|anbud\w*)\b"),
    ),
    ("indicator", re.compile(r"\b(indikator\w*|uppfoljning|matt|nyckeltal)\b")),
)


@dataclass(frozen=True)
class Unit:
    """One labelled or classified unit: characters [start, end) of passage `passage_index`."""

    passage_index: int
    start: int
    end: int
    passage_kind: str  # heading | list_item | paragraph | table_row
    text: str

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"unit offsets must satisfy 0 <= start < end, got {self.start}, {self.end}")


def doc_units(doc: Doc) -> list[Unit]:
    """The units of one passage Doc (after the pipeline has set sentences)."""
    text = doc.text
    kind = doc._.passage_kind
    if kind == "paragraph" and doc.has_annotation("SENT_START"):
        pieces = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        pieces = [(0, len(text))]
    units = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(c.isalnum() for c in text[start:end]):
            units.append(Unit(doc._.passage_index, start, end, kind, text[start:end]))
    return units


def _overlaps(doc: Doc, key: str, start: int, end: int) -> bool:
    return any(s.start_char < end and start < s.end_char for s in doc.spans[key])


def _caps_share(text: str) -> float:
    letters, upper = rules.letter_counts(text)
    return upper / letters if letters else 0.0


def unit_features(doc: Doc, unit: Unit) -> list[tuple[str, float]]:
    """Hashed-feature pairs of a unit: folded words and bigrams, rule tags, context and shape cues."""
    folded = fold(unit.text)
    words = _WORD.findall(folded)
    feats: list[tuple[str, float]] = [(f"w:{w}", 1.0) for w in set(words)]
    feats += [(f"b:{a}_{b}", 1.0) for a, b in set(itertools.pairwise(words))]
    if words:
        feats.append((f"first:{words[0]}", 1.0))
        if len(words) > 1:
            feats.append((f"first2:{words[0]}_{words[1]}", 1.0))
        if words[0] in rules.LIST_VERBS:
            feats.append(("first_verb", 1.0))
    feats.append((f"kind:{unit.passage_kind}", 1.0))
    n = len(words)
    feats.append((f"len:{0 if n < 4 else 1 if n < 9 else 2 if n < 20 else 3 if n < 40 else 4}", 1.0))
    for key, name in (("goals", "goal"), ("activities", "activity"), ("indicators", "indicator")):
        if _overlaps(doc, key, unit.start, unit.end):
            feats.append((f"rule:{name}", 2.0))
    if doc.spans["actors"] and _overlaps(doc, "actors", unit.start, unit.end):
        feats.append(("has_actor", 1.0))
    caps = _caps_share(unit.text)
    if caps > 0.8 and n >= 3:
        feats.append(("all_caps", 2.0))
    if rules.SUPPLIER_SUBJECT.search(folded):
        feats.append(("supplier_subject", 2.0))
    if rules.PLACE_SHALL.search(unit.text):
        feats.append(("place_shall", 2.0))
    if rules.DOCUMENT_SUBJECT.search(folded):
        feats.append(("document_subject", 2.0))
    if rules.WE_SHALL.search(folded):
        feats.append(("we_shall", 2.0))
    if unit.text.rstrip().endswith(":"):
        feats.append(("ends_colon", 1.0))
    if rules.BACKGROUND.search(folded):
        feats.append(("past_tense_cue", 1.0))
    if rules.TIME.search(unit.text):
        feats.append(("has_time", 1.0))
    if re.match(r"^\s*(\d{1,2}(\.\d{1,2})*\.?|[a-z]\))\s", unit.text):
        feats.append(("numbered", 1.0))
    section = " ".join(fold(s) for s in doc._.section[-2:])
    for cue, pattern in _SECTION_CUES:
        if pattern.search(section):
            feats.append((f"sec:{cue}", 1.0))
    intro = doc._.intro
    if intro:
        feats.append(("has_intro", 1.0))
        if rules.GOAL_LIST_INTRO.search(intro):
            feats.append(("intro:goal", 1.0))
        if rules.ACTIVITY_LIST_INTRO.search(intro):
            feats.append(("intro:activity", 1.0))
        if rules.SUPPLIER_SUBJECT.search(intro) or "krav" in intro:
            feats.append(("intro:requirement", 1.0))
    if doc._.first_in_section:
        feats.append(("first_in_section", 1.0))
    if doc._.examples:
        feats.append(("examples", 1.0))
    if doc._.columns:
        feats += [(f"col:{c}", 1.0) for c in set(doc._.columns) if c]
    return feats
