"""Cross-region passage similarity: centring, threshold calibration and k nearest neighbours.

Sentence embeddings such as multilingual-e5 are anisotropic: every passage of a Swedish health plan sits
in a narrow cone (raw cosines of unrelated passages are 0.8-0.9), and long generic passages become "hubs"
close to everything. Subtracting the corpus mean before comparing removes the shared "this is a Nära vård
plan" direction, so the remaining cosine measures what two passages say beyond the genre. The edge
threshold is then calibrated on the corpus itself: a pair must be more similar than ``quantile`` of all
cross-region pairs, which carries over between models and corpora where a fixed number would not.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planmine.errors import UsageError

MAX_SAMPLED_PAIRS = 200_000
BLOCK_ROWS = 1024


@dataclass(frozen=True)
class NeighbourConfig:
    """When and how the kNN goes through an approximate index instead of comparing every pair."""

    ann_min_nodes: int = 20_000  # below this the exact blockwise search is fast enough (6 s at 15k)
    oversample: int = 4  # neighbours fetched per wanted one, since same-region hits are dropped
    connectivity: int = 16  # HNSW graph degree (usearch)
    expansion_add: int = 64
    expansion_search: int = 64
    max_fetch: int = 2_048  # most candidates fetched per row from the persistent index


NEIGHBOURS = NeighbourConfig()


@dataclass(frozen=True)
class StoredNeighbours:
    """A persistent passage index (planmine.vector_index.PassageIndex) over the nodes and maybe more.

    ``node_ids`` are the index keys (passage ids) of the rows; ``shift`` is subtracted from each raw
    vector before searching, so that an inner-product search over raw vectors ranks by the centred dot
    product (⟨a - m, b - m⟩ = ⟨a - m, b⟩ + const for a fixed a); candidates are re-ranked exactly.
    """

    index: Any  # .search(queries, k) -> (ids, cosines); len() = passages indexed
    node_ids: np.ndarray
    shift: np.ndarray | float = 0.0


@dataclass(frozen=True)
class SimilarPair:
    """One passage–passage edge: positions in the input, raw cosine and centred cosine."""

    source: int
    target: int
    cosine: float
    centred: float


def centre(vectors: np.ndarray) -> np.ndarray:
    """Subtract the mean vector and L2-normalise again (rows with zero norm stay zero)."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)


def region_codes(regions: Sequence[str]) -> np.ndarray:
    """Regions as small integers (sorted names, so the same input gives the same codes)."""
    names = sorted(set(regions))
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[r] for r in regions], dtype=np.int64)


def cross_region_cosines(
    vectors: np.ndarray, regions: Sequence[str], *, seed: int = 0, max_pairs: int = MAX_SAMPLED_PAIRS
) -> np.ndarray:
    """Cosines of passage pairs from different regions: all of them, or a seeded sample of ``max_pairs``."""
    codes = region_codes(regions)
    n = len(codes)
    if n < 2 or len(set(codes.tolist())) < 2:
        return np.empty(0, dtype=np.float32)
    if n * (n - 1) // 2 <= max_pairs:
        rows, cols = np.triu_indices(n, k=1)
        keep = codes[rows] != codes[cols]
        return (vectors @ vectors.T)[rows[keep], cols[keep]].astype(np.float32)
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, size=max_pairs)
    cols = rng.integers(0, n, size=max_pairs)
    keep = codes[rows] != codes[cols]
    rows, cols = rows[keep], cols[keep]
    chunks = [
        np.einsum("ij,ij->i", vectors[rows[i : i + 20_000]], vectors[cols[i : i + 20_000]])
        for i in range(0, len(rows), 20_000)
    ]
    return np.concatenate(chunks).astype(np.float32)


def calibrate_threshold(
    vectors: np.ndarray, regions: Sequence[str], *, quantile: float = 0.99, seed: int = 0
) -> float:
    """The cosine above which a cross-region pair counts as similar: the ``quantile`` of all such pairs.

    With ``quantile=0.99`` an edge is drawn only between passages more alike than 99 % of passage pairs
    from different regions, whatever the embedding model's cosine scale is.
    """
    if not 0.0 < quantile < 1.0:
        raise UsageError(f"The edge quantile must be between 0 and 1 (exclusive), got {quantile}.")
    cosines = cross_region_cosines(vectors, regions, seed=seed)
    if cosines.size == 0:
        return 1.0  # one region only: no cross-region edge can exist
    return float(np.quantile(cosines, quantile))


def cross_region_neighbours(
    vectors: np.ndarray,
    raw_vectors: np.ndarray,
    regions: Sequence[str],
    *,
    k: int,
    threshold: float,
    mutual_threshold: float | None = None,
    config: NeighbourConfig = NEIGHBOURS,
    stored: StoredNeighbours | None = None,
) -> list[SimilarPair]:
    """Undirected kNN edges between passages of different regions.

    Each passage proposes its ``k`` most similar passages from other regions. A proposed pair becomes an
    edge when its cosine reaches ``threshold`` (either side proposing it is enough, so a specific passage
    can attach to a broad one), or when both passages propose each other (mutual nearest neighbours) and
    its cosine reaches the lower ``mutual_threshold``: being each other's best match across regions is
    evidence of a shared topic that adapts to how crowded each passage's neighbourhood is.
    ``vectors`` are the (centred) vectors the thresholds apply to; ``raw_vectors`` give the reported cosine.
    From ``config.ann_min_nodes`` passages on, neighbours come from an HNSW index (usearch), so the cost
    grows as n log n rather than n²: the persistent index beside the store (``stored``) when given, else
    one built for this call.
    """
    codes = region_codes(regions)
    n = len(codes)
    if n < 2 or k < 1:
        return []
    low = threshold if mutual_threshold is None else min(threshold, mutual_threshold)
    k_eff = min(k, n - 1)
    proposals: dict[tuple[int, int], tuple[float, int]] = {}  # pair -> (centred cosine, times proposed)
    for i, candidates, sims in _candidates(vectors, codes, k_eff, config, raw_vectors, stored):
        for j, similarity in zip(candidates.tolist(), sims.tolist(), strict=True):
            if not np.isfinite(similarity) or similarity < low:
                continue
            key = (min(i, j), max(i, j))
            _, times = proposals.get(key, (similarity, 0))
            proposals[key] = (similarity, times + 1)
    pairs = []
    for (i, j), (similarity, times) in sorted(proposals.items()):
        if similarity >= threshold or times == 2:
            cosine = float(raw_vectors[i] @ raw_vectors[j])
            pairs.append(SimilarPair(i, j, cosine, similarity))
    return pairs


def _candidates(
    vectors: np.ndarray,
    codes: np.ndarray,
    k: int,
    config: NeighbourConfig,
    raw_vectors: np.ndarray | None = None,
    stored: StoredNeighbours | None = None,
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(row, its k best cross-region candidates, their similarities) for every row."""
    n = len(codes)
    rows = np.arange(n)
    if n >= config.ann_min_nodes and stored is not None and raw_vectors is not None:
        rest = yield from _stored_candidates(vectors, raw_vectors, codes, k, config, stored)
        rows = np.array(rest, dtype=np.int64)
    elif n >= config.ann_min_nodes and (index := _ann_index(vectors, config)) is not None:
        short: list[int] = []
        for start in range(0, n, BLOCK_ROWS * 8):
            stop = min(start + BLOCK_ROWS * 8, n)
            found = index.search(vectors[start:stop], k * config.oversample, threads=_threads())
            keys = np.asarray(found.keys, dtype=np.int64).reshape(stop - start, -1)
            sims = 1.0 - np.asarray(found.distances, dtype=np.float32).reshape(stop - start, -1)
            for row in range(stop - start):
                i = start + row
                keep = (keys[row] >= 0) & (keys[row] < n)
                keep[keep] &= codes[keys[row][keep]] != codes[i]
                if keep.sum() < k:  # a crowded region hid the others: search this row exactly
                    short.append(i)
                    continue
                yield i, keys[row][keep][:k], sims[row][keep][:k]
        rows = np.array(short, dtype=np.int64)
    for start in range(0, len(rows), BLOCK_ROWS):
        block = rows[start : start + BLOCK_ROWS]
        sims = vectors[block] @ vectors.T
        sims[codes[block, None] == codes[None, :]] = -np.inf
        top = np.argpartition(-sims, kth=k - 1, axis=1)[:, :k]
        for row, i in enumerate(block.tolist()):
            yield i, top[row], sims[row, top[row]]


def _stored_candidates(
    vectors: np.ndarray,
    raw_vectors: np.ndarray,
    codes: np.ndarray,
    k: int,
    config: NeighbourConfig,
    stored: StoredNeighbours,
) -> Generator[tuple[int, np.ndarray, np.ndarray], None, list[int]]:
    """Candidates from the persistent index, re-ranked by the exact similarity; returns the short rows.

    The index holds every passage, the graph only some: each row fetches as many more as the index is
    larger than the graph, and keeps the graph's nodes from other regions.
    """
    n = len(codes)
    order = np.argsort(stored.node_ids, kind="stable")
    sorted_ids = stored.node_ids[order]
    spread = max(1, -(-len(stored.index) // n))
    fetch = min(k * config.oversample * spread, config.max_fetch, len(stored.index))
    short: list[int] = []
    for start in range(0, n, BLOCK_ROWS * 8):
        stop = min(start + BLOCK_ROWS * 8, n)
        queries = np.asarray(raw_vectors[start:stop], dtype=np.float32) - stored.shift
        keys, _ = stored.index.search(queries, fetch)
        position = np.searchsorted(sorted_ids, keys).clip(0, n - 1)
        found = (sorted_ids[position] == keys) & (keys >= 0)
        nodes = order[position]
        for row in range(stop - start):
            i = start + row
            candidates = nodes[row][found[row]]
            candidates = candidates[codes[candidates] != codes[i]]
            if len(candidates) < k:
                short.append(i)
                continue
            sims = vectors[candidates] @ vectors[i]
            top = np.argpartition(-sims, kth=k - 1)[:k]
            yield i, candidates[top], sims[top]
    return short


def _ann_index(vectors: np.ndarray, config: NeighbourConfig) -> Any:
    """An inner-product HNSW index over the rows, or None when usearch is not installed."""
    try:
        from usearch.index import Index
    except ImportError:
        return None
    index = Index(
        ndim=vectors.shape[1],
        metric="ip",
        dtype="f32",
        connectivity=config.connectivity,
        expansion_add=config.expansion_add,
        expansion_search=config.expansion_search,
    )
    index.add(np.arange(len(vectors)), np.ascontiguousarray(vectors, dtype=np.float32), threads=_threads())
    return index


def _threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
