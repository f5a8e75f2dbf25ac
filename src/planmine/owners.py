"""Who owns a document: a region, a municipality (or its company), region and municipalities jointly, a
national body, or another organisation; and so which municipality and region it belongs to.

Evidence, strongest first: the municipality's own name form ("Tierps kommun", "Malmö stad"), its web and
e-mail domain ("@tierp.se", "www.gallivare.se"), a municipal company named after it ("GotlandsHem",
"Enköpings Hyresbostäder AB"), Swedish organisation numbers (kommuner 212000-xxxx, regioner 232100-xxxx).
A text that names many municipalities alike (a list of public bodies) has no owning municipality: the
owner is left unknown rather than guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from planmine.errors import UsageError
from planmine.regions import _AMBIGUOUS_PLACES, MAX_REGION_CHARS, all_regions, fold
from planmine.types import NATIONAL


@dataclass(frozen=True)
class OwnerConfig:
    """Thresholds of the owner decision (one home for each)."""

    head_chars: int = 4000  # the cover and first page: an owner named here counts double
    min_score: float = 2.0  # a municipality needs at least this much evidence
    dominance: float = 2.0  # ... and this many times the runner-up's
    max_named: int = 8  # a text naming this many municipalities as bodies is a list of bodies
    joint_min: int = 1  # phrases of region-and-municipalities cooperation needed for 'joint'


CONFIG = OwnerConfig()


@dataclass(frozen=True)
class Municipality:
    """One of the 290 municipalities: its name, official form, web domain and region."""

    name: str
    official: str
    domain: str
    region: str


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    """The 290 municipalities from the package's data file, by region."""
    raw = yaml.safe_load(files("planmine.data").joinpath("municipalities.yaml").read_text(encoding="utf-8"))
    return tuple(
        Municipality(name=m["name"], official=m["official"], domain=m["domain"], region=region)
        for region, members in raw.items()
        for m in members
    )


@cache
def _by_fold() -> dict[str, Municipality]:
    found: dict[str, Municipality] = {}
    for m in all_municipalities():
        for key in (m.name, m.official, f"{m.name} kommun"):
            found.setdefault(fold(key), m)
    return found


def canonical_municipality(name: str) -> str:
    """The municipality's name for a user's spelling ('tierps kommun', 'Malmö stad', 'gallivare').

    Raises:
        UsageError: no such municipality; the message suggests the closest name.
    """
    from rapidfuzz import process

    key = fold(name.strip())
    lookup = _by_fold()
    if key in lookup:
        return lookup[key].name
    plain = {fold(m.name).replace("-", " "): m for m in all_municipalities()}
    if key.replace("-", " ") in plain:
        return plain[key.replace("-", " ")].name
    best = process.extractOne(key, list(plain))
    hint = f" Did you mean '{plain[best[0]].name}'?" if best and best[1] >= 80 else ""
    raise UsageError(f"Unknown municipality '{name}'.{hint} Give a Swedish kommun, e.g. 'Tierp' or 'Malmö'.")


def municipality_region(name: str) -> str:
    """The region of a municipality (canonical name), '' for an unknown name."""
    m = _by_fold().get(fold(name))
    return m.region if m else ""


@dataclass(frozen=True)
class OwnerGuess:
    """The owner decided from a text: kind, municipality ('' if none), its region ('' if none), why."""

    kind: str  # planmine.types.OwnerKind
    municipality: str
    region: str
    evidence: str


@cache
def _name_key(m: Municipality) -> str:
    """What every mention of a municipality contains, folded ('falu' of Falun and 'Falu kommun')."""
    first = fold(re.split(r"[ -]", m.name, maxsplit=1)[0])
    official = fold(m.official.split()[0]) if m.official else first
    common = next((i for i, (a, b) in enumerate(zip(first, official, strict=False)) if a != b), None)
    key = first[: min(len(first), len(official))] if common is None else first[:common]
    return key or first


def _stem(name: str) -> str:
    return re.escape(name).replace(r"\ ", r"[ \-]?")


@cache
def _municipality_patterns() -> tuple[tuple[Municipality, re.Pattern[str], re.Pattern[str]], ...]:
    """Per municipality: its name as a body ('Tierps kommun') and its companies ('GotlandsHem')."""
    out = []
    for m in all_municipalities():
        stem = _stem(m.name)
        upper = _stem(m.name.upper())
        body = re.compile(
            rf"(?<![\w-]){stem}s?\s+(?:[Kk]ommuns?|stads?)(?![\w-])|(?<![\w-]){re.escape(m.official)}(?![\w-])"
            rf"|\b(?:[Kk]ommunstyrelsen|[Kk]ommunfullmäktige|[Ss]ocialnämnden|[Oo]msorgsnämnden)\s+i\s+{stem}(?![\w-])"
            rf"|(?<![\w-]){stem}s\s+(?:kommunstyrelse|kommunfullmäktige|socialnämnd|omsorgsnämnd)"
            rf"|\b[Kk]ommun:[ \t]*{stem}(?![\w-])"  # a form's field
            rf"|(?<![\w-]){upper}S?\s+(?:KOMMUNS?|STADS?)(?![\w-])"  # a letterhead: 'TIERPS KOMMUN'
        )
        lower_home = "|hem|bostäder" if m.name not in _AMBIGUOUS_PLACES else ""  # 'Enköpingshem'
        company = re.compile(
            rf"(?<![\w-]){stem}s?(?:Hem|Bostäder|Bostad|Energi|Vatten|Hus|Fastigheter{lower_home})\b"
            rf"|(?<![\w-]){stem}s?\s+(?:[A-ZÅÄÖ][\wåäö]+\s+(?:&\s+[A-ZÅÄÖ][\wåäö]+\s+|och\s+\w+\s+)?)?AB\b"
        )
        out.append((m, body, company))
    return tuple(out)


_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# 'Enköping 2023-05-12', 'Gällivare den 3 maj 2023': a letter's place and date, where it was written.
_PLACE_DATE = re.compile(
    rf"(?m)^[ \t]*([A-ZÅÄÖ][\wåäöé-]+(?: [A-ZÅÄÖ][\wåäö]+)?)(?:,| den)?[ \t]+"
    rf"(?:(?:19|20)\d\d-[01]\d-[0-3]\d|\d{{1,2}} (?:{_MONTHS}) (?:19|20)\d\d)[ \t]*$"
)
# '745 80 Enköping', '982 81 GÄLLIVARE': a postal address (supporting evidence only: a cited agency's
# address names its town too).
_POSTAL = re.compile(r"(?<![\d-])\d{3} ?\d{2}[ \t]+([A-ZÅÄÖ][\wåäöÅÄÖé-]+(?: [A-ZÅÄÖ][\wåäöÅÄÖ]+)?)")
_DOMAIN = re.compile(r"(?:@|\bwww\.|https?://(?:[\w-]+\.)*)((?:[\w-]+\.)*[\w-]+\.se)\b", re.IGNORECASE)
_KOMMUN_ORGNR = re.compile(r"\b212000-\d{4}\b")
_REGION_ORGNR = re.compile(r"\b232100-\d{4}\b")
_JOINT = re.compile(
    r"\b(storsthlm|vardsamverkan|lansgemensam\w*|regionen och (?:lanets |de \w+ )?kommuner\w*|"
    r"kommunerna och regionen\w*|kommunerna i \w+ lan|lanets kommuner|\w+ kommuner och region\w*|"
    r"region \w+ och (?:lanets |de \w+ )?(?:\d+ )?kommuner\w*|samverkan mellan kommunerna och region\w*|"
    r"kommunerna och region \w+|kommunforbundet \w+)\b"
)
# National bodies that are not the Government Offices (regions.py detects those by how they speak).
_NATIONAL_BODIES = re.compile(
    r"\b(sveriges riksbank|riksbanken|socialstyrelsen|lakemedelsverket|folkhalsomyndigheten|"
    r"inspektionen for vard och omsorg|e-halsomyndigheten|forsakringskassan|vardanalys|"
    r"statens beredning for medicinsk och social utvardering)\b"
)
_COMPANY = re.compile(r"\b[A-ZÅÄÖ][\w&åäö\- ]{1,40}\b(?:AB|Inköpscentral)\b")


def _domain_owner(host: str) -> tuple[str, str]:
    """('municipality', name) or ('region', region) for a host name under a known domain, else ('', '')."""
    host = fold(host).lower().rstrip(".")
    for m in all_municipalities():
        if host == m.domain or host.endswith("." + m.domain):
            return ("municipality", m.name) if m.name != "Gotland" else ("region", m.region)
    for region in all_regions():
        for domain in region.domains:
            if host == domain or host.endswith("." + domain):
                return "region", region.name
    return "", ""


def detect_owner(text: str, *, source_url: str = "", region: str | None = None) -> OwnerGuess:
    """Decide the owner of a document from its text and source address.

    Args:
        text: the document's cleaned text.
        source_url: where it was downloaded from (front matter), if known.
        region: the region detected from the text (regions.detect_region), or None.
    """
    cfg = CONFIG
    if region == NATIONAL:
        return OwnerGuess("national", "", NATIONAL, "a national text")
    text = text[
        :MAX_REGION_CHARS
    ]  # as region detection: an owner names itself early; 290 patterns stay cheap
    head = text[: cfg.head_chars]
    scores: dict[str, float] = {}
    why: dict[str, list[str]] = {}
    named = 0
    folded = fold(text)
    for m, body_name, company in _municipality_patterns():
        if _name_key(m) not in folded:
            continue  # not named at all: its patterns cannot match (and 290 of them are slow to try)
        hits = len(body_name.findall(text))
        if hits:
            named += 1
            head_hits = len(body_name.findall(head))
            scores[m.name] = scores.get(m.name, 0.0) + min(hits, 5) + min(head_hits, 3)
            why.setdefault(m.name, []).append(f"'{m.official}'×{hits}")
        if firms := company.findall(text):
            scores[m.name] = scores.get(m.name, 0.0) + min(len(firms), 3) * 2.0
            why.setdefault(m.name, []).append(f"company '{firms[0].strip()}'")
    _place_evidence(text, scores, why)
    region_domains: Counter[str] = Counter()
    for host in _DOMAIN.findall(text):
        kind, name = _domain_owner(host)
        if kind == "municipality":
            scores[name] = scores.get(name, 0.0) + 1.5
            why.setdefault(name, []).append(f"domain {host.lower()}")
        elif kind == "region":
            region_domains[name] += 1
    source_host = re.sub(r"^\w+://", "", source_url).split("/", 1)[0]
    source_kind, source_name = _domain_owner(source_host) if source_host else ("", "")
    if source_kind == "municipality":
        scores[source_name] = scores.get(source_name, 0.0) + 3.0
        why.setdefault(source_name, []).append(f"source {source_host}")
    folded_head = fold(head)
    joint = _JOINT.findall(folded_head)
    body = _NATIONAL_BODIES.search(folded_head[:1500])
    if body and not scores and region is None and len(_NATIONAL_BODIES.findall(folded)) >= 3:
        return OwnerGuess("national", "", "", f"national body '{body.group(0)}' on the cover")
    municipality = _decide_municipality(scores, named, cfg)
    if named >= cfg.max_named:
        return OwnerGuess(
            "unknown", "", "", f"names {named} municipalities as bodies: a list of bodies, owner not decided"
        )
    m_region = municipality_region(municipality) if municipality else ""
    if municipality and region and m_region != region:
        return OwnerGuess(
            "unknown", "", "", f"municipality {municipality} ({m_region}) disagrees with the text's {region}"
        )
    if len(joint) >= cfg.joint_min and (region or m_region) and _JOINT.search(folded):
        phrases = ", ".join(f"'{p}'" for p in dict.fromkeys(joint))
        return OwnerGuess("joint", "", region or m_region, f"region and municipalities together: {phrases}")
    if municipality:
        return OwnerGuess("municipality", municipality, m_region, "; ".join(why[municipality][:3]))
    if source_kind == "region" or region_domains or _REGION_ORGNR.search(text):
        owner = source_name if source_kind == "region" else (region_domains.most_common(1) or [("", 0)])[0][0]
        owner = owner or region or ""
        if owner and (region is None or owner == region):
            return OwnerGuess(
                "region", "", owner, f"the region's own domain or organisation number ({owner})"
            )
    own_name = rf"(?<![\w-]){re.escape(fold(region or '-'))}(?![\w-])"
    if region and (re.search(own_name, folded_head) or len(re.findall(own_name, folded)) >= 3):
        return OwnerGuess("region", "", region, f"'{region}' on the first page")
    if _KOMMUN_ORGNR.search(text):
        return OwnerGuess("unknown", "", "", "a municipality's organisation number, but not which one")
    if not region and (firm := _COMPANY.search(head)):
        return OwnerGuess(
            "other", "", "", f"an organisation that is no public body: '{firm.group(0).strip()}'"
        )
    return OwnerGuess("unknown", "", region or "", "no owner named")


def _place_evidence(text: str, scores: dict[str, float], why: dict[str, list[str]]) -> None:
    """Add the places a letter is signed at (2 each, up to 2) and postal towns (1, up to 1) to `scores`."""
    lookup = _by_fold()
    signed: Counter[str] = Counter()
    for match in _PLACE_DATE.finditer(text):
        m = lookup.get(fold(match.group(1)))
        if m and m.name not in _AMBIGUOUS_PLACES:
            signed[m.name] += 1
    for name, n in signed.items():
        scores[name] = scores.get(name, 0.0) + 2.0 * min(n, 2)
        why.setdefault(name, []).append(f"signed at {name} with a date")
    posted = {m.name for match in _POSTAL.finditer(text) if (m := lookup.get(fold(match.group(1))))}
    for name in posted:
        scores[name] = scores.get(name, 0.0) + 1.0
        why.setdefault(name, []).append(f"postal address in {name}")


def _decide_municipality(scores: dict[str, float], named: int, cfg: OwnerConfig) -> str:
    if not scores or named >= cfg.max_named:
        return ""
    (best, score), *rest = sorted(scores.items(), key=lambda item: -item[1])
    runner_up = rest[0][1] if rest else 0.0
    if score < cfg.min_score or score < cfg.dominance * runner_up:
        return ""
    return best
