"""The theme index of a store: passages, term hits, passage roles, vectors and BM25, built once per store.

`ThemeIndex.theme_evidence(theme_id)` and `ThemeIndex.text_evidence(query)` return the passage evidence
per region that `decision.decide` turns into levels; `query.answer` and `compare.compare` share it.
What a passage says (goal, activity, indicator and their commitment) comes from the tagging stage's tags
in the store; passages without such tags fall back to their kind and to statistic/example-list cues.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.themes.evidence import (
    DEFAULT_CONFIG,
    DecisionConfig,
    PassageEvidence,
    PassageReading,
    RegionQuality,
)
from planmine.themes.matcher import TermHit, ThemeMatcher
from planmine.themes.passages import (
    _STATEMENT_KINDS,
    IndexedPassage,
    PassageTag,
    Reading,
    index_document,
    passage_quote,
    passage_reading,
    passage_tag,
    quote_and_match,
    semantic_explanation,
    term_explanation,
    theme_cosines,
)
from planmine.themes.relevance import fixed_background, relevance_model_for, relevance_probabilities
from planmine.themes.semantic import SemanticSearch, ThemeVectors, cached
from planmine.themes.taxonomy import Taxonomy, load_taxonomy
from planmine.themes.text import ocr_fold
from planmine.words import TOKEN, WordIndex

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder, Embedder
    from planmine.store import Store
    from planmine.themes.relevance import RelevanceModel


class ThemeIndex:
    """Everything about one store that matching and answering need, computed once.

    A taxonomy theme's evidence is read from the store's `theme_evidence` table (computed at ingest,
    planmine.themes.materialise) wherever that table can answer; the passages themselves are loaded
    (and matched) only on first use: free-text questions, or the in-memory path where it cannot.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        taxonomy: Taxonomy | None = None,
        thresholds: DecisionConfig = DEFAULT_CONFIG,
        *,
        materialised: bool = True,
    ) -> None:
        from planmine.themes.materialise import StoredEvidence

        self.store = store
        self.embedder: CachedEmbedder | None = cached(embedder, store) if embedder is not None else None
        self.taxonomy = taxonomy or load_taxonomy()
        self.thresholds = thresholds
        self.matcher = ThemeMatcher(self.taxonomy)
        # before the generation: building the table of an older store is a write of its own
        self.stored = StoredEvidence.open(self) if materialised else None
        self.generation = store.generation()
        self._load()
        self._items: list[IndexedPassage] | None = None
        self._hits_of: list[list[TermHit]] | None = None
        self._passages_of: dict[str, list[int]] | None = None
        self._vectors: np.ndarray | None = None
        self._theme_vectors: ThemeVectors | None = None
        self._theme_z: np.ndarray | None = None
        self._cos: np.ndarray | None = None
        self._tokens: dict[str, list[int]] | None = None
        self._theme_cache: dict[str, dict[str, list[PassageEvidence]]] = {}
        self._cell_keys: dict[Any, dict[str, str]] = {}
        self._by_id: dict[int, IndexedPassage] = {}
        self._words: WordIndex | None = None
        self._semantic: SemanticSearch | None = None

    # --- loading ----------------------------------------------------------------------------------
    def _load(self) -> None:
        """Documents and their readable text per region, from SQL (no passage is loaded here)."""
        docs = self.store.documents()
        self.documents = {d.id: d for d in docs}
        self.regions: list[str] = sorted({d.region or "unknown" for d in docs})
        counts = self.store.readable_counts()
        self.doc_quality: dict[int, RegionQuality] = {}
        for doc in docs:
            q = self.doc_quality[doc.id] = RegionQuality(region=doc.region or "unknown")
            q.documents += 1
            q.pages += doc.pages
            q.low_confidence_pages += doc.low_confidence_pages
            q.passages, q.chars, q.unreadable_pages = counts.get(doc.id, (0, 0, 0))
        self.quality = self.quality_of(None)

    @property
    def items(self) -> list[IndexedPassage]:
        """Every readable passage of the store, in document order (loaded on first use)."""
        if self._items is None:
            tags: dict[int, list[PassageTag]] = defaultdict(list)
            for tag in self.store.tags():
                if tag.kind in _STATEMENT_KINDS:
                    tags[tag.passage_id].append(
                        passage_tag(tag.kind, tag.commitment, tag.text, tag.passage_text)
                    )
            items: list[IndexedPassage] = []
            for doc in self.documents.values():
                passages = self.store.passages(document_id=doc.id)
                items += index_document(
                    passages,
                    {p.index: tags[p.id] for p in passages if p.id in tags},
                    region=doc.region or "unknown",
                    document=doc.name,
                    document_id=doc.id,
                    genre=doc.meta.genre,
                )
            self._items = items
        return self._items

    @property
    def region_of(self) -> list[str]:
        return [it.region for it in self.items]

    @property
    def _hits(self) -> list[list[TermHit]]:
        """Per passage its term hits (matched on first use)."""
        if self._hits_of is None:
            self._hits_of = [self.matcher.hits(p.passage.text) for p in self.items]
        return self._hits_of

    @property
    def _theme_passages(self) -> dict[str, list[int]]:
        if self._passages_of is None:
            passages: dict[str, list[int]] = defaultdict(list)
            for i, hits in enumerate(self._hits):
                for theme_id in {h.theme_id for h in hits}:
                    passages[theme_id].append(i)
            self._passages_of = passages
        return self._passages_of

    @property
    def passage_count(self) -> int:
        """Readable passages in the store (without loading them)."""
        return sum(q.passages for q in self.doc_quality.values())

    def passages_by_id(self, ids: Iterable[int]) -> dict[int, IndexedPassage]:
        """Readable passages by id, loaded from the store (with their tags and stored context) on first use;
        the free-text path reads only the passages its words or neighbours hit."""
        want = [i for i in dict.fromkeys(int(x) for x in ids) if i not in self._by_id]
        if want and self._items is not None:  # everything is loaded already
            self._by_id.update({int(it.passage.id): it for it in self._items if it.passage.id is not None})
            want = [i for i in want if i not in self._by_id]
        if want:
            for row in self.store.indexed_passages(want):
                doc = self.documents[row.passage.document_id or 0]
                tags = [
                    passage_tag(k, c, t, row.passage.text) for k, c, t in row.tags if k in _STATEMENT_KINDS
                ]
                self._by_id[int(row.passage.id or 0)] = IndexedPassage(
                    passage=row.passage,
                    region=doc.region or "unknown",
                    document=doc.name,
                    folded=ocr_fold(row.passage.text),
                    table_context=row.table_context,
                    tags=tuple(tags),
                    document_id=doc.id,
                    genre=doc.meta.genre,
                    quotable=row.quotable,
                )
        return {i: self._by_id[i] for i in ids if i in self._by_id}

    def document_order(self) -> dict[int, int]:
        """Each document's rank in the order `items` follows (region, then name)."""
        return {doc_id: k for k, doc_id in enumerate(self.documents)}

    def words(self) -> WordIndex:
        """The store's persistent word index (planmine.words), its vocabulary loaded on first use."""
        if self._words is None:
            self._words = WordIndex(self.store)
        return self._words

    def semantic(self) -> SemanticSearch | None:
        """Question-to-passage similarity: exact over every vector in a small store, else the ANN index."""
        if self.embedder is None:
            return None
        if self._semantic is None:
            self._semantic = SemanticSearch(self)
        return self._semantic

    def quality_of(self, documents: set[int] | None) -> dict[str, RegionQuality]:
        """Per region the readable text of its documents (all, or those in `documents`)."""
        out = {r: RegionQuality(region=r) for r in self.regions}
        for doc_id, dq in self.doc_quality.items():
            q = out[dq.region]
            if documents is not None and doc_id not in documents:
                q.excluded += 1
                genre = self.documents[doc_id].meta.genre or "unclassified"
                if genre not in q.excluded_genres:
                    q.excluded_genres.append(genre)
                continue
            q.documents += 1
            q.pages += dq.pages
            q.low_confidence_pages += dq.low_confidence_pages
            q.unreadable_pages += dq.unreadable_pages
            q.passages += dq.passages
            q.chars += dq.chars
        return out

    # --- what a passage says ----------------------------------------------------------------------
    def reading(self, i: int, start: int, end: int) -> Reading:
        """The role of passage `i` around [start, end): its tag there, else its kind and cues."""
        return passage_reading(self.items[i], start, end)

    def quote(self, i: int, start: int, end: int) -> tuple[str, int]:
        """Whole sentence(s) of passage `i` around [start, end) (the whole passage when it is short),
        and where the quote starts in the passage text."""
        return passage_quote(self.items[i], start, end)

    # --- semantic ---------------------------------------------------------------------------------
    def vectors(self) -> np.ndarray | None:
        """Passage vectors (from the store's cache; computed and cached once where missing)."""
        if self.embedder is None:
            return None
        if self._vectors is None:
            self._vectors = self.embedder.embed_passages([it.passage.text for it in self.items])
        return self._vectors

    def theme_vectors(self) -> ThemeVectors | None:
        if self.embedder is None:
            return None
        if self._theme_vectors is None:
            self._theme_vectors = ThemeVectors(self.taxonomy, self.embedder)
        return self._theme_vectors

    def embed_questions(self, questions: list[str]) -> list[np.ndarray | None]:
        """Question vectors (query prompt), or None each without a model."""
        if self.embedder is None or not questions:
            return [None] * len(questions)
        vecs = self.embedder.embed_queries(questions)
        return [vecs[i] for i in range(len(questions))]

    def theme_z(self) -> np.ndarray | None:
        """Per theme × passage: how many standard deviations the cosine lies above the theme's mean."""
        vecs, tv = self.vectors(), self.theme_vectors()
        if vecs is None or tv is None or not len(vecs):
            return None
        if self._theme_z is None:
            sims = theme_cosines(tv.centroids, vecs)
            mu, sd = self._theme_background(sims, vecs.shape[1])
            self._cos = sims
            self._theme_z = (sims - mu) / sd
        return self._theme_z

    def _theme_background(self, sims: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Per theme: the mean and sd of cosines a passage's z is measured against. The relevance model's
        fixed background (labelled passages of many documents) when it knows this taxonomy and model, so that
        documents added to the store do not move another region's levels; else the store's own passages."""
        if (background := fixed_background(self.taxonomy, dim)) is not None:
            return background
        return sims.mean(axis=1, keepdims=True), sims.std(axis=1, keepdims=True) + 1e-6

    def _relevance_model(self, dim: int) -> RelevanceModel | None:
        """The shipped relevance model where it knows this taxonomy and this embedding size, else None."""
        return relevance_model_for(self.taxonomy, dim)

    # --- evidence ---------------------------------------------------------------------------------
    def evidence(
        self,
        i: int,
        reading: PassageReading,
        spans: list[tuple[int, int]] | None = None,
        **features: Any,
    ) -> PassageEvidence:
        """Passage `i` as evidence: where it is, the quote around the first match with the matched words'
        offsets in it, and the features the decision weighs (no weight: the decision sets it)."""
        return item_evidence(self.items[i], i, reading, spans, **features)

    def theme_evidence(self, theme_id: str) -> dict[str, list[PassageEvidence]]:
        """Evidence candidates per region for a taxonomy theme: each term hit, plus semantic neighbours
        (read from the store's theme_evidence table where it can answer, else matched here)."""
        if theme_id not in self._theme_cache:
            self.taxonomy.get(theme_id)
            if self.stored is not None:
                self._theme_cache[theme_id] = self.stored.theme_evidence(theme_id)
            else:
                self._theme_cache[theme_id] = self._theme_evidence(theme_id)
        return self._theme_cache[theme_id]

    def cell_keys(
        self, documents: set[int] | None, quality: dict[str, RegionQuality], top_k: int
    ) -> dict[str, str]:
        """Per region the theme-independent part of its decided cells' key (planmine.themes.cells)."""
        from dataclasses import asdict

        from planmine.themes.cells import region_keys

        memo = (
            frozenset(documents) if documents is not None else None,
            top_k,
            tuple(sorted((r, repr(asdict(q))) for r, q in quality.items())),
        )
        if memo not in self._cell_keys:
            self._cell_keys[memo] = region_keys(self, documents, quality, top_k)
        return self._cell_keys[memo]

    def region_evidence(self, theme_id: str, regions: list[str]) -> dict[str, list[PassageEvidence]]:
        """`theme_evidence` of some regions only (from the store without loading the others' rows)."""
        if self.stored is None or theme_id in self._theme_cache:
            every = self.theme_evidence(theme_id)
            return {r: every[r] for r in regions if r in every}
        self.taxonomy.get(theme_id)
        return self.stored.theme_evidence(theme_id, regions)

    def _theme_evidence(self, theme_id: str) -> dict[str, list[PassageEvidence]]:
        """The in-memory path: every passage matched and read in this process."""
        self.taxonomy.get(theme_id)
        zs = self.theme_z()
        row = self.taxonomy.ids().index(theme_id)
        out: dict[str, list[PassageEvidence]] = defaultdict(list)
        with_terms = set(self._theme_passages.get(theme_id, ()))
        for i in sorted(with_terms):
            if not self.items[i].quotable:
                continue
            hits = [h for h in self._hits[i] if h.theme_id == theme_id]
            z = float(zs[row, i]) if zs is not None else 1.5
            cos = float(self._cos[row, i]) if self._cos is not None else 0.0
            terms = sorted({x.term for x in hits})
            for h in hits:
                reading = self.reading(i, h.start, h.end)
                out[self.items[i].region].append(
                    self.evidence(
                        i,
                        reading,
                        [(h.start, h.end)],
                        term=h.term,
                        fuzzy=h.fuzzy,
                        cosine=cos,
                        z=z if zs is not None else 0.0,
                        lexical=h.quality,
                        weak=h.strength == "weak",
                        explanation=term_explanation(h, reading, terms, cos if zs is not None else None, z),
                    )
                )
        if zs is not None and self._cos is not None:
            for i in np.nonzero(zs[row] >= self.thresholds.semantic_z)[0].tolist():
                if i not in with_terms:
                    self.add_semantic(out, i, float(self._cos[row, i]), float(zs[row, i]))
        self._attach_relevance(theme_id, out)
        return out

    def _attach_relevance(self, theme_id: str, out: dict[str, list[PassageEvidence]]) -> None:
        """Each candidate's probability of being about the theme, from the shipped relevance model (none
        without a model, vectors, or a taxonomy the model knows: the decision then weighs terms alone)."""
        vecs, tv = self.vectors(), self.theme_vectors()
        if vecs is None or tv is None or self._cos is None:
            return
        if (model := self._relevance_model(vecs.shape[1])) is None:
            return
        row_of = {int(p.passage.id if p.passage.id is not None else i): i for i, p in enumerate(self.items)}
        items = sorted({row_of.get(e.passage_id, -1) for ev in out.values() for e in ev} - {-1})
        if not items:
            return
        probability = dict(
            zip(
                items,
                relevance_probabilities(
                    model,
                    self.taxonomy,
                    theme_id,
                    [self.items[i].passage.text for i in items],
                    [self._hits[i] for i in items],
                    self._cos[:, items],
                    vecs[items],
                    tv.centroids,
                    [self.items[i].genre for i in items],
                ),
                strict=True,
            )
        )
        for ev in out.values():
            for e in ev:
                i = row_of.get(e.passage_id, -1)
                if i in probability:
                    e.relevance = probability[i]

    def add_semantic(self, out: dict[str, list[PassageEvidence]], i: int, cos: float, z: float) -> None:
        """A passage close in meaning but without a matching term: weak evidence on its own."""
        add_semantic_item(out, self.items[i], i, cos, z)

    def theme_passages(self, theme_id: str) -> list[int]:
        """Passages with a term of the theme."""
        return self._theme_passages.get(theme_id, [])

    def token_passages(self) -> dict[str, list[int]]:
        """Every (OCR-folded) word of the store and the passages it occurs in."""
        if self._tokens is None:
            index: dict[str, list[int]] = defaultdict(list)
            for i, it in enumerate(self.items):
                for tok in dict.fromkeys(_TOKEN.findall(it.folded)):
                    index[tok].append(i)
            self._tokens = dict(index)
        return self._tokens


def item_evidence(
    it: IndexedPassage,
    i: int,
    reading: PassageReading,
    spans: list[tuple[int, int]] | None = None,
    **features: Any,
) -> PassageEvidence:
    """A passage as evidence (`i`: its id where it has none): where it is, the quote around the first
    match with the matched words' offsets in it, and the features the decision weighs."""
    quote, _, match = quote_and_match(it, spans)
    return PassageEvidence(
        passage_id=int(it.passage.id if it.passage.id is not None else i),
        region=it.region,
        document=it.document,
        page=it.passage.page,
        section=it.passage.section_path,
        text=quote,
        role=reading.role,
        kind=reading.kind,
        commitment=reading.commitment,
        enumeration=reading.enumeration,
        match=match,
        document_id=it.document_id,
        genre=it.genre,
        **features,
    )


def add_semantic_item(
    out: dict[str, list[PassageEvidence]], it: IndexedPassage, i: int, cos: float, z: float
) -> None:
    """A passage close in meaning but without a matching term: weak evidence on its own."""
    if not it.quotable:
        return
    reading = PassageReading("semantic", it.passage.kind)
    out[it.region].append(
        item_evidence(it, i, reading, cosine=cos, z=z, explanation=semantic_explanation(cos, z))
    )


_TOKEN = TOKEN


_CACHE: dict[tuple[int, int, str], tuple[Any, ThemeIndex]] = {}


def get_index(store: Store, embedder: Embedder | None = None, taxonomy: Taxonomy | None = None) -> ThemeIndex:
    """The index of this store (built on first use, reused until the store changes: its generation)."""
    key = (id(store), id(embedder), ",".join(taxonomy.ids()) if taxonomy else "")
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is store and hit[1].generation == store.generation():
        return hit[1]
    index = ThemeIndex(store, embedder, taxonomy)
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (store, index)
    return index
