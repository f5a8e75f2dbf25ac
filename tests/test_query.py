"""answer() on a store built by the real pipeline: every region listed, the DESIGN.md JSON shape, levels
weighed by what the tagged passages say, evidence by document name, not_found vs cannot_assess, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planmine.cli import app
from planmine.embed import Embedder
from planmine.embed.cache import QUERY_SUFFIX
from planmine.pipeline import ingest_paths
from planmine.query import answer, question_core
from planmine.store import Store
from planmine.themes.decision import PassageEvidence, RegionQuality, decide
from planmine.themes.semantic import configured_embedder, phrasings
from planmine.themes.taxonomy import load_taxonomy
from planmine.types import QueryAnswer, text_hash

SEED_DOCUMENTS = {
    "Region Kalmar län": "kalmar_handlingsplaner-lansgemensam-ledning_2023-2024.txt",
    "Region Örebro län": "orebro_handlingsplan-sammanhallen-vard-och-omsorg_2019-2022.txt",
    "Region Östergötland": "ostergotland_malbild-nara-vard-2030.txt",
    "Region Skåne": "skane_malbild-och-handlingsplan-god-och-nara-vard_2021.txt",
    "Region Värmland": "varmland_fardplan-god-och-nara-vard-halsa-och-omsorg.txt",
}


@pytest.fixture(scope="module")
def with_gotland(seed_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The seed store plus a region whose only document is too short to say anything about."""
    folder = tmp_path_factory.mktemp("gotland")
    with Store(folder / "planmine.db") as store:
        seed_store.conn.backup(store.conn)
        short = folder / "gotland_kort-plan.txt"
        short.write_text("Kort plan för nära vård.\n\nVi ska samverka.\n", encoding="utf-8")
        (result,) = ingest_paths([short], store, region="Region Gotland", embed=False)
        assert not result.failed, result.reason
        yield store


def levels(a: QueryAnswer) -> dict[str, str]:
    return {r.region: r.level for r in a.regions}


def test_every_region_is_listed_with_the_contract_shape(seed_store: Store, embedder: Embedder) -> None:
    answers = answer(["fallprevention", "Which regions use mobile teams?"], seed_store, embedder)
    assert [a.query for a in answers] == ["fallprevention", "Which regions use mobile teams?"]
    for a in answers:
        d = a.to_dict()
        assert {"query", "regions", "reading", "config"} <= set(d)
        assert {r["region"] for r in d["regions"]} == set(SEED_DOCUMENTS)
        for r in d["regions"]:
            assert set(r) == {"region", "level", "addressed", "score", "reason", "evidence"}
            assert r["level"] in {"addressed", "mentioned", "not_found", "cannot_assess"}
            assert r["addressed"] == (r["level"] == "addressed")
            for e in r["evidence"]:
                assert set(e) == {
                    "document", "page", "page_label", "paged", "page_cited", "section", "kind", "text", "score",
                    "why", "match",
                }  # fmt: skip
                assert e["document"] == SEED_DOCUMENTS[r["region"]]  # the file name, not a path
                assert e["page"] >= 1 and e["text"] and e["why"]
            scores = [e["score"] for e in r["evidence"]]
            assert scores == sorted(scores, reverse=True)
        region_scores = [r["score"] for r in d["regions"]]
        assert region_scores == sorted(region_scores, reverse=True)


def test_fall_prevention_levels_and_evidence(with_gotland: Store, embedder: Embedder) -> None:
    from planmine.genre import parse_types

    # every document kind: this is about how much readable text a region has, not about genres
    (a,) = answer(["fallprevention"], with_gotland, embedder, types=parse_types("all"))
    level = levels(a)
    assert level["Region Kalmar län"] == "addressed"
    assert level["Region Värmland"] == "addressed"
    assert level["Region Östergötland"] == "not_found"  # "falla på plats" is a false friend
    assert level["Region Skåne"] == "not_found"
    assert level["Region Gotland"] == "cannot_assess"  # too little text to say
    orebro = next(r for r in a.regions if r.region == "Region Örebro län")
    assert orebro.level == "mentioned"  # falls only in a passage describing health in the county
    top = orebro.evidence[0]
    assert "Fallolyckor" in top.text and "Hälsogapet" not in top.text  # the sentence, not the passage
    assert "cannot assess" in next(r.reason for r in a.regions if r.region == "Region Gotland")


def test_tagged_activities_weigh_more_than_background(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["fallprevention"], seed_store, embedder)
    kalmar = next(r for r in a.regions if r.region == "Region Kalmar län")
    assert kalmar.evidence[0].kind in {"activity", "goal"}
    assert "activity" in kalmar.evidence[0].why or "goal" in kalmar.evidence[0].why
    orebro = next(r for r in a.regions if r.region == "Region Örebro län")
    assert orebro.score < kalmar.score
    assert "background" in orebro.evidence[0].why


def test_patient_contracts_not_addressed_by_meaning_alone(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Which regions use patient contracts?"], seed_store, embedder)
    level = levels(a)
    assert level["Region Skåne"] == "addressed"
    assert level["Region Värmland"] == "addressed"
    assert level["Region Östergötland"] != "addressed"  # patientkontrakt only in a list; "patientcentrerad"
    assert level["Region Kalmar län"] != "addressed"
    ostergotland = next(r for r in a.regions if r.region == "Region Östergötland")
    assert all("patientcentrerad" not in e.text.lower() for e in ostergotland.evidence[:1])


def test_semantic_only_evidence_is_at_most_mentioned() -> None:
    quality = RegionQuality("Region X", chars=50_000, passages=300, documents=1)

    def close(z: float, k: int) -> PassageEvidence:
        return PassageEvidence(k, "Region X", "x.txt", 1, "", f"text {k}", "semantic", 0.3, z=z)

    two_close = decide("Region X", [close(5.0, 1), close(5.0, 2), close(3.2, 3), close(3.2, 4)], quality)
    assert two_close.level == "mentioned"
    faint = decide("Region X", [close(3.1, 1), close(3.2, 2)], quality)
    assert faint.level == "not_found" and not faint.evidence
    many = decide("Region X", [close(5.0, k) for k in range(4)], quality)
    assert many.level == "addressed"


def test_ocr_damaged_region_matches(seed_store: Store) -> None:
    (a,) = answer(["läkemedelsgenomgångar"], seed_store, None)
    orebro = next(r for r in a.regions if r.region == "Region Örebro län")
    assert orebro.level == "addressed"
    assert any("genomg" in e.text.lower() for e in orebro.evidence)


def test_free_text_question_uses_hybrid_retrieval(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Cosmic LINK förstudie"], seed_store, embedder)
    kalmar = next(r for r in a.regions if r.region == "Region Kalmar län")
    assert kalmar.evidence and "Cosmic LINK" in kalmar.evidence[0].text
    assert "fri fråga" in kalmar.reason
    assert all(r.level in {"not_found", "mentioned"} for r in a.regions if r.region != "Region Kalmar län")


def test_question_core_drops_the_frame() -> None:
    assert (
        question_core("Which regions work to prevent falls among the elderly?")
        == "work to prevent falls among elderly"
    )
    assert question_core("Vilka regioner har mobila team?") == "har mobila team"


def test_cli_query_json_and_terminal(seed_store: Store) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["query", "SIP", "patientkontrakt", "--json", "--no-model", "--store", str(seed_store.path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["query"] for d in data] == ["SIP", "patientkontrakt"]
    assert len(data[0]["regions"]) == 5
    result = runner.invoke(app, ["query", "patientkontrakt", "--no-model", "--store", str(seed_store.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    skane = next(i for i, line in enumerate(lines) if line.startswith("Region Skåne"))
    assert "addressed" in lines[skane]
    evidence = lines[skane + 1]
    # Skåne's text carries no page markers, so its page is shown as "–", never a false "p. 1"
    assert evidence.startswith("    skane_malbild") and ".txt, –, activity:" in evidence
    assert "patientkontrakt" in evidence
    assert all(len(line) <= 200 for line in lines)


def test_cli_missing_store_unknown_region_and_theme(seed_store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["query", "SIP", "--no-model", "--store", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "planmine ingest" in r.output
    store = str(seed_store.path)
    r = runner.invoke(app, ["gaps", "--region", "Gotlandia", "--no-model", "--store", store])
    assert r.exit_code == 2
    r = runner.invoke(app, ["compare", "fallprevntion", "--no-model", "--store", store])
    assert r.exit_code == 2 and "fallprevention" in r.output


def test_theme_definitions_are_embedded_once_and_cached(seed_store: Store, embedder: Embedder) -> None:
    answer(["Which regions work to prevent falls among the elderly?"], seed_store, embedder)
    theme = load_taxonomy().get("fallprevention")
    hashes = [text_hash(t) for t in phrasings(theme)]
    assert len(seed_store.vectors(embedder.name + QUERY_SUFFIX, hashes)) == len(hashes)
    lazy = configured_embedder()
    assert (lazy.name, lazy.dim) == (embedder.name, embedder.dim)


def test_compound_question_words_count_for_their_theme() -> None:
    from planmine.themes.reading import _profiles
    from planmine.themes.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    ids = taxonomy.ids()
    profiles = _profiles(taxonomy)
    # 'tablettlistorna' is no theme word, but its part 'tablett' is a lakemedel keyword
    lex = profiles.scores("Vilka regioner granskar tablettlistorna?")
    assert ids[int(lex.argmax())] == "lakemedel"
    assert 0 < lex[ids.index("lakemedel")] < 1  # partial credit only
    # everyday words for falls
    lex = profiles.scores("Hur undviker man att gamla ramlar och snubblar?")
    assert ids[int(lex.argmax())] == "fallprevention"
