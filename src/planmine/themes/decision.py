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
from typing import Literal

from planmine.types import Evidence, Level, RegionEvidence

Role = Literal["goal", "activity", "heading", "paragraph", "statement", "background", "semantic"]

ROLE_WEIGHT: dict[str, float] = {
    "goal": 0.85,
    "activity": 0.85,
    "heading": 0.7,
    "paragraph": 0.55,
    "statement": 0.7,  # a plain sentence inside a paragraph that states goals or intentions
    "background": 0.25,
    "semantic": 0.0,  # set from the cosine
}
WEAK_FACTOR = 0.35  # a related term ("anhöriga" for anhörigstöd) is a hint, not an answer
LIST_FACTOR = 0.5  # the theme is one item of a longer enumeration of other things


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs on the region score; calibrated with leave-one-region-out (see the eval script)."""

    addressed: float = 0.6
    mentioned: float = 0.12
    semantic_z: float = 3.0  # a passage with no term counts only when its cosine is this many sd above mean
    semantic_max: float = 0.3  # the most a passage without a term can weigh
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
    term: str = ""
    fuzzy: float = 0.0
    cosine: float = 0.0
    lexical: float = 0.0  # match quality of the best term, 0 when none
    weak: bool = False  # only a related term matched
    explanation: str = ""

    def to_evidence(self) -> Evidence:
        return Evidence(
            document=self.document,
            page=self.page,
            section=self.section,
            kind=self.role,
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


def passage_weight(role: Role, lexical: float, strong: bool, enumeration: int, semantic: float) -> float:
    """Weight of one passage: kind × term quality × list dilution, nudged by the semantic fit (0..1)."""
    if lexical <= 0:
        return semantic
    w = ROLE_WEIGHT[role] * lexical
    if not strong:
        w *= WEAK_FACTOR
    if enumeration >= 4:
        w *= LIST_FACTOR
    return min(1.0, w * (0.8 + 0.4 * semantic) + 0.0)


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
    ranked = sorted(evidence, key=lambda e: e.weight, reverse=True)
    score = region_score(ranked)
    lexical = [e for e in ranked if e.lexical > 0]
    ok, why_not = quality.assessable(thresholds)
    level: Level
    if score >= thresholds.addressed:
        level = "addressed"
    elif score >= thresholds.mentioned:
        level = "mentioned"
    elif not ok:
        level = "cannot_assess"
    else:
        level = "not_found"
    kinds = sorted({e.role for e in lexical})
    if level == "cannot_assess":
        reason = f"cannot assess: {why_not}"
    elif not ranked or score < thresholds.mentioned:
        reason = f"no passage matches among {quality.passages} passages"
    else:
        reason = (
            f"{len(lexical)} passage(s) with a term ({', '.join(kinds) or 'none'}), "
            f"{len(ranked) - len(lexical)} by meaning only; density {len(ranked) / max(quality.passages, 1):.3f}; "
            f"score {score:.2f} (addressed ≥ {thresholds.addressed:.2f}, mentioned ≥ {thresholds.mentioned:.2f})"
        )
        if not ok:
            reason += f"; note: {why_not}"
    shown = [e.to_evidence() for e in ranked[:top_k] if e.weight > 0]
    return RegionEvidence(region=region, level=level, score=round(score, 4), evidence=shown, reason=reason)
