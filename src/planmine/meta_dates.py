"""A document's own date (decided, adopted, published) and period (the years it covers), with evidence.

Years that belong to other texts (a cited law, report or older agreement) are not the document's: a
date must stand beside a decision word or alone on the cover, and a period must be in the title, on a
heading line or beside words by which the document speaks of itself ("denna handlingsplan", "för åren").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DateConfig:
    """Where dates and periods are looked for (one home for each threshold)."""

    cover_lines: int = 20  # a date alone on one of the first lines is the cover's date
    head_chars: int = 6000  # decision phrases are looked for here first, then anywhere
    heading_chars: int = 80  # a line this short is a heading (periods in headings are the document's)
    min_year: int = 1990
    max_year: int = 2060


CONFIG = DateConfig()

_MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "augusti": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = "|".join(_MONTHS)
_Y = r"(?:19|20)\d{2}"
_ISO = rf"(?<![\d-])({_Y})-([01]\d)-([0-3]\d)(?![\d])"
_SPOKEN = rf"(?<!\d)([0-3]?\d)\s+({_MONTH})\s+({_Y})(?!\d)"
_MONTH_YEAR = rf"(?<![\w])({_MONTH})\s+({_Y})(?!\d)"
_SHORT = r"(?<!\d)(\d{2})([01]\d)([0-3]\d)(?!\d)"  # 230317 (Kalmar's "beslutad ... 230317")
_DECISION = re.compile(
    r"\b(beslutad\w*|beslutat|beslutades|beslutsdatum|fastst[aä]ll\w*|antagen|antaget|antogs|antagits|"
    r"godk[aä]nd\w*|giltig fr[aå]n|g[aä]ller fr[aå]n|daterad|publicerad|utgiven|reviderad|uppdaterad|datum|"
    r"skapad)\b",
    re.IGNORECASE,
)
_STRONG_DECISION = re.compile(r"beslut|fastst|antag|antog|godk", re.IGNORECASE)
_RANGE = re.compile(rf"(?<![\d/-])({_Y})\s*(?:[–—-]|till|/)\s*((?:19|20)?\d{{2}})(?![\d/-])")
_SELF_WORDS = (
    r"\b(denna|detta|den här|det här|planen|handlingsplanen|handlingsplanerna|strategin|överenskommelsen|"
    r"målbilden|färdplanen|programmet|riktlinjen|rutinen|dokumentet|analysen)\b"
)
_SELF = re.compile(rf"{_SELF_WORDS}|(för åren|under åren|insatser|aktiviteter)\W*$", re.IGNORECASE)
_SELF_IN_SENTENCE = re.compile(_SELF_WORDS, re.IGNORECASE)
_PRONOUN = re.compile(r"\s*(?:den|det)\s+(?:är|har|blev)\s+$", re.IGNORECASE)  # 'Den är antagen av ...'

_CITED = re.compile(
    r"(avtal\w*|lag\w*|sfs|prop\.|sou|från|rapport\w*|utredning\w*|tidigare)\W*$", re.IGNORECASE
)
_VISION = re.compile(rf"\b(?:nära vård|vision|målbild|strategi|plan|färdplan)\s+({_Y})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A value ('2021-09-24', '2023–2026') and the phrase it came from."""

    value: str
    evidence: str


def detect_date(text: str, metadata: dict[str, Any], *, title: str = "", path: str = "") -> Found:
    """The date the document was decided, adopted or published; '' when the text does not say.

    Strongest first: front matter, a decision phrase or a dated cover, a year ending the title; then,
    when the text gives none, the weak fallbacks, each saying so in its evidence: the publication time
    in the source address, a year and month in the file name, the file's created date.
    """
    cfg = CONFIG
    for key in ("date", "datum", "beslutad", "published", "decided"):
        if value := _normal_date(str(metadata.get(key) or "")):
            return Found(value, f"front matter '{key}'")
    found = _decision_date(text[: cfg.head_chars]) or _cover_date(text, cfg)
    if not found:
        found = _decision_date(text, strong_only=True)
    if found:
        return found
    if match := re.search(rf"(?<!\d)({_Y})\s*$", title):
        return Found(match.group(1), f"year at the end of the title '{title}'")
    if found := _address_date(metadata, path):
        return found
    for key in ("creationdate", "created"):
        if value := _normal_date(str(metadata.get(key) or "")):
            return Found(value[:7], f"file metadata '{key}' (no date in the text)")
    return Found("", "no decision, adoption or publication date found")


def _decision_date(text: str, *, strong_only: bool = False) -> Found | None:
    """The first date within a line or two after a decision word ('Beslutad av X, 2023-08-29')."""
    best: tuple[int, Found] | None = None
    for word in _DECISION.finditer(text):
        if strong_only and not _STRONG_DECISION.search(word.group(0)):
            continue
        line_start = text.rfind("\n", 0, word.start()) + 1
        sentence = re.split(r"[.!?]\s", text[line_start : word.start()])[-1]
        label_like = (
            len(text[line_start : word.start()].strip()) < 25
        )  # 'Beslutad av ...' as a line of its own
        window = text[word.end() : word.end() + 120]
        # 'Fastställd 2024-10-01.' as a sentence of its own, 'Den är antagen av ...' after the title's
        # sentence: the document's own decision.
        own_sentence = (not sentence.strip() and _first_date(window[:30])) or _PRONOUN.match(sentence)
        if not label_like and not own_sentence and not _SELF_IN_SENTENCE.search(sentence):
            continue  # a decision about something else (a cited strategy, an older agreement)
        window = (
            window.split("\n\n", 1)[0] if not word.group(0).lower().startswith("beslutsdatum") else window
        )
        date = _first_date(window)
        if not date:
            continue
        rank = 0 if _STRONG_DECISION.search(word.group(0)) else 1
        phrase = " ".join((word.group(0) + window[: window.find(date[1]) + len(date[1])]).split())
        if best is None or rank < best[0]:
            best = (rank, Found(date[0], f"'{phrase[:100]}'"))
        if rank == 0:
            break
    return best[1] if best else None


def _first_date(window: str) -> tuple[str, str] | None:
    """(ISO value, matched text) of the first full date, month and year, or short date in a window."""
    candidates: list[tuple[int, str, str]] = []
    if m := re.search(_ISO, window):
        candidates.append((m.start(), f"{m.group(1)}-{m.group(2)}-{m.group(3)}", m.group(0)))
    if m := re.search(_SPOKEN, window, re.IGNORECASE):
        month = _MONTHS[m.group(2).lower()]
        candidates.append((m.start(), f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}", m.group(0)))
    if m := re.search(_MONTH_YEAR, window, re.IGNORECASE):
        candidates.append((m.start(), f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}", m.group(0)))
    if (m := re.search(_SHORT, window)) and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        candidates.append((m.start(), f"20{m.group(1)}-{m.group(2)}-{m.group(3)}", m.group(0)))
    if not candidates:
        return None
    _, value, raw = min(candidates)
    return value, raw


def _cover_date(text: str, cfg: DateConfig) -> Found | None:
    """A date, month or lone year standing as a line of its own at the top of the document."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][: cfg.cover_lines]
    for line in lines:
        if len(line) > 40:
            continue
        date = _first_date(line)
        if date and len(date[1]) >= len(line) - 25:
            return Found(date[0], f"dated cover '{line}'")
    for line in lines[:8]:
        if re.fullmatch(rf"({_Y})", line):
            return Found(line, f"year alone on the cover '{line}'")
    return None


_UPLOADED = re.compile(r"/download/[^/?#]+/(1[3-9]\d{11})/")  # Sitevision: /download/18.x/<ms since 1970>/
_URL_MONTH = re.compile(rf"/({_Y})/([01]\d)/")  # /artiklar/2023/09/...
_NAME_MONTH = re.compile(rf"(?<![\d])({_Y})[_-]([01]\d)(?:[_-]([0-3]\d))?(?![\d])")


def _address_date(metadata: dict[str, Any], path: str) -> Found | None:
    """A weak publication date from where the file came from: its source address, else its file name."""
    from datetime import UTC, datetime

    url = str(metadata.get("source_url") or metadata.get("url") or "")
    if m := _UPLOADED.search(url):
        day = datetime.fromtimestamp(int(m.group(1)) / 1000, tz=UTC).date().isoformat()
        return Found(day, f"upload time in the source address '{m.group(0)}' (no date in the text)")
    if (m := _URL_MONTH.search(url)) and 1 <= int(m.group(2)) <= 12:
        return Found(f"{m.group(1)}-{m.group(2)}", f"the source address '{m.group(0)}' (no date in the text)")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    for m in _NAME_MONTH.finditer(name):
        if 1 <= int(m.group(2)) <= 12 and CONFIG.min_year <= int(m.group(1)) <= CONFIG.max_year:
            value = f"{m.group(1)}-{m.group(2)}" + (f"-{m.group(3)}" if m.group(3) else "")
            if m.group(3) and not 1 <= int(m.group(3)) <= 31:
                value = value[:7]
            return Found(value, f"the file name '{name}' (no date in the text)")
    return None


def _normal_date(value: str) -> str:
    """'2024-05-27', '2024-05' or '2024' from a metadata value ('D:20241118...', '2024-05-27T10:00')."""
    value = value.strip()
    if m := re.match(r"D:(\d{4})(\d{2})(\d{2})", value):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if m := re.match(rf"({_Y})-(\d{{2}})-(\d{{2}})", value):
        return m.group(0)
    if m := re.match(rf"({_Y})-(\d{{2}})$", value):
        return m.group(0)
    if re.fullmatch(_Y, value):
        return value
    return ""


def detect_period(text: str, *, title: str = "") -> Found:
    """The years the document covers ('2023–2024', '2030'): title first, then headings, then self-reference."""
    cfg = CONFIG
    if period := _range_in(title):
        return Found(period, f"title '{title}'")
    lines = text.splitlines()
    for line in lines[:400]:
        stripped = line.strip().strip("*#").strip()
        if not stripped or len(stripped) > cfg.heading_chars or "\t" in stripped or stripped.endswith("."):
            continue  # a heading is short and no sentence
        if (period := _range_in(stripped)) and not _CITED.search(stripped[: stripped.find(period[:4])]):
            return Found(period, f"heading '{stripped}'")
    for match in _RANGE.finditer(text[:20000]):
        before = text[max(0, match.start() - 40) : match.start()]
        if _SELF.search(before) and not _CITED.search(before) and (period := _range_in(match.group(0))):
            return Found(period, f"'{' '.join((before[-25:] + match.group(0)).split())}'")
    if m := _VISION.search(title):
        return Found(m.group(1), f"target year in the title '{title}'")
    for line in lines[:60]:
        stripped = line.strip().strip("*#").strip()
        if len(stripped) <= cfg.heading_chars and (m := _VISION.search(stripped)):
            return Found(m.group(1), f"target year in the heading '{stripped}'")
    return Found("", "no period found")


def _range_in(text: str) -> str:
    """'2023–2026' for the first plausible year range in a text ('2023-26', '2019 till 2022'), else ''."""
    cfg = CONFIG
    for match in _RANGE.finditer(text):
        start = int(match.group(1))
        end_raw = match.group(2)
        end = int(end_raw) if len(end_raw) == 4 else int(match.group(1)[:2] + end_raw)
        if cfg.min_year <= start < end <= min(cfg.max_year, start + 15):
            if "/" in match.group(0):
                continue  # 2019/2020 is a school or season year, not a period
            return f"{start}–{end}"
    return ""


def display_year(period: str, date: str) -> str:
    """The year shown in tables: the period if any, else the date's year."""
    return period or date[:4]
