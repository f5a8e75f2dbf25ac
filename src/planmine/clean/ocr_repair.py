"""Swedish OCR repair: restore å/ä/ö and fix OCR symbols, choosing spellings by frequency and context.

A noisy-channel model. For every token the repairer proposes spellings that OCR could have turned into it
(a→ä/å, o→ö, é→ä/ö/å/e, 6/¢→ö, &/4→ä, 1→l, and the reverse for invented diacritics; for tokens that are
not valid words also d→ö/ä, i→ä, G→Ö, h→b, I→l, a dropped or doubled letter, two merged words). Each
spelling scores log P(observed | spelling) + log P(spelling | previous word); a Viterbi pass over the
tokens picks the best sequence. The channel depends on how stripped the text is (``strip_rate``): on
clean text it hardly ever pays to add a diacritic, on text without any å/ä/ö it nearly always does.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from planmine.clean import patterns as P
from planmine.clean.context import RULE_BONUS, Context, preferred_form
from planmine.clean.damage import Damage, assess_damage
from planmine.clean.lexicon import Lexicon, get_lexicon, skeleton
from planmine.clean.tokens import Candidate, breaks, describe, fixed_context, restore_case, sentence_start
from planmine.types import Change

UNKNOWN_LOGP = -11.0
RARE_VALID_LOGP = -8.5
SUSPECT_PENALTY = 1.5
COMPOUND_BONUS = 3.0
UNLISTED_CAP = -7.5  # an unlisted compound hardly outranks a listed word of zipf 1.5
TRUSTED_ZIPF = 3.0
STEP = "ocr_repair"

_TO_OE, _TO_AE = "\x01", "\x02"  # letters an edit put in: they may only become ö / ä, at no further cost
_SKELETON_OPTIONS: dict[str, tuple[str, ...]] = {
    "é": ("a", "o", "e"),
    "6": ("o",),
    "¢": ("o",),
    "&": ("a",),
    "4": ("a",),
    "1": ("l",),
    "|": ("l", "i"),
    _TO_OE: ("o",),
    _TO_AE: ("a",),
}
_SYMBOLS = frozenset("6¢&4|1")
_EXPENSIVE_SUBS: dict[str, tuple[str, ...]] = {"d": (_TO_OE, _TO_AE), "i": (_TO_AE,), "h": ("b",)}
_DOUBLED_E_ACUTE = re.compile("a?éa?")  # "béattre", "véard": é plus a stray a stands for one vowel
# Function words never form part of a compound ("som" + "handling" is no repair of "samhandling").
_NOT_PARTS = frozenset(
    [
        "och",
        "som",
        "att",
        "det",
        "den",
        "för",
        "med",
        "till",
        "men",
        "har",
        "han",
        "hon",
        "man",
        "sig",
        "sin",
        "var",
        "vad",
        "kan",
        "ska",
    ]
)
_INSERTABLE = "aeiouyö"


@dataclass
class _Slot:
    start: int
    end: int
    original: str
    candidates: list[Candidate]
    context_word: str  # for fixed tokens: what later tokens see as the previous word
    sentence_start: bool
    key: str = ""
    fixed: bool = False


class OcrRepairer:
    """Restores Swedish diacritics and OCR symbols in text judged damaged; see the module docstring."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        invented_rate: float = 0.03,
        expensive_cost: float = -2.5,
        swap_cost: float = -0.8,
        symbol_cost: float = -0.5,
        split_cost: float = -3.0,
        max_candidates: int = 6,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else get_lexicon()
        self.invented_rate = invented_rate
        self.expensive_cost = expensive_cost
        self.swap_cost = swap_cost
        self.symbol_cost = symbol_cost
        self.split_cost = split_cost
        self.max_candidates = max_candidates
        self._lm_cache: dict[str, float] = {}
        self._valid: dict[str, bool] = {}

    # -- damage ------------------------------------------------------------------------------------------
    def assess(self, text: str) -> Damage:
        """Judge whether ``text`` is OCR-damaged (see :func:`assess_damage`)."""
        return assess_damage(text, self.lexicon)

    # -- channel -----------------------------------------------------------------------------------------
    @staticmethod
    @lru_cache(maxsize=64)
    def _char_costs(strip_rate: float, invented: float) -> dict[tuple[str, str], float]:
        s, keep = math.log10(strip_rate), math.log10(1.0 - strip_rate)
        v = math.log10(invented)
        costs = {("a", "ä"): s, ("a", "å"): s, ("o", "ö"): s, ("ä", "ä"): keep, ("å", "å"): keep}
        costs |= {
            ("ö", "ö"): keep,
            ("ä", "a"): v,
            ("å", "a"): v,
            ("ö", "o"): v,
            ("ä", "å"): -2.0,
            ("å", "ä"): -2.0,
        }
        costs |= {("é", "ä"): -0.5, ("é", "ö"): -0.7, ("é", "å"): -0.8, ("é", "e"): -0.8, ("é", "é"): -0.8}
        costs |= {
            ("6", "ö"): -0.05,
            ("¢", "ö"): -0.05,
            ("&", "ä"): -0.05,
            ("4", "ä"): -0.05,
            ("1", "l"): -0.1,
        }
        costs |= {("|", "l"): -0.3, ("|", "i"): -0.3, (_TO_OE, "ö"): 0.0, (_TO_AE, "ä"): 0.0}
        return costs

    def _channel(self, observed: str, form: str, costs: dict[tuple[str, str], float]) -> float | None:
        total = 0.0
        for o, t in zip(observed, form, strict=True):
            if o == t and (o, o) not in costs:
                continue
            cost = costs.get((o, t))
            if cost is None:
                return None
            total += cost
        return total

    # -- language model ----------------------------------------------------------------------------------
    def word_logp(self, word: str) -> float:
        """log10 unigram probability of a lower-case form; compounds and unknown words get estimates."""
        if word in self._lm_cache:
            return self._lm_cache[word]
        if " " in word:
            lp = sum(self.word_logp(part) for part in word.split(" "))
            self._lm_cache[word] = lp
            return lp
        listed = self.lexicon.logp(word)
        ok = self._valid.get(word, False) or self.lexicon.in_corpus(word)
        split = self._compound_split(word)
        compound = None
        if split is not None:
            compound = split[0]
            if compound > UNLISTED_CAP:
                compound = UNLISTED_CAP + 0.3 * (compound - UNLISTED_CAP)
        if listed is not None:
            lp = listed
            if not ok and lp < -6.0:
                lp -= SUSPECT_PENALTY
            elif ok and compound is not None:
                lp = max(lp, compound)
        elif ok:
            lp = max(compound if compound is not None else -math.inf, RARE_VALID_LOGP)
        elif compound is not None and split is not None and split[1] == 2 and split[2] >= 4:
            lp = compound - 2 * SUSPECT_PENALTY  # two solid parts hunspell does not know: possible
        else:
            lp = UNKNOWN_LOGP - 0.5  # worse than leaving the token alone
        self._lm_cache[word] = lp
        return lp

    def _part_logp(self, part: str) -> float | None:
        if part in _NOT_PARTS:
            return None
        lp = self.lexicon.logp(part)
        if lp is None or (lp < -6.5 and not self.lexicon.in_corpus(part)):
            return None
        return lp

    def _compound_logp(self, word: str) -> float | None:
        split = self._compound_split(word)
        return split[0] if split is not None else None

    def _compound_split(self, word: str) -> tuple[float, int, int] | None:
        """Best split into listed parts: (log10 probability with a bonus per join, parts, shortest part)."""
        n = len(word)
        if n < 6:
            return None
        best: list[tuple[float, int, int] | None] = [None] * (n + 1)
        best[0] = (0.0, 0, n)
        for end in range(2, n + 1):
            for start in range(0, end - 1):
                prev = best[start]
                if prev is None or (end - start < 3 and start > 0):
                    continue
                part = word[start:end]
                lp = self._part_logp(part)
                if lp is None and part.endswith("s") and end < n:
                    lp = self._part_logp(part[:-1])
                if lp is None:
                    continue
                cand = (
                    prev[0] + lp + (COMPOUND_BONUS if start else 0.0),
                    prev[1] + 1,
                    min(prev[2], end - start),
                )
                if best[end] is None or cand[0] > best[end][0]:  # type: ignore[index]
                    best[end] = cand
        final = best[n]
        if final is None or final[1] < 2:
            return None
        return final

    # -- candidates --------------------------------------------------------------------------------------
    def _skeleton_variants(self, observed: str) -> list[str]:
        options = [_SKELETON_OPTIONS.get(ch, (skeleton(ch),)) for ch in observed]
        variants = ["".join(combo) for combo in itertools.islice(itertools.product(*options), 32)]
        return variants

    def _cheap(
        self, observed: str, costs: dict[tuple[str, str], float], *, compounds: bool
    ) -> list[Candidate]:
        """Spellings reachable by the common confusions alone (same length as the observed token)."""
        found: dict[str, Candidate] = {}
        for key in self._skeleton_variants(observed):
            for form in self.lexicon.forms(key):
                if len(form) != len(observed):
                    continue
                ch = self._channel(observed, form, costs)
                if ch is not None and (form not in found or ch > found[form].channel):
                    found[form] = Candidate(form, ch, describe(observed, form), observed[0] in _SYMBOLS)
            if compounds and len(key) >= 7:
                for compound in self._compound_from_skeleton(observed, key, costs):
                    if compound.text not in found:
                        found[compound.text] = compound
        return list(found.values())

    def _compound_from_skeleton(
        self, observed: str, key: str, costs: dict[tuple[str, str], float]
    ) -> list[Candidate]:
        """Best compound whose parts are listed words with the right skeletons ("halsoframjande"), plus the
        variants with one part swapped for its runner-up spelling (åter/äter), for hunspell to settle."""
        n = len(key)
        best: list[tuple[float, list[list[tuple[str, float]]]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for end in range(2, n + 1):
            for start in range(0, end - 1):
                prev = best[start]
                if prev is None or end - start < 3:
                    continue
                choices = self._best_parts(observed[start:end], key[start:end], costs)
                if not choices:
                    continue
                score = prev[0] + choices[0][1] + (COMPOUND_BONUS if start else 0.0)
                current = best[end]
                if current is None or score > current[0]:
                    best[end] = (score, [*prev[1], choices])
        final = best[n]
        if final is None or len(final[1]) < 2:
            return []
        parts = final[1]
        out = []
        for swap in range(-1, len(parts)):
            if swap >= 0 and len(parts[swap]) < 2:
                continue
            chosen = [p[1] if i == swap else p[0] for i, p in enumerate(parts)]
            form = "".join(f for f, _ in chosen)
            if form == observed:
                continue
            ch = self._channel(observed, form, costs)
            if ch is not None:
                out.append(Candidate(form, ch, describe(observed, form), observed[0] in _SYMBOLS, True))
        return out

    def _best_parts(
        self, observed: str, key: str, costs: dict[tuple[str, str], float]
    ) -> list[tuple[str, float]]:
        """The two best spellings of one compound part, with log probability + channel."""
        scored = []
        for form in self.lexicon.forms(key):
            if len(form) != len(observed):
                continue
            lp = self._part_logp(form)
            ch = self._channel(observed, form, costs) if lp is not None else None
            if lp is not None and ch is not None:
                scored.append((form, lp + ch))
        if not scored and key.endswith("s") and len(key) >= 4 and observed[-1] == "s":
            # "sjukvårds" = "sjukvård" + linking s
            scored = [(f + "s", sc) for f, sc in self._best_parts(observed[:-1], key[:-1], costs)]
        scored.sort(key=lambda fs: -fs[1])
        return scored[:2]

    def _expensive(
        self, observed: str, original: str, costs: dict[tuple[str, str], float]
    ) -> list[Candidate]:
        """Rarer OCR faults, tried only for tokens that are not words: letter swaps, drops, doubles, merges."""
        edits: dict[str, tuple[str, bool, float]] = {}
        if original[:1] in "Gg":
            edits.setdefault(_TO_OE + observed[1:], ("G→Ö", True, self.symbol_cost))
        if original[:1] == "I" and len(original) > 1 and not original[1].isupper():
            edits.setdefault("l" + observed[1:], ("I→l", True, self.symbol_cost))
        for i, ch in enumerate(observed):
            for sub in _EXPENSIVE_SUBS.get(ch, ()):
                label = f"{ch}→{'ö' if sub == _TO_OE else 'ä' if sub == _TO_AE else sub}"
                edits.setdefault(observed[:i] + sub + observed[i + 1 :], (label, i == 0, self.swap_cost))
        for i in range(len(observed) + 1):
            if len(observed) >= 4 and i < len(observed):
                edits.setdefault(
                    observed[:i] + observed[i + 1 :], ("extra letter", i == 0, self.expensive_cost)
                )
            for ins in _INSERTABLE:
                edits.setdefault(
                    observed[:i] + ins + observed[i:], ("dropped letter", i == 0, self.expensive_cost)
                )
        found: list[Candidate] = []
        for edited, (label, at_start, cost) in edits.items():
            compounds = "→" in label and len(edited) >= 7
            for cand in self._cheap(edited, costs, compounds=compounds):
                found.append(
                    Candidate(
                        cand.text, cand.channel + cost, label, at_start or cand.symbolic_start, cand.compound
                    )
                )
        for i in range(2, len(observed) - 1):
            left, right = observed[:i], observed[i:]
            lefts = [
                c for c in self._cheap(left, costs, compounds=False) if self._trusted(c.text, split=True)
            ]
            rights = [
                c for c in self._cheap(right, costs, compounds=False) if self._trusted(c.text, split=True)
            ]
            for lc in sorted(lefts, key=lambda c: -c.channel)[:2]:
                for rc in sorted(rights, key=lambda c: -c.channel)[:2]:
                    found.append(
                        Candidate(
                            f"{lc.text} {rc.text}", lc.channel + rc.channel + self.split_cost, "merged words"
                        )
                    )
        return found

    def _trusted(self, word: str, *, split: bool = False) -> bool:
        floor = 3.5 if split and len(word) <= 3 else TRUSTED_ZIPF
        return self.lexicon.zipf(word) >= floor or self.lexicon.in_corpus(word)

    def _diacritic_variants(
        self, observed: str, costs: dict[tuple[str, str], float], limit: int = 81
    ) -> list[tuple[str, float]]:
        """All å/ä/ö spellings of a token (for hunspell to judge compounds no list holds)."""
        options = [[(t, c) for (o, t), c in costs.items() if o == ch] or [(ch, 0.0)] for ch in observed]
        options = [
            opts if any(t == ch for t, _ in opts) or ch not in "aoäåö" else [(ch, 0.0), *opts]
            for ch, opts in zip(observed, options, strict=True)
        ]
        if math.prod(len(o) for o in options) > limit or len(observed) < 6:
            return []
        out = []
        for combo in itertools.product(*options):
            word = "".join(t for t, _ in combo)
            if word != observed and word.isalpha():
                out.append((word, sum(c for _, c in combo)))
        return out

    def _common_key(self, key: str) -> bool:
        return any(self.lexicon.zipf(form) >= 4.5 for form in self.lexicon.forms(key))

    def _is_word(self, word: str) -> bool:
        return self._valid.get(word, False) or self.lexicon.in_corpus(word) or self.lexicon.zipf(word) >= 4.5

    def _check(self, words: set[str]) -> None:
        """Ask hunspell about every not-obviously-frequent word at once; remember the verdicts."""
        unsure = {w for w in words if w.isalpha() and w not in self._valid}
        unsure = {w for w in unsure if self.lexicon.zipf(w) < 4.5 and not self.lexicon.in_corpus(w)}
        self._valid.update(self.lexicon.valid(unsure))

    def candidates(
        self, originals: set[str], costs: dict[tuple[str, str], float]
    ) -> dict[str, list[Candidate]]:
        """Spellings per distinct token, identity included.

        The expensive confusions are tried only for tokens that are no word and none of whose cheap
        spellings is a word.
        """
        table: dict[str, dict[str, Candidate]] = {}
        for original in originals:
            observed = original.lower()
            found = {c.text: c for c in self._cheap(observed, costs, compounds=len(observed) >= 7)}
            collapsed = _DOUBLED_E_ACUTE.sub("é", observed)
            if collapsed != observed:
                for c in self._cheap(collapsed, costs, compounds=len(collapsed) >= 7):
                    if c.text not in found:
                        found[c.text] = Candidate(
                            c.text, c.channel - 0.3, "é with a stray a", c.symbolic_start, c.compound
                        )
            if observed.isalpha():
                found[observed] = Candidate(
                    observed, self._channel(observed, observed, costs) or 0.0, "unchanged"
                )
            elif observed not in found:
                found[observed] = Candidate(observed, 0.0, "unchanged")  # "l4n" must stay choosable
            table[original] = found
        self._check({w for found in table.values() for w in found})
        extra: set[str] = set()
        for original, found in table.items():
            if any(self._is_word(w) for w in found):
                continue
            for variant, ch in self._diacritic_variants(original.lower(), costs):
                if variant not in found:
                    found[variant] = Candidate(variant, ch, describe(original.lower(), variant))
                    extra.add(variant)
            for cand in self._expensive(original.lower(), original, costs):
                if cand.text not in found or cand.channel > found[cand.text].channel:
                    found[cand.text] = cand
                    extra.update(cand.text.split(" "))
        self._check(extra)
        return {original: list(found.values()) for original, found in table.items()}

    # -- repair ------------------------------------------------------------------------------------------
    def repair(self, text: str, *, strip_rate: float | None = None) -> tuple[str, list[Change]]:
        """Repair ``text``; ``strip_rate`` defaults to the estimate from :meth:`assess`."""
        if strip_rate is None:
            damage = self.assess(text)
            strip_rate = damage.strip_rate
        costs = self._char_costs(round(min(max(strip_rate, 0.02), 0.97), 2), self.invented_rate)
        slots = self._slots(text, costs)
        self._score(slots)
        path = self._viterbi(slots, text)
        return self._apply(text, slots, path)

    def _slots(self, text: str, costs: dict[tuple[str, str], float]) -> list[_Slot]:
        urls = [m.span() for m in P.URL.finditer(text)]
        slots: list[_Slot] = []
        for m in P.OCR_TOKEN.finditer(text):
            start, end, tok = m.start(), m.end(), m.group(0)
            if any(a <= start < b for a, b in urls):
                continue
            at_start = sentence_start(text, start)
            pipe_for_i = tok == "|" and at_start and text[end : end + 2].strip()[:1].islower()
            fixed_word = None if pipe_for_i else fixed_context(tok)
            if fixed_word is not None and tok.isalpha() and tok.isupper() and self._common_key(skeleton(tok)):
                fixed_word = None  # a word in capitals ("MÖT PERSONEN DÄR DEN ÄR"), not an abbreviation
            if fixed_word is not None:
                slot = _Slot(start, end, tok, [Candidate(tok, 0.0, "unchanged")], fixed_word, at_start)
                slot.fixed = True
            elif pipe_for_i:
                slot = _Slot(start, end, tok, [Candidate("i", 0.0, "| read for I", True)], "", at_start)
            else:
                slot = _Slot(start, end, tok, [], "", at_start, key=skeleton(tok))
            slots.append(slot)
        table = self.candidates({s.original for s in slots if not s.candidates}, costs)
        for slot in slots:
            if not slot.candidates:
                slot.candidates = table[slot.original]
        return slots

    def _score(self, slots: list[_Slot]) -> None:
        """Check every proposed spelling with hunspell at once, drop untrusted ones, keep the best few."""
        self._check({part for s in slots if not s.fixed for c in s.candidates for part in c.text.split(" ")})
        for slot in slots:
            if slot.fixed:
                continue
            observed = slot.original.lower()
            kept = []
            for cand in slot.candidates:
                parts = cand.text.split(" ")
                ok = cand.compound or all(self._valid.get(p, False) or self._trusted(p) for p in parts)
                if cand.text == observed or ok:
                    kept.append(cand)
            kept.sort(key=lambda c: -(c.channel + self.word_logp(c.text)))
            slot.candidates = kept[: self.max_candidates] or slot.candidates[:1]

    def _viterbi(self, slots: list[_Slot], text: str) -> list[int]:
        """Best candidate index per slot under channel + bigram + context rules."""
        if not slots:
            return []
        keys = [s.key if not s.fixed else s.context_word for s in slots]
        back: list[list[int]] = []
        prev_scores: list[float] = [0.0]
        prev_words: list[str] = [P.BOS]
        for i, slot in enumerate(slots):
            brk = i == 0 or breaks(text, slots[i - 1].end, slot.start)
            nxt = P.BOS if i + 1 == len(slots) or breaks(text, slot.end, slots[i + 1].start) else keys[i + 1]
            window = tuple(keys[max(0, i - 10) : i + 11])
            scores, pointers, words = [], [], []
            if brk:  # the previous word no longer matters: continue from the best path so far
                top = max(range(len(prev_scores)), key=prev_scores.__getitem__)
                states = [(top, prev_scores[top], P.BOS)]
            else:
                states = [(j, sc, w) for j, (sc, w) in enumerate(zip(prev_scores, prev_words, strict=True))]
            for cand in slot.candidates:
                words_in = cand.text.split(" ")
                first = words_in[0]
                emission = cand.channel + sum(self.word_logp(w) for w in words_in[1:])
                uni = 0.0 if slot.fixed else self.word_logp(first)
                best, arg = -math.inf, 0
                for j, pscore, pword in states:
                    trans = uni if slot.fixed else self.lexicon.bigram_logp(pword, first, uni)
                    if not slot.fixed and slot.key:
                        ctx = Context(pword, nxt, window, slot.sentence_start or brk)
                        if preferred_form(skeleton(first), ctx) == first:
                            trans += RULE_BONUS
                    total = pscore + trans + emission
                    if total > best:
                        best, arg = total, j
                scores.append(best)
                pointers.append(arg)
                words.append(slot.context_word if slot.fixed else words_in[-1])
            back.append(pointers)
            prev_scores, prev_words = scores, words
        path = [max(range(len(prev_scores)), key=prev_scores.__getitem__)]
        for pointers in reversed(back[1:]):
            path.append(pointers[path[-1]])
        return path[::-1]

    def _apply(self, text: str, slots: list[_Slot], path: list[int]) -> tuple[str, list[Change]]:
        pieces: list[str] = []
        changes: list[Change] = []
        pos = 0
        for slot, choice in zip(slots, path, strict=True):
            cand = slot.candidates[choice]
            if slot.fixed:
                continue
            new = restore_case(slot.original, cand, slot.sentence_start)
            if new == slot.original:
                continue
            pieces.append(text[pos : slot.start])
            pieces.append(new)
            pos = slot.end
            reason = f"OCR repair ({cand.edit}): {slot.original!r} → {new!r}"
            changes.append(Change(STEP, slot.original, new, reason, start=slot.start))
        pieces.append(text[pos:])
        return "".join(pieces), changes
