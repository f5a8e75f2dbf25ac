"""Context rules for real-word pairs a lexicon cannot settle (år/är, har/här, vara/våra, man/män, ...).

Each rule looks at the previous chosen word, the next observed word and the sentence position, and names
the form that context prefers; the repairer adds a fixed bonus to that form. Corpus bigrams do the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planmine.clean import patterns as P

RULE_BONUS = 1.5  # log10 units


@dataclass(frozen=True)
class Context:
    """What a rule may look at around one token (skeletons are lower-case and diacritic-free)."""

    prev: str  # the chosen previous word (lower case), "<s>" at a sentence start, "<num>" after a number
    next: str  # skeleton of the next observed word, "<s>" or "<num>"
    window: tuple[str, ...]  # skeletons of up to ten observed words on either side
    sentence_start: bool


def _ar(ctx: Context) -> str | None:
    year_words = {"i", "varje", "per", "flera", "några", "många", "tre", "två", "fem", "tio", "hela", "samma"}
    year_words |= {"under", "förra", "nästa", "detta", "ett", "första", "andra", "sista", "kommande"}
    if ctx.next == P.NUM or ctx.prev == P.NUM or ctx.prev in year_words:
        return "år"
    return "är"


def _har(ctx: Context) -> str | None:
    if ctx.next.endswith(("ts", "at", "it", "tt", "ats", "its", "ett")) or ctx.next in {
        "ett",
        "en",
        "inte",
        "vi",
    }:
        return "har"  # a supine or an object follows: "har presenterats", "har ett"
    if ctx.sentence_start and (ctx.next in P.FINITE_LIKE or (len(ctx.next) > 4 and ctx.next.endswith("s"))):
        return "här"
    return None


def _vara(ctx: Context) -> str | None:
    if ctx.prev in P.VERB_TRIGGERS or ctx.prev in {"de", "vi", "ni", "det", "man", "som"}:
        return "vara"
    if ctx.prev in P.PREPOSITIONS or ctx.prev == "alla" or ctx.sentence_start:
        return "våra"
    if len(ctx.prev) > 3 and ctx.prev.endswith("a") and ctx.prev.isalpha():
        return "våra"  # after an infinitive: "samordna våra resurser"
    return None


def _vart(ctx: Context) -> str | None:
    return "vårt" if ctx.prev in P.PREPOSITIONS else None


def _women_near(ctx: Context) -> bool:
    return any(w.startswith("kvinn") for w in ctx.window)


PLURAL_TRIGGERS = frozenset(
    [
        "äldre",
        "unga",
        "yngre",
        "vuxna",
        "fler",
        "färre",
        "bland",
        "hos",
        "mellan",
        "båda",
        "alla",
        "två",
        "tre",
        "flera",
        "olika",
        "ansvariga",
        "många",
    ]
)


def _man(ctx: Context) -> str | None:
    if ctx.prev in PLURAL_TRIGGERS:
        return "män"
    if ctx.prev in {"än", "och", "att"} and _women_near(ctx):
        return "män"
    return None


def _mannen(ctx: Context) -> str | None:
    return "männen" if _women_near(ctx) or ctx.prev in PLURAL_TRIGGERS else None


def _compound_man(key: str, ctx: Context) -> str | None:
    """huvudman/huvudmän, huvudmannen/huvudmännen: plural after "mellan", "båda", "ansvariga", ..."""
    if ctx.prev in PLURAL_TRIGGERS or ctx.prev in {"de", "dessa", "våra", "era"}:
        return key[:-6] + "männen" if key.endswith("mannen") else key[:-3] + "män"
    return None


def _kalla(ctx: Context) -> str | None:
    return "källa" if ctx.next == P.BOS else None  # "Källa: Socialstyrelsen"


def _nar(ctx: Context) -> str | None:
    return "når" if ctx.prev in {"som", "vi", "man", "invånarna", "alla"} else None


def _saker(ctx: Context) -> str | None:
    if ctx.prev in {"olika", "många", "flera", "de", "alla", "vissa", "andra", "dessa", "praktiska"}:
        return "saker"
    if ctx.next.startswith(("vard", "omsorg")) or ctx.prev in {
        "och",
        "trygg",
        "mer",
        "en",
        "så",
        "vara",
        "är",
    }:
        return "säker"
    return None


def _starka(ctx: Context) -> str | None:
    if ctx.prev in P.VERB_TRIGGERS or ctx.prev in {"och", "samt", "<s>"} or ctx.sentence_start:
        return "stärka"
    if ctx.prev in P.ARTICLES:
        return "starka"
    return None


def _stark(ctx: Context) -> str | None:
    if ctx.prev in P.ARTICLES or ctx.prev in {"en", "ett"}:
        return "stark"
    if ctx.sentence_start and (
        ctx.next in {"det", "den", "de"} or ctx.next.endswith(("et", "ens", "nas", "arna"))
    ):
        return "stärk"  # an imperative heading: "Stärk arbetet med levnadsvanor"
    return None


def _bor(ctx: Context) -> str | None:
    if ctx.next in {"i", "pa", "hemma", "tillsammans", "kvar"}:
        return "bor"
    if ctx.next in {
        "inte",
        "ocksa",
        "aven",
        "vara",
        "ha",
        "kunna",
        "man",
        "vi",
        "det",
        "de",
    } or ctx.next.endswith(("a", "as")):
        return "bör"
    return None


def _lag(ctx: Context) -> str | None:
    if ctx.prev in {"ny", "nya", "denna", "enligt", "gällande", "svensk", "lagen", "en", "varje"}:
        return "lag"
    if ctx.prev in {"mer", "är", "var", "så", "mycket", "relativt", "för", "fortsatt"}:
        return "låg"
    return None


def _fortsatta(ctx: Context) -> str | None:
    if ctx.prev in P.ARTICLES or ctx.prev in {"i", "det", "den", "de", "för", "vårt", "vår"}:
        return "fortsatta"
    if ctx.prev in P.VERB_TRIGGERS:
        return "fortsätta"
    return None


def _beror(ctx: Context) -> str | None:
    return "beror" if ctx.next == "pa" else "berör"  # "beror på" (depends on), else "berör" (concerns)


def _mota(ctx: Context) -> str | None:
    return "möta" if ctx.prev in P.VERB_TRIGGERS else None


RULES: dict[str, Callable[[Context], str | None]] = {
    "ar": _ar,
    "har": _har,
    "vara": _vara,
    "vart": _vart,
    "man": _man,
    "mannen": _mannen,
    "saker": _saker,
    "starka": _starka,
    "stark": _stark,
    "bor": _bor,
    "mota": _mota,
    "beror": _beror,
    "lag": _lag,
    "kalla": _kalla,
    "nar": _nar,
    "fortsatta": _fortsatta,
}


def preferred_form(key: str, ctx: Context) -> str | None:
    """The form context prefers for a token with skeleton ``key``, if a rule knows one."""
    rule = RULES.get(key)
    if rule is not None:
        return rule(ctx)
    if len(key) > 5 and key.endswith(("man", "mannen")):
        return _compound_man(key, ctx)
    return None
