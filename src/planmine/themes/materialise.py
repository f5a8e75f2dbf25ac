"""Passage × theme evidence computed once, when a passage is stored, and read back by SQL.

`EvidenceBuilder.document_evidence` matches one document's passages against the taxonomy and reads each
hit (role, commitment, enumeration, quote), with the passage's cosine to the theme, its z and the
relevance model's probability where the passage has a vector: the rows `ThemeIndex._theme_evidence`
would derive from the whole store, derived from the document alone. That holds because every feature is
store-independent: z is measured against the relevance model's fixed background (shipped with the
model), quotability counts repeats within the document. Where z would be relative to the store (no
relevance model for this taxonomy and embedding size) the index keeps its in-memory path instead.

Ingest computes the rows beside the passages (serial executor, or the Dask worker that prepared the
document) and `Store.save_document` writes them in the document's transaction. `StoredEvidence.open`
first brings older stores up to date (documents with no rows, rows of another taxonomy, genre or model
are rebuilt, one document per transaction), then `theme_evidence` answers a theme with one query.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from planmine.themes.evidence import DEFAULT_CONFIG, PassageEvidence, PassageReading
from planmine.themes.matcher import TermHit, ThemeMatcher
from planmine.themes.passages import (
    _STATEMENT_KINDS,
    IndexedPassage,
    PassageTag,
    index_document,
    passage_reading,
    passage_tag,
    quote_and_match,
    semantic_explanation,
    term_explanation,
    theme_cosines,
)
from planmine.themes.relevance import fixed_background, relevance_model_for, relevance_probabilities
from planmine.themes.semantic import ThemeVectors
from planmine.types import DocumentEvidence, Passage, Tag, ThemeEvidenceRow

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder
    from planmine.store import Store
    from planmine.themes.index import ThemeIndex
    from planmine.themes.taxonomy import Taxonomy

log = logging.getLogger(__name__)

# Bump when what a row holds or how it is computed changes: every store rebuilds its rows on next read.
EVIDENCE_VERSION = "1"
# Candidates by meaning only are kept from this z up; a DecisionConfig asking for fewer sd reads in memory.
SEMANTIC_FLOOR_Z = DEFAULT_CONFIG.semantic_z


@lru_cache(maxsize=8)
def _file_digest(path: str) -> str:
    from pathlib import Path

    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest()[:16] if p.exists() else "none"


def fingerprint(taxonomy: Taxonomy) -> str:
    """What stored rows depend on besides the document: the taxonomy, the relevance model, this code."""
    from planmine.themes.relevance import MODEL_PATH

    digest = hashlib.sha256()
    digest.update(f"{EVIDENCE_VERSION}|{SEMANTIC_FLOOR_Z}|{_file_digest(str(MODEL_PATH))}|".encode())
    digest.update(repr(list(taxonomy)).encode("utf-8"))
    return digest.hexdigest()[:24]


class EvidenceBuilder:
    """Computes documents' theme evidence rows under one taxonomy and (optionally) one embedder.

    Without an embedder, or where the relevance model does not know this taxonomy and embedding size,
    the rows carry no cosine, z or relevance (model ""), and no candidates by meaning only.
    """

    def __init__(self, taxonomy: Taxonomy, embedder: CachedEmbedder | None = None) -> None:
        self.taxonomy = taxonomy
        self.ids = taxonomy.ids()
        self._matcher: ThemeMatcher | None = None
        self.fingerprint = fingerprint(taxonomy)
        self.embedder = embedder
        self.model = relevance_model_for(taxonomy, embedder.dim) if embedder is not None else None
        self.background = fixed_background(taxonomy, embedder.dim) if embedder is not None else None

    @property
    def matcher(self) -> ThemeMatcher:
        if self._matcher is None:
            self._matcher = ThemeMatcher(self.taxonomy)
        return self._matcher

    @property
    def semantic(self) -> bool:
        """Whether rows get cosine, z and relevance (an embedder the relevance model fits)."""
        return self.embedder is not None and self.model is not None and self.background is not None

    def centroids(self) -> np.ndarray:
        """The theme centroids of this embedder (embedded once per process and model)."""
        assert self.embedder is not None
        key = (self.fingerprint, self.embedder.name)
        if key not in _CENTROIDS:
            _CENTROIDS[key] = ThemeVectors(self.taxonomy, self.embedder).centroids
        return _CENTROIDS[key]

    def document_evidence(
        self, passages: Sequence[Passage], tags: Sequence[Tag], genre: str
    ) -> DocumentEvidence:
        """The rows of one document (passages in document order, the tagging stage's tags)."""
        texts = {p.index: p.text for p in passages}
        located: dict[int, list[PassageTag]] = defaultdict(list)
        for t in tags:
            if t.kind in _STATEMENT_KINDS and t.passage_index in texts:
                located[t.passage_index].append(
                    passage_tag(t.kind, t.commitment, t.text, texts[t.passage_index])
                )
        return self.rows(
            index_document(passages, located, region="", document="", document_id=0, genre=genre)
        )

    def rows(self, items: list[IndexedPassage]) -> DocumentEvidence:
        hits = [self.matcher.hits(it.passage.text) for it in items]
        cos = z = vectors = None
        if self.semantic and items:
            assert self.embedder is not None and self.background is not None
            vectors = self.embedder.embed_passages([it.passage.text for it in items])
            cos = theme_cosines(self.centroids(), vectors)
            z = (cos - self.background[0]) / self.background[1]
        out: list[ThemeEvidenceRow] = []
        for row, theme_id in enumerate(self.ids):
            theme_rows = self._theme_rows(items, hits, row, theme_id, cos, z)
            if cos is not None and vectors is not None and theme_rows:
                theme_rows = self._with_relevance(items, hits, theme_id, theme_rows, cos, vectors)
            out += theme_rows
        model = self.embedder.name if self.semantic and self.embedder is not None else ""
        return DocumentEvidence(self.fingerprint, model, out)

    def _theme_rows(
        self,
        items: list[IndexedPassage],
        hits: list[list[TermHit]],
        row: int,
        theme_id: str,
        cos: np.ndarray | None,
        z: np.ndarray | None,
    ) -> list[ThemeEvidenceRow]:
        """The candidates of one theme: each term hit of a quotable passage, then passages close in
        meaning (z ≥ SEMANTIC_FLOOR_Z) without a term."""
        out: list[ThemeEvidenceRow] = []
        with_terms: set[int] = set()
        for i, it in enumerate(items):
            own = [h for h in hits[i] if h.theme_id == theme_id]
            if not own:
                continue
            with_terms.add(i)
            if not it.quotable:
                continue
            terms = ", ".join(sorted({h.term for h in own}))
            c = float(cos[row, i]) if cos is not None else None
            zz = float(z[row, i]) if z is not None else None
            for seq, h in enumerate(own):
                reading = passage_reading(it, h.start, h.end)
                out.append(self._row(it, theme_id, seq, h, reading, terms, [(h.start, h.end)], c, zz))
        if z is not None and cos is not None:
            for i in np.nonzero(z[row] >= SEMANTIC_FLOOR_Z)[0].tolist():
                if i not in with_terms and items[i].quotable:
                    reading = PassageReading("semantic", items[i].passage.kind)
                    c, zz = float(cos[row, i]), float(z[row, i])
                    out.append(self._row(items[i], theme_id, 0, None, reading, "", None, c, zz))
        return out

    @staticmethod
    def _row(
        it: IndexedPassage,
        theme_id: str,
        seq: int,
        hit: TermHit | None,
        reading: PassageReading,
        terms: str,
        spans: list[tuple[int, int]] | None,
        cosine: float | None,
        z: float | None,
    ) -> ThemeEvidenceRow:
        quote, offset, match = quote_and_match(it, spans)
        return ThemeEvidenceRow(
            passage_index=it.passage.index,
            theme=theme_id,
            seq=seq,
            term=hit.term if hit else "",
            surface=hit.surface if hit else "",
            start=hit.start if hit else 0,
            end=hit.end if hit else 0,
            lexical=hit.quality if hit else 0.0,
            weak=bool(hit and hit.strength == "weak"),
            role=reading.role,
            kind=reading.kind,
            commitment=reading.commitment,
            enumeration=reading.enumeration,
            terms=terms,
            quote_start=offset,
            quote_end=offset + len(quote),
            match_start=match[0][0] if match else None,
            match_end=match[0][1] if match else None,
            cosine=cosine,
            z=z,
            relevance=None,
        )

    def _with_relevance(
        self,
        items: list[IndexedPassage],
        hits: list[list[TermHit]],
        theme_id: str,
        rows: list[ThemeEvidenceRow],
        cos: np.ndarray,
        vectors: np.ndarray,
    ) -> list[ThemeEvidenceRow]:
        from dataclasses import replace

        assert self.model is not None
        position = {it.passage.index: i for i, it in enumerate(items)}
        chosen = sorted({position[r.passage_index] for r in rows})
        probability = relevance_probabilities(
            self.model,
            self.taxonomy,
            theme_id,
            [items[i].passage.text for i in chosen],
            [hits[i] for i in chosen],
            cos[:, chosen],
            vectors[chosen],
            self.centroids(),
            [items[i].genre for i in chosen],
        )
        of = {items[i].passage.index: p for i, p in zip(chosen, probability, strict=True)}
        return [replace(r, relevance=of[r.passage_index]) for r in rows]


# theme centroids per (fingerprint, model): a Dask worker's tasks each bring a new embedder of one model
_CENTROIDS: dict[tuple[str, str], np.ndarray] = {}


class StoredEvidence:
    """The theme evidence of a store, read from its theme_evidence table for one ThemeIndex."""

    def __init__(self, store: Store, semantic: bool, min_z: float) -> None:
        self.store = store
        self.semantic = semantic
        self.min_z = min_z

    @classmethod
    def open(cls, index: ThemeIndex) -> StoredEvidence | None:
        """The reader for this index, after bringing the table up to date; None where the table cannot
        answer as the in-memory path would (z relative to the store, a lower semantic_z, a store that
        cannot be written while rows are missing)."""
        builder = EvidenceBuilder(index.taxonomy, index.embedder)
        if index.embedder is not None and not builder.semantic:
            return None  # z against the store's own passages: only the whole store knows it
        if index.thresholds.semantic_z < SEMANTIC_FLOOR_Z:
            return None
        model = builder.embedder.name if builder.semantic and builder.embedder else None
        stale = index.store.stale_evidence(builder.fingerprint, model)
        if stale:
            if index.store.conn.in_transaction:  # a reader's pinned snapshot never writes
                log.info("theme evidence of %d documents missing; matching in memory", len(stale))
                return None
            try:
                rebuild(index.store, builder, stale)
            except sqlite3.OperationalError as exc:  # a read-only file
                log.warning("theme evidence not stored (%s); matching in memory", exc)
                return None
        return cls(index.store, builder.semantic, index.thresholds.semantic_z)

    def theme_evidence(
        self, theme_id: str, regions: list[str] | None = None
    ) -> dict[str, list[PassageEvidence]]:
        """Evidence candidates per region for a taxonomy theme, as `ThemeIndex._theme_evidence` gives
        (of `regions` only, when given)."""
        out: dict[str, list[PassageEvidence]] = defaultdict(list)
        semantic = self.semantic
        rows = self.store.theme_evidence_rows(theme_id, semantic=semantic, min_z=self.min_z, regions=regions)
        sections: dict[str, str] = {}  # a document's passages share a few section paths
        for r in rows:
            if (raw := r["section"]) not in sections:
                sections[raw] = " › ".join(json.loads(raw))
            term = r["term"]
            cosine = r["cosine"] if semantic else None
            z = r["z"] if semantic else 0.0
            reading = PassageReading(r["role"], r["kind"], r["commitment"], r["enumeration"])
            if term:
                hit = TermHit(theme_id, term, r["surface"], r["start"], r["end"], r["lexical"],
                              "weak" if r["weak"] else "strong")  # fmt: skip
                terms = r["terms"].split(", ") if r["terms"] else []
                why = term_explanation(hit, reading, terms, cosine, z if semantic else 1.5)
            else:
                why = semantic_explanation(r["cosine"], r["z"])
            region = r["region"] or "unknown"
            out[region].append(
                PassageEvidence(
                    passage_id=r["passage_id"],
                    region=region,
                    document=r["document"],
                    page=r["page"],
                    section=sections[raw],
                    text=r["quote"],
                    role=reading.role,
                    kind=reading.kind,
                    commitment=reading.commitment,
                    enumeration=reading.enumeration,
                    match=[(r["match_start"], r["match_end"])] if r["match_start"] is not None else [],
                    document_id=r["document_id"],
                    genre=r["genre"],
                    term=term,
                    fuzzy=0.0 if not term or r["lexical"] >= 1.0 else r["lexical"],
                    cosine=cosine or 0.0,
                    z=z,
                    lexical=r["lexical"],
                    weak=bool(r["weak"]),
                    explanation=why,
                    relevance=r["relevance"] if semantic else None,
                )
            )
        return out


def rebuild(store: Store, builder: EvidenceBuilder, document_ids: list[int]) -> None:
    """Compute and store the theme evidence of stored documents, one transaction each (the one-time step
    for a store written before the table existed, or after the taxonomy, genre or model changed)."""
    log.warning("computing the theme evidence of %d document(s) once", len(document_ids))
    docs = {d.id: d for d in store.documents()}
    for doc_id in document_ids:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        passages = store.passages(document_id=doc_id)
        index_of = {p.id: p.index for p in passages}
        located: dict[int, list[PassageTag]] = defaultdict(list)
        for t in store.tags(document_id=doc_id):
            if t.kind in _STATEMENT_KINDS and t.passage_id in index_of:
                located[index_of[t.passage_id]].append(
                    passage_tag(t.kind, t.commitment, t.text, t.passage_text)
                )
        items = index_document(
            passages, located, region="", document="", document_id=doc_id, genre=doc.meta.genre
        )
        store.put_theme_evidence(doc_id, builder.rows(items))
