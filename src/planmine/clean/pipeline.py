"""The cleaning stage: steps in order per page, running headers/footers across pages, OCR repair where needed.

Every step is a pure ``str -> str`` function; this module runs them, records what each one changed (a
word-level diff, so the change log shows "before → after" with the step's reason) and decides per page
whether the Swedish OCR repairer runs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache

from planmine.clean import steps as S
from planmine.clean.ocr_repair import Damage, OcrRepairer
from planmine.ingest.language import detect_language
from planmine.types import Change, CleanDocument, CleanPage, RawDocument

_DIFF_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
MIN_WORDS_FOR_PAGE_VERDICT = 80
# The diff resynchronises after an edit by looking this many tokens ahead on each side for a run of
# DIFF_ANCHOR equal tokens: linear in the text (difflib over a whole page was quadratic: 97 s for one
# 4,000-paragraph page). Cleaning steps make small local edits, which this finds exactly.
DIFF_WINDOW = 48
DIFF_ANCHOR = 3


def _reason(step: S.Step) -> str:
    doc = (step.__doc__ or step.__name__).strip().splitlines()[0]
    return doc.rstrip(".").replace("``", "")


def diff_changes(step: str, reason: str, before: str, after: str, *, page: int = 0) -> list[Change]:
    """The edits that turn ``before`` into ``after``, word-aligned, with offsets into ``before``.

    Edits of whitespace alone (re-wrapped lines, collapsed spaces) are not logged: they change no word.
    """
    if before == after:
        return []
    a = [(m.group(0), m.start()) for m in _DIFF_TOKEN.finditer(before)]
    b = [(m.group(0), m.start()) for m in _DIFF_TOKEN.finditer(after)]
    changes = []
    for i1, i2, j1, j2 in token_edits([t for t, _ in a], [t for t, _ in b]):
        start = a[i1][1] if i1 < len(a) else len(before)
        old = before[start : a[i2 - 1][1] + len(a[i2 - 1][0])] if i2 > i1 else ""
        new_start = b[j1][1] if j1 < len(b) else len(after)
        new = after[new_start : b[j2 - 1][1] + len(b[j2 - 1][0])] if j2 > j1 else ""
        changes.append(Change(step, old, new, reason, page=page, start=start))
    return changes


def token_edits(a: list[str], b: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """The edited spans (i1, i2, j1, j2) that turn token list `a` into `b`, in linear time.

    Equal tokens are skipped; at a difference the nearest resynchronisation point (fewest tokens skipped
    on both sides, within DIFF_WINDOW) where DIFF_ANCHOR tokens agree ends the edit. Without one, a
    window of tokens on each side is one edit and the search goes on after it.
    """
    n, m = len(a), len(b)
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        di, dj = _resync(a, b, i, j)
        yield i, i + di, j, j + dj
        i += di
        j += dj
    if i < n or j < m:
        yield i, n, j, m


def _resync(a: list[str], b: list[str], i: int, j: int) -> tuple[int, int]:
    n, m = len(a), len(b)
    for distance in range(1, 2 * DIFF_WINDOW + 1):
        for di in range(max(0, distance - DIFF_WINDOW), min(distance, DIFF_WINDOW) + 1):
            x, y = i + di, j + distance - di
            if x > n or y > m:
                continue
            span = min(DIFF_ANCHOR, n - x, m - y)
            if (span == 0 and x == n and y == m) or (span > 0 and a[x : x + span] == b[y : y + span]):
                return di, distance - di
    return min(DIFF_WINDOW, n - i), min(DIFF_WINDOW, m - j)


def run_steps(text: str, steps: tuple[S.Step, ...], *, page: int = 0) -> tuple[str, list[Change]]:
    """Apply ``steps`` in order and log each step's edits."""
    changes: list[Change] = []
    for step in steps:
        new = step(text)
        if new != text:
            changes.extend(diff_changes(step.__name__, _reason(step), text, new, page=page))
        text = new
    return text, changes


@lru_cache(maxsize=1)
def _repairer() -> OcrRepairer:
    return OcrRepairer()


def is_swedish(language: str) -> bool:
    """Whether the Swedish OCR repairer may run on text of this detected language ('unknown': too short)."""
    return language in ("sv", "unknown")


def clean_text(text: str, *, repair: bool | None = None, page: int = 0) -> tuple[str, list[Change]]:
    """Clean one text; ``repair`` None decides from the text itself whether OCR repair runs.

    The repairer knows Swedish only: with ``repair`` None, text in another language is never repaired.

    Returns the cleaned text and the change log (one entry per edit, with step and reason).
    """
    cleaned, changes, _ = _clean_page_text(text, repair=repair, page=page)
    return cleaned, changes


def _clean_page_text(
    text: str, *, repair: bool | None, page: int, damage: Damage | None = None
) -> tuple[str, list[Change], bool]:
    cleaned, changes = run_steps(text, S.BASIC_STEPS, page=page)
    cleaned, layout = run_steps(cleaned, S.LAYOUT_STEPS, page=page)
    changes.extend(layout)
    repaired = False
    if repair is None and damage is None and not is_swedish(detect_language(cleaned)):
        repair = False  # "for" is English, "työtä" Finnish: neither is damaged Swedish
    if repair is not False and any(ch.isalpha() for ch in cleaned):
        repairer = _repairer()
        verdict = damage or repairer.assess(cleaned)
        if repair or verdict.damaged:
            strip = verdict.strip_rate if verdict.damaged else 0.02
            cleaned, fixes = repairer.repair(cleaned, strip_rate=strip)
            changes.extend(replace(c, page=page) for c in fixes)
            repaired = True
    return cleaned, changes, repaired


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def remove_running_lines(
    pages: list[str], *, edge_lines: int = 3, min_share: float = 0.5
) -> list[list[Change]]:
    """Find lines repeated at the top or bottom of most pages (headers, footers); return removals per page."""
    removals: list[list[Change]] = [[] for _ in pages]
    if len(pages) < 3:
        return removals
    seen: Counter[str] = Counter()
    for text in pages:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        seen.update({_line_key(ln) for ln in lines[:edge_lines] + lines[-edge_lines:]})
    threshold = max(3, int(min_share * len(pages) + 0.5))
    running = {key for key, n in seen.items() if n >= threshold and len(key) < 150}
    if not running:
        return removals
    for i, text in enumerate(pages):
        lines = [ln for ln in text.split("\n") if ln.strip()]
        for ln in set(lines[:edge_lines] + lines[-edge_lines:]):
            key = _line_key(ln)
            if key in running:
                reason = f"running header/footer: repeated on {seen[key]} of {len(pages)} pages"
                removals[i].append(Change("remove_running_lines", ln, "", reason, page=i + 1))
    return removals


def _drop_lines(text: str, lines: set[str]) -> str:
    kept = []
    edge = [ln for ln in text.split("\n") if ln.strip()]
    edge_set = set(edge[:3] + edge[-3:])
    for ln in text.split("\n"):
        if ln in lines and ln in edge_set:
            continue
        kept.append(ln)
    return "\n".join(kept)


def clean_cells(tables: list[list[list[str]]]) -> list[list[list[str]]]:
    """Cell-level cleaning of extracted tables: HTML and entities out, whitespace collapsed."""
    return [[[S.clean_cell(cell) for cell in row] for row in table] for table in tables]


def clean_document(raw: RawDocument, *, repair: bool | None = None) -> CleanDocument:
    """Clean every page of a document: same page count, raw text kept, a change log per page.

    OCR damage is judged per page when a page has enough words, else from the whole document. The
    repairer runs only on Swedish text: a document in another language, or a page of one, is kept as read
    (unless ``repair`` is True).
    """
    texts = [S.normalize_unicode(p.text) for p in raw.pages]
    running = remove_running_lines(texts)
    texts = [_drop_lines(t, {c.before for c in r}) if r else t for t, r in zip(texts, running, strict=True)]
    language = raw.metadata.get("language") or detect_language("\n\n".join(texts))
    foreign = repair is None and not is_swedish(language)
    repairer = _repairer() if repair is not False and not foreign else None
    doc_damage = None
    if repairer is not None and repair is None:
        basic = "\n\n".join(run_steps(t, S.BASIC_STEPS)[0] for t in texts)
        doc_damage = repairer.assess(basic)
    pages: list[CleanPage] = []
    for page, text, removed in zip(raw.pages, texts, running, strict=True):
        page_repair = False if foreign else repair
        damage = None
        if repairer is not None and repair is None and doc_damage is not None:
            page_basic = run_steps(text, S.BASIC_STEPS)[0] if len(texts) > 1 else basic
            own = repairer.assess(page_basic) if len(texts) > 1 else doc_damage
            damage = own if own.words >= MIN_WORDS_FOR_PAGE_VERDICT else doc_damage
            page_repair = damage.damaged or (page.ocr and own.unknown_share > 0.05)
            if page_repair and not is_swedish(detect_language(page_basic)):
                page_repair = False  # a page in another language inside a Swedish document
        cleaned, changes, repaired = _clean_page_text(
            text, repair=page_repair, page=page.number, damage=damage
        )
        changes = [replace(c, page=page.number) for c in removed] + changes
        tables = clean_cells(page.tables)
        if repaired and tables:
            tables = [[[_repair_cell(repairer, cell, damage) for cell in row] for row in t] for t in tables]
        pages.append(
            CleanPage(
                number=page.number,
                text=cleaned,
                raw_text=page.text,
                ocr=page.ocr,
                ocr_confidence=page.ocr_confidence,
                tables=tables,
                changes=changes,
                repaired=repaired,
                label=page.label,
            )
        )
    warnings = []
    if doc_damage is not None and doc_damage.damaged:
        warnings.append(f"OCR damage repaired: {doc_damage.reason}")
    return CleanDocument(raw=raw, pages=pages, warnings=warnings)


def _repair_cell(repairer: OcrRepairer | None, cell: str, damage: Damage | None) -> str:
    if repairer is None or not cell or not any(ch.isalpha() for ch in cell):
        return cell
    strip = damage.strip_rate if damage is not None and damage.damaged else 0.02
    return repairer.repair(cell, strip_rate=strip)[0]


__all__ = [
    "clean_cells",
    "clean_document",
    "clean_text",
    "diff_changes",
    "remove_running_lines",
    "run_steps",
]
