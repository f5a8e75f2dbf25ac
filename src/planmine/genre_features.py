"""What the genre classifier reads in a document: its opening words, named cue words, its structure.

Pure functions over a `GenreInput`; the model (`planmine.genre_model`) weighs them. The cue groups name
the words a careful reader looks for (upphandling, avrop, anbud; risk- och sårbarhetsanalys, scenario;
handlingsplan, mål, aktiviteter; protokoll, §, beslut; ...), so that the evidence a prediction gives can be
read, and so that a handful of labelled documents per genre generalise beyond their own vocabulary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from planmine.regions import fold
from planmine.types import CleanDocument, Passage


@dataclass(frozen=True)
class GenreInput:
    """A document as the genre classifier sees it: title, text (tables included), size and passages."""

    title: str
    text: str
    pages: int = 1
    passages: tuple[str, ...] = ()  # passage texts in order; their mean vector stands for the document

    @classmethod
    def from_document(
        cls, doc: CleanDocument, title: str, passages: Sequence[Passage] | Sequence[str] = ()
    ) -> GenreInput:
        """The classifier's view of a cleaned document: page texts followed by their tables' cells."""
        parts: list[str] = []
        for page in doc.pages:
            parts.append(page.text)
            for table in page.tables:
                parts.extend(" | ".join(cell for cell in row if cell) for row in table)
        texts = tuple(p if isinstance(p, str) else p.text for p in passages)
        return cls(title=title, text="\n".join(parts), pages=max(1, len(doc.pages)), passages=texts)


# Cue groups: name → pattern over folded text (lowercase, no diacritics). The genre in the name is the
# reader's expectation, not a rule: the model learns how much each cue counts, and against which genre.
CUES: dict[str, str] = {
    "procurement:upphandling": r"upphandl\w*|\blou\b|offentlig upphandling",
    "procurement:avrop": r"\bavrop\w*|avropsberattigad\w*|ramavtal\w*",
    "procurement:anbud": r"\banbud\w*|anbudsgivar\w*|tilldelning\w*|utvarderingskriteri\w*",
    "procurement:leverantor": r"leverantor\w*|konsult\w*|\bbestallar\w*",
    "procurement:krav": r"\bska-krav\w*|\bskall-krav\w*|obligatorisk\w* krav|\bbor-krav\w*|kravspecifikation\w*",
    "procurement:pris": r"\bpris(er|et|bilaga\w*)?\b|timpris\w*|\bfakturer\w*|\bvite\b|avtalsspar\w*",
    "procurement:upphandlande": r"upphandlande (myndighet|organisation|enhet)\w*|forfragningsunderlag\w*|"
    r"kvalificeringskrav\w*|\banbudstid\w*|sista anbudsdag|tilldelningsbeslut\w*|\bmercell\b|\btendsign\b|"
    r"\bkommersiella villkor|\bavtalsvillkor\w*|\bsekretess for anbud",
    "procurement:kravsubjekt": r"\b(leverantoren|anbudsgivaren|konsulten|uppdragstagaren|utforaren|systemet|"
    r"losningen|tjansteleverantoren|anbudet)\s+(ska|skall|bor|maste)\b",
    "procurement:moms": r"\b\d[\d ]*(kr|sek|kronor)\b|\bkr/tim\w*|\bpris per\b|\b(exkl|inkl)\.? moms\b|\bja/nej\b|"
    r"\buppfyll(s|er|t|da)\b",
    "risk:rsa": r"risk- och sarbarhetsanalys\w*|\brsa\b|riskanalys\w*",
    "risk:sarbarhet": r"sarbarhet\w*|\bhot(bild\w*)?\b|robusthet\w*",
    "risk:scenario": r"scenari\w*|\bhandelseforlopp\w*",
    "risk:beredskap": r"krisberedskap\w*|extraordinar\w* handelse\w*|civilt forsvar\w*|hojd beredskap|krisledning\w*",
    "risk:samhallsviktig": r"samhallsviktig\w*|kritiska beroenden|skyddsvard\w*",
    "risk:sannolikhet": r"sannolikhet\w*|konsekvensbedomning\w*|riskniva\w*|riskmatris\w*",
    "risk:hypotetisk": r"\bskulle (kunna|kunde|innebara|leda)\b|\bom (ett|en) \w+ (intraffar|skulle)|"
    r"\bvid ett (langvarigt|omfattande|storre)\b|\bbortfall\w*|\bavbrott\w*|\bstorning(ar|en)?\b",
    "risk:konsekvens": r"\bkonsekvens(er|erna|en)?\b|\bformaga(n)? att (hantera|motsta)\b|\bkontinuitet\w*",
    "plan:handlingsplan": r"handlingsplan\w*|fardplan\w*|malbild\w*|regionplan\w*",
    "plan:mal": r"\bmal(et|en|bild)?\b|malsattning\w*|delmal\w*|malomrade\w*",
    "plan:aktivitet": r"\baktivitet(er|erna|en)?\b|insatsomrade\w*|atgardsplan\w*",
    "plan:strategi": r"strategi\w*|inriktning\w*|omstallning\w*|\bvision\w*|prioriterade? omrade\w*",
    "plan:framtid": r"\bsenast (ar )?20\d\d|\btill ar 20\d\d|\bunder (ar )?20\d\d|\bvi vill\b|ska utvecklas",
    "plan:atagande": r"\b(vi|regionen|kommunen|kommunerna|lanet|huvudmannen|forvaltningen|namnden)\s+"
    r"(ska|kommer att|vill|avser att)\b",
    "agreement:overenskommelse": r"overenskommelse\w*",
    "agreement:parter": r"\bparterna\w*|\bparter(nas)?\b|avtalspart\w*",
    "agreement:avtal": r"\bavtal(et|en|s)?\b|avtalstid\w*|uppsagning\w*|giltighetstid\w*",
    "agreement:huvudman": r"huvudman\w*|ansvarsfordelning\w*|kommunerna och regionen|regionen och kommunerna",
    "agreement:undertecknad": r"undertecknad\w*|\bunderskrift\w*|for regionen\b|for kommunen\b",
    "agreement:parterna_ska": r"\bparterna (ska|ansvarar|ar overens|atar sig|forbinder)|\bmellan \w+( \w+)? och "
    r"(kommun\w*|region\w*)|\bdenna overenskommelse\b|\bavtalet galler\b",
    "guideline:riktlinje": r"riktlinje\w*|\bvardprogram\w*|\bpm\b|lokala anvisning\w*",
    "guideline:rutin": r"\brutin(er|en|erna)?\b|samverkansrutin\w*|arbetsgang\w*|tillvagagangssatt\w*",
    "guideline:ansvar": r"\bansvar(ar|et)?\b|ansvarig\w*|dokumentansvarig\w*",
    "guideline:beslutad": r"dokumentet (ar )?beslutat|galler tillsvidare|dokumentet galler|dokumentet ersatter",
    "guideline:rekommendation": r"rekommender\w*|behandlingsrekommendation\w*|\bdosering\w*|\bforstahandsval\w*",
    "guideline:lakemedel": r"\btablett\w*|\binjektion\w*|\bmixtur\w*|\b\d+ ?mg\b|\bindikation\w*|"
    r"\bbiverkning\w*|\bterapirekommendation\w*|\bkontraindikation\w*|\bbehandlingsalternativ\w*",
    "guideline:ska": r"\bska\b",
    "report:uppfoljning": r"uppfoljning\w*|utvardering\w*",
    "report:arsrapport": r"arsrapport\w*|verksamhetsberattelse\w*|arsredovisning\w*|delarsrapport\w*|"
    r"patientsakerhetsberattelse\w*|kvalitetsberattelse\w*|redovisning\w*",
    "report:resultat": r"\bresultat(en|et)?\b|\butfall(et)?\b|jamfort med|\bokade\b|\bminskade\b",
    "report:utredning": r"\butredning\w*|kartlaggning\w*|\banalysen\b|\bunderlag(et)?\b|\bmetod(en)?\b|slutsats\w*",
    "report:statistik": r"statistik\w*|\bindikator\w*|\benkat\w*|\bandel(en)?\b|\bprocent\b|%",
    "report:serie": r"\brapport \d{4}:\d+|\bisbn\b|\bissn\b|\bserie\w*|\bsammanfattning\b|\bslutrapport\w*|"
    r"\bdelrapport\w*",
    "decision:protokoll": r"protokoll\w*|sammantrade\w*|\bjusterar\w*|\bjustering\w*",
    "decision:paragraf": r"§\s*\d+",
    "decision:beslut": r"\bbeslut(ar|ade|at|et|sunderlag)?\b|\bbeslutsforslag\w*|\bforslag till beslut",
    "decision:ledamot": r"ledamot\w*|ledamoter\w*|ordforande\w*|\bsekreterare\b|narvarande|\bersattare\b",
    "decision:yrkande": r"yrkande\w*|\bbifall\w*|reservation\w*|\bfullmaktige\w*|\bstyrelse(n|ns)?\b",
    "decision:regeringen": r"regeringen (uppdrar|beslutar|ger|foreslar)|\bkommittedirektiv\w*|\butredaren\b|"
    r"\bpropositionen\b|\bdir\. \d{4}|regeringsbeslut\w*",
    "decision:uppdrag": r"uppdraget ska (slut)?redovisas|\butredningens uppdrag|tillaggsdirektiv\w*|\butredningstiden\b|"
    r"\bdelredovisning\w*|\buppdrar at\b|\btrada i kraft\b|\blagforslag\w*|\blagandring\w*|\bforfattning\w*",
    "decision:justering": r"\bjusteras\b|\bplats och tid\b|\butdragsbestyrkande\b|\bparagrafer\b|\bbeslutande\b|"
    r"\bovriga (deltagare|narvarande)\b|\bsammantradesdatum\b|\bexpedieras\b|\banslag(et|sdatum)?\b",
    "press:pressmeddelande": r"pressmeddelande\w*|presskontakt\w*|pressekreterare\w*|\bpressinformation\w*",
    "press:citat": r"(sager|berattar|konstaterar|menar|understryker) [a-z]+( [a-z]+)?,|"
    r"[\"”“][a-z][^\"”“\n]{2,200}[\"”]",  # a quoted phrase: a pair of marks around words, not OCR's stray ones
    "press:sager": r"\b(sager|berattar|konstaterar|menar|understryker|fortsatter|forklarar)\s+(\w+\s){0,3}\w+[.,]",
    "press:citatrad": r"(?m)^\s*[-–—\"”].{10,400}\b(sager|berattar|menar|konstaterar|understryker)\b",
    "press:publicerad": r"\bpublicerad\b|\bnyhet(er|en)?\b|\bpressbild\w*|\bfoto:|\bpresstraff\w*|\bmedia\b",
    "press:minister": r"\bminister\w*|sjukvardsminister\w*|statsrad\w*",
    "press:besok": r"\bbesok(er|te|et)?\b|\bturne\w*|\bidag\b|\bi dag\b",
    "press:kontakt": r"for mer information|\bkontakt:|\bkontakta\b|\btelefon\b|\bmejl\b|e-post",
    "manual:installation": r"installation\w*|\binstaller\w*|driftsatt\w*|uppgradering\w*",
    "manual:konfiguration": r"konfigur\w*|\binstallning(ar|en)?\b|parameter\w*|\bproperties\b",
    "manual:server": r"\bserver\w*|databas\w*|\bapi\b|\burl\b|https?:|\bport(en)?\b|\bjava\b|\blinux\b|windows",
    "manual:anvandare": r"anvandar\w*|inloggning\w*|logga in|losenord\w*|\bklicka\w*|\bmeny(n|er)?\b|knapp(en)?\b",
    "manual:fil": r"\bfil(en|er|erna)?\b|katalog(en)?\b|\.xml\b|\.jar\b|\bkommando\w*|\bversion \d",
    "manual:api": r"application/json|\bjson\b|\brequest\b|\brespons(e|es)?\b|\bendpoint\w*|\bschema\b|"
    r"\b(get|post|put|delete) /|\bstring\b|\bboolean\b|\bhttp\b|\bxml\b",
    "manual:kod": r"`|\b[\w/-]+\.(ts|js|py|json|ya?ml|java|xml|sql|sh|exe|ini|cfg|md|html?)\b|\bsteg \d+\b",
    "other:formular": r"☐|\bnamn:|personnummer|valj ett objekt|klicka eller tryck|\bunderskrift:|\bdatum:",
    "other:ekonomi": r"inflation\w*|styrranta\w*|penningpolitik\w*|\bkpif?\b|\bbnp\b|\branta\w*|kronan|konjunktur\w*",
    "other:anstallning": r"\bvi soker\b|\btjansten\b|\bansokan\b|\bkvalifikation\w*|\btilltrade\b|\bsista ansokningsdag",
    "domain:vard": r"\bvard(en|ens)?\b|\bomsorg\w*|\bhalso\w*|sjukvard\w*|\bpatient\w*|\bbrukar\w*|\bnara vard",
}
_CUE_PATTERNS = {name: re.compile(pattern) for name, pattern in CUES.items()}
STRUCTURE = (
    "structure:words",
    "structure:price_table_share",
    "structure:heading_share",
    "structure:pages",
    "structure:table_share",
    "structure:bullet_share",
    "structure:digit_share",
    "structure:line_words",
    "structure:question_share",
    "structure:short_line_share",
)
CUE_FEATURES: tuple[str, ...] = (
    *(f"{name}" for name in CUES),
    *(f"{name}@opening" for name in CUES),
    *(f"{name}@title" for name in CUES),
    *STRUCTURE,
)
_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^\s*(?:[-•*–▪·◦]|\d{1,2}[.)]|[a-z][.)])\s")
# OCR slips inside words ('upphand1ing', 'avta|', 'inf0rmation'): the cue words still have to be found in
# scans, and the shared `themes.text.ocr_fold` maps '|' to 'i', which would break table rows here.
_OCR_L = re.compile(r"(?<=[a-z])[1|!](?=[a-z])")
_OCR_O = re.compile(r"(?<=[a-z])0(?=[a-z])")
_PRICE_ROW = re.compile(
    r"\d[\d ]*(kr|sek|kronor)\b|\bpris\w*|\btimpris\w*|\bja/nej\b|\bkrav\w*", re.IGNORECASE
)
_HEADING = re.compile(r"^\s*(#+\s|\d{1,2}(\.\d{1,2})*\.?\s+[A-ZÅÄÖ])")


def cue_fold(text: str) -> str:
    """Folded text (lowercase, no diacritics) with in-word OCR slips of 'l' and 'o' undone."""
    return _OCR_O.sub("o", _OCR_L.sub("l", fold(text)))


def folded_head(inp: GenreInput, head_chars: int) -> str:
    """The words the TF-IDF reads: the title twice (it names the genre more often than not), the opening."""
    title = fold(inp.title)
    return f"{title}\n{title}\n{fold(inp.text[:head_chars])}"


def cue_counts(folded: str) -> dict[str, int]:
    """How often each cue group occurs in a folded text."""
    return {name: sum(1 for _ in pattern.finditer(folded)) for name, pattern in _CUE_PATTERNS.items()}


def cue_vector(inp: GenreInput, *, full_chars: int, opening_chars: int) -> np.ndarray:
    """Cue rates (per 1,000 words, log-scaled), cue hits in the title and opening, and structure."""
    return _cue_vector(inp.title, inp.text, inp.pages, full_chars, opening_chars).copy()


@lru_cache(maxsize=512)  # training and cross-validation read the same documents many times
def _cue_vector(title: str, full_text: str, pages: int, full_chars: int, opening_chars: int) -> np.ndarray:
    inp = GenreInput(title=title, text=full_text, pages=pages)
    text = inp.text[:full_chars]
    folded = cue_fold(text)
    words = max(1, len(_WORD.findall(folded)))
    counts = cue_counts(folded)
    opening = cue_counts(cue_fold(f"{inp.title}\n{text[:opening_chars]}"))
    in_title = cue_counts(cue_fold(inp.title))
    rates = [math.log1p(1000.0 * counts[name] / words) for name in CUES]
    hits = [1.0 if opening[name] else 0.0 for name in CUES]
    titled = [1.0 if in_title[name] else 0.0 for name in CUES]
    return np.array([*rates, *hits, *titled, *_structure(text, words, inp.pages)], dtype=np.float64)


def _structure(text: str, words: int, pages: int) -> list[float]:
    lines = [line for line in text.splitlines() if line.strip()]
    n_lines = max(1, len(lines))
    table_lines = sum(" | " in line for line in lines)
    bullets = sum(bool(_BULLET.match(line)) for line in lines)
    digits = sum(ch.isdigit() for ch in text) / max(1, len(text))
    questions = sum(line.rstrip().endswith("?") for line in lines)
    short = sum(len(line.split()) <= 4 for line in lines)
    price_rows = sum(" | " in line and bool(_PRICE_ROW.search(line)) for line in lines)
    headings = sum(bool(_HEADING.match(line)) for line in lines)
    return [
        math.log1p(words),
        price_rows / max(1, table_lines),
        headings / n_lines,
        math.log1p(pages),
        table_lines / n_lines,
        bullets / n_lines,
        digits,
        math.log1p(words / n_lines),
        questions / n_lines,
        short / n_lines,
    ]


def top_cues(inp: GenreInput, names: Sequence[str], *, full_chars: int, limit: int = 4) -> list[str]:
    """The cue groups among `names` that occur in the text, most frequent first, with their counts."""
    folded = cue_fold(inp.text[:full_chars])
    found: list[tuple[int, str]] = []
    for base in dict.fromkeys(name.split("@", 1)[0] for name in names):
        if base in _CUE_PATTERNS and (hits := [m.group(0) for m in _CUE_PATTERNS[base].finditer(folded)]):
            word = Counter(hits).most_common(1)[0][
                0
            ]  # ties: the first seen (a set's order varied per process)
            found.append((len(hits), f"{word.strip()} ×{len(hits)}"))
    found.sort(key=lambda item: -item[0])
    return [label for _, label in found[:limit]]
