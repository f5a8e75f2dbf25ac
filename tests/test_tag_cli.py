"""`planmine tags` and `planmine show` read tags back from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planmine.cli import app
from planmine.store import Store
from planmine.tag import analyse
from planmine.tag.corpus import corpus_files, minimal_clean_document
from planmine.types import DocumentMeta

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tags") / "planmine.db"
    regions = {"kalmar": "Region Kalmar län", "ostergotland": "Region Östergötland"}
    with Store(path) as db:
        for file in corpus_files(ROOT / "corpus"):
            prefix = file.name.split("_")[0]
            if prefix in regions:
                doc = minimal_clean_document(file)
                passages, tags = analyse(doc, 0)
                db.save_document(doc, DocumentMeta(region=regions[prefix]), passages, tags)
    return path


def test_tags_json_contract(store: Path) -> None:
    result = runner.invoke(app, ["tags", "--kind", "activity", "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["kind"] == "activity" for r in rows)
    for key in ("kind", "text", "region", "document", "page", "section", "commitment", "actors", "goal"):
        assert key in rows[0]
    yam = next(r for r in rows if r["text"].startswith("Stödja implementeringen av YAM"))
    assert yam["region"] == "Region Kalmar län"
    assert yam["goal"].startswith("Barn och unga har ökad kunskap")
    assert yam["actors"] == ["Samordnande grupp Barn och unga"]
    assert yam["section"] == "Barn och unga › Aktiviteter Barn och unga"


def test_tags_filter_by_region_and_kind(store: Path) -> None:
    result = runner.invoke(
        app, ["tags", "--kind", "goal", "--region", "Region Östergötland", "--json", "--store", str(store)]
    )
    rows = json.loads(result.stdout)
    assert rows and {r["region"] for r in rows} == {"Region Östergötland"}
    bad = runner.invoke(app, ["tags", "--kind", "wish", "--store", str(store)])
    assert bad.exit_code == 2


def test_show_prints_structure_and_goal_links(store: Path) -> None:
    result = runner.invoke(
        app, ["show", "kalmar_handlingsplaner-lansgemensam-ledning_2023-2024.txt", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output
    assert "§ Äldre › Aktiviteter Äldre" in result.output
    assert "Goals → activities" in result.output
    missing = runner.invoke(app, ["show", "no-such-doc", "--store", str(store)])
    assert missing.exit_code == 1
