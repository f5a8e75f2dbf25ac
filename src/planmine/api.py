"""The Python API: one object over a store that the CLI, the notebook and the web app all use.

Example:
    import planmine
    pm = planmine.open("outputs/planmine.db")
    pm.ingest(["corpus/"])
    answer = pm.ask("Vilka regioner arbetar med fallprevention?")
    answer.to_frame()                      # one row per region: level, score, document, page, quote
    pm.compare(["sip", "fallprevention"]).to_excel("themes.xlsx")
    pm.documents()                         # a DataFrame of the stored documents
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planmine.types import Comparison, QueryAnswer

if TYPE_CHECKING:
    import pandas as pd

    from planmine.embed import Embedder
    from planmine.pipeline import IngestResult
    from planmine.store import Store
    from planmine.themes.taxonomy import Taxonomy

DEFAULT_STORE = Path("outputs/planmine.db")
STORE_ENV = "PLANMINE_STORE"

ANSWER_COLUMNS = ("query", "region", "level", "score", "document", "title", "date", "page", "kind", "quote")


def default_store_path() -> Path:
    """$PLANMINE_STORE, else outputs/planmine.db."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


@dataclass
class Answer:
    """The answer to one question, with a tidy table view."""

    answer: QueryAnswer
    documents: dict[str, dict[str, Any]]  # document file name → title, date of the stored document

    @property
    def query(self) -> str:
        return self.answer.query

    @property
    def regions(self) -> list[Any]:
        return self.answer.regions

    @property
    def reading(self) -> dict[str, object]:
        """How the question was read (theme or free concept, filters)."""
        return self.answer.reading

    def to_dict(self) -> dict[str, object]:
        return self.answer.to_dict()

    def to_records(self) -> list[dict[str, Any]]:
        """One record per region: its level and score, and its best evidence (empty when none)."""
        rows = []
        for r in self.answer.regions:
            best = r.evidence[0] if r.evidence else None
            doc = self.documents.get(best.document, {}) if best else {}
            rows.append(
                {
                    "query": self.answer.query,
                    "reading": self.answer.reading.get("line", ""),
                    "region": r.region,
                    "level": r.level,
                    "score": round(r.score, 4),
                    "document": best.document if best else "",
                    "title": doc.get("title", ""),
                    "date": doc.get("date", ""),
                    "page": best.page if best else None,
                    "kind": best.kind if best else "",
                    "quote": best.text if best else "",
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

    def to_records(self) -> list[dict[str, Any]]:
        from planmine.compare_export import to_records

        return to_records(self.comparison)

    def to_frame(self) -> pd.DataFrame:
        """One row per region × theme."""
        import pandas as pd

        return pd.DataFrame(self.to_records())

    def to_excel(self, path: str | Path) -> Path:
        from planmine.compare_export import write_xlsx

        write_xlsx(self.comparison, Path(path))
        return Path(path)

    def export(self, fmt: str, path: str | Path | None = None) -> str | None:
        """csv, md, html, json or xlsx text (or a file at `path`)."""
        from planmine.compare_export import export

        return export(self.comparison, fmt, Path(path) if path is not None else None)


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
        self.path = Path(store) if store is not None else default_store_path()
        self.use_model = model
        self.themes_file = Path(themes) if themes is not None else None
        self._store: Store | None = None
        self._embedder: Embedder | None = None
        self._taxonomy: Taxonomy | None = None

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
        """Ingest files and folders; one result per file (status, reason), the batch never stops."""
        from planmine.pipeline import ingest_paths

        return ingest_paths(
            [Path(p) for p in paths], self.store, region=region, embed=embed and self.use_model, **options
        )

    def ask(self, question: str, *, top_k: int = 5, types: str | Iterable[str] | None = None) -> Answer:
        """Which regions address `question`? Every region with level, score and evidence.

        `types`: document genres to count ('plan,agreement', 'all'); default policy documents."""
        return self.ask_many([question], top_k=top_k, types=types)[0]

    def ask_many(
        self, questions: Sequence[str], *, top_k: int = 5, types: str | Iterable[str] | None = None
    ) -> list[Answer]:
        from planmine.genre import parse_types
        from planmine.query import answer

        answers = answer(
            list(questions),
            self.store,
            self.embedder,
            top_k=top_k,
            taxonomy=self.taxonomy,
            types=parse_types(types),
        )
        docs = self._document_facts()
        return [Answer(a, docs) for a in answers]

    def compare(
        self,
        themes: Sequence[str] | None = None,
        *,
        top_k: int = 5,
        types: str | Iterable[str] | None = None,
    ) -> ComparisonTable:
        """The region × theme table (all taxonomy themes, or ids, labels or abbreviations); `types` as
        for `ask`."""
        from planmine.compare import compare
        from planmine.genre import parse_types

        table = compare(
            self.store,
            self.embedder,
            list(themes) if themes else None,
            self.taxonomy,
            top_k,
            types=parse_types(types),
        )
        return ComparisonTable(table)

    def documents(self) -> pd.DataFrame:
        """The stored documents: id, name, region, title, date, period, type, genre, pages, passages, ..."""
        import pandas as pd

        return pd.DataFrame([document_record(d) for d in self.store.documents()])

    def _document_facts(self) -> dict[str, dict[str, Any]]:
        return {
            d.name: {"title": d.meta.title, "date": d.meta.date or d.meta.year}
            for d in self.store.documents()
        }


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
