"""ThemeGraph on synthetic passages: cross-region edges, discovered themes, exports, determinism."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest

from graph_synthetic import REGIONS, TOPICS, make_comparison, make_corpus, make_matches
from planmine.errors import UsageError
from planmine.graph import ThemeGraph, calibrate_threshold, centre, read_graph, write_graph
from planmine.graph.export import safe_value
from planmine.graph.labels import class_tfidf


@pytest.fixture(scope="module")
def corpus():
    return make_corpus()


@pytest.fixture(scope="module")
def fitted(corpus):
    matches = make_matches(corpus, "fall", "fallprevention")
    theme_vectors = {"fallprevention": corpus.directions["fall"], "sip": corpus.directions["sip"]}
    # planted topics are large shares of this tiny corpus, hence lower quantiles than the defaults
    return ThemeGraph(seed=1, edge_quantile=0.8, theme_quantile=0.7).fit(
        corpus.passages,
        corpus.vectors,
        corpus.regions,
        matches,
        make_comparison(),
        theme_vectors=theme_vectors,
        theme_labels={"fallprevention": "Fallprevention", "sip": "Samordnad individuell plan"},
    )


def _topic_of(corpus, pid: int) -> str:
    return corpus.topics[[p.id for p in corpus.passages].index(pid)]


def test_similarity_edges_join_passages_of_different_regions_only(fitted):
    similar = [(u, v) for u, v, d in fitted.graph_.edges(data=True) if d["type"] == "similar"]
    assert similar, "the planted shared topics must give similarity edges"
    nodes = fitted.graph_.nodes
    assert all(nodes[u]["region"] != nodes[v]["region"] for u, v in similar)
    assert all(fitted.graph_.edges[e]["similarity"] >= fitted.mutual_threshold_ for e in similar)
    assert fitted.mutual_threshold_ <= fitted.threshold_


def test_similarity_edges_mostly_join_passages_on_the_same_topic(fitted, corpus):
    similar = [(u, v) for u, v, d in fitted.graph_.edges(data=True) if d["type"] == "similar"]
    same = sum(
        _topic_of(corpus, int(u.split(":")[1])) == _topic_of(corpus, int(v.split(":")[1])) for u, v in similar
    )
    assert same / len(similar) > 0.95


def test_each_shared_topic_is_discovered_and_the_single_region_topic_is_not(fitted, corpus):
    found = {}
    for theme in fitted.themes_:
        assert len(theme.regions) >= 2
        topic, count = Counter(_topic_of(corpus, pid) for pid in theme.passage_ids).most_common(1)[0]
        assert count / theme.size > 0.9, theme
        found[topic] = theme
    assert set(found) == {"fall", "sip", "drone"}
    assert "local" not in found
    assert found["drone"].regions == sorted(TOPICS["drone"][1])


def test_discovered_themes_are_labelled_with_their_distinctive_words(fitted):
    labels = {t.taxonomy_theme or t.id: t.terms for t in fitted.themes_}
    assert "fallprevention" in labels["fallprevention"]
    drone = next(t for t in fitted.themes_ if t.candidate)
    assert {"drönare", "leverans"} & set(drone.terms)
    assert "ska" not in drone.terms and "arbeta" not in drone.terms  # stop and genre words never label


def test_taxonomy_match_by_matches_by_centroid_and_candidates(fitted):
    by_topic = {t.taxonomy_theme: t for t in fitted.themes_ if t.taxonomy_theme}
    assert by_topic["fallprevention"].matched_by == "matches"
    assert by_topic["sip"].matched_by == "centroid"  # no matches given, but its centroid is the sip vector
    candidates = fitted.candidate_themes_
    assert len(candidates) == 1 and candidates[0].closest_theme in {"fallprevention", "sip"}
    assert candidates[0].closest_cosine < fitted.theme_thresholds_[candidates[0].closest_theme]


def test_match_and_level_edges(fitted):
    g = fitted.graph_
    match_edges = [e for e in g.edges(data=True) if e[2]["type"] == "match"]
    assert len(match_edges) == 4 * 6
    assert g.edges["region:Region Kalmar län", "theme:fallprevention"]["level"] == "addressed"
    assert g.edges["region:Region Skåne", "theme:sip"]["weight"] == 0.5
    assert not g.has_edge("region:Region Örebro län", "theme:fallprevention")  # not_found: no edge
    assert not g.has_edge("region:Region Värmland", "theme:sip")  # cannot_assess: no edge


def test_discovered_nodes_link_members_and_region_shares(fitted):
    g = fitted.graph_
    for theme in fitted.themes_:
        node = f"discovered:{theme.id}"
        members = {u for u in g.neighbors(node) if g.nodes[u]["type"] == "passage"}
        assert members == {f"passage:{pid}" for pid in theme.passage_ids}
        shares = [g.edges[node, f"region:{r}"]["weight"] for r in theme.regions]
        assert sum(shares) == pytest.approx(1.0)


def test_fit_is_deterministic(corpus):
    def run():
        tg = ThemeGraph(seed=3, edge_quantile=0.8).fit(corpus.passages, corpus.vectors, corpus.regions)
        return sorted(tg.graph_.edges(data="weight")), [t.to_dict() for t in tg.themes_]

    assert run() == run()


def test_threshold_is_the_quantile_of_cross_region_cosines(corpus):
    vectors = centre(corpus.vectors)
    threshold = calibrate_threshold(vectors, corpus.regions, quantile=0.9)
    regions = np.array(corpus.regions)
    sims = vectors @ vectors.T
    iu = np.triu_indices(len(regions), k=1)
    cross = sims[iu][regions[iu[0]] != regions[iu[1]]]
    assert threshold == pytest.approx(float(np.quantile(cross, 0.9)), abs=1e-5)
    assert (cross >= threshold).mean() == pytest.approx(0.1, abs=0.01)


def test_fixed_threshold_and_single_region(corpus):
    high = ThemeGraph(threshold=0.999).fit(corpus.passages, corpus.vectors, corpus.regions)
    assert not [e for e in high.graph_.edges(data=True) if e[2]["type"] == "similar"]
    assert high.themes_ == []
    one = ThemeGraph().fit(corpus.passages, corpus.vectors, [REGIONS[0]] * len(corpus.passages))
    assert one.graph_.number_of_edges() == 0


def test_bad_inputs_raise_usage_errors(corpus):
    with pytest.raises(UsageError, match="one vector per passage"):
        ThemeGraph().fit(corpus.passages, corpus.vectors[:-1], corpus.regions)
    with pytest.raises(UsageError, match="regions per passage"):
        ThemeGraph().fit(corpus.passages, corpus.vectors, corpus.regions[:-1])
    with pytest.raises(UsageError, match="threshold"):
        ThemeGraph(threshold="high").fit(corpus.passages, corpus.vectors, corpus.regions)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_exports_load_back_with_the_same_counts(fitted, tmp_path, suffix):
    path = write_graph(fitted.graph_, tmp_path / f"graph{suffix}")
    loaded = read_graph(path)
    assert isinstance(loaded, nx.Graph)
    assert loaded.number_of_nodes() == fitted.graph_.number_of_nodes()
    assert loaded.number_of_edges() == fitted.graph_.number_of_edges()
    node = f"passage:{fitted.themes_[0].passage_ids[0]}"
    assert loaded.nodes[node]["region"] == fitted.graph_.nodes[node]["region"]
    assert loaded.nodes[node]["community"] == fitted.themes_[0].id


def test_png_export_and_unknown_suffix(fitted, tmp_path):
    png = write_graph(fitted.graph_, tmp_path / "graph.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(UsageError, match=r"\.graphml"):
        write_graph(fitted.graph_, tmp_path / "graph.dot")


def test_attributes_are_made_graphml_safe(tmp_path):
    g = nx.Graph(meta={"a": 1})
    g.add_node("x", empty=None, items=["a", "b"], count=np.int64(3))
    g.add_edge("x", "y", weight=np.float32(0.5))
    loaded = read_graph(write_graph(g, tmp_path / "g.graphml"))
    assert loaded.nodes["x"] == {"empty": "", "items": "a; b", "count": 3}
    assert safe_value(float("nan")) == 0.0


def test_class_tfidf_prefers_words_distinctive_of_a_class():
    classes = [
        [["fallprevention", "vård"], ["fallprevention", "balans", "vård"]],
        [["drönare", "vård"], ["drönare", "vård"]],
    ]
    labels = class_tfidf(classes, top_n=2)
    assert labels[0][0][0] == "fallprevention"
    assert labels[1][0][0] == "drönare"
    assert all(term != "vård" for term, _ in labels[0][:1])


def test_mutual_nearest_neighbours_pass_a_lower_threshold():
    from planmine.graph.similarity import cross_region_neighbours

    # a proposes b, but b and c propose each other: only b–c is mutual
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.6, 0.8]], dtype=np.float32)
    regions = ["A", "B", "C"]
    strict = cross_region_neighbours(vectors, vectors, regions, k=1, threshold=0.97)
    assert strict == []
    mutual = cross_region_neighbours(vectors, vectors, regions, k=1, threshold=0.97, mutual_threshold=0.5)
    assert [(p.source, p.target) for p in mutual] == [(1, 2)]  # b↔c are mutual best matches (0.96)
    loose = cross_region_neighbours(vectors, vectors, regions, k=1, threshold=0.7)
    assert {(p.source, p.target) for p in loose} == {(0, 1), (1, 2)}


def test_place_names_and_ocr_forms_never_label_a_theme():
    from planmine.graph.labels import content_terms

    terms = content_terms(["skånes", "östgöten", "värmland", "for", "fallprevention", "kalmar", "pdf"])
    assert terms == ["fallprevention"]
