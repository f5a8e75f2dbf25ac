"""The learned unit classifier: genre-aware requirements, capitalised goals and their links, shipped weights."""

from __future__ import annotations

import numpy as np
import pytest

from planmine.tag import analyse, from_docbin, run, to_docbin
from planmine.tag.model import UnitModel, shipped_model
from planmine.types import CleanDocument, CleanPage, Page, RawDocument

PROCUREMENT = (
    "Krav på leverantören\n\n"
    "Leverantören ska utveckla och anpassa funktionalitet, sidmallar och specialanpassningar.\n\n"
    "Lösningen ska följa kommunens grafiska profil.\n\n"
    "Webbplatsen ska:\n"
    "- underlätta insyn och delaktighet\n"
    "- bidra till att göra kommunen till en attraktiv plats\n\n"
    "Målet med webbplatsen är att målgruppen ska vara välinformerad.\n"
)
STRATEGY = (
    "Våra strategiska mål\n\n"
    "I DALARNA SKA VÅRDEN VARA NÄRA OCH SAMORDNAD\n\n"
    "- VI SKA ERBJUDA EN JÄMLIK VÅRD\n"
    "- VI SKA SÄKERSTÄLLA KONTINUITET I VÅRDPROCESSER\n\n"
    "Regionen ska utveckla fast vårdkontakt för alla som behöver det.\n\n"
    "I DALARNA SKA INVÅNARNA VARA DELAKTIGA\n\n"
    "- VI SKA TA TILLVARA CIVILSAMHÄLLETS KRAFT\n\n"
    "Kommunerna ska införa patientkontrakt under 2025.\n"
)


def _doc(text: str) -> CleanDocument:
    raw = RawDocument(path="x.txt", format="txt", sha256="0", pages=[Page(1, text)])
    return CleanDocument(raw=raw, pages=[CleanPage(1, text, text)])


def test_weights_are_shipped_and_loaded_once() -> None:
    model = shipped_model()
    assert model is not None
    assert shipped_model() is model
    assert model.info_["units"] >= 2000
    assert len(model.info_["documents"]) >= 15


def test_procurement_has_requirements_never_activities_or_goals() -> None:
    _, tags = analyse(_doc(PROCUREMENT), 1, genre="procurement")
    kinds = [t.kind for t in tags]
    assert "activity" not in kinds and "goal" not in kinds
    requirements = [t.text for t in tags if t.kind == "requirement"]
    assert any(t.startswith("Leverantören ska utveckla") for t in requirements)
    assert any(t.startswith("Lösningen ska följa") for t in requirements)


def test_supplier_requirements_recognised_without_the_genre() -> None:
    _, tags = analyse(_doc(PROCUREMENT), 1)
    for start in ("Leverantören ska utveckla", "Lösningen ska följa"):
        own = [t.kind for t in tags if t.text.startswith(start)]
        assert "requirement" in own and "activity" not in own, (start, own)


def test_capitalised_goals_and_activities_linked_to_the_heading_above() -> None:
    _, tags = analyse(_doc(STRATEGY), 1)
    goals = {t.text: i for i, t in enumerate(tags) if t.kind == "goal"}
    assert "I DALARNA SKA VÅRDEN VARA NÄRA OCH SAMORDNAD" in goals
    assert "VI SKA ERBJUDA EN JÄMLIK VÅRD" in goals
    assert "VI SKA TA TILLVARA CIVILSAMHÄLLETS KRAFT" in goals
    first = next(t for t in tags if t.kind == "activity" and t.text.startswith("Regionen ska utveckla"))
    second = next(t for t in tags if t.kind == "activity" and t.text.startswith("Kommunerna ska införa"))
    assert first.goal == goals["I DALARNA SKA VÅRDEN VARA NÄRA OCH SAMORDNAD"]
    assert second.goal == goals["I DALARNA SKA INVÅNARNA VARA DELAKTIGA"]


def test_requirement_spans_survive_a_docbin_round_trip() -> None:
    from planmine.segment import segment

    docs = run(segment(_doc(PROCUREMENT), 1), genre="procurement")
    back = from_docbin(to_docbin(docs).to_bytes())
    assert [len(d.spans["requirements"]) for d in back] == [len(d.spans["requirements"]) for d in docs]
    assert sum(len(d.spans["requirements"]) for d in back) >= 2


def test_unit_model_fit_is_reproducible() -> None:
    features = [[("w:ska", 1.0), (f"w:{w}", 1.0)] for w in ("a", "b", "c", "d")] * 3
    labels = ["goal", "activity", "other", "background"] * 3
    a = UnitModel(seed=3).fit(features, labels)
    b = UnitModel(seed=3).fit(features, labels)
    assert np.array_equal(a.coef_, b.coef_)
    probs = a.predict_proba(features[:4])
    assert probs.shape == (4, 7) and np.allclose(probs.sum(axis=1), 1.0)
    assert [int(np.argmax(p)) for p in probs] == [0, 2, 6, 4]  # goal, activity, other, background


def test_prediction_hashes_features_exactly_as_scikit_learn() -> None:
    """predict_proba hashes without scikit-learn; its columns and scores equal FeatureHasher's."""
    from planmine.tag import run
    from planmine.tag.model import hashed_pairs, vectorize
    from planmine.tag.units import doc_units, unit_features

    passages = analyse(_doc(STRATEGY + "\n\n" + PROCUREMENT), 1)[0]
    features = [unit_features(doc, unit) for doc in run(passages) for unit in doc_units(doc)]
    features.append([("w:åäö", 2.5), ("zero", 0.0), ("w:ska", 1.0), ("w:ska", 1.0)])  # repeats add up
    assert len(features) >= 10
    rows, columns, values = hashed_pairs(features)
    dense = np.zeros((len(features), 2**16))
    np.add.at(dense, (rows, columns), values)
    assert np.array_equal(dense, vectorize(features).toarray())
    model = shipped_model()
    assert model is not None
    reference = np.asarray(vectorize(features) @ model.coef_.T + model.intercept_, dtype=np.float64)
    reference = np.exp(reference - reference.max(axis=1, keepdims=True))
    assert np.allclose(model.predict_proba(features), reference / reference.sum(axis=1, keepdims=True))


@pytest.mark.slow
def test_the_tagger_loads_without_importing_torch() -> None:
    """thinc would import torch (seconds) for models the tagger never uses; a later import still works."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from planmine.tag import tag_passages\n"
        "from planmine.tag.pipeline import get_nlp\n"
        "get_nlp()\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "import importlib.util\n"
        "if importlib.util.find_spec('torch') is not None:\n"
        "    import torch\n"
        "    assert torch.zeros(2).sum().item() == 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
