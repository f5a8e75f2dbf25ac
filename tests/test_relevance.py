"""The passage-relevance model: its shipped file, its features, and how the decision uses its probabilities."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planmine.embed import Embedder
from planmine.themes.decision import decide, weight_of
from planmine.themes.evidence import DEFAULT_CONFIG, PassageEvidence, RegionQuality
from planmine.themes.matcher import ThemeMatcher
from planmine.themes.relevance import (
    FEATURE_NAMES,
    MODEL_PATH,
    N_BASE,
    PCA_DIMS,
    RelevanceModel,
    load_relevance_model,
    theme_features,
)
from planmine.themes.relevance_train import load_judgements, theme_centroids, threshold_for
from planmine.themes.taxonomy import load_taxonomy


def _evidence(relevance: float | None, role: str = "activity", passage_id: int = 1) -> PassageEvidence:
    return PassageEvidence(
        passage_id=passage_id,
        region="Region A",
        document="plan.pdf",
        page=1,
        section="",
        text=f"Vi ska arbeta med fallprevention i alla kommuner ({passage_id}).",
        role=role,  # type: ignore[arg-type]
        kind=role,
        lexical=1.0,
        z=3.0,
        relevance=relevance,
    )


QUALITY = RegionQuality(region="Region A", chars=50_000, passages=400, documents=1, pages=20)


def test_the_shipped_model_loads_with_the_features_it_was_trained_on() -> None:
    model = load_relevance_model()
    assert model is not None, f"{MODEL_PATH} missing: run scripts/train_relevance.py"
    assert set(model.theme_ids) == set(load_taxonomy().ids())
    assert model.coef.shape == (N_BASE + PCA_DIMS,)
    assert model.components.shape[0] == PCA_DIMS
    assert np.all(model.background_sd > 0)
    assert model.platt_a < 0, "calibrated probability must rise with the model's score"
    x = np.zeros((3, N_BASE + PCA_DIMS))
    x[:] = model.scale_mean
    p = model.probabilities(x)
    assert np.all((p > 0) & (p < 1))


def test_a_model_file_with_other_features_is_refused(tmp_path) -> None:
    model = load_relevance_model()
    assert model is not None
    path = tmp_path / "m.npz"
    model.save(path)
    assert RelevanceModel.load(path).coef.tolist() == model.coef.tolist()
    with np.load(path) as z:
        data = dict(z)
    data["feature_names"] = np.asarray(FEATURE_NAMES[:-1])
    np.savez(path, **data)
    with pytest.raises(ValueError, match="train_relevance"):
        RelevanceModel.load(path)


def test_a_passage_the_model_reads_as_off_theme_weighs_nothing() -> None:
    t = DEFAULT_CONFIG
    assert weight_of(_evidence(None)) > 0
    assert weight_of(_evidence(t.relevance_mentioned + 0.01)) == weight_of(_evidence(None))
    assert weight_of(_evidence(t.relevance_mentioned - 0.01)) == 0.0


def test_addressed_needs_a_passage_the_model_reads_as_about_the_theme() -> None:
    t = DEFAULT_CONFIG
    strong = [_evidence(None, passage_id=k) for k in range(1, 4)]
    assert decide("Region A", strong, QUALITY).level == "addressed"
    likely = [replace(e, relevance=t.relevance_addressed + 0.05) for e in strong]
    assert decide("Region A", likely, QUALITY).level == "addressed"
    doubtful = [replace(e, relevance=t.relevance_addressed - 0.1) for e in strong]
    result = decide("Region A", doubtful, QUALITY)
    assert result.level == "mentioned"
    assert "clearly about the theme" in result.reason
    by_meaning = [
        replace(e, relevance=0.99, role="semantic", kind="paragraph", lexical=0.0, z=6.0) for e in strong
    ]
    assert decide("Region A", by_meaning, QUALITY).level != "addressed"
    off_theme = [replace(e, relevance=t.relevance_mentioned / 2) for e in strong]
    assert decide("Region A", off_theme, QUALITY).level == "not_found"


def test_training_uses_the_adjudicated_label_and_keeps_the_first(tmp_path) -> None:
    """A row whose second reading was adjudicated trains on the adjudicated label; the first stays readable."""
    import json

    rows = [
        {
            "doc": "a.md",
            "passage": 1,
            "text": "Teammötet följer upp åtgärderna.",
            "theme": "teambaserad_vard",
            "label": 0,
            "adjudicated": 1,
            "adjudication": "class re-read",
        },
        {
            "doc": "a.md",
            "passage": 2,
            "text": "Arbeta med fallprevention.",
            "theme": "fallprevention",
            "label": 1,
        },
    ]
    (tmp_path / "judgements.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (tmp_path / "documents.jsonl").write_text(
        json.dumps({"doc": "a.md", "genre": "guideline"}), encoding="utf-8"
    )
    j = load_judgements(tmp_path)
    assert j.labels.tolist() == [1, 1]
    assert j.first_labels.tolist() == [0, 1]
    assert j.genres == ["guideline", "guideline"]


def test_threshold_for_reaches_the_precision_asked_for() -> None:
    probs = np.asarray([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.asarray([1, 1, 0, 1, 0, 0])
    assert threshold_for(probs, y, 1.0) == 0.8
    assert threshold_for(probs, y, 0.75) == 0.6
    assert threshold_for(probs, np.zeros(6, dtype=int), 0.9) == 1.0


@pytest.mark.slow
def test_the_model_tells_a_theme_heading_and_a_price_clause_from_a_plan_activity(embedder: Embedder) -> None:
    """Real false friends of issue 11 against a real activity: the activity ranks far above both."""
    model = load_relevance_model()
    assert model is not None
    tax = load_taxonomy()
    matcher = ThemeMatcher(tax)
    cases = [
        (
            "fallprevention",
            "Kommunerna ska införa ett gemensamt arbetssätt för fallprevention i hemtjänsten.",
            1,
        ),
        ("kompetensforsorjning", "Kompetensområde: Ledning och styrning | taktimpris enligt prisbilagan", 0),
        ("civilsamhalle", "7.1 Frivillig avtalsspärr", 0),
    ]
    texts = [c[1] for c in cases]
    vecs = np.asarray(embedder.embed_passages(texts))
    cents = theme_centroids(tax, embedder)
    order = [tax.ids().index(t) for t in model.theme_ids]
    cos = vecs @ cents[order].T
    probs = []
    for k, (theme_id, text, _) in enumerate(cases):
        theme = tax.get(theme_id)
        hits = [h for h in matcher.hits(text) if h.theme_id == theme_id]
        x = theme_features(
            model,
            theme,
            [text],
            [hits],
            [0],
            cos[k : k + 1],
            vecs[k : k + 1],
            cents[tax.ids().index(theme_id)],
            ["plan"],
        )
        probs.append(float(model.probabilities(x)[0]))
    assert probs[0] >= DEFAULT_CONFIG.relevance_addressed, probs
    assert max(probs[1:]) < DEFAULT_CONFIG.relevance_mentioned * 3, probs


@pytest.mark.slow
def test_a_passages_theme_z_does_not_move_when_other_documents_join_the_store(seed_store, embedder) -> None:
    """The z of a passage's cosine is measured against the model's fixed background, not the store's passages:
    documents added to the store (another region's procurement, a drug table) leave the seed regions' levels."""
    from planmine.themes.index import get_index

    index = get_index(seed_store, embedder)
    zs = index.theme_z()
    assert zs is not None and index._cos is not None
    dim = index.vectors().shape[1]
    half = index._cos[:, : index._cos.shape[1] // 2]
    skewed = np.concatenate([index._cos, np.full_like(index._cos, 0.70)], axis=1)  # many off-topic passages
    for sims in (half, skewed):
        mu, sd = index._theme_background(sims, dim)
        assert np.allclose((index._cos - mu) / sd, zs)
    model = load_relevance_model()
    assert model is not None
    k = model.theme_ids.index(index.taxonomy.ids()[0])
    assert np.isclose(index._theme_background(half, dim)[0][0, 0], model.background_mean[k])
