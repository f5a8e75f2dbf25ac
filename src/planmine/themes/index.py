"""The theme index of a store: passages, term hits, passage roles, vectors and BM25, built once per store.

`ThemeIndex.theme_evidence(theme_id)` and `ThemeIndex.text_evidence(query)` return the passage evidence
per region that `decision.decide` turns into levels; `query.answer` and `compare.compare` share it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from planmine.themes.decision import (
    DEFAULT_THRESHOLDS,
    PassageEvidence,
    RegionQuality,
    Role,
    Thresholds,
    passage_weight,
    semantic_weight,
)
from planmine.themes.matcher import TermHit, ThemeMatcher
from planmine.themes.semantic import Embedder, ThemeVectors, passage_vectors
from planmine.themes.taxonomy import Taxonomy, load_taxonomy
from planmine.themes.text import (
    STOPWORDS,
    enumeration_size,
    is_background,
    is_commitment,
    is_imperative,
    ocr_fold,
    sentences,
    stems,
)
from planmine.types import Passage

_INDICATOR_HEAD = re.compile(r"^\s*(indikator\w*|kalla|matt\w*)\b")
_ACTIVITY_HEAD = re.compile(r"^\s*(malomrade\w*|aktivitet\w*|atgard\w*|insats\w*)\b")


@dataclass
class IndexedPassage:
    """A passage with what matching needs: region, document, folded text, table context."""

    passage: Passage
    region: str
    document: str
    folded: str
    table_context: str = ""  # "indicator" or "activity" for rows of such a table
    tag_kinds: tuple[tuple[str, str | None, int, int], ...] = ()  # (kind, commitment, start, end)


class ThemeIndex:
    """Everything about one store that matching and answering need, computed once."""

    def __init__(
        self,
        store: Any,
        embedder: Embedder | None = None,
        taxonomy: Taxonomy | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.taxonomy = taxonomy or load_taxonomy()
        self.thresholds = thresholds
        self.matcher = ThemeMatcher(self.taxonomy)
        self._load()
        self._hits: list[list[TermHit]] = [self.matcher.hits(p.passage.text) for p in self.items]
        self._theme_passages: dict[str, list[int]] = defaultdict(list)
        for i, hits in enumerate(self._hits):
            for theme_id in {h.theme_id for h in hits}:
                self._theme_passages[theme_id].append(i)
        self._vectors: np.ndarray | None = None
        self._theme_vectors: ThemeVectors | None = None
        self._theme_z: np.ndarray | None = None
        self._bm25: Any = None
        self._stems: list[list[str]] | None = None
        self._theme_cache: dict[str, dict[str, list[PassageEvidence]]] = {}

    # --- loading ----------------------------------------------------------------------------------
    def _load(self) -> None:
        docs = list(self.store.documents())
        self.documents = {d.id: d for d in docs}
        self.regions: list[str] = sorted({str(getattr(d, "region", "") or "unknown") for d in docs})
        tags_by_passage: dict[tuple[int, int], list[tuple[str, str | None, int, int]]] = defaultdict(list)
        try:
            for tag in self.store.tags():
                key = (getattr(tag, "document_id", None), getattr(tag, "passage_index", None))
                if None not in key:
                    tags_by_passage[key].append(  # type: ignore[index]
                        (tag.kind, getattr(tag, "commitment", None), tag.start, tag.end)
                    )
        except Exception:  # a store without tags (not yet tagged): heuristics decide passage roles
            pass
        self.items: list[IndexedPassage] = []
        self.quality: dict[str, RegionQuality] = {r: RegionQuality(region=r) for r in self.regions}
        for doc in docs:
            region = str(getattr(doc, "region", "") or "unknown")
            q = self.quality[region]
            q.documents += 1
            title = str(getattr(doc, "title", "") or getattr(doc, "path", "") or f"document {doc.id}")
            self._page_quality(doc, q)
            table_context = ""
            for p in sorted(self.store.passages(document_id=doc.id), key=lambda p: p.index):
                if not p.text.strip():
                    continue
                folded = ocr_fold(p.text)
                if p.kind == "table_row":
                    if _INDICATOR_HEAD.match(folded):
                        table_context = "indicator"
                    elif _ACTIVITY_HEAD.match(folded):
                        table_context = "activity"
                elif p.kind == "heading":
                    table_context = ""
                self.items.append(
                    IndexedPassage(
                        passage=p,
                        region=region,
                        document=title,
                        folded=folded,
                        table_context=table_context if p.kind == "table_row" else "",
                        tag_kinds=tuple(tags_by_passage.get((doc.id, p.index), ())),
                    )
                )
                q.passages += 1
                q.chars += len(p.text)
        self.region_of = [it.region for it in self.items]

    def _page_quality(self, doc: Any, q: RegionQuality) -> None:
        pages = []
        if hasattr(self.store, "pages"):
            try:
                pages = list(self.store.pages(doc.id))
            except Exception:
                pages = []
        for page in pages:
            q.pages += 1
            if not str(getattr(page, "text", "")).strip():
                q.unreadable_pages += 1
            conf = getattr(page, "ocr_confidence", None)
            if getattr(page, "ocr", False) and conf is not None and conf < self.thresholds.min_ocr_confidence:
                q.low_confidence_pages += 1
        failed = getattr(doc, "failed_pages", 0) or 0
        q.unreadable_pages += int(failed)

    # --- roles ------------------------------------------------------------------------------------
    def role(self, i: int, start: int, end: int) -> tuple[Role, int]:
        """What the passage says around [start, end): goal, activity, heading, paragraph or background."""
        item = self.items[i]
        for kind, commitment, s, e in item.tag_kinds:
            if s < end and start < e:
                if commitment == "background":
                    return "background", 1
                if kind in ("goal", "activity"):
                    return kind, 1  # type: ignore[return-value]
                if kind == "indicator":
                    return "background", 1
        folded = item.folded
        sentence = folded
        s_start = 0
        for a, b in sentences(folded):
            if a <= start < b:
                sentence, s_start = folded[a:b], a
                break
        enum = enumeration_size(sentence, start - s_start, end - s_start)
        kind = item.passage.kind
        if kind == "heading":
            return "heading", 1
        if kind == "table_row":
            if item.table_context == "indicator":
                return "background", enum
            return "activity", enum
        if kind == "list_item":
            if is_background(sentence) and not is_commitment(sentence):
                return "background", enum
            if is_imperative(sentence) or is_commitment(sentence) or len(sentence.split()) <= 8:
                return "activity", enum
            return "paragraph", enum
        if is_background(sentence) and not is_imperative(sentence) and not is_commitment(sentence):
            return "background", enum
        if is_imperative(sentence):
            return "activity", enum
        if is_commitment(sentence):
            return "goal", enum
        if is_commitment(folded):
            return "statement", enum
        return "paragraph", enum

    # --- semantic ---------------------------------------------------------------------------------
    def vectors(self) -> np.ndarray | None:
        if self.embedder is None:
            return None
        if self._vectors is None:
            texts = [it.passage.text for it in self.items]
            self._vectors = passage_vectors(
                self.store, self.embedder, texts, [it.passage.hash for it in self.items]
            )
        return self._vectors

    def theme_vectors(self) -> ThemeVectors | None:
        if self.embedder is None:
            return None
        if self._theme_vectors is None:
            self._theme_vectors = ThemeVectors(self.taxonomy, self.embedder, self.store)
        return self._theme_vectors

    def theme_z(self) -> np.ndarray | None:
        """Per theme × passage: how many standard deviations the cosine lies above the theme's mean."""
        vecs, tv = self.vectors(), self.theme_vectors()
        if vecs is None or tv is None or not len(vecs):
            return None
        if self._theme_z is None:
            sims = tv.centroids @ vecs.T
            mu = sims.mean(axis=1, keepdims=True)
            sd = sims.std(axis=1, keepdims=True) + 1e-6
            self._cos = sims
            self._theme_z = (sims - mu) / sd
        return self._theme_z

    # --- evidence ---------------------------------------------------------------------------------
    def _evidence(self, i: int, role: Role, weight: float, **kw: Any) -> PassageEvidence:
        it = self.items[i]
        return PassageEvidence(
            passage_id=int(it.passage.id if it.passage.id is not None else i),
            region=it.region,
            document=it.document,
            page=it.passage.page,
            section=it.passage.section_path,
            text=it.passage.text,
            role=role,
            weight=round(weight, 4),
            **kw,
        )

    def theme_evidence(self, theme_id: str) -> dict[str, list[PassageEvidence]]:
        """Evidence passages per region for a taxonomy theme: term hits, plus strong semantic neighbours."""
        if theme_id not in self._theme_cache:
            self._theme_cache[theme_id] = self._theme_evidence(theme_id)
        return self._theme_cache[theme_id]

    def _theme_evidence(self, theme_id: str) -> dict[str, list[PassageEvidence]]:
        self.taxonomy.get(theme_id)
        t = self.thresholds
        zs = self.theme_z()
        row = self.taxonomy.ids().index(theme_id)
        out: dict[str, list[PassageEvidence]] = defaultdict(list)
        with_terms = set(self._theme_passages.get(theme_id, ()))
        for i in with_terms:
            hits = [h for h in self._hits[i] if h.theme_id == theme_id]
            z = float(zs[row, i]) if zs is not None else 1.5
            cos = float(self._cos[row, i]) if zs is not None else 0.0
            sem = min(max(z / 3.0, 0.0), 1.0)
            best: tuple[float, TermHit, Role] | None = None
            for h in hits:
                role, enum = self.role(i, h.start, h.end)
                w = passage_weight(role, h.quality, h.strength == "strong", enum, sem)
                if best is None or w > best[0]:
                    best = (w, h, role)
            assert best is not None
            w, h, role = best
            terms = sorted({x.term for x in hits})
            why = f"term '{h.term}' as '{h.surface}'"
            why += f" (fuzzy {h.quality:.2f})" if h.quality < 1 else ""
            why += f"{' (related term)' if h.strength == 'weak' else ''} in {role}"
            why += f"; cosine {cos:.3f} (z {z:.1f})" if zs is not None else ""
            if len(terms) > 1:
                why += f"; terms {', '.join(terms)}"
            out[self.items[i].region].append(
                self._evidence(
                    i,
                    role,
                    w,
                    term=h.term,
                    fuzzy=h.fuzzy,
                    cosine=cos,
                    lexical=h.quality,
                    weak=h.strength == "weak",
                    explanation=why,
                )
            )
        if zs is not None:
            cand = [int(c) for c in np.nonzero(zs[row] >= t.semantic_z)[0]]
            for i in cand:
                if i in with_terms:
                    continue
                w = semantic_weight(float(zs[row, i]), t)
                if w <= 0:
                    continue
                why = f"by meaning only: cosine {float(self._cos[row, i]):.3f} (z {float(zs[row, i]):.1f})"
                out[self.items[i].region].append(
                    self._evidence(int(i), "semantic", w, cosine=float(self._cos[row, i]), explanation=why)
                )
        return out

    def _bm25_index(self) -> tuple[Any, list[list[str]]]:
        if self._bm25 is None:
            import bm25s

            self._stems = [stems(it.passage.text) for it in self.items]
            retriever = bm25s.BM25()
            retriever.index([s or ["_"] for s in self._stems], show_progress=False)
            self._bm25 = retriever
        assert self._stems is not None
        return self._bm25, self._stems

    def text_evidence(self, query: str, qvec: np.ndarray | None = None) -> dict[str, list[PassageEvidence]]:
        """Evidence per region for a free-text question: BM25 over stems plus cosine to the question."""
        q_stems = [s for s in dict.fromkeys(stems(query)) if s not in STOPWORDS]
        retriever, all_stems = self._bm25_index()
        n = len(self.items)
        bm = np.zeros(n, dtype=np.float32)
        if q_stems:
            bm = np.asarray(retriever.get_scores(q_stems), dtype=np.float32)
        # coverage: idf-weighted share of the question's content words found in the passage
        df = {s: sum(1 for ps in all_stems if s in ps) for s in q_stems}
        idf = {s: float(np.log(1 + n / (1 + df[s]))) for s in q_stems}
        total = sum(idf.values()) or 1.0
        z = np.zeros(n, dtype=np.float32)
        cos = np.zeros(n, dtype=np.float32)
        vecs = self.vectors()
        if qvec is not None and vecs is not None and n:
            cos = vecs @ qvec
            z = (cos - cos.mean()) / (cos.std() + 1e-6)
        out: dict[str, list[PassageEvidence]] = defaultdict(list)
        candidates = set(np.nonzero(bm > 0)[0].tolist()) | set(
            np.nonzero(z >= self.thresholds.semantic_z)[0].tolist()
        )
        for i in candidates:
            present = [s for s in q_stems if s in set(all_stems[i])]
            coverage = sum(idf[s] for s in present) / total
            sem = min(max(float(z[i]) / 3.0, 0.0), 1.0)
            lexical = coverage**2 if coverage >= 0.5 else 0.0
            role, enum = self.role(i, 0, len(self.items[i].folded))
            if lexical > 0:
                w = passage_weight(role, lexical, True, enum, sem)
            else:
                w = semantic_weight(float(z[i]), self.thresholds)
            if w <= 0:
                continue
            why = f"BM25 {float(bm[i]):.2f}, words {', '.join(present) or '-'} (coverage {coverage:.2f})"
            if vecs is not None and qvec is not None:
                why += f"; cosine {float(cos[i]):.3f} (z {float(z[i]):.1f})"
            out[self.items[i].region].append(
                self._evidence(
                    i,
                    role if lexical > 0 else "semantic",
                    w,
                    term=" ".join(present),
                    cosine=float(cos[i]),
                    lexical=lexical,
                    explanation=why,
                )
            )
        return out


_CACHE: dict[tuple[int, int, str], tuple[Any, ThemeIndex]] = {}


def get_index(store: Any, embedder: Embedder | None = None, taxonomy: Taxonomy | None = None) -> ThemeIndex:
    """The index of this store (built on first use, then reused while the store object lives)."""
    key = (id(store), id(embedder), ",".join(taxonomy.ids()) if taxonomy else "")
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is store:
        return hit[1]
    index = ThemeIndex(store, embedder, taxonomy)
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (store, index)
    return index
