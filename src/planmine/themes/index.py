"""The theme index of a store: passages, term hits, passage roles, vectors and BM25, built once per store.

`ThemeIndex.theme_evidence(theme_id)` and `ThemeIndex.text_evidence(query)` return the passage evidence
per region that `decision.decide` turns into levels; `query.answer` and `compare.compare` share it.
What a passage says (goal, activity, indicator and their commitment) comes from the tagging stage's tags
in the store; passages without such tags fall back to their kind and to statistic/example-list cues.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.themes.evidence import (
    DEFAULT_CONFIG,
    DecisionConfig,
    PassageEvidence,
    PassageReading,
    RegionQuality,
    Role,
)
from planmine.themes.matcher import TermHit, ThemeMatcher
from planmine.themes.semantic import SemanticSearch, ThemeVectors, cached
from planmine.themes.taxonomy import Taxonomy, load_taxonomy
from planmine.themes.text import enumeration_size, is_background, ocr_fold, sentences, unquotable
from planmine.types import Passage
from planmine.words import TOKEN, WordIndex

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder, Embedder
    from planmine.store import Store
    from planmine.themes.relevance import RelevanceModel

_INDICATOR_HEAD = re.compile(r"^\s*(indikator\w*|kalla|matt\w*)\b")
_ACTIVITY_HEAD = re.compile(r"^\s*(malomrade\w*|aktivitet\w*|atgard\w*|insats\w*)\b")
_STATEMENT_KINDS = ("goal", "activity", "indicator")
QUOTE_CHARS = 300  # passages up to this long are quoted whole; longer ones by the sentences that match
QUOTE_MIN_CHARS = 60
_COMMITMENT_RANK = {"binding": 3, "intention": 2, None: 1, "background": 0}


@dataclass(frozen=True)
class PassageTag:
    """A goal, activity or indicator the tagging stage found in a passage (offsets into its text)."""

    kind: str
    commitment: str | None
    start: int
    end: int


Reading = PassageReading


@dataclass
class IndexedPassage:
    """A passage with what matching needs: region, document name, folded text, tags, table context."""

    passage: Passage
    region: str
    document: str  # the document's file name
    folded: str
    table_context: str = ""  # "indicator" or "activity" for rows of such a table
    tags: tuple[PassageTag, ...] = ()
    document_id: int = 0
    genre: str = ""
    quotable: bool = True  # False for a table-of-contents line, running header/footer, form field


def passage_tag(kind: str, commitment: str | None, text: str, passage_text: str) -> PassageTag:
    """A tag located in its passage's text (passage-wide where its text is not found, which never happens)."""
    start = passage_text.find(text)
    if start < 0:
        return PassageTag(kind, commitment, 0, len(passage_text))
    return PassageTag(kind, commitment, start, start + len(text))


def index_document(
    passages: Sequence[Passage],
    tags: Mapping[int, Sequence[PassageTag]],
    *,
    region: str,
    document: str,
    document_id: int,
    genre: str,
) -> list[IndexedPassage]:
    """One document's readable passages as index items (`tags` keyed by `Passage.index`): folded text,
    table context and quotability depend on this document alone."""
    passages = [p for p in passages if p.text.strip()]
    repeats = Counter(" ".join(p.text.split()).lower() for p in passages)
    table_context = ""
    items: list[IndexedPassage] = []
    for p in passages:
        folded = ocr_fold(p.text)
        if p.kind == "table_row":
            if _INDICATOR_HEAD.match(folded):
                table_context = "indicator"
            elif _ACTIVITY_HEAD.match(folded):
                table_context = "activity"
        elif p.kind == "heading":
            table_context = ""
        items.append(
            IndexedPassage(
                passage=p,
                region=region,
                document=document,
                folded=folded,
                table_context=table_context if p.kind == "table_row" else "",
                tags=tuple(tags.get(p.index, ())),
                document_id=document_id,
                genre=genre,
                # a repeated heading is a section of its own (cleaning removed running headers)
                quotable=not unquotable(
                    p.text, 1 if p.kind == "heading" else repeats[" ".join(p.text.split()).lower()]
                ),
            )
        )
    return items


def passage_reading(item: IndexedPassage, start: int, end: int) -> Reading:
    """The role of a passage around [start, end): its tag there, else its kind and cues."""
    sentence, s_start = item.folded, 0
    for a, b in sentences(item.folded):
        if a <= start < b:
            sentence, s_start = item.folded[a:b], a
            break
    enum = enumeration_size(sentence, start - s_start, end - s_start)
    here = [t for t in item.tags if t.start < end and start < t.end]
    if here:
        tag = max(here, key=lambda t: (t.kind != "indicator", _COMMITMENT_RANK[t.commitment]))
        role: Role = "background" if tag.commitment == "background" else tag.kind  # type: ignore[assignment]
        return Reading(role, tag.kind, tag.commitment, enum)
    kind = item.passage.kind
    if kind == "heading":
        return Reading("heading", kind, None, enum)
    if kind == "table_row" and item.table_context == "indicator":
        return Reading("indicator", kind, None, enum)
    if is_background(sentence):
        return Reading("background", kind, None, enum)
    stated = [t for t in item.tags if t.kind != "indicator" and t.commitment != "background"]
    if stated:  # the passage states a goal or activity, in another sentence than the match
        best = max(stated, key=lambda t: _COMMITMENT_RANK[t.commitment])
        return Reading("statement", kind, best.commitment, enum)
    return Reading("paragraph", kind, None, enum)


def passage_quote(item: IndexedPassage, start: int, end: int) -> tuple[str, int]:
    """Whole sentence(s) of a passage around [start, end) (the whole passage when it is short), and
    where the quote starts in the passage text."""
    text = item.passage.text
    if len(text) <= QUOTE_CHARS:
        lead = len(text) - len(text.lstrip())
        return text.strip(), lead
    spans = sentences(item.folded)
    first = next((k for k, (a, b) in enumerate(spans) if a <= start < b), 0)
    last = next((k for k, (a, b) in enumerate(spans) if a < end <= b), first)
    last = max(last, first)
    a, b = spans[first][0], spans[last][1]
    while b - a < QUOTE_MIN_CHARS and (first > 0 or last < len(spans) - 1):
        if last < len(spans) - 1:
            last += 1
            b = spans[last][1]
        else:
            first -= 1
            a = spans[first][0]
    piece = text[a:b]
    lead = len(piece) - len(piece.lstrip())
    return piece.strip(), a + lead


def quote_and_match(
    item: IndexedPassage, spans: list[tuple[int, int]] | None
) -> tuple[str, int, list[tuple[int, int]]]:
    """The quote of a passage around its matches, where it starts in the passage text, and the matched
    words' offsets in the quote (none where OCR folding changed the text's length)."""
    if not spans:
        text = item.passage.text
        return text.strip(), len(text) - len(text.lstrip()), []
    quote, offset = passage_quote(item, spans[0][0], spans[-1][1])
    same_length = len(item.folded) == len(item.passage.text)
    match = [
        (s - offset, e - offset) for s, e in spans if same_length and offset <= s and e - offset <= len(quote)
    ]
    return quote, offset, match


class ThemeIndex:
    """Everything about one store that matching and answering need, computed once."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        taxonomy: Taxonomy | None = None,
        thresholds: DecisionConfig = DEFAULT_CONFIG,
    ) -> None:
        self.store = store
        self.generation = store.generation()
        self.embedder: CachedEmbedder | None = cached(embedder, store) if embedder is not None else None
        self.taxonomy = taxonomy or load_taxonomy()
        self.thresholds = thresholds
        self.matcher = ThemeMatcher(self.taxonomy)
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
            sims = tv.centroids @ vecs.T
            mu, sd = self._theme_background(sims, vecs.shape[1])
            self._cos = sims
            self._theme_z = (sims - mu) / sd
        return self._theme_z

    def _theme_background(self, sims: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Per theme: the mean and sd of cosines a passage's z is measured against. The relevance model's
        fixed background (labelled passages of many documents) when it knows this taxonomy and model, so that
        documents added to the store do not move another region's levels; else the store's own passages."""
        if (model := self._relevance_model(dim)) is not None:
            k = [model.theme_ids.index(t) for t in self.taxonomy.ids()]
            return model.background_mean[k][:, None], model.background_sd[k][:, None]
        return sims.mean(axis=1, keepdims=True), sims.std(axis=1, keepdims=True) + 1e-6

    def _relevance_model(self, dim: int) -> RelevanceModel | None:
        """The shipped relevance model where it knows this taxonomy and this embedding size, else None."""
        from planmine.themes.relevance import load_relevance_model

        model = load_relevance_model()
        if (
            model is None
            or set(model.theme_ids) != set(self.taxonomy.ids())
            or model.components.shape[1] != dim
        ):
            return None
        return model

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
        """Evidence candidates per region for a taxonomy theme: each term hit, plus semantic neighbours."""
        if theme_id not in self._theme_cache:
            self._theme_cache[theme_id] = self._theme_evidence(theme_id)
        return self._theme_cache[theme_id]

    def _theme_evidence(self, theme_id: str) -> dict[str, list[PassageEvidence]]:
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
                why = f"term '{h.term}' as '{h.surface}'"
                why += f" (fuzzy {h.quality:.2f})" if h.quality < 1 else ""
                why += f"{' (related term)' if h.strength == 'weak' else ''} in {reading.describe()}"
                why += f"; list of {reading.enumeration}" if reading.enumeration > 1 else ""
                why += f"; cosine {cos:.3f} (z {z:.1f})" if zs is not None else ""
                if len(terms) > 1:
                    why += f"; terms {', '.join(terms)}"
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
                        explanation=why,
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
        from planmine.themes.relevance import theme_features

        vecs, tv = self.vectors(), self.theme_vectors()
        if vecs is None or tv is None or self._cos is None:
            return
        if (model := self._relevance_model(vecs.shape[1])) is None:
            return
        row_of = {int(p.passage.id if p.passage.id is not None else i): i for i, p in enumerate(self.items)}
        items = sorted({row_of.get(e.passage_id, -1) for ev in out.values() for e in ev} - {-1})
        if not items:
            return
        order = [self.taxonomy.ids().index(t) for t in model.theme_ids]
        theme = self.taxonomy.get(theme_id)
        features = theme_features(
            model,
            theme,
            [self.items[i].passage.text for i in items],
            [[h for h in self._hits[i] if h.theme_id == theme_id] for i in items],
            [len({h.theme_id for h in self._hits[i]} - {theme_id}) for i in items],
            self._cos[order][:, items].T,
            vecs[items],
            tv.centroids[self.taxonomy.ids().index(theme_id)],
            [self.items[i].genre for i in items],
        )
        probability = dict(zip(items, model.probabilities(features).tolist(), strict=True))
        for ev in out.values():
            for e in ev:
                i = row_of.get(e.passage_id, -1)
                if i in probability:
                    e.relevance = round(float(probability[i]), 4)

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
    why = f"by meaning only (no term): cosine {cos:.3f} (z {z:.1f})"
    out[it.region].append(item_evidence(it, i, reading, cosine=cos, z=z, explanation=why))


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
