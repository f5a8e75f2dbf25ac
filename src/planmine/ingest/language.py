"""A cheap language guess from the share of common function words (enough to flag non-Swedish files)."""

from __future__ import annotations

import re

# Frequent function words that are (nearly) unique to each language; shared words such as
# 'det', 'som', 'med' would not separate Swedish from Norwegian/Danish.
_STOPWORDS: dict[str, str] = {
    "sv": "och att är för inte till ett från eller också när där även deras blir inom genom samt utan "
    "detta dessa varför vad hur mycket många skall ska kommer måste utifrån vården hälso sjukvård",
    "en": "the and of to in is that for it with as on be are this by not or from at which have an "
    "was were will would should can their they has been also these those into such",
    "da_no": "og ikke er af til jeg hvor hvordan kunne skal være blive bliver også ved fra etter "
    "mellom mellem noen nogle kommune helse sundhed hvis",
    "de": "der die und das ist nicht mit von zu im ein eine auch sich auf für dem werden wird "
    "sind bei nach oder aus durch über",
    "fi": "ja on ei että se ovat myös tai kun joka sekä jos kuin mutta niin tämä hän ole olla",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
NAMES = {
    "sv": "Swedish",
    "en": "English",
    "da_no": "Danish or Norwegian",
    "de": "German",
    "fi": "Finnish",
}
MIN_WORDS = 20  # below this a guess is noise
MIN_SHARE = 0.04  # a language needs at least this share of its function words

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, *, sample_words: int = 5000) -> str:
    """Guess the language of `text`: 'sv', 'en', 'da_no', 'de', 'fi' or 'unknown'.

    Counts, over the first `sample_words` words, the share that are function words of each language;
    the language with the largest share wins if that share is at least MIN_SHARE.
    """
    words = [w.lower() for w in _WORD.findall(text[: sample_words * 12])][:sample_words]
    if len(words) < MIN_WORDS:
        return "unknown"
    shares = {lang: sum(w in vocab for w in words) / len(words) for lang, vocab in STOPWORDS.items()}
    best = max(shares, key=lambda lang: shares[lang])
    return best if shares[best] >= MIN_SHARE else "unknown"


def language_name(code: str) -> str:
    """English name of a language code from detect_language ('sv' → 'Swedish')."""
    return NAMES.get(code, "an unknown language")
