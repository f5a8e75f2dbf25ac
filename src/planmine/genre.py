"""Document genres: what kind of document a text is, and which kinds count as a region's policy.

The vocabulary is fixed here, one home for every stage that reads it (ingest stores a genre per document,
`compare`, `query`, `gaps` and `report` filter on it). The classifier that assigns a genre lives in
`planmine.genre_model`.
"""

from __future__ import annotations

from collections.abc import Iterable

from planmine.errors import UsageError

# id → (Swedish label, English label)
GENRES: dict[str, tuple[str, str]] = {
    "plan": ("Plan eller strategi", "Plan or strategy"),
    "agreement": ("Överenskommelse eller avtal", "Agreement"),
    "guideline": ("Riktlinje, rutin eller vårdprogram", "Guideline or routine"),
    "report": ("Uppföljning eller rapport", "Follow-up or report"),
    "decision": ("Protokoll eller beslut", "Minutes or decision"),
    "procurement": ("Upphandling eller avrop", "Procurement"),
    "risk_analysis": ("Risk- och sårbarhetsanalys", "Risk and vulnerability analysis"),
    "press": ("Pressmeddelande eller artikel", "Press release or article"),
    "manual": ("Manual eller teknisk dokumentation", "Manual or technical documentation"),
    "other": ("Annat", "Other"),
}
# The kinds of document whose words are a region's policy: what it plans, agrees, prescribes or follows up.
POLICY_GENRES: frozenset[str] = frozenset({"plan", "agreement", "guideline", "report"})
UNCLASSIFIED = ""  # a document stored before genres existed; counted as policy until re-ingested


def genre_label(genre: str, lang: str = "sv") -> str:
    """The genre's label in Swedish or English ('' → 'okänd' / 'unknown')."""
    if genre not in GENRES:
        return "okänd" if lang == "sv" else "unknown"
    sv, en = GENRES[genre]
    return sv if lang == "sv" else en


def is_policy(genre: str) -> bool:
    """Does a document of this genre state a region's policy?"""
    return genre in POLICY_GENRES or genre == UNCLASSIFIED


def parse_types(types: str | Iterable[str] | None) -> frozenset[str] | None:
    """The genres a command's `--types` asks for: None for the default (policy documents), 'all' for all.

    Accepts ids separated by commas ('plan,agreement'), 'policy' and 'all'.
    """
    if types is None:
        return None
    items = [t.strip() for t in (types.split(",") if isinstance(types, str) else types) if t.strip()]
    if not items:
        return None
    wanted: set[str] = set()
    for item in items:
        if item == "all":
            return frozenset(GENRES) | {UNCLASSIFIED}
        if item == "policy":
            wanted |= POLICY_GENRES | {UNCLASSIFIED}
        elif item in GENRES:
            wanted.add(item)
        else:
            raise UsageError(
                f"Unknown document type '{item}'. Allowed: policy, all, {', '.join(GENRES)} "
                "(comma-separated)."
            )
    return frozenset(wanted)


def selected(genre: str, types: frozenset[str] | None) -> bool:
    """Is a document of `genre` among `types` (None: the default, policy documents)?"""
    return is_policy(genre) if types is None else genre in types
