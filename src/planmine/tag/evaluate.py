"""Scoring the tagger against the labelled data in tests/data/tag/: one home for the counting.

Used by tests/test_tag.py (the annotated seed sample, the Kalmar check) and benchmarks/eval_tag.py (the
labelled units, each document scored by a model trained without it: ``leave_one_document_out``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from planmine.segment import fold
from planmine.types import Passage, Tag

if TYPE_CHECKING:
    from planmine.tag.labelled import DocumentUnits
    from planmine.tag.model import UnitModel

PASSAGE_KINDS = ("goal", "activity", "indicator")
UNIT_KINDS = ("goal", "activity", "requirement", "actor")


def read_jsonl(path: str | Path) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", fold(text)).strip()


def find_passage(passages: Iterable[Passage], text: str, *, threshold: float = 90.0) -> Passage | None:
    """The passage whose text is `text` (exactly, accent-insensitively, or fuzzily for repaired OCR)."""
    candidates = list(passages)
    for p in candidates:
        if p.text == text:
            return p
    key = _key(text)
    for p in candidates:
        if _key(p.text) == key:
            return p
    best, best_score = None, threshold
    for p in candidates:
        score = fuzz.ratio(_key(p.text), key)
        if score >= best_score:
            best, best_score = p, score
    return best


def find_tag(tags: Iterable[Tag], kind: str, text: str, *, threshold: float = 90.0) -> int | None:
    """Index of the tag of `kind` whose text is `text` (or contains it / is contained, fuzzily)."""
    key = _key(text)
    best, best_score = None, threshold
    for i, t in enumerate(tags):
        if t.kind != kind:
            continue
        tkey = _key(t.text)
        if tkey == key:
            return i
        score = fuzz.ratio(tkey, key)
        if score >= best_score:
            best, best_score = i, score
    return best


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def judge(self, predicted: bool, expected: bool, where: str) -> None:
        """Count one decision: a hit, a false positive or a false negative (the last two listed)."""
        if predicted and expected:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.errors.append(f"FP {where}")
        elif expected:
            self.fn += 1
            self.errors.append(f"FN {where}")

    def judge_names(self, got: set[str], want: set[str], where: str) -> None:
        """Count a set of names (actors) against the expected ones."""
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)
        self.errors += [f"FP {where}: {name}" for name in sorted(got - want)]
        self.errors += [f"FN {where}: {name}" for name in sorted(want - got)]

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.errors += other.errors


def score_sample(
    gold: list[dict[str, object]], analysed: dict[str, tuple[list[Passage], list[Tag]]]
) -> tuple[dict[str, Counts], int]:
    """Per-kind counts over the annotated passages (goal, activity, indicator, actor); and unmatched rows."""
    counts = {k: Counts() for k in (*PASSAGE_KINDS, "actor")}
    missing = 0
    for row in gold:
        passages, tags = analysed[str(row["document"])]
        p = find_passage(passages, str(row["text"]))
        if p is None:
            missing += 1
            continue
        own = [t for t in tags if t.passage_index == p.index]
        predicted = {t.kind for t in own}
        expected = set(row["kinds"])  # type: ignore[call-overload]
        for kind in PASSAGE_KINDS:
            counts[kind].judge(kind in predicted, kind in expected, f"#{row['id']}: {p.text[:90]!r}")
        got = {t.label for t in own if t.kind == "actor"}
        counts["actor"].judge_names(got, set(row["actors"]), f"#{row['id']}")  # type: ignore[call-overload]
    return counts, missing


def unit_kinds(row: dict[str, object]) -> set[str]:
    """The tag kinds a labelled unit should get (goal and sub-goal are both goals)."""
    from planmine.tag.units import GOAL_LABELS

    label = str(row["label"])
    kinds = {"goal" if label in GOAL_LABELS else label}
    kinds |= set(row.get("also") or [])  # type: ignore[call-overload]
    return {"requirement" if k == "requirement_on_supplier" else k for k in kinds}


def score_units(analysed: DocumentUnits, tags: list[Tag]) -> dict[str, Counts]:
    """Per-kind counts (goal, activity, requirement, actor) over a document's labelled units.

    Actors are counted only on units whose actors were labelled by hand (the seed sample, synthetic plans).
    """
    from planmine.tag.labelled import gold_units

    counts = {k: Counts() for k in UNIT_KINDS}
    by_passage: dict[int, list[Tag]] = {}
    for tag in tags:
        by_passage.setdefault(tag.passage_index, []).append(tag)
    for _d, unit, row in gold_units(analysed):
        own = [t for t in by_passage.get(unit.passage_index, []) if t.start < unit.end and unit.start < t.end]
        predicted, expected = {t.kind for t in own}, unit_kinds(row)
        where = f"{analysed.document.id}#{row['i']}"
        for kind in ("goal", "activity", "requirement"):
            counts[kind].judge(kind in predicted, kind in expected, f"{where}: {unit.text[:90]!r}")
        if row.get("actors_by_hand") or row.get("synthetic"):
            got = {t.label for t in own if t.kind == "actor"}
            counts["actor"].judge_names(got, set(row.get("actors") or []), where)  # type: ignore[call-overload]
    return counts


@dataclass
class HeldOut:
    """One document scored by a unit model trained on all the other labelled documents."""

    document: str
    synthetic: bool
    counts: dict[str, Counts]
    tags: list[Tag]
    model: UnitModel  # the model that never saw this document (to score other texts held out with it)


def leave_one_document_out(documents: list[DocumentUnits], *, use_genre: bool = True) -> list[HeldOut]:
    """Each labelled document tagged (rules + a classifier trained without it + links) and scored."""
    from planmine.tag.classify import apply_decisions, classify_docs
    from planmine.tag.labelled import training_rows
    from planmine.tag.model import UnitModel
    from planmine.tag.pipeline import link

    rows = {a.document.id: training_rows(a) for a in documents}
    out = []
    for analysed in documents:
        held = analysed.document.id
        features = [f for doc_id, (fs, _) in rows.items() if doc_id != held for f in fs]
        labels = [y for doc_id, (_, ys) in rows.items() if doc_id != held for y in ys]
        model = UnitModel().fit(features, labels)
        genre = analysed.document.genre if use_genre else ""
        for doc, (units, probs) in zip(analysed.docs, classify_docs(analysed.docs, model), strict=True):
            apply_decisions(doc, units, probs, genre=genre)
        tags = link(analysed.passages, analysed.docs)
        counts = score_units(analysed, tags)
        out.append(HeldOut(held, analysed.document.synthetic, counts, tags, model))
    return out


def kalmar_scores(gold: list[dict[str, object]], tags: list[Tag]) -> tuple[int, int, int, list[str]]:
    """(goals found, activity rows linked to the right goal, activity rows, problems)."""
    found = linked = total = 0
    problems: list[str] = []
    activities = [i for i, t in enumerate(tags) if t.kind == "activity"]
    for row in gold:
        goal_index = find_tag(tags, "goal", str(row["goal"]))
        if goal_index is not None:
            found += 1
        else:
            problems.append(f"goal not found: {str(row['goal'])[:80]}")
        for text in row["activities"]:  # type: ignore[attr-defined]
            total += 1
            index = find_tag((tags[i] for i in activities), "activity", str(text))
            tag = tags[activities[index]] if index is not None else None
            if tag is not None and goal_index is not None and tag.goal == goal_index:
                linked += 1
            else:
                why = "not found" if tag is None else f"linked to {tag.goal}, want {goal_index}"
                problems.append(f"activity {why}: {str(text)[:70]}")
    return found, linked, total, problems


def found_as(gold_texts: list[str], tags: list[Tag], kind: str) -> tuple[int, list[str]]:
    """How many of the texts are tagged as `kind`, and the ones that are not."""
    missed = [t for t in gold_texts if find_tag(tags, kind, t, threshold=85.0) is None]
    return len(gold_texts) - len(missed), missed


def tag_with_model(passages: list[Passage], model: UnitModel, *, genre: str = "") -> list[Tag]:
    """Tag passages with the rules and a given unit model (not the shipped one), then link."""
    from planmine.tag.classify import apply_decisions, classify_docs
    from planmine.tag.pipeline import link, run

    docs = run(passages, genre=genre, rules_only=True)
    for doc, (units, probs) in zip(docs, classify_docs(docs, model), strict=True):
        apply_decisions(doc, units, probs, genre=genre)
    return link(passages, docs)


@dataclass
class GoalLayoutScore:
    """How a plan laid out as goal statements with sub-goals and sentences under them came out."""

    goals_found: int = 0  # goal statements tagged as a goal, whole
    goals: int = 0
    spliced: int = 0  # goal tags holding more than one goal statement (columns mixed)
    linked: int = 0  # activities tagged and linked to their goal or one of its sub-goals
    activities: int = 0
    background_tagged: int = 0  # background sentences tagged as activities
    problems: list[str] = field(default_factory=list)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def goal_layout_scores(goals: list[dict[str, object]], tags: list[Tag]) -> GoalLayoutScore:
    """Score tags against goal blocks: {goal, subgoals, activities, background} per strategic goal."""
    score = GoalLayoutScore()
    statements = [_flat(str(g)) for b in goals for g in (b["goal"], *b["subgoals"])]  # type: ignore[misc]
    tagged_goals = [_flat(t.text) for t in tags if t.kind == "goal"]
    activities = {_flat(t.text): t for t in tags if t.kind == "activity"}
    for statement in statements:
        score.goals += 1
        if statement in tagged_goals:
            score.goals_found += 1
        else:
            score.problems.append(f"goal not found whole: {statement}")
    for goal in tagged_goals:
        if sum(s in goal for s in statements) > 1:
            score.spliced += 1
            score.problems.append(f"goal spliced: {goal[:100]}")
    for block in goals:
        own = {_flat(str(g)) for g in (block["goal"], *block["subgoals"])}  # type: ignore[misc]
        for text in block["activities"]:  # type: ignore[attr-defined]
            score.activities += 1
            tag = activities.get(_flat(text))
            if tag is not None and tag.goal is not None and _flat(tags[tag.goal].text) in own:
                score.linked += 1
            else:
                why = "not an activity" if tag is None else f"linked to {tag.goal}"
                score.problems.append(f"activity {why}: {text[:80]}")
        for text in block["background"]:  # type: ignore[attr-defined]
            if _flat(text) in activities:
                score.background_tagged += 1
                score.problems.append(f"background tagged as an activity: {text[:80]}")
    return score
