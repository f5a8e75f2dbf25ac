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
    national_cover_chars: int = 1500  # a national body named here (not in the genitive) is the author


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


@cache
def _by_exact() -> dict[str, Municipality]:
    return {key: m for m in all_municipalities() for key in (m.name, m.official, m.name.upper())}


def _find(name: str) -> Municipality | None:
    """The municipality of a name as written, exactly first: 'Habo' and 'Håbo' fold alike."""
    return _by_exact().get(name.strip()) or _by_fold().get(fold(name.strip()))


def canonical_municipality(name: str) -> str:
    """The municipality's name for a user's spelling ('tierps kommun', 'Malmö stad', 'gallivare').

    Raises:
        UsageError: no such municipality; the message suggests the closest name.
    """
    from rapidfuzz import process

    if found := _find(name):
        return found.name
    key = fold(name.strip())
    plain = {fold(m.name).replace("-", " "): m for m in all_municipalities()}
    if key.replace("-", " ") in plain:
        return plain[key.replace("-", " ")].name
    best = process.extractOne(key, list(plain))
    hint = f" Did you mean '{plain[best[0]].name}'?" if best and best[1] >= 80 else ""
    raise UsageError(f"Unknown municipality '{name}'.{hint} Give a Swedish kommun, e.g. 'Tierp' or 'Malmö'.")


def municipality_region(name: str) -> str:
    """The region of a municipality (canonical name), '' for an unknown name."""
    # The exact name first: 'Habo' (Jönköpings län) and 'Håbo' (Uppsala län) fold alike.
    m = _find(name)
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


# A municipality's boards and administrations ('vård- och omsorgsnämnden', 'socialförvaltningen'); not
# the region's (patientnämnden, hälso- och sjukvårdsnämnden) nor the region's own.
_ORGAN = (
    r"(?:[Ss]ocial|[Ss]ocialtjänst|[Oo]msorgs|[Vv]ård- och omsorgs|[Ää]ldre|[Vv]älfärds)(?:nämnd|förvaltning)"
)


def _stem(name: str) -> str:
    return re.escape(name).replace(r"\ ", r"[ \-]?")


@cache
def _municipality_patterns(m: Municipality) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A municipality's name as a body ('Tierps kommun') and its companies ('GotlandsHem').

    Compiled on first need: a document names a few municipalities, and compiling all 290 pairs up
    front cost seconds per process.
    """
    stem = _stem(m.name)
    upper = _stem(m.name.upper())
    body = re.compile(
        rf"(?<![\w-]){stem}s?\s+(?:[Kk]ommuns?|stads?)(?![\w-])"
        rf"|(?<![\w-]){re.escape(m.official)}s?(?![\w-])"  # 'Falu kommuns'
        rf"|\b(?:[Kk]ommunstyrelsen|[Kk]ommunfullmäktige|{_ORGAN}en)\s+i\s+{stem}(?![\w-])"
        rf"|(?<![\w-]){stem}s\s+(?:kommunstyrelse|kommunfullmäktige|{_ORGAN})"
        rf"|\b[Kk]ommun:[ \t]*{stem}(?![\w-])"  # a form's field
        rf"|(?<![\w-]){upper}S?\s+(?:KOMMUNS?|STADS?)(?![\w-])"  # a letterhead: 'TIERPS KOMMUN'
        rf"|(?<![\w-]){re.escape(m.official.upper())}(?![\w-])"  # 'FALU KOMMUN'
    )
    lower_home = "|hem|bostäder" if m.name not in _AMBIGUOUS_PLACES else ""  # 'Enköpingshem'
    space = "" if m.name in _AMBIGUOUS_PLACES else " ?"  # 'Gällivare Energi', not 'Mark Energi'
    company = re.compile(
        rf"(?<![\w-]){stem}s?(?:Hem|Bostäder|Bostad|Hus{lower_home})\b"
        rf"|(?<![\w-]){stem}s?{space}(?:Energi|Vatten|Kraft|Stadsnät|Fastigheter)\b"
        rf"|(?<![\w-]){stem}s?\s+(?:[A-ZÅÄÖ][\wåäö]+\s+(?:&\s+[A-ZÅÄÖ][\wåäö]+\s+|och\s+\w+\s+)?)?AB\b"
    )
    return body, company


_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# 'Enköping 2023-05-12', 'Gällivare den 3 maj 2023': a letter's place and date, where it was written.
_PLACE_DATE = re.compile(
    rf"(?m)^[ \t]*([A-ZÅÄÖ][\wåäöé-]+(?: [A-ZÅÄÖ][\wåäö]+)?)(?:,| den)?[ \t]+"
    rf"(?:(?:19|20)\d\d-[01]\d-[0-3]\d|\d{{1,2}} (?:{_MONTHS}) (?:19|20)\d\d)[ \t]*$"
)
# '745 80 Enköping', '982 81 GÄLLIVARE': a postal address (supporting evidence only: a cited agency's
# address names its town too).
_POSTAL = re.compile(r"(?<![\d-])\d{3} ?\d{2}[ \t]+([A-ZÅÄÖ][\wåäöÅÄÖé-]+(?: [A-ZÅÄÖ][\wåäöÅÄÖ]+)?)")
_OWN_OFFICE = re.compile(
    r"(?i)\b(?:kommunhuset|stadshuset|rådhuset|kommunkontoret|stadskontoret|kommunledningskontoret)\b"
    r"|\w*(?:förvaltningen|nämnden)\b|\bvård och omsorg\b"
)
_OTHER_OFFICE = re.compile(
    r"\b(?:region\w*|landsting\w*|lakemedelsverket|socialstyrelsen|myndighet\w*|\w+verket|ab|universitet\w*|"
    r"\w*sjukvard\w*|\w*sjukhus\w*|lasarett\w*|vardcentral\w*)\b"
)
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
    hits_of: dict[str, int] = {}
    folded = fold(text)
    for m in all_municipalities():
        if _name_key(m) not in folded:
            continue  # not named at all: its patterns cannot match (and 290 of them are slow to try)
        body_name, company = _municipality_patterns(m)
        hits = len(body_name.findall(text))
        hits_of[m.name] = hits
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
    # Named once as a body, or only a postal town (a cited body's address names its town too), and
    # nothing else (no letterhead, domain, own offices or company): in passing.
    passing = all(
        (hits_of.get(name, 0) == 1 and len(why[name]) == 1) or why[name] == [f"postal address in {name}"]
        for name in scores
    )
    author = _NATIONAL_BODIES.search(folded_head[: cfg.national_cover_chars])
    if author and passing and region is None and len(_NATIONAL_BODIES.findall(folded)) >= 3:
        # A national body's text; a municipality named once is an example, not its owner.
        return OwnerGuess("national", "", NATIONAL, f"national body '{author.group(0)}' on the cover")
    if _KOMMUN_ORGNR.search(text) and len(scores) == 1:
        only = next(iter(scores))  # a municipality's organisation number beside the one municipality named
        scores[only] += 1.0
        why[only].append("a municipality's organisation number")
    municipality = _decide_municipality(scores, named, cfg)
    if named >= cfg.max_named:
        county = {municipality_region(name) for name in scores if hits_of.get(name)}
        if len(county) == 1 and (region is None or county == {region}):
            (shared,) = county  # a county's municipalities (and its region) together
            return OwnerGuess("joint", "", shared, f"names {named} municipalities, all of {shared}")
        return OwnerGuess(
            "unknown", "", "", f"names {named} municipalities as bodies: a list of bodies, owner not decided"
        )
    m_region = municipality_region(municipality) if municipality else ""
    own_name = rf"(?<![\w-]){re.escape(fold(region or '-'))}s?(?![\w-])"
    if municipality and region and m_region != region:
        if not _names_region(folded, region):
            # The text's region rests on place names alone (cited towns, a hospital's city); the
            # municipality names itself as a body: its region is the document's.
            return OwnerGuess(
                "municipality",
                municipality,
                m_region,
                f"{'; '.join(why[municipality][:3])} (over place names of {region})",
            )
        return OwnerGuess(
            "unknown", "", "", f"municipality {municipality} ({m_region}) disagrees with the text's {region}"
        )
    if len(joint) >= cfg.joint_min and (region or m_region) and _JOINT.search(folded):
        phrases = ", ".join(f"'{p}'" for p in dict.fromkeys(joint))
        return OwnerGuess("joint", "", region or m_region, f"region and municipalities together: {phrases}")
    if (
        municipality
        and region == m_region
        and hits_of.get(municipality, 0) == 1
        and len(why[municipality]) == 1
        and re.search(own_name, folded_head)
        and len(re.findall(own_name, folded)) >= 2
    ):
        return OwnerGuess(
            "region", "", region, f"'{region}' on the first page; {municipality} only named once in passing"
        )
    if municipality and (party := _local_agreement(folded_head, municipality, m_region)):
        return OwnerGuess("joint", municipality, m_region, f"a local agreement of '{party}'")
    if municipality:
        return OwnerGuess("municipality", municipality, m_region, "; ".join(why[municipality][:3]))
    if source_kind == "region" or region_domains or _REGION_ORGNR.search(text):
        owner = source_name if source_kind == "region" else (region_domains.most_common(1) or [("", 0)])[0][0]
        owner = owner or region or ""
        if owner and (region is None or owner == region):
            return OwnerGuess(
                "region", "", owner, f"the region's own domain or organisation number ({owner})"
            )
    if region and (re.search(own_name, folded_head) or len(re.findall(own_name, folded)) >= 3):
        return OwnerGuess("region", "", region, f"'{region}' on the first page")
    if _KOMMUN_ORGNR.search(text):
        return OwnerGuess("unknown", "", "", "a municipality's organisation number, but not which one")
    if not region and (firm := _COMPANY.search(head)):
        return OwnerGuess(
            "other", "", "", f"an organisation that is no public body: '{firm.group(0).strip()}'"
        )
    return OwnerGuess("unknown", "", region or "", "no owner named")


def _names_region(folded: str, region: str) -> bool:
    """Whether a folded text names the region itself (its name, county or a region alias)."""
    for r in all_regions():
        if r.name == region:
            names = (
                r.name,
                r.county,
                *(a for a in r.aliases if a.lower().startswith(("region", "landsting"))),
            )
            return any(re.search(rf"(?<![\w-]){re.escape(fold(n))}", folded) for n in names)
    return False


def _local_agreement(folded_head: str, municipality: str, region: str) -> str:
    """The parties' phrase when the first page is an agreement of one municipality and its own region
    ('Vellinge kommun och Region Skåne'), else ''."""
    if not region or not re.search(r"\b(?:overenskommelse\w*|avtal\w*|parter)\b", folded_head):
        return ""
    m_name = re.escape(fold(municipality)).replace(r"\ ", r"[ -]?")
    r_name = re.escape(fold(region))
    parties = rf"\b{m_name}s? (?:kommun|stad) och {r_name}\b|\b{r_name} och {m_name}s? (?:kommun|stad)\b"
    found = re.search(parties, folded_head)
    return found.group(0) if found else ""


def _place_evidence(text: str, scores: dict[str, float], why: dict[str, list[str]]) -> None:
    """Add the places a letter is signed at (2 each, up to 2) and postal towns (1, up to 1) to `scores`."""
    signed: Counter[str] = Counter()
    for match in _PLACE_DATE.finditer(text):
        m = _find(match.group(1))
        if m and m.name not in _AMBIGUOUS_PLACES:
            signed[m.name] += 1
    for name, n in signed.items():
        scores[name] = scores.get(name, 0.0) + 2.0 * min(n, 2)
        why.setdefault(name, []).append(f"signed at {name} with a date")
    posted: dict[str, float] = {}
    for match in _POSTAL.finditer(text):
        if not (m := _find(match.group(1))):
            continue
        # The address block of the municipality's own offices ('Socialförvaltningen, Box 104, 982 21
        # GÄLLIVARE', 'Kommunhuset, 813 81 Hofors') is its letterhead; another body's address is not.
        block = _address_block(text, match.start())
        own = _OWN_OFFICE.search(block) and not _OTHER_OFFICE.search(fold(block))
        posted[m.name] = max(posted.get(m.name, 0.0), 2.0 if own else 1.0)
    for name, weight in posted.items():
        scores[name] = scores.get(name, 0.0) + weight
        kind = "the municipal offices' address" if weight > 1 else "postal address"
        why.setdefault(name, []).append(f"{kind} in {name}")


def _address_block(text: str, end: int) -> str:
    """The short lines just before `end` (an address block: office, box, street), blank lines skipped."""
    before = text[max(0, end - 150) : end].splitlines()
    block: list[str] = [before.pop()] if before else []  # the address line's own start
    for line in reversed(before):
        if len(line) > 60 or len(block) > 3:
            break
        if line.strip():
            block.insert(0, line)
    return "\n".join(block)


def _decide_municipality(scores: dict[str, float], named: int, cfg: OwnerConfig) -> str:
    if not scores or named >= cfg.max_named:
        return ""
    (best, score), *rest = sorted(scores.items(), key=lambda item: -item[1])
    runner_up = rest[0][1] if rest else 0.0
    if score < cfg.min_score or score < cfg.dominance * runner_up:
        return ""
    return best
