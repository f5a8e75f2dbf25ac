"""The kNN through the HNSW index finds (nearly) the edges the exact search finds."""

from __future__ import annotations

import numpy as np
import pytest

from planmine.graph.similarity import NeighbourConfig, centre, cross_region_neighbours

pytest.importorskip("usearch")


def _clustered(n: int, dim: int = 32, topics: int = 40, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, dim))
    rows = centres[rng.integers(0, topics, size=n)] + 0.35 * rng.normal(size=(n, dim))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    regions = [f"Region {i % 21}" for i in range(n)]
    return rows.astype(np.float32), regions


def _edge_agreement(exact: list, found: list) -> tuple[int, float, float]:
    """How many edges the exact search finds, and the recall and precision of `found` against them."""
    exact_pairs = {(p.source, p.target) for p in exact}
    found_pairs = {(p.source, p.target) for p in found}
    shared = len(exact_pairs & found_pairs)
    return len(exact_pairs), shared / len(exact_pairs), shared / len(found_pairs)


def test_ann_edges_match_the_exact_edges() -> None:
    raw, regions = _clustered(3000)
    vectors = centre(raw)
    exact = cross_region_neighbours(vectors, raw, regions, k=5, threshold=0.8, mutual_threshold=0.6)
    ann = cross_region_neighbours(
        vectors,
        raw,
        regions,
        k=5,
        threshold=0.8,
        mutual_threshold=0.6,
        config=NeighbourConfig(ann_min_nodes=0),
    )
    edges, recall, precision = _edge_agreement(exact, ann)
    assert edges > 500
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    for p in ann:  # every edge crosses regions and reports its true cosines
        assert regions[p.source] != regions[p.target]
        assert p.centred == pytest.approx(float(vectors[p.source] @ vectors[p.target]), abs=1e-4)


def test_a_crowded_region_falls_back_to_the_exact_search() -> None:
    raw, _ = _clustered(400)
    regions = ["Region A"] * 390 + ["Region B"] * 10  # most neighbours of A's rows are in A
    vectors = centre(raw)
    config = NeighbourConfig(ann_min_nodes=0, oversample=1)
    ann = cross_region_neighbours(vectors, raw, regions, k=3, threshold=-1.0, config=config)
    exact = cross_region_neighbours(vectors, raw, regions, k=3, threshold=-1.0)
    assert {(p.source, p.target) for p in ann} == {(p.source, p.target) for p in exact}


def test_the_stores_persistent_index_gives_the_exact_edges_of_a_subset_graph() -> None:
    """The graph is a subset of the indexed passages (goals, activities) and compares centred vectors:
    searching the raw-vector index with the shifted query and re-ranking finds the exact edges."""
    from planmine.graph.similarity import StoredNeighbours
    from planmine.vector_index import INDEX_CONFIG, IndexUpdate, PassageIndex, _new_index

    everything, _ = _clustered(6000, seed=3)
    ids = np.arange(10, 6010, dtype=np.int64)  # passage ids, as the store numbers them
    index = _new_index(everything.shape[1], INDEX_CONFIG)
    index.add(ids, everything)
    stored_index = PassageIndex(index, "test", everything.shape[1], ids, IndexUpdate())
    nodes = np.arange(0, 6000, 2)  # every other passage is a goal or activity
    raw = everything[nodes]
    regions = [f"Region {i % 21}" for i in range(len(nodes))]
    vectors = centre(raw)
    exact = cross_region_neighbours(vectors, raw, regions, k=5, threshold=0.8, mutual_threshold=0.6)
    stored = StoredNeighbours(stored_index, ids[nodes], raw.mean(axis=0))
    config = NeighbourConfig(ann_min_nodes=0)
    via_index = cross_region_neighbours(
        vectors, raw, regions, k=5, threshold=0.8, mutual_threshold=0.6, config=config, stored=stored
    )
    edges, recall, precision = _edge_agreement(exact, via_index)
    assert edges > 300
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    assert all(regions[p.source] != regions[p.target] for p in via_index)
