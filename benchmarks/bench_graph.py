"""Seconds to build the similarity graph and discover themes, on the seed corpus and at 2x and 4x its size.

Embedding is not timed (vectors come from the store's cache after the first run): the figure is what
`planmine graph` adds on top of an ingested, embedded corpus. Larger corpora are made by duplicating the
passages with light perturbation: 10 % of the words dropped (so the labels' counts change) and the vector
jittered by Gaussian noise (cosine to the original ≈ 0.97), as if a similar plan had been written by a
region of the same size.

Run: python benchmarks/bench_graph.py [--store outputs/planmine.db] [--corpus corpus]
(without a store, the corpus is ingested into a temporary one first).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from planmine.graph import ThemeGraph
from planmine.graph.inputs import GraphInputs, graph_inputs, theme_matches_of

BUDGET_S = 10.0


def perturbed_copy(inputs: GraphInputs, copy: int, rng: np.random.Generator) -> GraphInputs:
    """One more copy of every passage: words dropped, vector jittered, fresh ids."""
    offset = copy * (max((p.id or 0) for p in inputs.passages) + 1)
    passages, lemmas = [], []
    for p, terms in zip(inputs.passages, inputs.lemmas, strict=True):
        words = [w for w in p.text.split() if rng.random() > 0.1] or p.text.split()[:1]
        text = " ".join(words)
        passages.append(replace(p, text=text, start=0, end=0, id=(p.id or 0) + offset))
        lemmas.append([t for t in terms if rng.random() > 0.1])
    noise = rng.normal(scale=0.25 / np.sqrt(inputs.vectors.shape[1]), size=inputs.vectors.shape)
    vectors = inputs.vectors + noise.astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return replace(inputs, passages=passages, vectors=vectors, lemmas=lemmas, theme_matches=[])


def scaled(inputs: GraphInputs, factor: int, seed: int = 0) -> GraphInputs:
    """The inputs with ``factor - 1`` perturbed copies of every passage appended."""
    rng = np.random.default_rng(seed)
    parts = [inputs] + [perturbed_copy(inputs, c, rng) for c in range(1, factor)]
    return replace(
        inputs,
        passages=[p for part in parts for p in part.passages],
        vectors=np.concatenate([part.vectors for part in parts]),
        regions=[r for part in parts for r in part.regions],
        documents=[d for part in parts for d in part.documents],
        roles=[r for part in parts for r in part.roles],
        lemmas=[t for part in parts for t in part.lemmas],
    )


def time_fit(inputs: GraphInputs, repeats: int = 3) -> tuple[float, ThemeGraph]:
    """Best-of-``repeats`` seconds of ThemeGraph.fit, and the fitted graph."""
    best, fitted = float("inf"), ThemeGraph()
    for _ in range(repeats):
        start = time.perf_counter()
        fitted = inputs.fit(ThemeGraph(seed=0))
        best = min(best, time.perf_counter() - start)
    return best, fitted


def report(inputs: GraphInputs, factors: tuple[int, ...] = (1, 2, 4)) -> list[dict[str, float]]:
    """Print one line per size and return the figures."""
    rows = []
    base = None
    print(
        f"{'size':>5} {'passages':>9} {'edges':>7} {'sim.edges':>9} {'themes':>6} {'seconds':>8} {'vs 1x':>6}"
    )
    for factor in factors:
        seconds, fitted = time_fit(scaled(inputs, factor))
        base = base or seconds
        row = {
            "factor": factor,
            "passages": len(fitted.passage_ids_),
            "edges": fitted.graph_.number_of_edges(),
            "similar": len(fitted.similar_pairs_),
            "themes": len(fitted.themes_),
            "seconds": seconds,
        }
        rows.append(row)
        print(
            f"{factor:>4}x {row['passages']:>9} {row['edges']:>7} {row['similar']:>9} {row['themes']:>6} "
            f"{seconds:>8.2f} {seconds / base:>5.1f}x"
        )
    verdict = "within" if rows[0]["seconds"] <= BUDGET_S else "OVER"
    print(f"seed corpus: {rows[0]['seconds']:.2f} s, {verdict} the {BUDGET_S:.0f} s budget")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, help="an ingested store (default: ingest --corpus into a temp one)"
    )
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    args = parser.parse_args(argv)
    from planmine.report.build import load_cached_embedder
    from planmine.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store_file = args.store or Path(tmp) / "bench.db"
        with Store(store_file) as store:
            if args.store is None:
                from planmine.pipeline import ingest_paths

                ingest_paths([args.corpus], store)
            embedder = load_cached_embedder(store)
            start = time.perf_counter()
            inputs = graph_inputs(store, embedder, theme_matches=theme_matches_of(store.passages()))
            print(
                f"inputs from the store (embedding included on a cold cache): {time.perf_counter() - start:.2f} s"
            )
        report(inputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
