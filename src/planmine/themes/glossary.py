"""The English → Swedish glossary of the domain: English question words to the Swedish words plans use.

The packaged file `data/glossary_sv_en.yaml` (hand-written healthcare and social-care terms) plus every
theme's English labels mapped to its Swedish label and alternative labels.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from planmine.errors import UsageError
from planmine.themes.taxonomy import Taxonomy
from planmine.themes.text import STOPWORDS, fold

_WORD = re.compile(r"[^\W_]+")
MAX_PHRASE = 4  # the longest English phrase looked up, in words


def _key(text: str) -> str:
    return " ".join(_WORD.findall(fold(text)))


@lru_cache(maxsize=1)
def packaged_glossary() -> dict[str, tuple[str, ...]]:
    """The packaged glossary: folded English phrase → Swedish forms (as written)."""
    raw = resources.files("planmine.data").joinpath("glossary_sv_en.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise UsageError("The packaged glossary glossary_sv_en.yaml is not a mapping of English → Swedish.")
    out: dict[str, tuple[str, ...]] = {}
    for en, sv in data.items():
        forms = [str(s) for s in (sv if isinstance(sv, list) else [sv])]
        out[_key(str(en))] = tuple(forms)
    for key, found in list(out.items()):  # questions lose their stopwords: 'health medical services act'
        content = " ".join(w for w in key.split() if w not in STOPWORDS)
        if content and content != key:
            out.setdefault(content, found)
    return out


class Glossary:
    """English phrases to Swedish forms; longest phrase first, plural and -ing forms tolerated."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.entries: dict[str, tuple[str, ...]] = dict(packaged_glossary())
        self.curated = frozenset(self.entries)  # hand-written: one term's own Swedish words
        for theme in taxonomy or ():
            swedish = (theme.label_sv, *theme.alt_labels[:6])
            for en in (theme.label_en, *theme.alt_labels_en):
                key = _key(en)
                if key and len(key.split()) <= MAX_PHRASE and key not in self.entries:
                    self.entries[key] = tuple(s for s in swedish if len(s.split()) <= 3)

    def swedish_stems(self) -> frozenset[str]:
        """Stems of the Swedish words of the glossary: the domain's concepts."""
        if not hasattr(self, "_sv"):
            from planmine.themes.text import stem

            words = {w for forms in self.entries.values() for f in forms for w in _WORD.findall(fold(f))}
            self._sv = frozenset(stem(w) for w in words if len(w) >= 4)
        return self._sv

    def names_concept(self, word: str) -> bool:
        """Is a folded Swedish word a domain concept of the glossary (or a compound starting with one)?"""
        from planmine.themes.text import stem

        sv = self.swedish_stems()
        return stem(word) in sv or any(len(s) >= 6 and word.startswith(s) for s in sv)

    def lookup(self, phrase: str) -> tuple[str, ...] | None:
        """Swedish forms of an English phrase (folded words), trying singular forms.

        A hand-written entry in any form wins over a theme's English label: 'assistive devices' is
        'hjälpmedel' (the glossary's 'assistive device'), not every Swedish label of Rehabilitering."""
        cands = _singulars(phrase)
        for cand in cands:
            if cand in self.curated:
                return self.entries[cand]
        for cand in cands:
            if cand in self.entries:
                return self.entries[cand]
        return None

    def translate(self, words: list[str]) -> list[tuple[str, tuple[str, ...] | None]]:
        """Cover the words by the longest glossary phrases: (English phrase, Swedish forms or None)."""
        out: list[tuple[str, tuple[str, ...] | None]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + n])
                forms = self.lookup(phrase)
                if forms is not None:
                    out.append((phrase, forms))
                    i += n
                    break
            else:
                out.append((words[i], None))
                i += 1
        return out


def _singulars(phrase: str) -> list[str]:
    """The phrase, and its last word made singular ('youth clinics' → 'youth clinic')."""
    *head, last = phrase.split()
    cands = [last]
    if last.endswith("ies") and len(last) > 4:
        cands.append(last[:-3] + "y")
    if last.endswith("es") and len(last) > 4:
        cands.append(last[:-2])
    if last.endswith("s") and len(last) > 3:
        cands.append(last[:-1])
    if last.endswith("ing") and len(last) > 5:
        cands.append(last[:-3])
    return [" ".join([*head, c]) for c in dict.fromkeys(cands)]
