"""Cross-region passage similarity: centring, threshold calibration and k nearest neighbours.

Sentence embeddings such as multilingual-e5 are anisotropic: every passage of a Swedish health plan sits
in a narrow cone (raw cosines of unrelated passages are 0.8-0.9), and long generic passages become "hubs"
close to everything. Subtracting the corpus mean before comparing removes the shared "this is a Nära vård
plan" direction, so the remaining cosine measures what two passages say beyond the genre. The edge
threshold is then calibrated on the corpus itself: a pair must be more similar than ``quantile`` of all
cross-region pairs, which carries over between models and corpora where a fixed number would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planmine.errors import UsageError

MAX_SAMPLED_PAIRS = 200_000
BLOCK_ROWS = 1024


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
    total_pairs = n * (n - 1) // 2
    if total_pairs <= max_pairs:
        rows, cols = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(seed)
        rows = rng.integers(0, n, size=max_pairs)
        cols = rng.integers(0, n, size=max_pairs)
    keep = codes[rows] != codes[cols]
    rows, cols = rows[keep], cols[keep]
    return np.einsum("ij,ij->i", vectors[rows], vectors[cols]).astype(np.float32)


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
) -> list[SimilarPair]:
    """Undirected kNN edges between passages of different regions whose cosine reaches ``threshold``.

    Each passage proposes its ``k`` most similar passages from other regions; a pair is kept when either
    side proposes it (the union, so a specific passage can still attach to a broad one). ``vectors`` are
    the (centred) vectors the threshold applies to; ``raw_vectors`` give the reported cosine.
    """
    codes = region_codes(regions)
    n = len(codes)
    pairs: dict[tuple[int, int], SimilarPair] = {}
    if n < 2 or k < 1:
        return []
    k_eff = min(k, n - 1)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        sims = vectors[start:stop] @ vectors.T
        same_region = codes[start:stop, None] == codes[None, :]
        sims[same_region] = -np.inf
        # argpartition then a stable sort on (-similarity, index): ties broken by position, deterministic
        top = np.argpartition(-sims, kth=k_eff - 1, axis=1)[:, :k_eff]
        for row, candidates in enumerate(top):
            i = start + row
            for j in sorted(candidates.tolist(), key=lambda c: (-sims[row, c], c)):
                similarity = float(sims[row, j])
                if not np.isfinite(similarity) or similarity < threshold:
                    continue
                key = (min(i, j), max(i, j))
                if key not in pairs:
                    cosine = float(raw_vectors[i] @ raw_vectors[j])
                    pairs[key] = SimilarPair(key[0], key[1], cosine, similarity)
    return [pairs[key] for key in sorted(pairs)]
