"""The Python API: one object over a store that the CLI, the notebook and the web app all use.

It works from any working directory: the store is the path you give (default $PLANMINE_STORE or
outputs/planmine.db) and the embedding model is found by `planmine.embed.models.models_root`
($PLANMINE_MODELS, a checkout's models/, else the per-user data folder).

Example:
    import planmine
    pm = planmine.open("outputs/planmine.db")
    pm.ingest(["corpus/"])
    answer = pm.ask("Vilka regioner arbetar med fallprevention?")
    answer.to_frame()                      # one row per region: level, score, document, title, date, page, quote
    pm.compare(["sip", "fallprevention"]).to_excel("themes.xlsx")
    pm.documents()                         # a DataFrame of the stored documents
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planmine.errors import UsageError
from planmine.types import Comparison, ComparisonRow, QueryAnswer, RegionEvidence

if TYPE_CHECKING:
    import pandas as pd

    from planmine.embed import Embedder
    from planmine.pipeline import IngestResult
    from planmine.store import Store
    from planmine.themes.taxonomy import Taxonomy

DEFAULT_STORE = Path("outputs/planmine.db")
STORE_ENV = "PLANMINE_STORE"

ANSWER_COLUMNS = (
    "query", "reading", "region", "level", "score", "document", "title", "date", "page", "kind", "quote", "type",
    "source",
)  # fmt: skip
NO_DOCUMENTS_REASON = "no documents from this region in the store"

DocumentFacts = Mapping[str, Mapping[str, Any]]  # document file name → document_record


def default_store_path() -> Path:
    """$PLANMINE_STORE, else outputs/planmine.db."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


@dataclass
class Answer:
    """The answer to one question, with a tidy table view."""

    answer: QueryAnswer
    documents: DocumentFacts = field(default_factory=dict)  # document file name → its record

    @property
    def query(self) -> str:
        return self.answer.query

    @property
    def regions(self) -> list[RegionEvidence]:
        return self.answer.regions

    @property
    def reading(self) -> dict[str, Any] | None:
        """How the question was read (theme or free text, filters), when the answer says so."""
        reading = self.answer.to_dict().get("reading")
        return reading if isinstance(reading, dict) else None

    def to_dict(self) -> dict[str, object]:
        return self.answer.to_dict()

    def to_records(self) -> list[dict[str, Any]]:
        """One record per region (ANSWER_COLUMNS): its level and score, and its best evidence (empty when none)."""
        rows = []
        line = str((self.reading or {}).get("line", ""))  # how the question was read, on every row
        for r in self.answer.regions:
            best = r.evidence[0] if r.evidence else None
            doc = self.documents.get(best.document, {}) if best else {}
            rows.append(
                {
                    "query": self.answer.query,
                    "reading": line,
                    "region": r.region,
                    "level": r.level,
                    "score": round(r.score, 4),
                    "document": best.document if best else "",
                    "title": doc.get("title", ""),
                    "date": doc.get("date") or doc.get("year") or "",
                    "page": best.page if best else None,
                    "kind": best.kind if best else "",
                    "quote": best.text if best else "",
                    "type": doc.get("type") or doc.get("genre") or "",
                    "source": doc.get("path", ""),
                }
            )
        return rows

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.to_records(), columns=list(ANSWER_COLUMNS))


@dataclass
class ComparisonTable:
    """The region × theme table, with tidy and file views."""

    comparison: Comparison
    documents: DocumentFacts = field(default_factory=dict)  # document file name → its record

    @property
    def regions(self) -> list[str]:
        return self.comparison.regions

    @property
    def rows(self) -> list[ComparisonRow]:
        return self.comparison.rows

    def to_records(self) -> list[dict[str, Any]]:
        """One record per region × theme (compare_export.TIDY_COLUMNS)."""
        from planmine.compare_export import to_records

        return to_records(self.comparison, self.documents)

    def to_frame(self) -> pd.DataFrame:
        """One row per region × theme: theme, label, region, level, score, passages, quote, document, ..."""
        import pandas as pd

        from planmine.compare_export import TIDY_COLUMNS

        return pd.DataFrame(self.to_records(), columns=list(TIDY_COLUMNS))

    def to_excel(self, path: str | Path, *, lang: str = "sv") -> Path:
        """A workbook: table, cells, evidence (titles, dates, pages, sources), documents and a legend."""
        from planmine.compare_export import write_xlsx

        return write_xlsx(self.comparison, Path(path), self.documents, lang)

    def export(self, fmt: str, path: str | Path | None = None, *, lang: str = "sv") -> str | None:
        """csv, md, html, json or xlsx text (or a file at `path`)."""
        from planmine.compare_export import export

        return export(self.comparison, fmt, Path(path) if path is not None else None, self.documents, lang)


def _optional_filters(func: Callable[..., Any], **filters: Any) -> dict[str, Any]:
    """The filters `func` takes, for those the caller set; a set filter it does not take is an error."""
    given = {k: v for k, v in filters.items() if v is not None}
    if "types" in given:
        from planmine.genre import parse_types

        given["types"] = parse_types(given["types"])
    accepted = inspect.signature(func).parameters
    missing = [k for k in given if k not in accepted]
    if missing:
        raise UsageError(
            f"{func.__module__}.{func.__name__} cannot filter by {', '.join(missing)} in this version of "
            "planmine. Leave them out."
        )
    return given


def with_all_regions(regions: Sequence[str]) -> list[str]:
    """`regions` and the 21 Swedish regions not among them, by name (national and unknown last)."""
    from planmine.regions import all_regions

    names = {r.name for r in all_regions()}
    known = sorted(set(regions) | names)
    return [r for r in known if r in names] + [r for r in regions if r not in names]


def _no_documents(region: str) -> RegionEvidence:
    return RegionEvidence(region, "no_documents", 0.0, reason=NO_DOCUMENTS_REASON)


def answer_all_regions(answer: QueryAnswer) -> QueryAnswer:
    """The answer with every one of the 21 regions: those without documents get level `no_documents`."""
    present = {r.region for r in answer.regions}
    extra = [_no_documents(r) for r in with_all_regions(list(present)) if r not in present]
    answer.regions = [*answer.regions, *extra]
    return answer


def comparison_all_regions(table: Comparison) -> Comparison:
    """The table with a column for each of the 21 regions: those without documents are `no_documents`."""
    regions = with_all_regions(table.regions)
    for row in table.rows:
        row.cells = {r: row.cells.get(r) or _no_documents(r) for r in regions}
    table.regions = regions
    return table


def select_regions(table: Comparison, names: Sequence[str]) -> Comparison:
    """Only the columns of `names` (exact, or a unique case- and accent-insensitive part: 'skåne')."""
    from planmine.compare import resolve_region

    chosen = []
    for name in names:
        region = resolve_region(table.regions, name)
        if region not in chosen:
            chosen.append(region)
    return Comparison(
        regions=chosen,
        rows=[
            ComparisonRow(r.theme_id, r.label, {k: r.cells[k] for k in chosen if k in r.cells})
            for r in table.rows
        ],
    )


class Planmine:
    """A planmine store with its embedding model, loaded when first needed.

    Args:
        store: the SQLite store; default $PLANMINE_STORE or outputs/planmine.db.
        model: use the embedding model (False: lexical matching only).
        themes: an extra taxonomy YAML merged by id (default: $PLANMINE_THEMES).
    """

    def __init__(
        self, store: str | Path | None = None, *, model: bool = True, themes: str | Path | None = None
    ) -> None:
        self.path = Path(store).expanduser() if store is not None else default_store_path()
        self.use_model = model
        self.themes_file = Path(themes) if themes is not None else None
        self._store: Store | None = None
        self._embedder: Embedder | None = None
        self._taxonomy: Taxonomy | None = None

    @classmethod
    def over(cls, store: Store, *, model: bool = True, themes: str | Path | None = None) -> Planmine:
        """A Planmine over a store already open (the web app's read snapshots); `close` closes it."""
        pm = cls(store.path, model=model, themes=themes)
        pm._store = store
        return pm

    # -- resources -----------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            from planmine.store import Store

            self._store = Store(self.path)
        return self._store

    @property
    def embedder(self) -> Embedder | None:
        if self.use_model and self._embedder is None:
            from planmine.query import QUERY_THREADS
            from planmine.themes.semantic import configured_embedder

            self._embedder = configured_embedder(num_threads=QUERY_THREADS)
        return self._embedder

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            from planmine.themes.taxonomy import load_taxonomy

            self._taxonomy = load_taxonomy(self.themes_file)
        return self._taxonomy

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Planmine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- work ----------------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], *, region: str | None = None, embed: bool = True, **options: Any
    ) -> list[IngestResult]:
        """Ingest files and folders; one result per file (status, reason), the batch never stops.

        With the model on, passages are embedded now; when the model is missing, every stored file's
        result carries a warning that says so (and how to install it).
        """
        from planmine.pipeline import ingest_paths

        return ingest_paths(
            [Path(p).expanduser() for p in paths],
            self.store,
            region=region,
            embed=embed and self.use_model,
            **options,
        )

    def ask(
        self,
        question: str,
        *,
        top_k: int = 5,
        all_regions: bool = False,
        **filters: Any,
    ) -> Answer:
        """Which regions address `question`? Every region with level, score and evidence.

        Args:
            all_regions: list all 21 regions, those without documents as `no_documents`.
            **filters: document filters the answer core takes, e.g. `types="plan,agreement"`
                (planmine.genre; default: policy documents) or `as_of=2024`; a filter it does not
                take is a UsageError, never silently ignored.
        """
        return self.ask_many([question], top_k=top_k, all_regions=all_regions, **filters)[0]

    def ask_many(
        self,
        questions: Sequence[str],
        *,
        top_k: int = 5,
        all_regions: bool = False,
        **filters: Any,
    ) -> list[Answer]:
        """`ask` for several questions at once (the model embeds them in one batch)."""
        from planmine.query import answer

        taken = _optional_filters(answer, **filters)
        answers = answer(
            list(questions), self.store, self.embedder, top_k=top_k, taxonomy=self.taxonomy, **taken
        )
        if all_regions:
            answers = [answer_all_regions(a) for a in answers]
        docs = self.document_facts()
        return [Answer(a, docs) for a in answers]

    def compare(
        self,
        themes: Sequence[str] | None = None,
        *,
        regions: Sequence[str] | None = None,
        all_regions: bool = False,
        top_k: int = 5,
        **filters: Any,
    ) -> ComparisonTable:
        """The region × theme table (all taxonomy themes, or ids, labels or abbreviations).

        Args:
            regions: only these regions' columns (names or unique parts of them).
            all_regions: a column for each of the 21 regions, those without documents `no_documents`.
            **filters: document filters the answer core takes (`types=`, `as_of=`), as in `ask`.
        """
        from planmine.compare import compare

        taken = _optional_filters(compare, **filters)
        table = compare(
            self.store, self.embedder, list(themes) if themes else None, self.taxonomy, top_k, **taken
        )
        if all_regions:
            table = comparison_all_regions(table)
        if regions:
            table = select_regions(table, regions)
        return ComparisonTable(table, self.document_facts())

    def documents(self) -> pd.DataFrame:
        """The stored documents: id, name, region, title, date, period, type, genre, pages, passages, ..."""
        import pandas as pd

        records = [document_record(d) for d in self.store.documents()]
        return pd.DataFrame(records) if records else pd.DataFrame(columns=list(DOCUMENT_COLUMNS))

    def document_facts(self) -> dict[str, dict[str, Any]]:
        """Document file name → its record (title, date, type, source path), for answers and exports
        (read once per store generation: every answer asks for it)."""
        generation = self.store.generation()
        cached = self.__dict__.get("_document_facts")
        if cached is None or cached[0] != generation:
            cached = (generation, {d.name: document_record(d) for d in self.store.documents()})
            self.__dict__["_document_facts"] = cached
        return {name: dict(record) for name, record in cached[1].items()}

    def report(
        self,
        path: str | Path,
        *,
        questions: Sequence[str] = (),
        themes: Sequence[str] | None = None,
        regions: Sequence[str] | None = None,
        types: Sequence[str] | str | None = None,
        as_of: int | str | None = None,
        lang: str = "sv",
        all_regions: bool = False,
        discovered: bool | None = None,
    ) -> Path:
        """Write the self-contained HTML report (Swedish by default) for these questions and selection.

        ``discovered``: fit the passage graph for the discovered themes (None: only for a store of at most
        planmine.report.limits.REPORT_LIMITS.passage_graph_max passages).
        """
        from planmine.report.build import ReportRequest, build_report, load_cached_embedder

        request = ReportRequest(
            questions=tuple(questions), themes=tuple(themes or ()), regions=tuple(regions or ()),
            types=types, as_of=as_of, lang=lang, all_regions=all_regions, discovered=discovered,
        )  # fmt: skip
        embedder = load_cached_embedder(self.store) if self.use_model else None
        html = build_report(self.store, embedder, request=request)
        out = Path(path).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        return out


DOCUMENT_COLUMNS = (
    "id", "name", "path", "region", "region_source", "owner_kind", "municipality", "title", "year", "date",
    "period", "type", "genre", "genre_confidence", "language", "version_of", "format", "status", "pages",
    "passages", "ocr_share", "repaired_words", "warnings",
)  # fmt: skip


def document_record(doc: Any) -> dict[str, Any]:
    """One stored document as a flat record (`planmine docs --json`, the API, the web app)."""
    m = doc.meta
    return {
        "id": doc.id,
        "name": doc.name,
        "path": doc.path,
        "region": m.region,
        "region_source": m.region_source,
        "owner_kind": m.owner_kind,
        "municipality": m.municipality,
        "title": m.title,
        "year": m.year,
        "date": m.date,
        "period": m.period,
        "type": m.doc_type,
        "genre": m.genre,
        "genre_confidence": round(m.genre_confidence, 3),
        "language": m.language,
        "version_of": m.version_of,
        "format": doc.format,
        "status": doc.status,
        "pages": doc.pages,
        "passages": doc.passages,
        "ocr_share": round(doc.ocr_share, 3),
        "repaired_words": doc.repaired_words,
        "warnings": doc.warnings,
    }


def open(
    store: str | Path | None = None, *, model: bool = True, themes: str | Path | None = None
) -> Planmine:
    """Open a planmine store (created on first ingest); see `Planmine`."""
    return Planmine(store, model=model, themes=themes)
