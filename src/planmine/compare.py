"""The region × theme comparison table and the gaps of one region; exporters live in compare_export.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planmine.errors import UsageError
from planmine.themes.decision import decide
from planmine.themes.evidence import RegionQuality
from planmine.themes.index import ThemeIndex, get_index
from planmine.themes.taxonomy import Taxonomy, suggest
from planmine.types import Comparison, ComparisonRow, RegionEvidence

if TYPE_CHECKING:
    from planmine.embed import Embedder
    from planmine.query import Scope
    from planmine.store import Store


def theme_row(
    index: ThemeIndex,
    theme_id: str,
    top_k: int = 5,
    documents: set[int] | None = None,
    quality: dict[str, RegionQuality] | None = None,
) -> ComparisonRow:
    """One theme across every region of the store (only the evidence of `documents`, when given).

    With stored evidence, cells decided before under the same key are read back (planmine.themes.cells)
    and only the other regions' candidates are read and decided.
    """
    from planmine.themes import cells as stored_cells

    theme = index.taxonomy.get(theme_id)
    quality = quality or index.quality
    keys: dict[str, str] = {}
    found: dict[str, RegionEvidence] = {}
    if index.stored is not None:
        base = index.cell_keys(documents, quality, top_k)
        keys = {region: stored_cells.cell_key(base[region], theme.id) for region in index.regions}
        found = stored_cells.read_cells(index, keys)
    missing = [r for r in index.regions if r not in found]
    evidence = index.region_evidence(theme.id, missing) if missing else {}
    decided = {
        region: decide(
            region,
            [e for e in evidence.get(region, []) if documents is None or e.document_id in documents],
            quality[region],
            index.thresholds,
            top_k,
        )
        for region in missing
    }
    if keys and decided:
        stored_cells.keep_cells(index, theme.id, {r: (keys[r], c) for r, c in decided.items()})
    cells = {region: found.get(region) or decided[region] for region in index.regions}
    return ComparisonRow(theme_id=theme.id, label=theme.label_sv, cells=cells)


def compare(
    store: Store,
    embedder: Embedder | None,
    themes: list[str] | None = None,
    taxonomy: Taxonomy | None = None,
    top_k: int = 5,
    types: frozenset[str] | None = None,
    as_of: int | None = None,
) -> Comparison:
    """Regions as columns, themes as rows; each cell a level with its evidence.

    Args:
        themes: theme ids, labels or abbreviations; None for the whole taxonomy.
        types: document genres to count (`planmine.genre.parse_types`); None: policy documents. A
            region whose documents are all left out gets `no_documents`.
        as_of: count the documents in force in this year (of each series the newest version started
            by then); None: the newest version of each series (planmine.versions).
    """
    from planmine.pages import label_comparison

    index = get_index(store, embedder, taxonomy)
    ids = [index.taxonomy.resolve(t).id for t in themes] if themes else index.taxonomy.ids()
    scope = _in_force_scope(index, types, as_of)
    rows = [theme_row(index, t, top_k, scope.documents, scope.quality) for t in ids]
    table = Comparison(
        regions=list(index.regions), rows=rows, config=index.thresholds.to_dict(), excluded=scope.excluded
    )
    label_comparison(store, table)
    return table


def _in_force_scope(index: ThemeIndex, types: frozenset[str] | None, as_of: int | None) -> Scope:
    """The documents of `types` that are in force (`as_of`, else newest versions), with the others named."""
    from planmine.query import in_force_scope, scope_of

    return in_force_scope(index, scope_of(index, types), as_of)


@dataclass
class Gap:
    """A theme that most other regions address but this region does not."""

    theme_id: str
    label: str
    level: str  # this region's level
    addressed_by: list[str]
    others: dict[str, RegionEvidence] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "theme": self.theme_id,
            "label": self.label,
            "level": self.level,
            "addressed_by": self.addressed_by,
            "evidence": {
                r: [
                    {
                        "document": e.document,
                        "page": e.page,
                        "page_label": e.page_label,
                        "page_cited": e.cite(),
                        "text": e.text,
                        "score": e.score,
                    }
                    for e in c.evidence[:2]
                ]
                for r, c in self.others.items()
            },
        }


def resolve_region(regions: list[str], name: str) -> str:
    """A region of the store by exact name, or case/accent-insensitive substring ('skåne', 'orebro')."""
    from planmine.themes.text import fold

    if name in regions:
        return name
    hits = [r for r in regions if fold(name).strip() in fold(r)]
    if len(hits) == 1:
        return hits[0]
    from planmine.regions import canonical_region

    try:  # a real region that has no documents here is not "unknown"
        known = canonical_region(name)
    except UsageError:
        known = ""
    if known and known not in regions:
        stored = ", ".join(regions) or "none"
        raise UsageError(
            f"No documents of {known} in the store (regions stored: {stored}). Ingest its plans first: "
            f"planmine ingest FILES --region '{known}'."
        )
    raise UsageError(f"Unknown region '{name}'. {suggest(name, regions)}")


def gaps(
    store: Store,
    embedder: Embedder | None,
    region: str,
    taxonomy: Taxonomy | None = None,
    min_share: float = 0.5,
    types: frozenset[str] | None = None,
    as_of: int | None = None,
) -> list[Gap]:
    """Themes that at least `min_share` of the other regions address but `region` does not (counting
    the documents of `types`, default policy documents, in force `as_of` as in `compare`)."""
    index = get_index(store, embedder, taxonomy)
    name = resolve_region(index.regions, region)
    scope = _in_force_scope(index, types, as_of)
    others = [r for r in index.regions if r != name and scope.quality[r].documents]
    found: list[Gap] = []
    for theme_id in index.taxonomy.ids():
        row = theme_row(index, theme_id, 5, scope.documents, scope.quality)
        mine = row.cells[name]
        if mine.level == "addressed":
            continue
        by = [r for r in others if row.cells[r].level == "addressed"]
        if others and len(by) / len(others) >= min_share:
            found.append(Gap(theme_id, row.label, mine.level, by, {r: row.cells[r] for r in by}))
    found.sort(key=lambda g: (-len(g.addressed_by), g.theme_id))
    from planmine.pages import label_evidence

    label_evidence(store, (e for g in found for c in g.others.values() for e in c.evidence))
    return found
