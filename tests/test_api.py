"""The Python API over a store: documents as a DataFrame, answers and comparisons as tidy tables."""

from __future__ import annotations

import planmine
from planmine.api import ANSWER_COLUMNS


def test_the_package_exports_open_and_the_api_types():
    assert {"open", "Planmine", "Answer", "ComparisonTable"} <= set(planmine.__all__)


def test_lexical_api_ingests_asks_and_compares_from_any_folder(tmp_path, monkeypatch, corpus_dir):
    monkeypatch.chdir(tmp_path)
    kalmar = next(corpus_dir.glob("kalmar_*.txt"))
    with planmine.open(tmp_path / "pm.db", model=False) as pm:
        [result] = pm.ingest([kalmar])
        assert result.status == "ok", result.reason
        docs = pm.documents()
        assert list(docs["region"]) == ["Region Kalmar län"]
        frame = pm.ask("fallprevention").to_frame()
        assert tuple(frame.columns) == ANSWER_COLUMNS
        row = frame.iloc[0]
        assert row["region"] == "Region Kalmar län" and row["level"] == "addressed"
        assert "fall" in row["quote"].lower() and row["document"] == kalmar.name
        table = pm.compare(["sip"]).to_frame()
        assert set(table["region"]) == {"Region Kalmar län"} and set(table["theme"]) == {"sip"}
