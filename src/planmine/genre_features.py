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
    "risk:rsa": r"risk- och sarbarhetsanalys\w*|\brsa\b|riskanalys\w*",
    "risk:sarbarhet": r"sarbarhet\w*|\bhot(bild\w*)?\b|robusthet\w*",
    "risk:scenario": r"scenari\w*|\bhandelseforlopp\w*",
    "risk:beredskap": r"krisberedskap\w*|extraordinar\w* handelse\w*|civilt forsvar\w*|hojd beredskap|krisledning\w*",
    "risk:samhallsviktig": r"samhallsviktig\w*|kritiska beroenden|skyddsvard\w*",
    "risk:sannolikhet": r"sannolikhet\w*|konsekvensbedomning\w*|riskniva\w*|riskmatris\w*",
    "plan:handlingsplan": r"handlingsplan\w*|fardplan\w*|malbild\w*|regionplan\w*",
    "plan:mal": r"\bmal(et|en|bild)?\b|malsattning\w*|delmal\w*|malomrade\w*",
    "plan:aktivitet": r"\baktivitet(er|erna|en)?\b|insatsomrade\w*|atgardsplan\w*",
    "plan:strategi": r"strategi\w*|inriktning\w*|omstallning\w*|\bvision\w*|prioriterade? omrade\w*",
    "plan:framtid": r"\bsenast (ar )?20\d\d|\btill ar 20\d\d|\bunder (ar )?20\d\d|\bvi vill\b|ska utvecklas",
    "agreement:overenskommelse": r"overenskommelse\w*",
    "agreement:parter": r"\bparterna\w*|\bparter(nas)?\b|avtalspart\w*",
    "agreement:avtal": r"\bavtal(et|en|s)?\b|avtalstid\w*|uppsagning\w*|giltighetstid\w*",
    "agreement:huvudman": r"huvudman\w*|ansvarsfordelning\w*|kommunerna och regionen|regionen och kommunerna",
    "agreement:undertecknad": r"undertecknad\w*|\bunderskrift\w*|for regionen\b|for kommunen\b",
    "guideline:riktlinje": r"riktlinje\w*|\bvardprogram\w*|\bpm\b|lokala anvisning\w*",
    "guideline:rutin": r"\brutin(er|en|erna)?\b|samverkansrutin\w*|arbetsgang\w*|tillvagagangssatt\w*",
    "guideline:ansvar": r"\bansvar(ar|et)?\b|ansvarig\w*|dokumentansvarig\w*",
    "guideline:beslutad": r"dokumentet (ar )?beslutat|galler tillsvidare|dokumentet galler|dokumentet ersatter",
    "guideline:rekommendation": r"rekommender\w*|behandlingsrekommendation\w*|\bdosering\w*|\bforstahandsval\w*",
    "guideline:ska": r"\bska\b",
    "report:uppfoljning": r"uppfoljning\w*|utvardering\w*",
    "report:arsrapport": r"arsrapport\w*|verksamhetsberattelse\w*|arsredovisning\w*|delarsrapport\w*|"
    r"patientsakerhetsberattelse\w*|kvalitetsberattelse\w*|redovisning\w*",
    "report:resultat": r"\bresultat(en|et)?\b|\butfall(et)?\b|jamfort med|\bokade\b|\bminskade\b",
    "report:utredning": r"\butredning\w*|kartlaggning\w*|\banalysen\b|\bunderlag(et)?\b|\bmetod(en)?\b|slutsats\w*",
    "report:statistik": r"statistik\w*|\bindikator\w*|\benkat\w*|\bandel(en)?\b|\bprocent\b|%",
    "decision:protokoll": r"protokoll\w*|sammantrade\w*|\bjusterar\w*|\bjustering\w*",
    "decision:paragraf": r"§\s*\d+",
    "decision:beslut": r"\bbeslut(ar|ade|at|et|sunderlag)?\b|\bbeslutsforslag\w*|\bforslag till beslut",
    "decision:ledamot": r"ledamot\w*|ledamoter\w*|ordforande\w*|\bsekreterare\b|narvarande|\bersattare\b",
    "decision:yrkande": r"yrkande\w*|\bbifall\w*|reservation\w*|\bfullmaktige\w*|\bstyrelse(n|ns)?\b",
    "decision:regeringen": r"regeringen (uppdrar|beslutar|ger|foreslar)|\bkommittedirektiv\w*|\butredaren\b|"
    r"\bpropositionen\b|\bdir\. \d{4}|regeringsbeslut\w*",
    "press:pressmeddelande": r"pressmeddelande\w*|presskontakt\w*|pressekreterare\w*|\bpressinformation\w*",
    "press:citat": r"(sager|berattar|konstaterar|menar|understryker) [a-z]+( [a-z]+)?,|\"|”|“",
    "press:minister": r"\bminister\w*|sjukvardsminister\w*|statsrad\w*",
    "press:besok": r"\bbesok(er|te|et)?\b|\bturne\w*|\bidag\b|\bi dag\b",
    "press:kontakt": r"for mer information|\bkontakt:|\bkontakta\b|\btelefon\b|\bmejl\b|e-post",
    "manual:installation": r"installation\w*|\binstaller\w*|driftsatt\w*|uppgradering\w*",
    "manual:konfiguration": r"konfigur\w*|\binstallning(ar|en)?\b|parameter\w*|\bproperties\b",
    "manual:server": r"\bserver\w*|databas\w*|\bapi\b|\burl\b|https?:|\bport(en)?\b|\bjava\b|\blinux\b|windows",
    "manual:anvandare": r"anvandar\w*|inloggning\w*|logga in|losenord\w*|\bklicka\w*|\bmeny(n|er)?\b|knapp(en)?\b",
    "manual:fil": r"\bfil(en|er|erna)?\b|katalog(en)?\b|\.xml\b|\.jar\b|\bkommando\w*|\bversion \d",
    "other:formular": r"☐|\bnamn:|personnummer|valj ett objekt|klicka eller tryck|\bunderskrift:|\bdatum:",
    "other:ekonomi": r"inflation\w*|styrranta\w*|penningpolitik\w*|\bkpif?\b|\bbnp\b|\branta\w*|kronan|konjunktur\w*",
    "other:anstallning": r"\bvi soker\b|\btjansten\b|\bansokan\b|\bkvalifikation\w*|\btilltrade\b|\bsista ansokningsdag",
    "domain:vard": r"\bvard(en|ens)?\b|\bomsorg\w*|\bhalso\w*|sjukvard\w*|\bpatient\w*|\bbrukar\w*|\bnara vard",
}
_CUE_PATTERNS = {name: re.compile(pattern) for name, pattern in CUES.items()}
STRUCTURE = (
    "structure:words",
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
    *STRUCTURE,
)
_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^\s*(?:[-•*–▪·◦]|\d{1,2}[.)]|[a-z][.)])\s")


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
    folded = fold(text)
    words = max(1, len(_WORD.findall(folded)))
    counts = cue_counts(folded)
    opening = cue_counts(fold(f"{inp.title}\n{text[:opening_chars]}"))
    rates = [math.log1p(1000.0 * counts[name] / words) for name in CUES]
    hits = [1.0 if opening[name] else 0.0 for name in CUES]
    return np.array([*rates, *hits, *_structure(text, words, inp.pages)], dtype=np.float64)


def _structure(text: str, words: int, pages: int) -> list[float]:
    lines = [line for line in text.splitlines() if line.strip()]
    n_lines = max(1, len(lines))
    table_lines = sum(" | " in line for line in lines)
    bullets = sum(bool(_BULLET.match(line)) for line in lines)
    digits = sum(ch.isdigit() for ch in text) / max(1, len(text))
    questions = sum(line.rstrip().endswith("?") for line in lines)
    short = sum(len(line.split()) <= 4 for line in lines)
    return [
        math.log1p(words),
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
    folded = fold(inp.text[:full_chars])
    found: list[tuple[int, str]] = []
    for base in dict.fromkeys(name.split("@", 1)[0] for name in names):
        if base in _CUE_PATTERNS and (hits := [m.group(0) for m in _CUE_PATTERNS[base].finditer(folded)]):
            word = Counter(hits).most_common(1)[0][
                0
            ]  # ties: the first seen (a set's order varied per process)
            found.append((len(hits), f"{word.strip()} ×{len(hits)}"))
    found.sort(key=lambda item: -item[0])
    return [label for _, label in found[:limit]]
