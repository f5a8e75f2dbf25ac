"""The 21 Swedish regions, and which one a document belongs to, decided from its text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml
from rapidfuzz import process

from planmine.errors import UsageError
from planmine.folding import fold, strip_marks
from planmine.types import NATIONAL

# Municipality names that are also common Swedish words or names: they never count as region evidence.
_AMBIGUOUS_PLACES = frozenset(
    [
        "Mark",
        "Berg",
        "Vara",
        "Kil",
        "Ale",
        "Eda",
        "Salem",
        "Nora",
        "Mora",
        "Kinda",
        "Lund",
        "Sala",
        "Habo",
        "Boden",
    ]
)
# Phrases by which national texts (Government Offices, ministries, agencies) speak of themselves.
_NATIONAL_MARKERS = re.compile(
    r"\b(regeringskansliet|regeringen|regeringens|socialdepartementet|sjukvardsminister\w*|socialminister\w*|"
    r"ministern|statsradet|kommittedirektiv|tillaggsdirektiv|utredaren|propositionen|regeringsuppdrag)\b"
)
# Phrases of the government commissioning and its ministers speaking: national only in a text that
# names no region, county or municipality (a regional plan may cite an inquiry or commission its own).
_NATIONAL_SOFT = re.compile(
    r"\b(\w+minister(?:n|ns)?|utredningens uppdrag|utredningstiden|uppdraget ska (?:slut)?redovisas)\b"
)


_strip = strip_marks


@dataclass(frozen=True)
class Region:
    """One of the 21 regions (the county council of a län)."""

    name: str
    county: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    municipalities: tuple[str, ...]
    domains: tuple[str, ...] = ()  # the region's own web and e-mail domains


@cache
def all_regions() -> tuple[Region, ...]:
    """The 21 regions from the package's data file."""
    raw = yaml.safe_load(files("planmine.data").joinpath("regions.yaml").read_text(encoding="utf-8"))
    return tuple(
        Region(
            name=r["name"],
            county=r["county"],
            aliases=tuple(r.get("aliases", [])),
            demonyms=tuple(r.get("demonyms", [])),
            municipalities=tuple(r.get("municipalities", [])),
            domains=tuple(r.get("domains", [])),
        )
        for r in raw
    )


@cache
def _lookup() -> dict[str, str]:
    names: dict[str, str] = {fold(NATIONAL): NATIONAL, "nationell": NATIONAL, "nationellt": NATIONAL}
    for region in all_regions():
        for alias in (region.name, region.county, *region.aliases):
            names.setdefault(fold(alias), region.name)
    return names


def canonical_region(name: str) -> str:
    """The canonical region name for a user's spelling ('Kalmar län', 'region skane', 'national').

    Raises:
        UsageError: the name is no region; the message suggests the closest one.
    """
    key = fold(name.strip())
    lookup = _lookup()
    if key in lookup:
        return lookup[key]
    if f"region {key}" in lookup:
        return lookup[f"region {key}"]
    best = process.extractOne(key, list(lookup))
    hint = f" Did you mean '{lookup[best[0]]}'?" if best and best[1] >= 70 else ""
    allowed = ", ".join(r.name for r in all_regions())
    raise UsageError(f"Unknown region '{name}'.{hint} Allowed: {allowed}, or '{NATIONAL}'.")


@dataclass(frozen=True)
class _Pattern:
    region: str
    regex: re.Pattern[str]
    weight: float
    folded: bool  # matched against folded text (True) or the original, case-sensitive (False)
    label: str
    literal: str  # the phrase as matched: a text without it is skipped before the regex runs


@cache
def _patterns() -> tuple[_Pattern, ...]:
    patterns: list[_Pattern] = []

    def add(region: str, phrase: str, weight: float, *, folded: bool = True, genitive: bool = False) -> None:
        literal = fold(phrase) if folded else _strip(phrase)
        body = re.escape(literal)
        ending = "s?" if genitive and not body.endswith("s") else ""  # 'Region Hallands uppföljning'
        regex = re.compile(rf"(?<![\w-]){body}{ending}(?![\w-])")
        patterns.append(_Pattern(region, regex, weight, folded, phrase, literal))

    for region in all_regions():
        add(region.name, region.name, 6.0, genitive=True)
        add(region.name, region.county, 4.0, genitive=True)  # 'Kalmar läns kommuner'
        for alias in region.aliases:
            if alias not in (region.name, region.county):
                strong = alias.lower().startswith(("region", "landsting", "vårdsamverkan")) or " " in alias
                add(region.name, alias, 4.0 if strong else 2.0, genitive=True)
        for demonym in region.demonyms:
            add(region.name, demonym, 2.0)
        for place in region.municipalities:
            if place not in _AMBIGUOUS_PLACES:
                add(region.name, place, 1.0, folded=False, genitive=True)  # 'Gällivares äldreomsorg'
    return tuple(patterns)


@dataclass(frozen=True)
class RegionGuess:
    """The detected region, how sure, and the phrases that decided it."""

    region: str | None
    score: float
    evidence: str


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the (sorted, disjoint) spans replaced by spaces of the same length."""
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


MAX_REGION_CHARS = 300_000  # ~40,000 words, about a 100-page plan


def detect_region(text: str, *, source_url: str = "") -> RegionGuess:
    """Decide the region of a document from its text (names, counties, demonyms, municipalities).

    Each phrase counts at most five times, so that one repeated name does not drown the rest. National
    texts (the Government Offices, ministries) are recognised by how they speak of themselves.
    """
    # Each phrase counts at most five times: past MAX_REGION_CHARS more text adds no evidence, only time.
    text = text[:MAX_REGION_CHARS]
    # Strip diacritics keeping case (for municipalities, matched case-sensitively), then lowercase.
    plain = _strip(text)
    folded = plain.lower()
    if len(folded) != len(plain):  # rare characters whose lowercase is longer: match without masking
        folded = fold(text)
    scores: dict[str, float] = {}
    hits: dict[str, Counter[str]] = {}
    # Longest phrases first; each match is blanked out so "Region Kalmar län" is not also "Kalmar".
    for pattern in sorted(_patterns(), key=lambda p: -len(p.label)):
        haystack = folded if pattern.folded else plain
        if pattern.literal not in haystack:  # a substring test is ~100x cheaper than the regex scan
            continue
        spans = [m.span() for m in pattern.regex.finditer(haystack)]
        if not spans:
            continue
        folded, plain = _blank(folded, spans), _blank(plain, spans)  # one pass, not one copy per match
        n = min(len(spans), 5)
        scores[pattern.region] = scores.get(pattern.region, 0.0) + n * pattern.weight
        hits.setdefault(pattern.region, Counter())[pattern.label] += n
    # A municipality's or region's own web address in the source metadata ("botkyrka.se/...").
    host = fold(re.sub(r"^\w+://", "", source_url).split("/", 1)[0])
    for region in all_regions():
        for place in region.municipalities:
            if host and re.search(rf"(^|\.){re.escape(fold(place)).replace(' ', '-?')}\.se$", host):
                scores[region.name] = scores.get(region.name, 0.0) + 8.0
                hits.setdefault(region.name, Counter())[f"source {host}"] += 1
    # National texts speak of the government and its ministers throughout; a regional plan seldom does.
    markers = len(_NATIONAL_MARKERS.findall(folded))
    if "regeringen.se" in source_url or (markers >= 2 and markers * 1000 / max(len(folded), 1) >= 0.5):
        return RegionGuess(NATIONAL, float(markers), f"national text: {markers} mentions of the government")
    if not scores:
        soft = len(_NATIONAL_SOFT.findall(folded)) + markers
        if soft >= 2 and soft * 1000 / max(len(folded), 1) >= 0.5:
            return RegionGuess(
                NATIONAL, float(soft), f"national text naming no region: {soft} phrases of the government"
            )
        return RegionGuess(None, 0.0, "no region, county, municipality or demonym found in the text")
    ranking = sorted(scores.items(), key=lambda item: -item[1])
    (best, best_score), *rest = ranking
    runner_up = rest[0][1] if rest else 0.0
    if best_score < 3.0 or best_score < 1.3 * runner_up:
        ranked = ", ".join(f"{name} ({score:.0f})" for name, score in ranking[:3])
        return RegionGuess(None, best_score, f"ambiguous: {ranked}")
    phrases = ", ".join(f"'{label}'×{n}" for label, n in hits[best].most_common(4))
    return RegionGuess(best, best_score, phrases)
