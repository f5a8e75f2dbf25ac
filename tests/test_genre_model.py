"""The document genre classifier: its labelled data, its decisions on real documents, ingest and docs."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import ROOT, seed_file
from planmine.cli import app
from planmine.errors import UsageError
from planmine.genre import GENRES, POLICY_GENRES
from planmine.genre_features import GenreInput
from planmine.genre_model import GenreModel, classify_genre, load_genre_model
from planmine.genre_train import load_labels, read_input
from planmine.meta import apply_overrides
from planmine.pipeline import ingest_paths
from planmine.store import Store
from planmine.types import DocumentMeta

DATA = ROOT / "tests" / "data" / "genre"
SHARED = ROOT.parent / "shared"
REALDOCS2 = SHARED / "realdocs2"
needs_realdocs2 = pytest.mark.skipif(not REALDOCS2.is_dir(), reason="../shared/realdocs2 not present")
runner = CliRunner()


def _genre_of(path: Path) -> tuple[str, float, str]:
    inp = read_input(path)
    assert inp is not None, path
    prediction = classify_genre(inp)
    return prediction.genre, prediction.confidence, prediction.evidence


def test_labels_cover_every_genre_with_eight_documents_and_record_synthetic_ones():
    labels = load_labels(DATA / "labels.jsonl")
    counts = Counter(label.genre for label in labels if label.file != "realdocs2/kungsbacka/API.docx")
    assert set(counts) == set(GENRES)
    assert min(counts.values()) >= 8, counts
    for label in labels:
        assert label.why, label
        assert label.path(DATA, SHARED).is_file() or not SHARED.is_dir(), label.file
        assert (label.source == "synthetic") == label.file.startswith("synthetic/")


def test_a_bad_label_line_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"file": "a.md", "genre": "poem", "source": "synthetic", "why": "x"}\n')
    with pytest.raises(UsageError, match=r"labels.jsonl:1: genre 'poem'"):
        load_labels(bad)


def test_the_model_round_trips_through_its_file(tmp_path):
    model = load_genre_model()
    inp = GenreInput(
        title="Protokoll", text="§ 12 Kommunstyrelsen beslutar att anta förslaget. Justerare: Per."
    )
    model.save(tmp_path / "m.npz")
    again = GenreModel.load(tmp_path / "m.npz")
    assert np.allclose(model.probabilities([inp]), again.probabilities([inp]), atol=1e-5)
    assert set(model.coef) == {"text", "text+embedding"}


def test_without_the_embedding_model_text_features_decide_and_the_evidence_says_so():
    inp = GenreInput(
        title="Avropsförfrågan IT-konsulttjänster",
        text="Avropsförfrågan. Leverantören ska uppfylla samtliga ska-krav. Anbud lämnas senast 1 maj. "
        "Timpris anges i prisbilagan. Tilldelning sker till lägsta pris.",
    )
    prediction = classify_genre(inp)
    assert prediction.genre == "procurement"
    assert "text features" in prediction.evidence and "no embedding model" in prediction.evidence


def test_an_uncertain_document_is_policy_only_when_the_evidence_is_for_policy():
    model = load_genre_model()
    inp = GenreInput(title="", text="Text.")
    row = model.features([inp], None).getrow(0)
    p = np.zeros(len(model.genres))
    # top genre is plan, but most of the mass is on non-policy genres: not policy
    p[model.genres.index("plan")], p[model.genres.index("procurement")] = 0.35, 0.30
    p[model.genres.index("press")], p[model.genres.index("manual")] = 0.20, 0.15
    decided = model._decide(inp, p, row, "text", "")
    assert decided.uncertain and decided.genre == "procurement"
    assert "uncertain" in decided.evidence and "not policy" in decided.evidence
    # top genre is press, but the policy genres together are 0.7: policy, the likeliest policy genre
    p[:] = 0
    p[model.genres.index("press")], p[model.genres.index("report")] = 0.3, 0.4
    p[model.genres.index("plan")] = 0.3
    assert model._decide(inp, p, row, "text", "").genre == "report"


def test_a_policy_genre_needs_the_policy_evidence_even_when_it_is_the_likeliest():
    model = load_genre_model()
    inp = GenreInput(title="", text="Text.")
    row = model.features([inp], None).getrow(0)
    p = np.zeros(len(model.genres))
    # plan is the likeliest genre (0.55 ≥ the floor), but the policy genres together stay below 0.6
    p[model.genres.index("plan")], p[model.genres.index("press")] = 0.55, 0.45
    decided = model._decide(inp, p, row, "text", "")
    assert decided.genre == "press" and decided.uncertain
    assert "P(policy) 0.55 < 0.6 → not policy" in decided.evidence
    p[:] = 0
    p[model.genres.index("plan")], p[model.genres.index("press")] = 0.65, 0.35
    decided = model._decide(inp, p, row, "text", "")
    assert decided.genre == "plan" and not decided.uncertain


def test_cue_words_are_found_through_ocr_slips_and_in_the_title():
    from planmine.genre_features import CUE_FEATURES, cue_counts, cue_fold, cue_vector

    assert cue_fold("Upphand1ing av avta|et") == "upphandling av avtalet"
    assert cue_fold("Inf0rmation 2024 | 10") == "information 2024 | 10"  # digits and table bars stay
    counts = cue_counts(cue_fold("Leverantören ska leverera. – Det är bra, säger Anna Ek."))
    assert counts["procurement:kravsubjekt"] == 1 and counts["press:sager"] == 1
    vector = cue_vector(GenreInput(title="Pressmeddelande", text="Text."), full_chars=1000, opening_chars=100)
    assert vector[CUE_FEATURES.index("press:pressmeddelande@title")] == 1.0
    assert vector[CUE_FEATURES.index("plan:handlingsplan@title")] == 0.0


@needs_realdocs2
@pytest.mark.parametrize(
    "name", ["Teknisk IT-projektledare.docx", "Teknisk projektledare FVIS refnr 23-440.docx"]
)
def test_procurement_docx_files_are_procurement(name):
    genre, _, evidence = _genre_of(REALDOCS2 / "pbot-avrop" / name)
    assert genre == "procurement", evidence


@needs_realdocs2
@pytest.mark.slow
@pytest.mark.parametrize(
    ("relative", "allowed"),
    [
        ("pbot-avrop/1214002-1-AllDocuments.pdf", {"procurement"}),
        ("rsa-kommuner/RSA Borlänge 2023.pdf", {"risk_analysis"}),
        ("riksbanken/PPU202411.pdf", {"other", "report"} - POLICY_GENRES),
        ("minhalsoplan/Min halsoplan - Installationsmanual.pdf", {"manual"}),
    ],
)
def test_real_non_plans_get_their_genre(relative, allowed):
    genre, _, evidence = _genre_of(REALDOCS2 / relative)
    assert genre in allowed, evidence


@pytest.mark.parametrize("prefix", ["orebro", "varmland", "ostergotland", "skane", "kalmar"])
def test_seed_plans_are_plans_or_agreements(prefix):
    genre, confidence, evidence = _genre_of(seed_file(prefix))
    assert genre in {"plan", "agreement"}, evidence
    assert confidence >= 0.5


def test_a_manifest_sets_the_genre_and_a_wrong_one_is_named():
    meta = apply_overrides(DocumentMeta(region="unknown"), {"genre": "press"}, source="manifest")
    assert (meta.genre, meta.genre_confidence, meta.genre_evidence) == ("press", 1.0, "set by manifest")
    with pytest.raises(UsageError, match=r"Unknown genre 'poster'.*Allowed: plan, agreement"):
        apply_overrides(DocumentMeta(region="unknown"), {"genre": "poster"}, source="manifest")


def test_ingest_stores_the_genre_and_docs_shows_it(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(seed_file("ostergotland"), folder / "plan.txt")
    shutil.copy(DATA / "synthetic" / "risk_rsa_region.md", folder / "rsa.md")
    shutil.copy(DATA / "synthetic" / "press_kommun_nyhet.md", folder / "news.md")
    (folder / "manifest.yaml").write_text("news.md:\n  genre: report\n")
    db = tmp_path / "s.db"
    with Store(db) as store:
        results = ingest_paths([folder], store, embed=False)
        assert all(r.status == "ok" for r in results), results
        genres = {Path(d.path).name: d.meta for d in store.documents()}
    assert genres["plan.txt"].genre == "plan" and genres["rsa.md"].genre == "risk_analysis"
    assert "text features" in genres["rsa.md"].genre_evidence
    assert genres["news.md"].genre == "report" and genres["news.md"].genre_evidence == "set by manifest"
    shown = runner.invoke(app, ["docs", "--store", str(db), "--json"])
    assert shown.exit_code == 0, shown.output
    rows = {Path(r["path"]).name: r for r in json.loads(shown.stdout)}
    assert rows["rsa.md"]["genre"] == "risk_analysis" and 0.5 <= rows["rsa.md"]["genre_confidence"] <= 1
    table = runner.invoke(app, ["docs", "--store", str(db)], env={"COLUMNS": "250"})
    assert "risk_analysis" in table.output
