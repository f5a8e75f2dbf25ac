"""What a question says besides its topic: its frame words, language, a region or municipality, a period."""

from __future__ import annotations

import re
from functools import lru_cache

from planmine.themes.text import fold

_WORD = re.compile(r"[^\W_]+")

QUESTION_WORDS = frozenset(
    [
        "vilka",
        "vilken",
        "vilket",
        "hur",
        "var",
        "varfor",
        "nar",
        "which",
        "what",
        "how",
        "where",
        "why",
        "when",
        "do",
        "does",
        "did",
        "is",
        "are",
        "the",
        "regioner",
        "regionerna",
        "region",
        "regions",
        "regionen",
        "lan",
        "landsting",
    ]
)
# Words of a question's frame, not of its concept (folded).
# Qualifier words: a question's word that says which patients, where or at what stage ('kroniskt sjuka',
# 'sjukhusets utskrivning', 'efter en diagnos', 'illness or injury', 'the clinic'), never the thing asked.
# Such a word does not make a theme question a narrower free concept (themes/reading.py `_uncovered`).
# Swedish entries are stems matched with an inflection ('sjukhusets', 'kroniskt'); English ones as written.
QUALIFIER_WORDS = frozenset(
    [
        "kronisk",
        "sjukhus",
        "diagnos",
        "klinik",
        "chronic",
        "chronically",
        "hospital",
        "hospitals",
        "clinic",
        "clinics",
        "diagnosis",
        "diagnoses",
        "illness",
        "illnesses",
        "injury",
        "injuries",
    ]
)

FRAME_WORDS = frozenset(
    [
        "arbetar",
        "arbeta",
        "jobbar",
        "satsar",
        "satsa",
        "erbjuder",
        "erbjuda",
        "tar",
        "upp",
        "tas",
        "inforr",
        "infor",
        "inför",
        "involverar",
        "involvera",
        "sager",
        "planerna",
        "planer",
        "planen",
        "plan",
        "gor",
        "gora",
        "gors",
        "fungerar",
        "stottar",
        "stotta",
        "stodjer",
        "stodja",
        "utvecklar",
        "utveckla",
        "anvander",
        "anvanda",
        "hanterar",
        "hantera",
        "beskriver",
        "beskrivs",
        "nämner",
        "namner",
        "namns",
        "mot",
        "kring",
        "avseende",
        "galler",
        "gällande",
        "nagot",
        "nagon",
        "hanterar",
        "ser",
        "till",
        "sakrar",
        "sakras",
        "sakerstaller",
        "address",
        "addresses",
        "addressing",
        "offer",
        "offers",
        "plan",
        "plans",
        "planning",
        "say",
        "says",
        "mention",
        "mentions",
        "use",
        "uses",
        "using",
        "invest",
        "invests",
        "implement",
        "implements",
        "involve",
        "involves",
        "support",
        "supports",
        "handle",
        "handles",
        "work",
        "works",
        "regions",
        "region",
        "approach",
        "approaches",
        "deal",
        "deals",
        "about",
        "regarding",
        "concerning",
        "let",
        "lets",
        "provide",
        "provides",
        "improve",
        "improves",
        "strengthen",
        "strengthens",
        "collaborate",  # the question's frame as much as 'work on': 'collaborate with universities'
        "collaborates",
        "cooperate",
        "cooperates",
        "organise",
        "organises",
        "organize",
        "organizes",
        "discuss",
        "discusses",
        "develop",
        "develops",
        "drive",
        "drives",
        "ensure",
        "ensures",
        "within",
        "through",
        "against",
        "towards",  # 'work towards equity': the frame, as 'against' is
        "toward",
        "write",  # 'Which regions write about ...?'
        "writes",
        "carry",  # 'carry out root cause analyses'
        "carries",
        "out",
        "among",
        "people",
        "their",
        "them",
        "they",
        "its",
        "it",
        "can",
        "could",
        "should",
        "would",
        "will",
    ]
)


_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "on",
        "are",
        "which",
        "what",
        "how",
        "do",
        "does",
        "who",
        "regions",
        "their",
        "they",
        "about",
        "address",
        "offer",
        "work",
        "use",
        "plan",
        "plans",
        "people",
        "services",
        "care",
    ]
)
_SWEDISH = frozenset(
    [
        "och",
        "att",
        "med",
        "för",
        "som",
        "vilka",
        "hur",
        "regioner",
        "regionerna",
        "arbetar",
        "på",
        "av",
        "om",
        "i",
        "det",
    ]
)


def language_of(question: str) -> str:
    """'sv' or 'en' from the question's function words; å, ä, ö mean Swedish unless the English function
    words clearly outnumber the Swedish ones (a Swedish name in an English question: 'Växa tryggt')."""
    words = [w.lower() for w in _WORD.findall(question)]
    en = sum(w in _ENGLISH for w in words)
    sv = sum(w in _SWEDISH for w in words)
    if any(c in question.lower() for c in "åäö"):
        return "en" if en >= sv + ENGLISH_MARGIN else "sv"
    return "en" if en > sv else "sv"


ENGLISH_MARGIN = 2  # English function words over Swedish ones that outweigh å, ä, ö in a question


def name_phrases(question: str) -> list[tuple[str, ...]]:
    """Proper names in a question, folded: an acronym ('TSI', 'LSS-verksamhet' names LSS), a run of
    capitalised words not at the question's start ('Mental Health First Aid', 'Cosmic LINK', 'Psyk E-bas'),
    or one capitalised word with the word after it (Swedish names capitalise the first word only: 'Första
    hjälpen', 'Växa tryggt', 'Senior alert'). Region, county and municipality names are filters, not names
    of a concept, and are left out."""
    tokens = list(re.finditer(r"[^\W_]+(?:-[^\W_]+)*", question))
    place = _place_words()
    out: list[tuple[str, ...]] = []
    i = 1  # the first word is capitalised by the sentence
    while i < len(tokens):
        word = tokens[i].group(0)
        if not _capitalised(word) or fold(word) in place:
            i += 1
            continue
        head = _WORD.findall(word)[0]
        if head.isupper() and len(head) >= 2:
            out.append((fold(head),))  # an acronym
            i += 1
            continue
        run = [word]
        while i + len(run) < len(tokens):
            nxt = tokens[i + len(run)].group(0)
            joined = nxt in _NAME_JOINERS and i + len(run) + 1 < len(tokens)
            if joined and _capitalised(tokens[i + len(run) + 1].group(0)):
                run.append(nxt)  # 'Health and Medical Services Act'
                continue
            if not _capitalised(nxt) or fold(nxt) in place:
                break
            run.append(nxt)
        while run[-1] in _NAME_JOINERS:
            run.pop()
        if len(run) == 1 and i + 1 < len(tokens):
            nxt = tokens[i + 1].group(0)
            gap = question[tokens[i].end() : tokens[i + 1].start()]
            if nxt.islower() and gap.strip() == "" and fold(nxt) not in _NAME_STOP:
                run.append(nxt)
        words = tuple(w for token in run for w in _WORD.findall(fold(token)) if len(w) > 1)
        if len(words) > 1 or (words and len(words[0]) >= 4):
            out.append(words)
        i += len(run)
    return out


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isdigit()


_NAME_JOINERS = frozenset(["and", "of", "och", "for", "för", "i", "in"])  # inside a name of capitalised words
# Words that end a name rather than continue it: 'Senior alert för äldre', 'Cosmic LINK tool'.
_NAME_STOP = frozenset(
    [
        *("och", "i", "att", "det", "som", "en", "ett", "for", "till", "av", "med", "pa", "om", "hos"),
        *("inom", "vid", "mot", "and", "or", "of", "the", "to", "in", "on", "at", "with", "by", "from"),
    ]
)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Folded words of region, county and municipality names, genitives included (and 'region', 'län'):
    never a concept name."""
    from planmine.regions import all_regions

    words = {"region", "regionen", "regions", "lan", "lans", "kommun", "kommuner"}
    for r in all_regions():
        for name in (r.name, r.county, *r.aliases, *r.municipalities):
            for w in _WORD.findall(fold(name)):
                words |= {w, w + "s"}
    return frozenset(words)


# --- filters -----------------------------------------------------------------------------------------
_SINCE = re.compile(
    r"\b(?:sedan|efter|fran och med|fr\.?o\.?m\.?|since|after|from)\s+(?:ar\s+)?((?:19|20)\d\d)\b"
)
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|till|to)\s*((?:19|20)\d\d)\b")
_YEAR = re.compile(r"\b(?:i|ar|under|in|during|for)\s+((?:19|20)\d\d)\b")


def period_of(folded: str) -> tuple[tuple[int, int] | None, str]:
    for rx, kind in ((_RANGE, "range"), (_SINCE, "since"), (_YEAR, "year")):
        m = rx.search(folded)
        if m:
            a = int(m.group(1))
            b = int(m.group(2)) if kind == "range" else (9999 if kind == "since" else a)
            return (a, b), folded[: m.start()] + folded[m.end() :]
    return None, folded


@lru_cache(maxsize=1)
def _region_names() -> list[tuple[str, re.Pattern[str], str, str]]:
    """(first folded word, pattern, region, municipality or '') longest first: names, counties, aliases,
    places; a phrase is tried only when its first word is in the question."""
    from planmine.regions import all_regions

    out: list[tuple[str, str, str]] = []
    for r in all_regions():
        for alias in dict.fromkeys((r.name, r.county, *r.aliases)):
            if len(alias) >= 4 and not alias.isupper():
                out.append((fold(alias), r.name, ""))
        for place in r.municipalities:
            if len(place) >= 4:
                out.append((fold(place), r.name, place))
    out.sort(key=lambda x: -len(x[0]))
    return [
        (
            _WORD.findall(phrase)[0] if _WORD.findall(phrase) else phrase,
            re.compile(rf"(?<![\w-]){re.escape(phrase)}s?(?![\w-])"),
            region,
            municipality,
        )
        for phrase, region, municipality in out
    ]


def place_of(question: str, folded: str) -> tuple[str | None, str | None, str]:
    """Region and municipality named in the question ('i Region Skåne', 'Skånes', 'Linköpings')."""
    words = set(_WORD.findall(folded))
    words |= {w[:-1] for w in words if w.endswith("s")}
    for first, pattern, region, municipality in _region_names():
        if first not in words:
            continue
        m = pattern.search(folded)
        if not m:
            continue
        if municipality and not re.search(rf"\b{re.escape(municipality)}", question):
            continue  # municipalities only capitalised, so that 'Mora' or 'Vara' are not words
        rest = folded[: m.start()] + folded[m.end() :]
        rest = re.sub(r"\b(i|inom|in|for|hos)\s*$", "", rest[: m.start()].rstrip()) + rest[m.start() :]
        return region, municipality or None, rest
    return None, None, folded
