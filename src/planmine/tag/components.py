"""spaCy components of the tagger, registered by name; each writes one group of ``doc.spans``.

A Doc is one passage. Before the pipeline runs, ``pipeline.passage_docs`` sets the passage's context on
``doc._``: kind, section path, cells, the roles of the table's columns, the text that introduced a list.
The components only read that context and the text; links between passages are made afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from planmine.segment import fold
from planmine.tag import rules
from planmine.tag._spacy import Doc, Language, PhraseMatcher, Span, filter_spans
from planmine.tag.gazetteer import actor_phrases, normalise_actor, target_group_phrases

SPAN_KEYS = ("goals", "activities", "indicators", "actors", "target_groups", "times", "requirements")
_HTML_EDGE = re.compile(r"^(\s|<[^>]{1,200}>)+|(\s|<[^>]{1,200}>)+$")
_QUOTES = "”“\"'«»"
_LEMMA_FIXES = {
    "ska": "ska",
    "skall": "ska",
    "med": "med",
    "fick": "få",
    "får": "få",
    "kan": "kunna",
    "äldre": "äldre",
    "äldres": "äldre",
}
_PLACE_QUANTIFIERS = frozenset(["olika", "flera", "vissa", "manga", "alla", "andra"])
# words after which actors in an "X ansvarar för" sentence are helpers, not the responsible party
_NOT_RESPONSIBLE_AFTER = frozenset(["ledning", "inom", "samverkan", "stod", "tillsammans"])


def register_extensions() -> None:
    """Declare the Doc and Span extensions (idempotent: force=True)."""
    for name, default in (
        ("passage_kind", "paragraph"),
        ("section", []),
        ("cells", []),
        ("columns", []),
        ("intro", ""),
        ("header", False),
        ("first_in_section", False),
        ("examples", False),
        ("passage_index", -1),
        ("document_id", -1),
        ("genre", ""),
    ):
        Doc.set_extension(name, default=default, force=True)
    span_defaults: list[tuple[str, object]] = [
        ("commitment", None),
        ("responsible", False),
        ("actors", []),
        ("goal", None),
    ]
    for name, span_default in span_defaults:
        Span.set_extension(name, default=span_default, force=True)


def cell_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each tab-separated cell's content in `text`, HTML and space trimmed at the edges."""
    offsets: list[tuple[int, int]] = []
    pos = 0
    for cell in text.split("\t"):
        start, end = pos, pos + len(cell)
        lead = _HTML_EDGE.match(cell)
        if lead and lead.end() < len(cell):
            start += lead.end()
        trail = _HTML_EDGE.search(text[start:end])
        if trail and trail.start() > 0:
            end = start + trail.start()
        offsets.append((start, end) if end > start else (pos, pos))
        pos += len(cell) + 1
    return offsets


def _char_span(doc: Doc, start: int, end: int, label: str = "") -> Span | None:
    text = doc.text
    while start < end and (text[start].isspace() or text[start] in _QUOTES):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _QUOTES):
        end -= 1
    if end <= start:
        return None
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _whole(doc: Doc) -> Span | None:
    return _char_span(doc, 0, len(doc.text))


def _column_spans(doc: Doc, role: str) -> list[Span]:
    """Spans of the cells of a table row whose column holds `role` (goal, activity, indicator, ...)."""
    if doc._.passage_kind != "table_row" or doc._.header:
        return []
    spans = []
    for (start, end), column in zip(cell_offsets(doc.text), doc._.columns, strict=False):
        if column == role and end > start and (span := _char_span(doc, start, end)) is not None:
            spans.append(span)
    return spans


def _label_rest(doc: Doc, pattern: re.Pattern[str]) -> Span | None:
    """The text after a label such as 'Övergripande mål:' at the start of the passage."""
    match = pattern.match(fold(doc.text))
    if not match:
        return None
    return _char_span(doc, match.end(), len(doc.text))


def _phrase_matcher(nlp: Language, phrases: Iterable[str]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    patterns = []
    for phrase in phrases:
        pattern = nlp.make_doc(phrase)
        for token in pattern:
            token.norm_ = fold(token.text)
        patterns.append(pattern)
    matcher.add("PHRASE", patterns)
    return matcher


@Language.factory("planmine_norms")
class NormsComponent:
    """Folded norms (lowercase, no diacritics) for accent-insensitive matching; lowercase lemma lookup."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self._table: Any = None

    def _lemmas(self) -> Any:
        if self._table is None and "lemmatizer" in self.nlp.pipe_names:
            lookups = self.nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
            self._table = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else {}
        return self._table or {}

    def __call__(self, doc: Doc) -> Doc:
        table = self._lemmas()
        for token in doc:
            lower = token.lower_
            token.norm_ = fold(token.text)
            if lower in _LEMMA_FIXES:
                token.lemma_ = _LEMMA_FIXES[lower]
            elif token.text != lower and (token.lemma_ in ("", token.text)):
                token.lemma_ = table.get(lower, lower)
        return doc


@Language.factory("planmine_actors")
class ActorsComponent:
    """Actors from the gazetteer (regions, municipalities, bodies, roles), one normalised name each."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.phrases = actor_phrases()
        self.matcher = _phrase_matcher(nlp, self.phrases)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for _, start, end in self.matcher(doc):
            span = doc[start:end]
            key = " ".join(t.norm_ for t in span)
            name = self.phrases.get(key) or normalise_actor(span.text)
            if name == "Kommunerna" and start >= 1:
                before = doc[start - 1].norm_
                if before in _PLACE_QUANTIFIERS or (
                    doc[start - 1].like_num and start >= 2 and doc[start - 2].norm_ in ("av", "i", "pa")
                ):
                    continue  # 'i 15 av 16 kommuner', 'i olika kommuner': places, not the acting municipalities
            spans.append(Span(doc, start, end, label=name))
        spans = filter_spans(spans)
        responsible_label = _label_rest(doc, rules.RESPONSIBLE_LABEL)
        if responsible_label is not None and not any(
            s.start >= responsible_label.start and s.end <= responsible_label.end for s in spans
        ):
            spans.append(
                Span(
                    doc,
                    responsible_label.start,
                    responsible_label.end,
                    normalise_actor(responsible_label.text),
                )
            )
        for span in spans:
            if responsible_label is not None:
                span._.responsible = True
                continue
            sent_span: Span = span.sent if doc.has_annotation("SENT_START") else doc[:]
            if any(t.norm_ in ("ansvarar", "ansvara") for t in sent_span):
                lead = doc[sent_span.start : span.start]
                span._.responsible = not any(t.norm_ in _NOT_RESPONSIBLE_AFTER for t in lead)
        doc.spans["actors"] = sorted(spans, key=lambda s: s.start)
        return doc


@Language.factory("planmine_target_groups")
class TargetGroupsComponent:
    """Target groups (äldre, barn och unga, personer med psykisk ohälsa, ...) and 'Målgrupp: ...' lines."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.phrases = target_group_phrases()
        self.matcher = _phrase_matcher(nlp, self.phrases)

    def __call__(self, doc: Doc) -> Doc:
        spans = [
            Span(doc, s, e, label=self.phrases.get(" ".join(t.norm_ for t in doc[s:e]), doc[s:e].text))
            for _, s, e in self.matcher(doc)
        ]
        spans = filter_spans(spans)
        labelled = _label_rest(doc, rules.TARGET_LABEL)
        if labelled is not None and not spans:
            spans.append(Span(doc, labelled.start, labelled.end, label=labelled.text.rstrip(".")))
        doc.spans["target_groups"] = sorted(spans, key=lambda s: s.start)
        return doc


@Language.factory("planmine_times")
class TimesComponent:
    """Times: periods (2023–2024), deadlines ('senast år 2030'), seasons ('Hösten 2023'), dates."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in rules.TIME.finditer(doc.text):
            if rules.NOT_TIME.search(doc.text[max(0, match.start() - 12) : match.start()]):
                continue
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None:
                spans.append(Span(doc, span.start, span.end, label=rules.time_value(match.group())))
        doc.spans["times"] = filter_spans(spans)
        return doc


@Language.factory("planmine_indicators")
class IndicatorsComponent:
    """Indicators: Indikator cells (label = the Källa cell), 'Indikator: ...' lines, items under 'Indikatorer'."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        spans = _column_spans(doc, "indicator")
        if spans:
            sources = [
                doc.text[s:e].strip()
                for (s, e), role in zip(cell_offsets(doc.text), doc._.columns, strict=False)
                if role == "source"
            ]
            spans = [Span(doc, s.start, s.end, label="; ".join(x for x in sources if x)) for s in spans]
        elif (labelled := _label_rest(doc, rules.INDICATOR_LABEL)) is not None:
            spans = [labelled]
        elif (
            doc._.passage_kind == "list_item"
            and doc._.section
            and fold(doc._.section[-1]).startswith("indikator")
        ):
            spans = [s for s in [_whole(doc)] if s is not None]
        doc.spans["indicators"] = spans
        return doc


def _in_goal_heading_section(doc: Doc) -> bool:
    if not doc._.section:
        return False
    heading = fold(doc._.section[-1])
    return bool(rules.GOAL_HEADING.match(heading) or rules.STRATEGY_HEADING.match(heading))


def caps_goal(text: str) -> bool:
    """A capitalised goal statement: 'I KRONOBERG SKA VÅRDEN VARA NÄRA', 'VI SKA ERBJUDA EN JÄMLIK VÅRD'."""
    letters, upper = rules.letter_counts(text)
    if letters < 12 or upper < rules.CAPS_GOAL_MIN_SHARE * letters:
        return False
    return bool(rules.CAPS_GOAL.search(fold(text)))


def _goal_section_statement(doc: Doc, sentence: Span) -> bool:
    """'Vi ska ...' / 'Alla ... ska kunna ...' under a heading that announces goals ('Vår vision')."""
    if not doc._.section or not rules.GOAL_SECTION.search(fold(doc._.section[-1]).strip(" :")):
        return False
    norms = [t.norm_ for t in sentence]
    return "ska" in norms or "skall" in norms or "vill" in norms


def _in_caps_goal_section(doc: Doc) -> bool:
    return bool(doc._.section) and caps_goal(doc._.section[-1])


def _strategy_heading(doc: Doc) -> bool:
    return doc._.passage_kind == "heading" and bool(rules.STRATEGY_HEADING.match(fold(doc.text)))


@Language.factory("planmine_goals")
class GoalsComponent:
    """Goals: Målområde cells, 'Övergripande mål: ...', delmål/effektmål lists and headings, goal sentences."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        spans = _column_spans(doc, "goal")
        kind = doc._.passage_kind
        if not spans and kind in ("heading", "list_item", "paragraph") and caps_goal(doc.text):
            # the bullets under a capitalised goal heading are its sub-goals
            label = "subgoal" if kind == "list_item" and _in_caps_goal_section(doc) else ""
            spans = [s for s in [_char_span(doc, 0, len(doc.text), label=label)] if s is not None]
        elif not spans and _strategy_heading(doc):
            spans = [s for s in [_char_span(doc, 0, len(doc.text), label="subgoal")] if s is not None]
        if not spans and kind != "heading" and not doc._.header:
            labelled = _label_rest(doc, rules.GOAL_LABEL)
            if labelled is not None:
                spans = [labelled]
            elif (kind == "list_item" and rules.GOAL_LIST_INTRO.search(doc._.intro)) or (
                kind == "paragraph"
                and doc._.first_in_section
                and _in_goal_heading_section(doc)
                and len(doc.text) <= 300
            ):
                spans = [s for s in [_whole(doc)] if s is not None]
            if not spans and kind in ("paragraph", "list_item"):
                spans = [
                    s
                    for sent in doc.sents
                    if (
                        rules.GOAL_SENTENCE.search(" ".join(t.norm_ for t in sent))
                        or _goal_section_statement(doc, sent)
                    )
                    and (s := _char_span(doc, sent.start_char, sent.end_char)) is not None
                ]
        doc.spans["goals"] = spans
        return doc


def _first_word(text: str) -> str:
    words = fold(text).lstrip("-–•*\"”“' ").split()
    return words[0].strip(",.:;") if words else ""


def _activity_context(doc: Doc) -> bool:
    """A list item that the document presents as something to do (examples, activities, insatser)."""
    if doc._.examples or any(fold(part).startswith("aktiviteter") for part in doc._.section):
        return True
    return bool(rules.ACTIVITY_LIST_INTRO.search(doc._.intro))


def _modal_action(sentence: Span) -> bool:
    """'... behöver skapa ...', '... ska förstärkas ...': a modal followed closely by an action verb."""
    norms = [t.norm_ for t in sentence]
    for i, norm in enumerate(norms):
        if norm not in rules.MODALS:
            continue
        if norm == "kommer" and "att" not in norms[i + 1 : i + 3]:
            continue
        for later in norms[i + 1 : i + 4]:
            if later in ("for", "som", "om") or (later == "att" and norm != "kommer"):
                break
            if later in rules.SENTENCE_VERBS or (later.endswith("s") and later[:-1] in rules.SENTENCE_VERBS):
                return True
    return False


def _actor_action(doc: Doc, sentence: Span) -> bool:
    """'Kommunerna inför ...', 'Region X ansvarar för att ...': an actor opens the sentence and acts."""
    actor = next((s for s in doc.spans["actors"] if s.start == sentence.start), None)
    if actor is None and sentence.start < len(doc) and doc[sentence.start].norm_ == "varje":
        actor = doc[sentence.start : sentence.start + 2]
    if actor is None or actor.end >= sentence.end:
        return False
    norms = [t.norm_ for t in doc[actor.end : min(sentence.end, actor.end + 3)]]
    return norms[0] in rules.PRESENT_ACTIONS or norms[:3] == ["ansvarar", "for", "att"]


@Language.factory("planmine_activities")
class ActivitiesComponent:
    """Activities: Aktiviteter cells, action list items, examples, 'ska/behöver + action' sentences."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        spans = _column_spans(doc, "activity")
        kind = doc._.passage_kind
        goal_chars = {(s.start_char, s.end_char) for s in doc.spans["goals"]}
        if not spans and not doc._.header and kind in ("list_item", "paragraph", "table_row"):
            if kind == "list_item" and not doc.spans["goals"]:
                first = _first_word(doc.text)
                if (
                    _activity_context(doc)
                    or first in rules.LIST_VERBS
                    or rules.NOMINAL_ACTIONS.match(fold(doc.text).lstrip("-–• "))
                ):
                    spans = [s for s in [_whole(doc)] if s is not None]
            if not spans and kind != "table_row":
                for sent in doc.sents:
                    if (sent.start_char, sent.end_char) in goal_chars or sent.text.rstrip().endswith(":"):
                        continue
                    folded = " ".join(t.norm_ for t in sent)
                    if rules.DOCUMENT_SUBJECT.search(folded):
                        continue
                    if _modal_action(sent) or rules.NEXT_STEP.search(folded) or _actor_action(doc, sent):
                        span = _char_span(doc, sent.start_char, sent.end_char)
                        if span is not None and not any(
                            span.start < g.end and g.start < span.end for g in doc.spans["goals"]
                        ):
                            spans.append(span)
        doc.spans["activities"] = spans
        return doc


@Language.factory("planmine_commitment")
class CommitmentComponent:
    """Commitment of each goal and activity: binding (ska, decided), intention (behöver, bör), background."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        in_table = doc._.passage_kind == "table_row"
        examples = doc._.examples
        intro = doc._.intro
        for key in ("goals", "activities"):
            for span in doc.spans[key]:
                sentence = " ".join(t.norm_ for t in span)
                context = " ".join(t.norm_ for t in span.sent) if doc.has_annotation("SENT_START") else ""
                text = f"{sentence} {context}"
                if rules.BACKGROUND.search(text) and not in_table:
                    span._.commitment = "background"
                elif rules.BINDING.search(text):
                    span._.commitment = "binding"
                elif rules.INTENTION.search(text):
                    span._.commitment = "intention"
                elif in_table or (key == "goals" and doc._.passage_kind != "paragraph"):
                    span._.commitment = "binding"  # a decided plan's målområde / aktivitet
                elif examples or rules.INTENTION.search(intro):
                    span._.commitment = "intention"
                elif rules.BINDING.search(intro):
                    span._.commitment = "binding"
                else:
                    span._.commitment = "intention" if key == "goals" else "binding"
        return doc
