"""How much the HTML report shows, so that it stays small enough to open at any corpus size.

The report aggregates: levels, counts, the best few quotes per cell, a capped document list. Whatever it
leaves out is listed in the report itself, with where the full evidence is (the xlsx/JSON exports and the
web app). `render_report` renders with `REPORT_LIMITS` and, if the page is still above `max_bytes`, again
with each `tighter()` step until it fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ReportLimits:
    """The report's size limits (one home for each)."""

    max_bytes: int = 10_000_000  # the whole HTML file; a browser opens 10 MB comfortably
    quotes_per_cell: int = 3  # per table cell and per answer row; every quote is in the exports
    quote_chars: int = 1_200  # a longer quote is cut at a word boundary and marked "…"
    discovered_themes: int = 200  # the largest discovered themes; all of them are in `planmine graph`
    documents_per_region: int = 40  # file names listed in each region's card
    documents_listed: int = 2_000  # rows of the document table (documents with warnings first)
    passage_graph_max: int = 20_000  # above this many passages the passage graph is fitted only on request

    def tighter(self) -> ReportLimits:
        """The next, smaller step: half of every list (at least one quote per cell)."""
        return replace(
            self,
            quotes_per_cell=max(1, self.quotes_per_cell - 1),
            quote_chars=max(200, self.quote_chars // 2),
            discovered_themes=self.discovered_themes // 2,
            documents_per_region=self.documents_per_region // 2,
            documents_listed=self.documents_listed // 2,
        )

    def is_smallest(self) -> bool:
        return self.tighter() == self


REPORT_LIMITS = ReportLimits()


def shorten(text: str, chars: int) -> str:
    """``text`` cut to at most ``chars`` characters at a word boundary, with "…" when cut."""
    if len(text) <= chars:
        return text
    cut = text[: max(1, chars - 1)]
    space = cut.rfind(" ")
    if space > chars // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
