"""Synthetic passages for graph tests: planted topics shared by several regions, in embedding space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planmine.types import Comparison, ComparisonRow, Passage, RegionEvidence, ThemeMatch

REGIONS = ["Region Kalmar län", "Region Skåne", "Region Värmland", "Region Örebro län"]

# topic → (words of its passages, regions that write about it)
TOPICS = {
    "fall": ("fallprevention balansträning fallskador äldre", REGIONS),
    "sip": ("samordnad individuell plan sip vårdplanering", REGIONS[:3]),
    "drone": ("drönare leverans läkemedel glesbygd", REGIONS[1:]),
    "local": ("lokal särskild kalmarmodell hamnar", REGIONS[:1]),  # one region only: never discovered
}


@dataclass
class Synthetic:
    passages: list[Passage]
    vectors: np.ndarray
    regions: list[str]
    topics: list[str]
    directions: dict[str, np.ndarray]


def make_corpus(per_region: int = 6, dim: int = 64, noise: float = 0.08, seed: int = 7) -> Synthetic:
    """Passages whose vectors are a topic direction plus a shared genre direction plus noise."""
    rng = np.random.default_rng(seed)
    genre = rng.normal(size=dim)
    directions = {t: rng.normal(size=dim) for t in TOPICS}
    directions = {t: v / np.linalg.norm(v) for t, v in directions.items()}
    passages, vectors, regions, topics = [], [], [], []
    for topic, (words, topic_regions) in TOPICS.items():
        for r_index, region in enumerate(topic_regions):
            for j in range(per_region):
                pid = 1000 + len(passages)
                text = f"Vi ska arbeta med {words} i {region.split()[-1]} steg {j}."
                passages.append(
                    Passage(document_id=r_index + 1, page=1 + j, index=j, kind="paragraph", text=text, id=pid)
                )
                v = 2.0 * genre / np.linalg.norm(genre) + directions[topic] + noise * rng.normal(size=dim)
                vectors.append(v / np.linalg.norm(v))
                regions.append(region)
                topics.append(topic)
    return Synthetic(passages, np.array(vectors, dtype=np.float32), regions, topics, directions)


def make_matches(corpus: Synthetic, topic: str, theme_id: str) -> list[ThemeMatch]:
    return [
        ThemeMatch(passage_id=p.id or 0, theme_id=theme_id, score=0.8, term=topic)
        for p, t in zip(corpus.passages, corpus.topics, strict=True)
        if t == topic
    ]


def make_comparison() -> Comparison:
    def cell(region: str, level: str, score: float) -> RegionEvidence:
        return RegionEvidence(region=region, level=level, score=score)  # type: ignore[arg-type]

    rows = [
        ComparisonRow(
            "fallprevention",
            "Fallprevention",
            {r: cell(r, "addressed", 0.9) for r in REGIONS[:3]}
            | {REGIONS[3]: cell(REGIONS[3], "not_found", 0.1)},
        ),
        ComparisonRow(
            "sip",
            "Samordnad individuell plan",
            {r: cell(r, "mentioned", 0.5) for r in REGIONS[:2]}
            | {r: cell(r, "cannot_assess", 0.0) for r in REGIONS[2:]},
        ),
    ]
    return Comparison(regions=list(REGIONS), rows=rows)
