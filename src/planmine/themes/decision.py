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

from planmine.themes.evidence import (
    DEFAULT_CONFIG,
    DEFAULT_THRESHOLDS,
    DecisionConfig,
    PassageEvidence,
    PassageReading,
    RegionQuality,
    Role,
    Thresholds,
)
from planmine.types import Level, RegionEvidence

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_THRESHOLDS",
    "DecisionConfig",
    "PassageEvidence",
    "RegionQuality",
    "Role",
    "Thresholds",
    "decide",
    "decide_free",
    "weigh",
]

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
# roles in which a free question's concept counts as something the plan commits to ("addressed")
COMMITTING_ROLES = frozenset({"goal", "activity", "statement", "heading"})
# roles of a passage that, read by the relevance model as about the theme, lets a theme be "addressed"
# (how much it commits is the role's weight's business: a background passage alone never reaches it)
ADDRESSING_ROLES = frozenset(
    {"goal", "activity", "indicator", "statement", "heading", "paragraph", "background"}
)


def passage_weight(reading: PassageReading, lexical: float, strong: bool, semantic: float) -> float:
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


def semantic_fit(z: float) -> float:
    """How close in meaning a passage is, 0..1, from its z over the store (3 sd above the mean = 1)."""
    return min(max(z / 3.0, 0.0), 1.0)


def weight_of(e: PassageEvidence, t: DecisionConfig = DEFAULT_CONFIG) -> float:
    """The weight of one passage's features: the only place where features become a weight."""
    if e.relevance is not None and e.relevance < t.relevance_mentioned:
        return 0.0  # the relevance model reads it as not about the theme: a shared word only
    if e.role == "semantic":
        return semantic_weight(e.z, t)
    return round(passage_weight(e.reading, e.lexical, not e.weak, semantic_fit(e.z)), 4)


def weigh(evidence: list[PassageEvidence], t: DecisionConfig = DEFAULT_CONFIG) -> list[PassageEvidence]:
    """Weights for every candidate, one per passage (its best reading), best first."""
    best: dict[int, PassageEvidence] = {}
    for e in evidence:
        e.weight = weight_of(e, t)
        if e.passage_id not in best or e.weight > best[e.passage_id].weight:
            best[e.passage_id] = e
    return sorted(best.values(), key=lambda e: -e.weight)


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
    if quality.documents == 0 and quality.excluded:
        return no_documents(region, quality)
    ranked = weigh(evidence, t)
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
    score, relevance_note = relevance_cap(ranked, score, t)
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
        if relevance_note:
            reason += f"; {relevance_note}"
        if not ok:
            reason += f"; note: {why_not}"
    shown = [e.to_evidence() for e in ranked[:top_k] if e.weight > 0] if score >= t.mentioned else []
    return RegionEvidence(region=region, level=level, score=round(score, 4), evidence=shown, reason=reason)


def relevance_cap(ranked: list[PassageEvidence], score: float, t: DecisionConfig) -> tuple[float, str]:
    """With the relevance model's probabilities: `addressed` only where a passage with a term is likely
    about the theme (≥ relevance_addressed); else the score stays below it. Meaning alone never counts."""
    judged = [e for e in ranked if e.relevance is not None]
    if not judged or score < t.addressed:
        return score, ""
    if any(
        (e.relevance or 0.0) >= t.relevance_addressed and e.role in ADDRESSING_ROLES
        for e in judged
        if e.weight > 0
    ):
        return score, ""
    best = max(((e.relevance or 0.0) for e in judged if e.role in ADDRESSING_ROLES), default=0.0)
    return min(score, t.addressed - 0.01), (
        f"no passage with a term is clearly about the theme (best relevance {best:.2f}, "
        f"addressed needs ≥ {t.relevance_addressed:.2f}), so at most 'mentioned'"
    )


def no_documents(region: str, quality: RegionQuality) -> RegionEvidence:
    """A region whose documents are all of kinds left out (procurement, risk analysis, ...)."""
    kinds = ", ".join(quality.excluded_genres) or "other kinds"
    return RegionEvidence(
        region=region,
        level="no_documents",
        score=0.0,
        reason=f"no documents of the kinds asked for: its {quality.excluded} document(s) are {kinds}",
    )


def decide_free(
    region: str,
    evidence: list[PassageEvidence],
    quality: RegionQuality,
    concept: str,
    thresholds: DecisionConfig = DEFAULT_CONFIG,
    top_k: int = 5,
) -> RegionEvidence:
    """The level of one region for a free question (a concept outside the taxonomy).

    `addressed` needs a passage that carries the whole concept in a goal, activity or other committing
    passage; the concept in passing makes `mentioned`; meaning alone (no term) is never more than
    `mentioned`, and counts only far above the question's own background over the store.
    """
    t = thresholds
    if quality.documents == 0 and quality.excluded:
        return no_documents(region, quality)
    ranked = weigh(evidence, t)
    lexical = [e for e in ranked if e.lexical > 0]
    semantic = [e for e in ranked if e.lexical <= 0 and e.z >= t.free_semantic_z]
    committed = [e for e in lexical if e.role in COMMITTING_ROLES and e.enumeration < LIST_ITEMS_TAGGED]
    ok, why_not = quality.assessable(t)
    level: Level
    if committed:
        level = "addressed"
        score = max(region_score(lexical), t.addressed)
    elif lexical:
        level = "mentioned"
        score = min(max(region_score(lexical), t.mentioned), t.addressed - 0.01)
    elif semantic:
        level = "mentioned"
        score = t.mentioned
    else:
        level = "not_found" if ok else "cannot_assess"
        score = 0.0
    if level == "cannot_assess":
        reason = f"cannot assess: {why_not}"
    elif level == "not_found":
        reason = f"inga stycken om '{concept}' bland {quality.passages} stycken"
        reason += f" (no passage about '{concept}' among {quality.passages} passages)"
    elif level == "addressed":
        kinds = ", ".join(sorted({e.kind or e.role for e in committed}))
        reason = f"{len(committed)} committing passage(s) with '{concept}' ({kinds}); {len(lexical)} in all"
    elif lexical:
        reason = f"'{concept}' only in passing: {len(lexical)} passage(s), none a goal or activity"
    else:
        reason = (
            f"no passage names '{concept}'; {len(semantic)} close in meaning only (z ≥ {t.free_semantic_z})"
        )
    if not ok and level != "cannot_assess":
        reason += f"; note: {why_not}"
    shown = (committed + [e for e in lexical if e not in committed] + semantic)[:top_k]
    return RegionEvidence(
        region=region,
        level=level,
        score=round(score, 4),
        evidence=[e.to_evidence() for e in shown],
        reason=reason,
    )
