"""Token-level helpers of the OCR repairer: candidate records, what to leave alone, sentence positions, case."""

from __future__ import annotations

from dataclasses import dataclass

from planmine.clean import patterns as P


@dataclass(frozen=True)
class Candidate:
    """One spelling proposed for an observed token (lower case; a space for split words)."""

    text: str
    channel: float  # log10 P(observed | text)
    edit: str  # what OCR did, for the change log ("a→ä", "dropped letter", "merged words")
    symbolic_start: bool = False  # first letter came from a symbol or edit: its case says nothing
    compound: bool = False  # built from listed parts by the compound search


def fixed_context(tok: str) -> str | None:
    """Context word for tokens the repairer must not touch (numbers, abbreviations, names in CamelCase)."""
    if tok.isdigit() or (
        not any(ch.isalpha() for ch in tok) and tok != "|" and not any(c in "&¢" for c in tok)
    ):
        return P.NUM if any(ch.isdigit() for ch in tok) else tok
    letters = [ch for ch in tok if ch.isalpha()]
    digits = [ch for ch in tok if ch.isdigit()]
    if digits and (
        any(d not in "641" for d in digits) or tok[-1].isdigit() or (tok[0] == "1" and len(tok) < 3)
    ):
        return tok.lower()
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return tok.lower()
    if any(ch.isupper() for ch in tok[1:]):
        return tok.lower()
    if len(tok) == 1:
        return tok.lower()
    return None


def breaks(text: str, end: int, start: int) -> bool:
    """Whether a sentence or paragraph boundary lies between two tokens ("t.ex. vara" is none)."""
    gap = text[end:start]
    if "\n\n" in gap or "\t" in gap or gap.strip().startswith("-") or any(ch in "!?;:" for ch in gap):
        return True
    return "." in gap and not text[start : start + 1].islower()


def sentence_start(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start].strip().strip("”\"'(«»")
    if prefix in ("", "-", "•", "–"):
        if prefix or line_start == 0:
            return True
        before = text[:line_start].rstrip(" \t")
        return before.endswith("\n") or not before or before.rstrip()[-1:] in ".!?:"
    return prefix[-1:] in ".!?:"


def describe(observed: str, form: str) -> str:
    pairs = sorted({f"{o}→{t}" for o, t in zip(observed, form, strict=False) if o != t})
    return ", ".join(pairs) if pairs else "unchanged"


def restore_case(original: str, cand: Candidate, sentence_start: bool) -> str:
    text = cand.text
    if len(original) > 1 and original.isupper():
        return text.upper()
    first = original[:1]
    upper = sentence_start if cand.symbolic_start or not first.isalpha() else first.isupper()
    return text[:1].upper() + text[1:] if upper else text
