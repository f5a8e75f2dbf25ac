"""The tagging pipeline: build the spaCy nlp, run it over passages, turn spans into linked Tags.

``build_nlp()`` = ``spacy.blank("sv")`` + lookup lemmatizer (spacy-lookups-data, offline) + sentencizer +
our components. ``tag_passages`` runs it with ``nlp.pipe`` (the nlp is built once, lazily, and cached) and
then links across passages: each activity to the goal it serves (table rows: the Målområde cell of its row
or of the row above; lists and sentences: the latest goal of its section) and to its responsible actors
("Ansvarig: ...", an actor column, "X ansvarar för ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from planmine.segment import fold, segment
from planmine.tag import rules
from planmine.types import CleanDocument, Passage, Tag, TagKind

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lookups import Lookups
    from spacy.tokens import Doc, DocBin

# span group → tag kind, in the order tags are listed for one passage
_KINDS: tuple[tuple[str, TagKind], ...] = (
    ("goals", "goal"),
    ("activities", "activity"),
    ("indicators", "indicator"),
    ("actors", "actor"),
    ("target_groups", "target_group"),
    ("times", "time"),
    ("requirements", "requirement"),
)
COMPONENTS = (
    "planmine_norms",
    "planmine_actors",
    "planmine_target_groups",
    "planmine_times",
    "planmine_indicators",
    "planmine_goals",
    "planmine_activities",
    "planmine_units",
    "planmine_commitment",
)


def build_nlp() -> Language:
    """A fresh Swedish pipeline: blank sv, lookup lemmatizer, sentencizer, the planmine components."""
    from planmine.tag import classify, components
    from planmine.tag._spacy import blank

    del classify  # registers planmine_units
    components.register_extensions()
    nlp = blank("sv")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    for name in COMPONENTS:
        nlp.add_pipe(name)
    # Same table as nlp.initialize() would load from spacy-lookups-data (offline), held in a plain dict:
    # spaCy's Table hashes its 660,000 Swedish entries one by one, 4 s of a 5 s budget.
    lemmatizer.initialize(lookups=_lemma_lookups())  # type: ignore[attr-defined]
    return nlp


class _LemmaTable(dict[str, str]):
    """The Swedish lookup table as a plain dict (read-only use: ``get(word, word)``)."""


def _lemma_lookups() -> Lookups:
    from spacy.lookups import Lookups
    from spacy.util import load_language_data, registry

    from planmine.errors import MissingExtraError

    if "sv" not in registry.lookups or "lemma_lookup" not in registry.lookups.get("sv"):
        raise MissingExtraError(
            "The Swedish lemma table (spacy-lookups-data)",
            "Install it: pip install 'spacy-lookups-data>=1.0.5'.",
        )
    lookups = Lookups()
    table = _LemmaTable(load_language_data(registry.lookups.get("sv")["lemma_lookup"]))
    lookups.set_table("lemma_lookup", table)  # type: ignore[arg-type]
    return lookups


@cache
def get_nlp() -> Language:
    """The pipeline, built on first use and cached for the process."""
    return build_nlp()


def lemmatize(texts: list[str]) -> list[list[str]]:
    """Lowercased lemmas of each text's word tokens (punctuation and spaces left out), same nlp as tagging."""
    nlp = get_nlp()
    lemma_only = [n for n in nlp.pipe_names if n not in ("lemmatizer", "planmine_norms")]
    out: list[list[str]] = []
    with nlp.select_pipes(disable=lemma_only):
        for doc in nlp.pipe(texts, batch_size=256):
            out.append([(t.lemma_ or t.text).lower() for t in doc if not (t.is_punct or t.is_space)])
    return out


@dataclass
class _Context:
    """What the passages before this one tell about it (table columns, list intro, section start)."""

    columns: list[str | None] = field(default_factory=list)
    examples: bool = False  # under a heading of examples ('Exempel inom kommuner', 'Bilaga 1. Exempel ...')
    intro: str = ""
    seen_sections: set[tuple[str, ...]] = field(default_factory=set)


# A run of this many characters without a space is no word (a URL, an encoded blob, a text dump without
# spaces). spaCy splits such runs at every '-', '.', '/' into thousands of tokens, and a passage that is
# mostly such runs holds no sentence to tag: it is tokenised at whitespace only (linear, few tokens).
LONG_RUN_CHARS = 100
MAX_LONG_RUN_SHARE = 0.5
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN_CHARS},}}")
_WORD = re.compile(r"\S+")


def _mostly_long_runs(text: str) -> bool:
    """Whether more than MAX_LONG_RUN_SHARE of the text is in runs of LONG_RUN_CHARS without a space."""
    if len(text) < LONG_RUN_CHARS:
        return False
    return sum(len(m.group()) for m in _LONG_RUN.finditer(text)) > MAX_LONG_RUN_SHARE * len(text)


def _whitespace_doc(nlp: Language, text: str) -> Doc:
    """A Doc of `text` (same text, same offsets) with one token per run of non-space characters."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    position = 0

    def gap(upto: int) -> None:
        space = text[position:upto]
        if space and words and not spaces[-1] and space[0] == " ":
            spaces[-1], space = True, space[1:]
        if space:
            words.append(space)
            spaces.append(False)

    for match in _WORD.finditer(text):
        gap(match.start())
        words.append(match.group())
        spaces.append(False)
        position = match.end()
    gap(len(text))
    return Doc(nlp.vocab, words=words, spaces=spaces)


def passage_docs(passages: list[Passage], *, genre: str = "") -> list[Doc]:
    """One Doc per passage with its context set on ``doc._`` (not yet run through the pipeline).

    `genre` is the document's genre (``planmine.genre`` id, '' when unknown).
    """
    nlp = get_nlp()
    docs: list[Doc] = []
    ctx = _Context()
    last_document: int | None = None
    previous: Passage | None = None
    before_previous: Passage | None = None
    for p in passages:
        if p.document_id != last_document:
            ctx, last_document, previous, before_previous = _Context(), p.document_id, None, None
        # a line break inside "Region Örebro\nlän" must not split the name: same length, same offsets
        text = p.text.replace("\n", " ")
        doc = _whitespace_doc(nlp, text) if _mostly_long_runs(text) else nlp.make_doc(text)
        header = p.kind == "table_row" and rules.is_header_row(p.cells)
        if header:
            ctx.columns = [rules.column_role(c) for c in p.cells]
        elif p.kind == "heading":
            ctx.columns = []
            # bold labels ('- Gemensamma**') subdivide the examples above them; other headings end them
            if p.text.rstrip().endswith("**"):
                ctx.examples = ctx.examples or "exempel" in fold(p.text)
            else:
                ctx.examples = any("exempel" in fold(part) for part in p.section)
        label_item = p.kind == "list_item" and _is_example_label(p.text)
        if label_item:  # '- Regionala exempel' once the cleaner has dropped the bold marks
            ctx.examples = True
        if p.kind == "list_item":
            if previous is not None and previous.kind != "list_item":
                ctx.intro = fold(previous.text) if previous.kind == "paragraph" else ""
                if (
                    len(ctx.intro) < 15
                    and before_previous is not None
                    and before_previous.kind == "paragraph"
                ):
                    ctx.intro = fold(before_previous.text) + " " + ctx.intro  # '... med fokus' + 'på:'

        else:
            ctx.intro = ""
        doc._.passage_kind = p.kind
        doc._.section = list(p.section)
        doc._.cells = list(p.cells)
        doc._.columns = list(ctx.columns) if p.kind == "table_row" else []
        doc._.intro = ctx.intro
        doc._.examples = ctx.examples
        doc._.header = header or label_item
        doc._.first_in_section = p.kind != "heading" and p.section not in ctx.seen_sections
        doc._.passage_index = p.index
        doc._.document_id = p.document_id
        doc._.genre = genre
        if p.kind != "heading":
            ctx.seen_sections.add(p.section)
        docs.append(doc)
        before_previous, previous = previous, p
    return docs


def _is_example_label(text: str) -> bool:
    """A short list item that names a group of examples: 'Regionala exempel', 'Exempel inom kommuner'."""
    words = fold(text).strip(" *:").split()
    return 0 < len(words) <= 4 and any(w.startswith("exempel") for w in words)


def run(passages: list[Passage], *, genre: str = "", rules_only: bool = False) -> list[Doc]:
    """The passages run through the pipeline (batched with nlp.pipe); `rules_only` skips the classifier."""
    nlp = get_nlp()
    docs = passage_docs(passages, genre=genre)
    if rules_only:
        with nlp.select_pipes(disable=["planmine_units", "planmine_commitment"]):
            return list(nlp.pipe(docs, batch_size=128))
    return list(nlp.pipe(docs, batch_size=128))


def _responsible(doc: Doc) -> list[str]:
    names = [s.label_ for s in doc.spans["actors"] if s._.responsible]
    return list(dict.fromkeys(names))


def _section_key(section: tuple[str, ...]) -> str:
    return fold(section[0]) if section else ""


def link(passages: list[Passage], docs: list[Doc]) -> list[Tag]:
    """Tags of all passages, with activity → goal and goal/activity → responsible actor links.

    Sets the links on the spans too (``span._.goal``, ``span._.actors``), so a DocBin keeps them.
    """
    tags: list[Tag] = []
    table_goal: int | None = None
    section_goals: list[tuple[tuple[str, ...], int, bool]] = []
    responsible: dict[str, list[str]] = {}
    latest_responsible: list[str] = []
    declared: set[str] = set()
    last_document: int | None = None
    for p, doc in zip(passages, docs, strict=True):
        if p.document_id != last_document:
            table_goal, section_goals, responsible, latest_responsible = None, [], {}, []
            declared = set()
            last_document = p.document_id
        if p.kind == "heading" or (p.kind != "table_row" and (doc.spans["goals"] or doc.spans["activities"])):
            table_goal = None
        own = _responsible(doc)
        column_actors = [
            p.text[s:e].strip()
            for (s, e), role in zip(_cell_offsets(p.text), doc._.columns, strict=False)
            if role == "actor" and e > s
        ]
        labelled = bool(rules.RESPONSIBLE_LABEL.match(fold(p.text)))
        if own and not doc.spans["activities"] and (labelled or _section_key(p.section) not in declared):
            responsible[_section_key(p.section)] = own
            latest_responsible = own
            if labelled:  # 'Ansvarig: X' outranks a later 'X ansvarar för ...' in the same section
                declared.add(_section_key(p.section))
        row_goal: int | None = None
        for key, kind in _KINDS:
            for span in doc.spans.get(key, []):
                tag = Tag(
                    kind=kind,
                    text=p.text[span.start_char : span.end_char],
                    start=span.start_char,
                    end=span.end_char,
                    passage_index=p.index,
                    label=span.label_,
                    commitment=span._.commitment if kind in ("goal", "activity") else None,
                )
                if kind in ("goal", "activity"):
                    actors = (
                        own
                        or [_normalise(a) for a in column_actors]
                        or _inherited(p.section, responsible, latest_responsible)
                    )
                    tag.actors = tuple(actors)
                    span._.actors = list(actors)
                if kind == "goal":
                    index = len(tags)
                    if p.kind == "table_row":
                        row_goal = table_goal = index
                    else:
                        section_goals.append((p.section, index, span.label_ == "subgoal"))
                elif kind == "activity":
                    if p.kind == "table_row" and doc._.columns:
                        tag.goal = row_goal if row_goal is not None else table_goal
                    else:
                        tag.goal = _section_goal(p.section, section_goals)
                    span._.goal = tag.goal
                tags.append(tag)
    return tags


def _cell_offsets(text: str) -> list[tuple[int, int]]:
    from planmine.tag.components import cell_offsets

    return cell_offsets(text)


def _normalise(name: str) -> str:
    from planmine.tag.gazetteer import normalise_actor

    return normalise_actor(name)


def _inherited(section: tuple[str, ...], responsible: dict[str, list[str]], latest: list[str]) -> list[str]:
    """Responsible actors declared for the section ('Ansvarig: ...'); an 'Aktiviteter X' part takes the last."""
    if key := _section_key(section):
        if key in responsible:
            return responsible[key]
        if key.startswith("aktiviteter"):
            return latest
    return []


def _section_goal(section: tuple[str, ...], goals: list[tuple[tuple[str, ...], int, bool]]) -> int | None:
    """The latest goal stated in this section or a section that contains it.

    Sub-goals (the bullets under a capitalised goal heading) give way to the goal above them.
    """
    fallback: int | None = None
    for goal_section, index, subgoal in reversed(goals):
        if goal_section and section[: len(goal_section)] == goal_section:
            if not subgoal:
                return index
            fallback = index if fallback is None else fallback
    return fallback


def tags_by_passage(tags: list[Tag]) -> dict[int, list[Tag]]:
    """Tags grouped by Passage.index (e.g. which passages hold a binding goal or activity)."""
    grouped: dict[int, list[Tag]] = {}
    for tag in tags:
        grouped.setdefault(tag.passage_index, []).append(tag)
    return grouped


def tag_passages(passages: list[Passage], *, genre: str = "") -> list[Tag]:
    """Tags of the passages (in passage order), links included; Tag.goal indexes into this list.

    `genre` (a ``planmine.genre`` id) makes procurement, manuals and risk analyses carry requirements,
    never goals or activities.
    """
    return link(passages, run(passages, genre=genre))


def analyse(doc: CleanDocument, document_id: int, *, genre: str = "") -> tuple[list[Passage], list[Tag]]:
    """Segment and tag a cleaned document (of genre `genre`, '' when unknown)."""
    passages = segment(doc, document_id)
    return passages, tag_passages(passages, genre=genre)


def to_docbin(docs: list[Doc]) -> DocBin:
    """A DocBin of tagged passage docs, with their spans, span labels and extension values."""
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    return docbin


def from_docbin(data: bytes | DocBin) -> list[Doc]:
    """Docs back from a DocBin (or its bytes), spans and extensions intact."""
    from spacy.tokens import DocBin

    from planmine.tag import components

    components.register_extensions()
    docbin = DocBin(store_user_data=True).from_bytes(data) if isinstance(data, bytes) else data
    return list(docbin.get_docs(get_nlp().vocab))
