"""The Python API over a store: documents as a DataFrame, answers and comparisons as tidy tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import planmine
from conftest import ROOT, seed_file
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
        assert row["reading"] == "läst som temat Fallprevention"  # every export row says how it was read
        assert "fall" in row["quote"].lower() and row["document"] == kalmar.name
        table = pm.compare(["sip"]).to_frame()
        assert set(table["region"]) == {"Region Kalmar län"} and set(table["theme"]) == {"sip"}


@pytest.fixture(scope="module")
def lexical_store(tmp_path_factory) -> Path:
    """Two seed plans ingested without the embedding model (fast; lexical answers only)."""
    path = tmp_path_factory.mktemp("lexical") / "pm.db"
    with planmine.open(path, model=False) as pm:
        results = pm.ingest([seed_file("kalmar"), seed_file("varmland")])
        assert [r.status for r in results] == ["ok", "ok"], [r.reason for r in results]
    return path


def test_models_are_found_whatever_the_working_directory(tmp_path, monkeypatch):
    from planmine.embed import models

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLANMINE_MODELS", raising=False)
    assert models.models_root() == ROOT / "models"  # a checkout: its own models/, not ./models
    monkeypatch.setattr(models, "checkout_models_dir", lambda: None)  # an installed package
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert models.models_root() == tmp_path / "data" / "planmine" / "models"
    monkeypatch.setenv("PLANMINE_MODELS", str(tmp_path / "mine"))
    assert models.models_root() == tmp_path / "mine"


@pytest.mark.slow
def test_api_with_the_model_from_a_temporary_folder(tmp_path, monkeypatch):
    import os

    from openpyxl import load_workbook

    from planmine.compare_export import TIDY_COLUMNS

    models = os.environ.get("PLANMINE_MODELS") or str(ROOT / "models")
    monkeypatch.chdir(tmp_path)
    for name in ("PLANMINE_STORE", "PLANMINE_THEMES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANMINE_MODELS", models)
    with planmine.open("store/pm.db") as pm:
        results = pm.ingest([seed_file("kalmar"), seed_file("orebro")])
        assert [r.status for r in results] == ["ok", "ok"]
        assert not [w for r in results for w in r.warnings if "embedded" in w]  # embedding was not skipped
        docs = pm.documents()
        assert set(docs["region"]) == {"Region Kalmar län", "Region Örebro län"}
        assert {"title", "date", "type", "path", "pages"} <= set(docs.columns)

        frame = pm.ask("Vilka regioner arbetar med fallprevention?").to_frame()
        assert tuple(frame.columns) == ANSWER_COLUMNS and len(frame) == 2
        kalmar = frame.set_index("region").loc["Region Kalmar län"]
        assert kalmar["level"] == "addressed" and 0 < kalmar["score"] <= 1
        assert "fall" in kalmar["quote"].lower() and kalmar["document"] == seed_file("kalmar").name
        assert kalmar["title"] and kalmar["date"] and kalmar["page"] >= 1
        assert kalmar["source"] == str(seed_file("kalmar").resolve())

        everywhere = pm.ask("fallprevention", all_regions=True).to_frame()
        assert len(everywhere) == 21 and (everywhere["level"] == "no_documents").sum() == 19

        table = pm.compare(["sip", "fallprevention"])
        tidy = table.to_frame()
        assert tuple(tidy.columns) == TIDY_COLUMNS and len(tidy) == 4
        assert set(tidy["label"]) == {"Samordnad individuell plan (SIP)", "Fallprevention"}
        assert set(tidy["level"]) <= {"addressed", "mentioned", "not_found", "cannot_assess"}
        xlsx = table.to_excel(tmp_path / "themes.xlsx")
        assert load_workbook(xlsx)["table"]["A2"].value == "Samordnad individuell plan (SIP)"
    assert (tmp_path / "store" / "pm.db").is_file()
    assert not (tmp_path / "models").exists()  # nothing was built in the working directory


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from planmine.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_version():
    result = _cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"planmine {planmine.__version__}"


def test_compare_format_follows_the_output_suffix(lexical_store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "auto.xlsx"
    result = _cli(
        "compare", "sip", "fallprevention", "--store", str(lexical_store), "--no-model", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"  # a real workbook, not Markdown
    assert load_workbook(out)["table"]["A3"].value == "Fallprevention"
    csv_out = tmp_path / "t.csv"
    assert (
        _cli("compare", "sip", "--store", str(lexical_store), "--no-model", "-o", str(csv_out)).exit_code == 0
    )
    assert csv_out.read_text(encoding="utf-8").startswith("theme,label,region,level")
    bad = _cli(
        "compare", "sip", "--store", str(lexical_store), "--no-model", "--format", "md", "-o", str(out)
    )
    assert bad.exit_code == 2 and "does not match" in bad.output


def test_terminal_output_fits_80_columns(lexical_store):
    for args in (["compare"], ["docs"], ["query", "fallprevention"]):
        extra = ["--no-model"] if args[0] != "docs" else []
        result = _cli(*args, "--store", str(lexical_store), *extra)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        if args[0] != "query":  # query prints whole lines for grep; tables must fit
            assert max(len(line) for line in lines) <= 80, (args, max(lines, key=len))
        assert not [line for line in lines if len(line.strip()) == 1], args  # no letter-by-letter wrapping
    docs = _cli("docs", "--store", str(lexical_store)).output
    assert "Region Kalmar län" in docs and "Region Värmland" in docs


def test_query_and_compare_list_all_21_regions_on_request(lexical_store):
    import json

    result = _cli(
        "query", "fallprevention", "--store", str(lexical_store), "--no-model", "--all-regions", "--json"
    )
    assert result.exit_code == 0, result.output
    regions = json.loads(result.output)[0]["regions"]
    assert len(regions) == 21
    by_name = {r["region"]: r["level"] for r in regions}
    assert by_name["Region Kalmar län"] == "addressed" and by_name["Region Skåne"] == "no_documents"
    result = _cli(
        "compare", "sip", "--store", str(lexical_store), "--no-model", "--all-regions", "--format", "json"
    )
    data = json.loads(result.output)
    assert len(data["regions"]) == 21
    assert {c["level"] for c in data["cells"] if c["region"] == "Region Gotland"} == {"no_documents"}


def test_report_for_the_analysts_question_and_selection(lexical_store, tmp_path):
    out = tmp_path / "r.html"
    question = "Vilka regioner arbetar med fallprevention?"
    result = _cli(
        "report", "--store", str(lexical_store), "--no-model", "--question", question, "--theme", "sip",
        "--theme", "fallprevention", "--region", "kalmar", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f"<h3>{question}</h3>" in html and "Teman i regionernas planer" in html
    assert html.count("<tr data-theme=") == 2 and 'data-region="Region Kalmar län"' in html
    assert 'data-region="Region Värmland"' not in html  # the selection holds in every section
    assert seed_file("kalmar").resolve().as_uri() in html
    assert len(html) < 400_000
    english = _cli("report", "--store", str(lexical_store), "--no-model", "--lang", "en", "-o", str(out))
    assert english.exit_code == 0 and '<html lang="en">' in out.read_text(encoding="utf-8")
    assert _cli("report", "--store", str(lexical_store), "--lang", "fi", "-o", str(out)).exit_code == 2


def test_filters_reach_the_answer_core_only_when_it_takes_them():
    from planmine.api import _optional_filters
    from planmine.errors import UsageError

    def takes_types(store: object, types: frozenset[str] | None = None) -> None: ...

    def takes_nothing(store: object) -> None: ...

    assert _optional_filters(takes_types, types=None, as_of=None) == {}
    assert _optional_filters(takes_types, types="plan,agreement") == {
        "types": frozenset({"plan", "agreement"})
    }
    with pytest.raises(UsageError, match="cannot filter by as_of"):
        _optional_filters(takes_types, as_of=2024)
    with pytest.raises(UsageError, match="types"):
        _optional_filters(takes_nothing, types="plan")
