"""answer(): every region listed, DESIGN.md JSON shape, theme reading, not_found vs cannot_assess."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from planmine.cli import app
from planmine.query import answer, question_core
from planmine.themes.memstore import MemoryStore

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    s = MemoryStore.from_files(sorted(CORPUS.glob("*.txt")))
    s.add_text("Kort plan. Vi ska samverka.", region="Region Gotland", title="gotland")
    return s


class HashEmbedder:
    """A deterministic stand-in for the embedding model: bag of hashed character trigrams."""

    model_name = "hash-test"

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, t in enumerate(texts):
            t = t.lower()
            for k in range(len(t) - 2):
                out[i, hash(t[k : k + 3]) % 256] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)


def test_every_region_is_listed_with_the_contract_shape(store: MemoryStore) -> None:
    answers = answer(["fallprevention", "SIP"], store, None)
    assert [a.query for a in answers] == ["fallprevention", "SIP"]
    regions = {d.region for d in store.documents()}
    for a in answers:
        d = a.to_dict()
        assert {r["region"] for r in d["regions"]} == regions
        for r in d["regions"]:
            assert {"region", "level", "addressed", "score", "evidence"} <= set(r)
            assert r["level"] in {"addressed", "mentioned", "not_found", "cannot_assess"}
            assert r["addressed"] == (r["level"] == "addressed")
            for e in r["evidence"]:
                assert {"document", "page", "section", "kind", "text", "score"} <= set(e)
            scores = [e["score"] for e in r["evidence"]]
            assert scores == sorted(scores, reverse=True)
        region_scores = [r["score"] for r in d["regions"]]
        assert region_scores == sorted(region_scores, reverse=True)


def test_fall_prevention_levels(store: MemoryStore) -> None:
    (a,) = answer(["fallprevention"], store, None)
    level = {r.region: r.level for r in a.regions}
    assert level["Region Kalmar län"] == "addressed"
    assert level["Region Värmland"] == "addressed"
    assert level["Region Örebro län"] == "mentioned"  # fallolyckor only as a statistic: a mention
    assert level["Region Östergötland"] == "not_found"  # "falla på plats" is a false friend
    assert level["Region Gotland"] == "cannot_assess"  # too little text to say


def test_not_found_and_cannot_assess_kept_apart(store: MemoryStore) -> None:
    (a,) = answer(["palliativ vård"], store, None)
    level = {r.region: r.level for r in a.regions}
    assert level["Region Skåne"] == "not_found"
    assert level["Region Gotland"] == "cannot_assess"
    assert "cannot assess" in next(r.reason for r in a.regions if r.region == "Region Gotland")


def test_ocr_damaged_region_matches(store: MemoryStore) -> None:
    (a,) = answer(["läkemedelsgenomgångar"], store, None)
    orebro = next(r for r in a.regions if r.region == "Region Örebro län")
    assert orebro.level == "addressed"
    assert any("akemedelsgenomgangar" in e.text for e in orebro.evidence)


def test_free_text_question_uses_hybrid_retrieval(store: MemoryStore) -> None:
    (a,) = answer(["Cosmic LINK förstudie"], store, HashEmbedder())
    kalmar = next(r for r in a.regions if r.region == "Region Kalmar län")
    assert kalmar.evidence and "Cosmic LINK" in kalmar.evidence[0].text
    assert all(
        r.level in {"not_found", "cannot_assess", "mentioned"}
        for r in a.regions
        if r.region != "Region Kalmar län"
    )


def test_question_core_drops_the_frame() -> None:
    assert (
        question_core("Which regions work to prevent falls among the elderly?")
        == "work to prevent falls among elderly"
    )
    assert question_core("Vilka regioner har mobila team?") == "har mobila team"


def test_cli_query_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["query", "SIP", "patientkontrakt", "--json", "--no-model", "--store", str(CORPUS)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["query"] for d in data] == ["SIP", "patientkontrakt"]
    assert len(data[0]["regions"]) == 5


def test_cli_unknown_region_and_theme_exit_2() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["gaps", "--region", "Gotlandia", "--no-model", "--store", str(CORPUS)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["compare", "fallprevntion", "--no-model", "--store", str(CORPUS)])
    assert r.exit_code == 2 and "fallprevention" in r.output
