"""Swedish lexicon for OCR repair: wordfreq frequencies, hunspell sv_SE validity, counts from clean plans.

wordfreq also lists many diacritic-stripped forms ("sjukvard", "halsa"), so being listed does not make a
word right: the repairer compares the frequencies of competing forms. hunspell accepts compounds that no
frequency list holds; it is asked once per batch through a pipe (``hunspell -l``), which is fast, where
per-word bindings are about a hundred times slower.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import math
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from planmine.clean import patterns as P

log = logging.getLogger(__name__)

COUNTS_RESOURCE = "sv_clean_counts.json.gz"
HUNSPELL_DIRS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"), Path("/usr/share/myspell"))
_SKELETON = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "à": "a", "á": "a", "è": "e"})


def skeleton(word: str) -> str:
    """The diacritic-free lower-case key under which all spellings of a word meet ("Hälsa" → "halsa")."""
    return word.lower().translate(_SKELETON)


def count_tokens(text: str) -> list[str]:
    """Lower-case words with numbers as ``<num>`` and sentence ends as ``<s>``: the unit of corpus counts."""
    tokens = [P.BOS]
    for match in P.COUNT_TOKEN.finditer(text):
        tok = match.group(0)
        if tok[0].isdigit():
            tokens.append(P.NUM)
        elif tok in ".!?;:":
            if tokens[-1] != P.BOS:
                tokens.append(P.BOS)
        else:
            tokens.append(tok.lower())
    return tokens


@dataclass
class CorpusCounts:
    """Word and word-pair counts from clean Swedish documents (the seed plans), for frequency and context."""

    unigrams: Counter[str] = field(default_factory=Counter)
    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    documents: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c for w, c in self.unigrams.items() if not w.startswith("<"))

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> CorpusCounts:
        """Count the given ``{name: clean text}`` documents."""
        counts = cls(documents=sorted(texts))
        for text in texts.values():
            tokens = count_tokens(text)
            counts.unigrams.update(tokens)
            counts.bigrams.update(itertools.pairwise(tokens))
        return counts

    def to_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "unigrams": dict(sorted(self.unigrams.items())),
            "bigrams": {f"{a} {b}": c for (a, b), c in sorted(self.bigrams.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CorpusCounts:
        unigrams = Counter({str(k): int(v) for k, v in dict(data["unigrams"]).items()})  # type: ignore[call-overload]
        bigrams: Counter[tuple[str, str]] = Counter()
        for key, value in dict(data["bigrams"]).items():  # type: ignore[call-overload]
            first, second = str(key).split(" ", 1)
            bigrams[(first, second)] = int(value)
        return cls(unigrams=unigrams, bigrams=bigrams, documents=list(data.get("documents", [])))  # type: ignore[call-overload]

    def save(self, path: Path) -> None:
        payload = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
            fh.write(payload)

    @classmethod
    def load_packaged(cls) -> CorpusCounts:
        """The counts shipped in ``planmine/data`` (built by ``scripts/build_clean_counts.py``)."""
        resource = resources.files("planmine").joinpath("data", COUNTS_RESOURCE)
        if not resource.is_file():
            log.warning("corpus counts %s missing; OCR repair uses wordfreq only", COUNTS_RESOURCE)
            return cls()
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return cls.from_json(json.load(fh))


class Hunspell:
    """Batch spell checks through the ``hunspell`` command; results cached per word."""

    def __init__(self, dictionary: str = "sv_SE") -> None:
        self.dictionary = dictionary
        self.executable = shutil.which("hunspell")
        self.available = bool(self.executable) and any(
            (d / f"{dictionary}.dic").exists() for d in HUNSPELL_DIRS
        )
        if not self.available:
            log.warning(
                "hunspell with %s is not installed; compound validity falls back to wordfreq", dictionary
            )
        self._cache: dict[str, bool] = {}

    def check(self, words: Iterable[str]) -> dict[str, bool]:
        """Whether hunspell accepts each word (alphabetic words only; others are reported as unknown)."""
        wanted = {w for w in words if w}
        todo = [w for w in wanted if w not in self._cache]
        if todo:
            self._cache.update(self._run([w for w in todo if w.isalpha()]))
            for w in todo:
                self._cache.setdefault(w, False)
        return {w: self._cache[w] for w in wanted}

    def _run(self, words: list[str]) -> dict[str, bool]:
        if not words or not self.available:
            return dict.fromkeys(words, False)
        proc = subprocess.run(
            [str(self.executable), "-d", self.dictionary, "-i", "utf-8", "-l"],
            input="\n".join(words) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        if proc.returncode != 0:
            log.warning("hunspell failed (%s); treating words as unknown", proc.stderr.strip()[:200])
            return dict.fromkeys(words, False)
        rejected = set(proc.stdout.split())
        return {w: w not in rejected for w in words}


class Lexicon:
    """Frequencies (wordfreq mixed with corpus counts), a skeleton index of spellings, validity and bigrams."""

    def __init__(
        self,
        *,
        counts: CorpusCounts | None = None,
        hunspell: Hunspell | None = None,
        corpus_weight: float = 0.25,
        bigram_weight: float = 0.5,
    ) -> None:
        from wordfreq import get_frequency_dict  # heavy import kept out of module import

        self.counts = counts if counts is not None else CorpusCounts.load_packaged()
        self.hunspell = hunspell if hunspell is not None else Hunspell()
        self.corpus_weight = corpus_weight if self.counts.unigrams else 0.0
        self.bigram_weight = bigram_weight
        self.wordfreq: dict[str, float] = get_frequency_dict("sv")
        self._total = max(self.counts.total, 1)

    @cached_property
    def index(self) -> dict[str, list[str]]:
        """Spellings by skeleton; built on the first repair that needs it (a clean text never does)."""
        index: dict[str, list[str]] = {}
        for word in self.wordfreq:
            if word.isalpha():
                index.setdefault(word.translate(_SKELETON), []).append(word)
        for word in self.counts.unigrams:
            if word.isalpha() and word not in self.wordfreq:
                index.setdefault(word.translate(_SKELETON), []).append(word)
        return index

    # -- frequencies ------------------------------------------------------------------------------------
    def prob(self, word: str) -> float:
        """Mixed unigram probability of a lower-case word form (0.0 when neither source lists it)."""
        wf = self.wordfreq.get(word, 0.0)
        corpus = self.counts.unigrams.get(word, 0) / self._total
        return (1.0 - self.corpus_weight) * wf + self.corpus_weight * corpus

    def logp(self, word: str) -> float | None:
        """log10 of :meth:`prob`, or None for a form no source lists."""
        p = self.prob(word)
        return math.log10(p) if p > 0 else None

    def zipf(self, word: str) -> float:
        p = self.prob(word)
        return math.log10(p) + 9 if p > 0 else 0.0

    def in_corpus(self, word: str) -> bool:
        return self.counts.unigrams.get(word, 0) > 0

    def forms(self, key: str) -> list[str]:
        """Every listed spelling whose skeleton is ``key``."""
        return self.index.get(key, [])

    def bigram_logp(self, prev: str, word: str, unigram_logp: float) -> float:
        """log10 P(word | prev): corpus bigram interpolated with the unigram probability."""
        prev_count = self.counts.unigrams.get(prev, 0)
        if not prev_count:
            return unigram_logp
        pair = self.counts.bigrams.get((prev, word), 0)
        p = self.bigram_weight * pair / prev_count + (1 - self.bigram_weight) * 10**unigram_logp
        return math.log10(p)

    def valid(self, words: Iterable[str]) -> dict[str, bool]:
        """hunspell's verdict per word (compounds included)."""
        return self.hunspell.check(words)


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The shared lexicon with the packaged corpus counts, loaded once per process."""
    return Lexicon()
