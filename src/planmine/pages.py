"""How a quote's page is cited: the physical page, the label printed on it, or none for an unpaged text.

A PDF's physical page (the 17th sheet) and its printed label ("18 (51)") often differ; a reader looks
for the printed one and a PDF viewer jumps to the physical one, so a citation gives both when they
differ. A text without page markers has no pages at all: its quotes are cited "–", never a false "p. 1".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planmine.store import Store
    from planmine.types import Comparison, Evidence, QueryAnswer

_PRINTED = re.compile(r"\d+")

WORDS = {
    "sv": ("s.", "pdf-sida"),
    "en": ("p.", "pdf p."),
}


@dataclass(frozen=True)
class PageFacts:
    """What the store knows of one document's pages: whether it has any, and each page's label."""

    paged: bool
    labels: dict[int, str]


def printed_number(label: str) -> str:
    """The page number a label prints ('18' of '18 (51)' or 'Sida 18 av 51'), '' when none."""
    match = _PRINTED.search(label)
    return match.group(0) if match else ""


def cite_page(page: int, label: str = "", *, paged: bool = True, lang: str = "en", bare: bool = False) -> str:
    """'p. 18 (pdf p. 17)' when the printed label differs from the physical page, 'p. 17' when not,
    '–' for a text without pages (Swedish: 's. 18 (pdf-sida 17)'); `bare` leaves out the leading 'p.'
    (for a column headed 'page')."""
    if not paged:
        return "–"
    word, file_word = WORDS.get(lang, WORDS["en"])
    printed = printed_number(label)
    cited = f"{printed} ({file_word} {page})" if printed and printed != str(page) else str(page)
    return cited if bare else f"{word} {cited}"


def page_facts(store: Store, names: Iterable[str]) -> dict[str, PageFacts]:
    """Paged or not, and the page labels, of the stored documents with these file names."""
    out: dict[str, PageFacts] = {}
    for doc_id, name, metadata in store.documents_named(set(names)):
        if name not in out:
            paged = json.loads(metadata).get("paged") != "no"
            out[name] = PageFacts(paged=paged, labels=store.page_labels(doc_id))
    return out


def label_evidence(store: Store, evidence: Iterable[Evidence]) -> None:
    """Set each quote's printed page label and whether its document has pages (in place)."""
    quotes = list(evidence)
    facts = page_facts(store, {e.document for e in quotes})
    for e in quotes:
        if fact := facts.get(e.document):
            e.paged = fact.paged
            e.page_label = fact.labels.get(e.page, "") if fact.paged else ""


def label_answers(store: Store, answers: Iterable[QueryAnswer]) -> None:
    """`label_evidence` for every quote of these answers."""
    label_evidence(store, (e for a in answers for r in a.regions for e in r.evidence))


def label_comparison(store: Store, table: Comparison) -> None:
    """`label_evidence` for every quote of a comparison table."""
    label_evidence(store, (e for row in table.rows for c in row.cells.values() for e in c.evidence))
