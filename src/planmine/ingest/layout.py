"""Reading order of the words of a PDF page: lines, paragraphs and two-column bands split at a gutter."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from statistics import median
from typing import Any

import numpy as np

Word = dict[str, Any]  # a pdfplumber word: text, x0, x1, top, bottom

LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
GUTTER_PAD = 4.0  # points added to each side of a word: a gutter is at least 2 * pad wide
GUTTER_RANGE = (0.3, 0.7)  # a column gutter lies between these shares of the text width
MAX_CROSSING_SHARE = 0.25  # at most this share of lines may run across the gutter (titles, footers)
MIN_COLUMN_SHARE = 0.2  # each column needs at least this share of the lines ...
MIN_COLUMN_LINES = 3  # ... and at least this many
BAND_GAP = 2.5  # a gap this many text heights high across both columns closes a band of columns
# A line further below the previous one than this many usual line pitches opens a paragraph.
PARAGRAPH_LEAD = 1.45


def group_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Group words into lines by their top edge, top to bottom; words in a line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def find_gutter(lines: Sequence[Sequence[Word]]) -> float | None:
    """The x of a vertical gutter between two text columns, or None for a one-column page.

    A gutter is an x that few lines run across (each word widened by GUTTER_PAD) while enough lines
    have words on both sides of it; of the best run of such x positions the middle is returned.
    """
    if len(lines) < 2 * MIN_COLUMN_LINES:
        return None
    left_edge = min(w["x0"] for line in lines for w in line)
    right_edge = max(w["x1"] for line in lines for w in line)
    width = right_edge - left_edge
    if width < 100:
        return None
    xs = np.arange(left_edge + GUTTER_RANGE[0] * width, left_edge + GUTTER_RANGE[1] * width, 1.0)
    # Per line, in whole arrays (not one numpy pass per word): x is crossed when some word's padded box
    # holds it strictly; a line has words left of x when its leftmost right edge is at or before it.
    row = np.array([i for i, line in enumerate(lines) for _ in line])
    x0 = np.array([w["x0"] for line in lines for w in line], dtype=float) - GUTTER_PAD
    x1 = np.array([w["x1"] for line in lines for w in line], dtype=float) + GUTTER_PAD
    starts = np.searchsorted(xs, x0, side="right")  # first x > x0
    ends = np.searchsorted(xs, x1, side="left")  # first x >= x1
    steps = np.zeros((len(lines), len(xs) + 1), dtype=np.int32)
    inside = starts < ends
    np.add.at(steps, (row[inside], starts[inside]), 1)
    np.add.at(steps, (row[inside], ends[inside]), -1)
    crossing = np.cumsum(steps, axis=1)[:, :-1] > 0
    first_right_edge = np.full(len(lines), np.inf)
    np.minimum.at(first_right_edge, row, x1)
    last_left_edge = np.full(len(lines), -np.inf)
    np.maximum.at(last_left_edge, row, x0)
    has_left = xs[None, :] >= first_right_edge[:, None]
    has_right = xs[None, :] <= last_left_edge[:, None]
    n_cross = crossing.sum(axis=0)
    n_left = (has_left & ~crossing).sum(axis=0)
    n_right = (has_right & ~crossing).sum(axis=0)
    need = max(MIN_COLUMN_LINES, MIN_COLUMN_SHARE * len(lines))
    ok = (n_cross <= MAX_CROSSING_SHARE * len(lines)) & (n_left >= need) & (n_right >= need)
    if not ok.any():
        return None
    best = n_cross[ok].min()
    candidates = np.flatnonzero(ok & (n_cross == best))
    # the longest run of neighbouring candidates is the gutter; its middle is the split
    runs = np.split(candidates, np.flatnonzero(np.diff(candidates) > 1) + 1)
    run = max(runs, key=len)
    return float(xs[run[len(run) // 2]])


def page_text(words: Sequence[Word]) -> str:
    """The words of a page as text in reading order.

    Lines running across a column gutter (titles, running headers and footers) are read in place;
    between them, the left column is read before the right one. A band of columns also ends at a
    vertical gap across the whole width (a page header above the columns). Blank lines separate
    paragraphs.
    """
    lines = group_lines(words)
    if not lines:
        return ""
    gutter = find_gutter(lines)
    if gutter is None:
        return _lines_text(lines)
    blocks: list[str] = []
    band: list[Word] = []
    spanning: list[list[Word]] = []
    height = median(w["bottom"] - w["top"] for line in lines for w in line)
    previous_bottom = lines[0][0]["top"]
    for line in lines:
        crosses = any(w["x0"] - GUTTER_PAD < gutter < w["x1"] + GUTTER_PAD for w in line)
        if band and line[0]["top"] - previous_bottom > BAND_GAP * height:
            # empty across the whole width: a header or a figure ends the columns above it
            blocks.extend(_column_texts(band, gutter))
            band = []
        previous_bottom = max(previous_bottom, max(w["bottom"] for w in line))
        if crosses:
            if band:
                blocks.extend(_column_texts(band, gutter))
                band = []
            spanning.append(line)
        else:
            if spanning:
                blocks.append(_lines_text(spanning))
                spanning = []
            band.extend(line)
    if band:
        blocks.extend(_column_texts(band, gutter))
    if spanning:
        blocks.append(_lines_text(spanning))
    return _join_blocks([block for block in blocks if block])


_OPEN_END = re.compile(r"[\w,–-]$")  # a block ending like this stops mid-sentence ...
_CONTINUATION = re.compile(r"^[a-zåäöéü]")  # ... when the next one goes on in lower case


def _join_blocks(blocks: Sequence[str]) -> str:
    """Blocks joined by blank lines, except where a sentence runs on from one column or band to the next
    (a paragraph broken at the foot of the left column, a full-width line's last words read as a band)."""
    if not blocks:
        return ""
    parts = [blocks[0]]
    for previous, block in itertools.pairwise(blocks):
        run_on = _OPEN_END.search(previous.rstrip()) and _CONTINUATION.match(block.lstrip())
        parts.append("\n" if run_on else "\n\n")
        parts.append(block)
    return "".join(parts)


def _column_texts(words: list[Word], gutter: float) -> list[str]:
    lines = group_lines(words)
    if len(lines) == 1:  # one row (a running header in two parts) reads as the line it is on every page
        return [_lines_text(lines)]
    left = [w for w in words if (w["x0"] + w["x1"]) / 2 < gutter]
    right = [w for w in words if (w["x0"] + w["x1"]) / 2 >= gutter]
    return [_lines_text(group_lines(column)) for column in (left, right) if column]


def _lines_text(lines: Sequence[Sequence[Word]]) -> str:
    """Lines joined by newlines, with a blank line where the vertical step is larger than usual."""
    steps = [b[0]["top"] - a[0]["top"] for a, b in itertools.pairwise(lines)]
    heights = [max(w["bottom"] - w["top"] for w in line) for line in lines]
    usual = median([s for s in steps if s > 0] or [1.2 * median(heights)])
    usual = max(usual, 1.05 * median(heights))
    parts: list[str] = []
    for i, line in enumerate(lines):
        if i:
            parts.append("\n\n" if steps[i - 1] > PARAGRAPH_LEAD * usual else "\n")
        parts.append(" ".join(w["text"] for w in line))
    return "".join(parts)
