"""Cue words and patterns of the tagger, on folded text (lowercase, no diacritics: OCR-safe).

Kept apart from the spaCy components so that the rules read as a list and can be tuned in one place.
"""

from __future__ import annotations

import re

from planmine.segment import fold

# -- table columns ------------------------------------------------------------------------------------
_COLUMN_ROLES = (
    ("goal", re.compile(r"^(malomraden?|mal|delmal|effektmal|malsattning(ar)?|malbild|overgripande mal)$")),
    ("activity", re.compile(r"^(aktivitet(er)?|insats(er)?|atgard(er)?|aktiviteter och insatser)$")),
    ("indicator", re.compile(r"^(indikator(er)?|matt|nyckeltal|uppfoljning)$")),
    ("source", re.compile(r"^(kalla|datakalla|kallor)$")),
    ("actor", re.compile(r"^(ansvarig(a)?|ansvar|vem|huvudansvarig|ansvarig aktor)$")),
    ("time", re.compile(r"^(tid|tidsplan|nar|period|tidpunkt|klart)$")),
)


def column_role(header_cell: str) -> str | None:
    """What a table column holds, from its header ('Målområde' → goal, 'Aktiviteter' → activity)."""
    key = fold(header_cell).strip(" :.*")
    for role, pattern in _COLUMN_ROLES:
        if pattern.match(key):
            return role
    return None


def is_header_row(cells: tuple[str, ...] | list[str]) -> bool:
    """A table header: every non-empty cell names a known column, at least two of them."""
    named = [c for c in cells if c.strip()]
    return len(named) >= 2 and all(column_role(c) is not None for c in named)


# -- labels at the start of a paragraph ------------------------------------------------------------------
GOAL_LABEL = re.compile(
    r"^(overgripande mal|mal|delmal\s*\d*|effektmal|malbild|malsattning|vision|malomrade)\s*\d*\s*:\s*"
)
INDICATOR_LABEL = re.compile(r"^(indikator(er)?|matt)\s*:\s*")
RESPONSIBLE_LABEL = re.compile(r"^(ansvarig(a)?|ansvar|huvudansvarig)\s*:\s*")
TARGET_LABEL = re.compile(r"^(malgrupp(er)?|malgruppen)\s*:\s*")

# -- goals ------------------------------------------------------------------------------------------------
# a heading that is only a goal label ("6.1 Delmål 1", "Övergripande mål"): its first passage is the goal
GOAL_HEADING = re.compile(
    r"^(\d+(\.\d+)*\.?\s+)?(delmal|overgripande mal|mal|effektmal|malsattning|malomrade|malbild)\s*\d*\s*:?$"
)
# a list introduced by "... fem delmål formulerats:" or "... effektmålen:" lists goals
GOAL_LIST_INTRO = re.compile(
    r"(\b(delmal|effektmal|effektmalen|malen|malomraden|malsattningar|mal|delmalen)\b[^.:;]{0,40}[:;]\s*$)"
    r"|(syftet (ar|med [^.]{0,60}ar) att uppna\s*[:;]\s*$)|(onskvart lage\b[^.]{0,60}[:;]\s*$)"
)
_IS = r"(?:ar|&r|dr|4r)"  # 'är', also as the OCR misreads it
GOAL_SENTENCE = re.compile(
    rf"(\b(malet|malsattningen|malsattning|malbilden|visionen|strategiska inriktning|strategiska inriktningen)\b"
    rf"[^.;]{{0,80}}\b({_IS}|bor vara|ska vara)\s+(att\b|en\b|ett\b|att)"
    rf")|(\b{_IS} malet\b)|(\bna malet [\"”“])"
    r"|(\b(antalet|andelen)\b[^.]{0,80}\bska\b[^.]{0,30}\b(minska|oka|halveras|forbattras|vara)\b)"
    r"|(\bska\b[^.]{0,80}\bsamverka (for|sa att)\b)"
    r"|(\bsenast (ar )?(19|20)\d\d\b[^.]{0,30}\bska\b)|(^(ar|år) (19|20)\d\d ska\b)|(\bar (19|20)\d\d ska\b)"
)

# -- activities --------------------------------------------------------------------------------------------
# verbs that open an action item, imperative or infinitive, folded
LIST_VERBS = frozenset(
    [
        "utveckla",
        "vidareutveckla",
        "implementera",
        "stodja",
        "stark",
        "starka",
        "skapa",
        "ta",
        "oka",
        "utoka",
        "sakerstall",
        "sakerstalla",
        "tydliggor",
        "tydliggora",
        "sprida",
        "genomfor",
        "genomfora",
        "infor",
        "infora",
        "etablera",
        "erbjud",
        "erbjuda",
        "mojliggor",
        "mojliggora",
        "underlatta",
        "minska",
        "bygg",
        "bygga",
        "gor",
        "gora",
        "se",
        "folj",
        "folja",
        "kartlagg",
        "kartlagga",
        "identifiera",
        "revidera",
        "samordna",
        "initiera",
        "bevaka",
        "delta",
        "analysera",
        "sammanstall",
        "sammanstalla",
        "utbilda",
        "utvardera",
        "undersok",
        "undersoka",
        "tillsatt",
        "tillsatta",
        "tillskapa",
        "inventera",
        "integrera",
        "forbattra",
        "framja",
        "forebygg",
        "forebygga",
        "prioritera",
        "medverka",
        "bidra",
        "kommunicera",
        "samverka",
        "slutfor",
        "slutfora",
        "fortsatt",
        "fortsatta",
        "uppdatera",
        "sakra",
        "forstark",
        "forstarka",
        "planera",
        "inratta",
        "starta",
        "testa",
        "dela",
        "lyfta",
        "anordna",
        "utred",
        "utreda",
        "sikra",
        "satsa",
        "arbeta",
        "arbetar",
        "ta",
        "fram",
        "verka",
        "hoja",
        "fardigstall",
        "fardigstalla",
        "uppratta",
        "infora",
        "inkludera",
        "involvera",
        "stimulera",
        "rekrytera",
        "attrahera",
        "anpassa",
        "bjuda",
        "utse",
    ]
)
# concrete verbs after a modal in running text ("behöver skapa", "ska förstärkas")
SENTENCE_VERBS = LIST_VERBS - {
    "samverka",
    "arbeta",
    "arbetar",
    "se",
    "ta",
    "delta",
    "bidra",
    "verka",
    "dela",
    "lyfta",
    "gor",
    "gora",
    "uppratta",
}
NOMINAL_ACTIONS = re.compile(
    r"^(utveckling|inforande|etablering|implementering|uppbyggnad|utbildning) (av|i)\b"
)
ACTIVITY_LIST_INTRO = re.compile(
    r"\b(aktiviteter|aktiviteterna|insatser|atgarder|exempel|uppdrag[^.]{0,80}genom att|genom att)\b[^.]{0,80}[:;]\s*$"
)
# (with the OCR misreadings of "behöver" that the cleaner may leave)
MODALS = frozenset(
    ["ska", "skall", "behover", "bor", "kommer", "planerar", "avser", "vill", "behdver", "behever"]
)
NEXT_STEP = re.compile(r"\bi nasta steg\b")

# -- commitment ----------------------------------------------------------------------------------------------
BINDING = re.compile(r"\b(ska|skall|kommer att|maste|ansvarar for|har beslutat|beslutas|ar beslutad)\b")
INTENTION = re.compile(r"\b(behover|behovs|bor|borde|vill|onskar|avser|planerar|strava\w*|ambition\w*|kan)\b")
BACKGROUND = re.compile(r"\b(pagar|pagick|har genomforts|genomfordes|startade|har tagits fram|har funnits)\b")

# -- time -------------------------------------------------------------------------------------------------------
_YEAR = r"(?:19|20)\d\d"
_MONTHS = r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
TIME = re.compile(
    rf"(?<![\d/:.-])(?:"
    rf"(?:[Ss]enast|[Uu]nder|[Ff]ram till|[Tt]ill|[Ff]rån|[Hh]östen|[Vv]åren|[Ss]ommaren|[Vv]intern|[Åå]r)\s+"
    rf"(?:år\s+)?{_YEAR}(?:\s*[-–]\s*{_YEAR})?"
    rf"|(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+{_YEAR}"
    rf"|{_YEAR}-\d\d-\d\d"
    rf"|{_YEAR}\s*[-–]\s*{_YEAR}"
    rf"|{_YEAR}"
    rf")(?![\d:/])"
)
# references that contain a year but are no time: 'SOU 2021:93', 'prop. 2019/20:164', 'Direktiv 2022:24'
NOT_TIME = re.compile(r"(SOU|Ds|prop\.|Prop\.|[Dd]irektiv|[Dd]ir\.|SFS|DNR|Dnr|RS)\s*$")


def time_value(text: str) -> str:
    """Normalised time: the years of a mention ('Hösten 2023' → 'hösten 2023', '2023 - 2024' → '2023–2024')."""
    value = re.sub(r"\s*[-–]\s*(?=(19|20)\d\d)", "–", text.strip())
    return value[0].lower() + value[1:] if value[:1].isalpha() else value


# -- requirements on a supplier (procurement, manuals) ------------------------------------------------------
# 'Leverantören ska ...', 'Lösningen ska ...', 'Anbudsgivaren skall ...': what a supplier or product must do
SUPPLIER_SUBJECT = re.compile(
    r"(^|[.:;]\s+|\b(att|om|och)\s+)(leverantoren|leverantor|losningen|systemet|anbudsgivaren|anbudet|"
    r"konsulten|uppdragstagaren|tjansten|plattformen|webbplatsen|verktyget|produkten|programvaran|"
    r"applikationen|avropad\w* konsult\w*|offererad\w* \w+)\s+(ska|skall|maste|bor|ansvarar|erbjuder|"
    r"kan|ar skyldig)\b"
)
# 'Handlingsplanen omfattar ...', 'De tre handlingsplanerna ska ses som en helhet', 'I en bilaga till denna
# handlingsplan finns ...': the document speaks of itself (what it holds, guides, is to be read as) - background
DOCUMENT_SUBJECT = re.compile(
    r"^\W*(i (en |denna |var )?bilaga\w*\b|(de (tva|tre|fyra) |denna |detta |den har |det har |var |vara |hela )?"
    r"(handlingsplan(en|erna|er)?|planen|planerna|avtalet|overenskommelsen|strategin|strategidokumentet|"
    r"malbilden|fardplanen|dokumentet|bilagan|rapporten|programmet)\s)"
)
# 'I Kalmar län ska invånare medverka ...', 'I KRONOBERG SKA VÅRDEN VARA NÄRA': what shall hold in a place
# (matched on the unit's own text: the place is a capitalised name)
PLACE_SHALL = re.compile(r"^\W*I [A-ZÅÄÖ]\w+( [Ll]än| [Kk]ommun| LÄN| KOMMUN)? (ska|skall|SKA|SKALL)\b")
# 'Vi ska ...', 'VI SKA ERBJUDA ...': the plan's own commitment in the first person
WE_SHALL = re.compile(r"^\W*(vi|region \w+ och \w+ kommuner) (ska|skall|vill|ska ocksa)\b")

# -- goals in the layouts of other regions ---------------------------------------------------------------
# 'I KRONOBERG SKA VÅRDEN VARA NÄRA', 'VI SKA ERBJUDA EN JÄMLIK VÅRD': a capitalised statement with 'ska'
CAPS_GOAL_MIN_SHARE = 0.8  # share of upper-case letters that makes a line a capitalised statement


def letter_counts(text: str) -> tuple[int, int]:
    """(letters, upper-case letters) of the text, counted in C (a 4,000-character passage: ~0.1 ms)."""
    letters = "".join(filter(str.isalpha, text))
    return len(letters), len("".join(filter(str.isupper, letters)))


CAPS_GOAL = re.compile(r"(^|\s)(ska|skall|vill)\s")
# a section whose heading says it states goals: 'Vår vision', 'Det här vill vi uppnå', 'Våra mål'
GOAL_SECTION = re.compile(
    r"^((var|vara) )?(vision(en)?|malbild(en)?|(strategiska |overgripande )?mal(en)?)$"
    r"|\bvill vi uppna\b|\bvi vill uppna\b|\bvart vi vill\b"
)
# 'Strategi 1. Stärka primärvården', 'Fokusområde 2: Hälsa': a numbered strategy or goal area heading
STRATEGY_HEADING = re.compile(
    r"^(strategi|fokusomrade|insatsomrade|malomrade|delmal|inriktning)\s*\d{1,2}\s*[.:]?\s+\w"
)
# 'Kommunerna inför ...', 'Region X ansvarar för att ...': an actor as subject of a present-tense action
PRESENT_ACTIONS = frozenset(
    [
        "infor",
        "inrattar",
        "etablerar",
        "utvecklar",
        "erbjuder",
        "genomfor",
        "utser",
        "startar",
        "skapar",
        "implementerar",
        "bjuder",
        "utbildar",
        "tar",
        "bygger",
        "sakerstaller",
    ]
)
