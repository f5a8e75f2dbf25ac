"""The region-level decision: addressed | mentioned | not_found | cannot_assess, from passage evidence.

Not "any mention counts". Each matching passage gets a weight from what kind of passage it is (a goal or
an activity weighs more than background; a statistic or one item of a list of examples weighs little),
from how well the term matched (exact, fuzzy, weak related term, semantic only) and from how close the
passage is to the theme in meaning. A region's score combines its passages like independent pieces of
evidence (noisy-or), so several modest passages add up and one strong activity is enough. Thresholds are
calibrated on labelled regions with whole documents held out (benchmarks/eval_themes.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from planmine.types import Evidence, Level, RegionEvidence

if TYPE_CHECKING:
    from planmine.themes.index import Reading

Role = Literal["goal", "activity", "indicator", "heading", "paragraph", "statement", "background", "semantic"]

ROLE_WEIGHT: dict[str, float] = {
    "goal": 0.85,  # tagged goal or activity: the plan says it will do this
    "activity": 0.85,
    "indicator": 0.5,  # followed up as an indicator: attention, but not yet a plan
    "heading": 0.7,
    "statement": 0.7,  # a passage with a tagged goal or activity in another sentence
    "paragraph": 0.55,
    "background": 0.25,  # a statistic, a list of examples, a description of how things are
    "semantic": 0.0,  # set from the cosine
}
COMMITMENT_FACTOR: dict[str | None, float] = {"binding": 1.0, "intention": 0.9, None: 1.0, "background": 1.0}
WEAK_FACTOR = 0.35  # a related term ("anhöriga" for anhörigstöd) is a hint, not an answer
LIST_FACTOR = 0.5  # the theme is one item of an enumeration of other things
LIST_ITEMS = 3  # from this many items a list dilutes; a tagged goal or activity may list a few more
LIST_ITEMS_TAGGED = 5


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs on the region score; calibrated with leave-one-region-out (see the eval script)."""

    addressed: float = 0.5  # middle of the F1-best range 0.30..0.575 of compare() on the gold cells
    mentioned: float = 0.12
    semantic_z: float = 3.0  # a passage with no term counts only when its cosine is this many sd above mean
    semantic_max: float = 0.3  # the most a passage without a term can weigh
    # Without any matching term, meaning alone makes at most "mentioned", and only with a passage this far
    # above the mean; "addressed" needs several passages that are very close in meaning.
    semantic_mention_z: float = 3.5
    semantic_strong_z: float = 4.5
    semantic_strong_count: int = 3
    min_chars: int = 1500  # a region with less readable text than this cannot be assessed
    min_ocr_confidence: float = 60.0


DEFAULT_THRESHOLDS = Thresholds()


@dataclass
class PassageEvidence:
    """One passage as evidence for a theme or question in one region."""

    passage_id: int
    region: str
    document: str
    page: int
    section: str
    text: str
    role: Role
    weight: float
    kind: str = ""  # tag kind (goal, activity, indicator) or passage kind (paragraph, list_item, ...)
    commitment: str | None = None
    term: str = ""
    fuzzy: float = 0.0
    cosine: float = 0.0
    z: float = 0.0  # standard deviations of the cosine above the mean over all passages
    lexical: float = 0.0  # match quality of the best term, 0 when none
    weak: bool = False  # only a related term matched
    explanation: str = ""

    def to_evidence(self) -> Evidence:
        return Evidence(
            document=self.document,
            page=self.page,
            section=self.section,
            kind=self.kind or self.role,
            text=self.text,
            score=self.weight,
            region=self.region,
            why=self.explanation,
        )


@dataclass
class RegionQuality:
    """How much readable text a region has in the store, to tell not_found from cannot_assess."""

    region: str
    chars: int = 0
    passages: int = 0
    documents: int = 0
    unreadable_pages: int = 0
    pages: int = 0
    low_confidence_pages: int = 0
    notes: list[str] = field(default_factory=list)

    def assessable(self, t: Thresholds = DEFAULT_THRESHOLDS) -> tuple[bool, str]:
        if self.documents == 0 or self.passages == 0:
            return False, "no readable passages in the store"
        if self.chars < t.min_chars:
            return False, f"only {self.chars} characters of readable text (needs {t.min_chars})"
        bad = self.unreadable_pages + self.low_confidence_pages
        if self.pages and bad / self.pages > 0.25:
            return False, f"{bad} of {self.pages} pages are unreadable or low-confidence OCR"
        return True, ""


def passage_weight(reading: Reading, lexical: float, strong: bool, semantic: float) -> float:
    """Weight of one passage with a term: role × commitment × term quality × list dilution, nudged by the
    semantic fit (0..1)."""
    w = ROLE_WEIGHT[reading.role] * COMMITMENT_FACTOR.get(reading.commitment, 1.0) * lexical
    if not strong:
        w *= WEAK_FACTOR
    if reading.enumeration >= (LIST_ITEMS_TAGGED if reading.role in ("goal", "activity") else LIST_ITEMS):
        w *= LIST_FACTOR
    return min(1.0, w * (0.8 + 0.4 * semantic))


def semantic_weight(z: float, t: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """0 below `semantic_z` standard deviations above the theme's mean cosine, up to `semantic_max`."""
    if z < t.semantic_z:
        return 0.0
    return min(t.semantic_max, t.semantic_max * (z - t.semantic_z + 0.5) / 2.0)


def noisy_or(weights: list[float]) -> float:
    return 1.0 - math.prod(1.0 - min(max(w, 0.0), 0.999) for w in weights)


def region_score(evidence: list[PassageEvidence]) -> float:
    """Noisy-or of passage weights: one strong passage suffices, several modest ones add up.

    Related terms alone ("anhöriga" for anhörigstöd) and the same text repeated count once and little.
    """
    seen: set[str] = set()
    main: list[float] = []
    weak: list[float] = []
    for e in sorted(evidence, key=lambda e: -e.weight):
        key = " ".join(e.text.split()).lower()
        if key in seen:
            continue
        seen.add(key)
        (weak if e.weak else main).append(e.weight)
    return 1.0 - (1.0 - noisy_or(main)) * (1.0 - 0.5 * noisy_or(weak))


def decide(
    region: str,
    evidence: list[PassageEvidence],
    quality: RegionQuality,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    top_k: int = 5,
) -> RegionEvidence:
    """The level of one region for one theme or question, with its best evidence first."""
    t = thresholds
    ranked = sorted(evidence, key=lambda e: e.weight, reverse=True)
    score = region_score(ranked)
    lexical = [e for e in ranked if e.lexical > 0]
    ok, why_not = quality.assessable(t)
    semantic_only = not lexical
    if semantic_only:
        strong = sum(1 for e in ranked if e.z >= t.semantic_strong_z)
        if strong < t.semantic_strong_count:
            score = min(score, t.addressed - 0.01)
        if not ranked or max(e.z for e in ranked) < t.semantic_mention_z:
            score = min(score, t.mentioned - 0.01)
        score = max(score, 0.0)
    level: Level
    if score >= t.addressed:
        level = "addressed"
    elif score >= t.mentioned:
        level = "mentioned"
    elif not ok:
        level = "cannot_assess"
    else:
        level = "not_found"
    kinds = sorted({e.kind or e.role for e in lexical})
    if level == "cannot_assess":
        reason = f"cannot assess: {why_not}"
    elif score < t.mentioned:
        reason = f"no passage matches among {quality.passages} passages"
        if ranked:
            reason += f" (only {len(ranked)} weakly close in meaning, no term)"
    else:
        reason = (
            f"{len(lexical)} passage(s) with a term ({', '.join(kinds) or 'none'}), "
            f"{len(ranked) - len(lexical)} by meaning only; density {len(ranked) / max(quality.passages, 1):.3f}; "
            f"score {score:.2f} (addressed ≥ {t.addressed:.2f}, mentioned ≥ {t.mentioned:.2f})"
        )
        if semantic_only:
            reason += "; by meaning only, so at most 'mentioned' unless several passages are very close"
        if not ok:
            reason += f"; note: {why_not}"
    shown = [e.to_evidence() for e in ranked[:top_k] if e.weight > 0] if score >= t.mentioned else []
    return RegionEvidence(region=region, level=level, score=round(score, 4), evidence=shown, reason=reason)
