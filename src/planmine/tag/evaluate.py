"""Scoring the tagger against the labelled data in tests/data/tag/ (used by tests and benchmarks/eval_tag.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from planmine.segment import fold
from planmine.types import Passage, Tag

PASSAGE_KINDS = ("goal", "activity", "indicator")


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
            c = counts[kind]
            if kind in predicted and kind in expected:
                c.tp += 1
            elif kind in predicted:
                c.fp += 1
                c.errors.append(f"FP #{row['id']}: {p.text[:90]!r}")
            elif kind in expected:
                c.fn += 1
                c.errors.append(f"FN #{row['id']}: {p.text[:90]!r}")
        got = {t.label for t in own if t.kind == "actor"}
        want = set(row["actors"])  # type: ignore[call-overload]
        c = counts["actor"]
        c.tp += len(got & want)
        c.fp += len(got - want)
        c.fn += len(want - got)
        for name in sorted(got - want):
            c.errors.append(f"FP #{row['id']}: {name}")
        for name in sorted(want - got):
            c.errors.append(f"FN #{row['id']}: {name}")
    return counts, missing


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
