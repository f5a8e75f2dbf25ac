"""The similarity graph on the seed corpus: shared topics link regions, discovered themes span regions."""

from __future__ import annotations

import re

import pytest

from planmine.graph import ThemeGraph, read_graph, write_graph
from planmine.graph.inputs import GraphInputs, graph_inputs

pytestmark = pytest.mark.slow

# Topics every reader of the seed plans finds in several regions, as patterns on the passage text.
TOPICS = {
    "SIP": r"\bSIP\b|samordnad(e)? individuell(a)? plan",
    "patientkontrakt": r"patientkontrakt",
    "fallprevention": r"fallprevention|fallskad|fallolyck",
    "mobile care": r"\bmobil(a|t)?\b|mobil(a)? team|mobil vård",
}


@pytest.fixture(scope="module")
def seed_inputs(corpus_dir, tmp_path_factory) -> GraphInputs:
    from planmine.pipeline import ingest_paths
    from planmine.report.build import load_cached_embedder, theme_matches_of
    from planmine.store import Store

    with Store(tmp_path_factory.mktemp("seed") / "seed.db") as store:
        results = ingest_paths([corpus_dir], store)
        assert not [r for r in results if r.failed]
        embedder = load_cached_embedder(store)
        return graph_inputs(store, embedder, theme_matches=theme_matches_of(store.passages()))


@pytest.fixture(scope="module")
def seed_graph(seed_inputs) -> ThemeGraph:
    return seed_inputs.fit(ThemeGraph(seed=0))


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_shared_topics_link_passages_of_different_regions(seed_graph, topic):
    g = seed_graph.graph_
    pattern = re.compile(TOPICS[topic], re.IGNORECASE)
    on_topic = {n for n, d in g.nodes(data=True) if d["type"] == "passage" and pattern.search(d["text"])}
    linked = [
        (u, v)
        for u, v, d in g.edges(data=True)
        if d["type"] == "similar"
        and u in on_topic
        and v in on_topic
        and g.nodes[u]["region"] != g.nodes[v]["region"]
    ]
    assert linked, f"no similarity edge between two regions' passages on {topic}"


def test_every_discovered_theme_spans_two_regions_and_has_a_label(seed_graph):
    assert len(seed_graph.themes_) >= 3
    for theme in seed_graph.themes_:
        assert len(theme.regions) >= 2, theme
        regions = {seed_graph.graph_.nodes[f"passage:{pid}"]["region"] for pid in theme.passage_ids}
        assert regions == set(theme.regions)
        assert theme.terms and all(" " not in t for t in theme.terms)


def test_sip_passages_form_a_theme_matched_to_the_taxonomy(seed_graph):
    sip = [t for t in seed_graph.themes_ if t.taxonomy_theme == "sip"]
    assert sip, [(t.label, t.taxonomy_theme) for t in seed_graph.themes_]
    assert any("sip" in t.terms for t in sip)


def test_edges_only_join_regions(seed_graph):
    g = seed_graph.graph_
    similar = [(u, v) for u, v, d in g.edges(data=True) if d["type"] == "similar"]
    assert len(similar) > 100
    assert all(g.nodes[u]["region"] != g.nodes[v]["region"] for u, v in similar)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_seed_exports_load_back_with_the_same_counts(seed_graph, tmp_path, suffix):
    loaded = read_graph(write_graph(seed_graph.graph_, tmp_path / f"seed{suffix}"))
    assert loaded.number_of_nodes() == seed_graph.graph_.number_of_nodes()
    assert loaded.number_of_edges() == seed_graph.graph_.number_of_edges()


def test_seed_graph_is_deterministic(seed_inputs, seed_graph):
    again = seed_inputs.fit(ThemeGraph(seed=0))
    assert sorted(again.graph_.edges) == sorted(seed_graph.graph_.edges)
    assert [t.to_dict() for t in again.themes_] == [t.to_dict() for t in seed_graph.themes_]
