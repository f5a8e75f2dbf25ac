"""End-to-end ingestion: regions of the seed corpus, idempotence, replacement, bad input, kills."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, REALDOCS, SEED_REGIONS, seed_file
from planmine.cli import app
from planmine.pipeline import ingest_paths
from planmine.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "planmine.db"
    with Store(path) as store:
        results = ingest_paths([CORPUS], store, embed=False)
    assert [r.status for r in results] == ["ok"] * 5, [(r.path, r.reason) for r in results]
    return path


def test_seed_corpus_gets_the_right_regions(corpus_store):
    with Store(corpus_store) as store:
        docs = {d.name.split("_")[0]: d for d in store.documents()}
    assert {prefix: docs[prefix].region for prefix in SEED_REGIONS} == SEED_REGIONS
    assert all(d.passages > 10 and d.pages >= 1 for d in docs.values())
    assert docs["kalmar"].meta.year == "2023–2024"
    assert docs["kalmar"].meta.doc_type == "handlingsplan"


def test_reingest_is_a_no_op(corpus_store):
    with Store(corpus_store) as store:
        before = store.counts()
        results = ingest_paths([CORPUS], store, embed=False)
        assert {r.status for r in results} == {"unchanged"}
        assert store.counts() == before


def test_file_name_does_not_decide_the_region(tmp_path):
    misleading = tmp_path / "skane_malbild.txt"
    shutil.copy(seed_file("kalmar"), misleading)
    with Store(tmp_path / "s.db") as store:
        [result] = ingest_paths([misleading], store, embed=False)
    assert result.region == "Region Kalmar län"


def test_changed_file_replaces_its_earlier_version(tmp_path):
    plan = tmp_path / "plan.txt"
    text = seed_file("ostergotland").read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        [first] = ingest_paths([plan], store, embed=False)
        plan.write_text(
            text + "\n\nEtt nytt stycke om fallprevention i Region Östergötland.\n", encoding="utf-8"
        )
        [second] = ingest_paths([plan], store, embed=False)
        assert second.status == "replaced" and "replaced document" in second.reason
        assert store.counts()["documents"] == 1
        assert any("fallprevention" in p.text for p in store.passages())
        assert first.document_id == second.document_id  # the id stays valid across versions


def test_same_content_under_another_name_is_not_stored_twice(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(seed_file("skane"), a)
    shutil.copy(seed_file("skane"), b)
    with Store(tmp_path / "s.db") as store:
        results = ingest_paths([a, b], store, embed=False)
        assert [r.status for r in results] == ["ok", "duplicate"]
        assert store.counts()["documents"] == 1


def test_region_option_and_manifest_override_detection(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(seed_file("skane"), folder / "plan.txt")
    (folder / "manifest.yaml").write_text("plan.txt:\n  region: Region Halland\n  year: '2022'\n")
    with Store(tmp_path / "s.db") as store:
        [result] = ingest_paths([folder], store, embed=False)
        assert result.region == "Region Halland"
        assert store.documents()[0].meta.region_source == "manifest"
        [again] = ingest_paths([folder], store, region="Gotland", embed=False)
        assert again.region == "Region Gotland" and again.status == "replaced"


def test_bad_files_fail_alone_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "error.pdf").write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>")
    (folder / "data.xyz").write_bytes(b"\x00\x01binary")
    shutil.copy(seed_file("ostergotland"), folder / "good.txt")
    store = tmp_path / "s.db"
    result = runner.invoke(app, ["ingest", str(folder), "--store", str(store), "--json", "--no-embed"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    by_name = {Path(r["path"]).name: r for r in summary}
    assert by_name["good.txt"]["status"] == "ok"
    assert by_name["empty.txt"]["code"] == "empty"
    assert by_name["error.pdf"]["code"] == "mismatch"
    assert by_name["data.xyz"]["code"] == "unsupported"
    for name in ("empty.txt", "error.pdf", "data.xyz"):
        assert name in result.stderr
    assert "Traceback" not in result.output
    with Store(store) as db:
        assert [d.name for d in db.documents()] == ["good.txt"]


def test_ingest_usage_errors_exit_2(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.pdf"), "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = runner.invoke(
        app, ["ingest", str(CORPUS), "--region", "Atlantis", "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 2 and "Unknown region" in result.stderr


def test_docs_lists_the_store(corpus_store):
    result = runner.invoke(app, ["docs", "--json", "--store", str(corpus_store)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["region"] for r in rows} == set(SEED_REGIONS.values())
    assert all(r["pages"] >= 1 and r["passages"] > 0 for r in rows)
    orebro = next(r for r in rows if r["name"].startswith("orebro"))
    assert orebro["repaired_words"] > 100  # the OCR-damaged plan was repaired, and the store says so


@pytest.mark.slow
@pytest.mark.skipif(not REALDOCS.exists(), reason="shared/realdocs not present")
def test_all_real_documents_go_in(tmp_path):
    with Store(tmp_path / "s.db") as store:
        results = ingest_paths([REALDOCS], store, embed=False)
        by_name = {Path(r.path).name: r for r in results}
    failed = {n: r.reason for n, r in by_name.items() if r.failed and not n.endswith(".tsv")}
    assert not failed
    for name, result in by_name.items():
        if name.endswith(".md") and (REALDOCS / "botkyrka" / name).exists():
            assert result.region == "Region Stockholm", (name, result.region)


@pytest.mark.slow
def test_a_killed_ingest_leaves_the_store_consistent(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):  # distinct contents so that none is a duplicate
        text = seed_file("varmland").read_text(encoding="utf-8")
        (folder / f"plan{i:02}.txt").write_text(f"{text}\n\nVersion {i}.\n", encoding="utf-8")
    store = tmp_path / "s.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "planmine", "ingest", str(folder), "--store", str(store), "--no-embed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    # Kill it once it has stored a few documents, in the middle of the batch.
    deadline = time.time() + 120
    lines = 0
    while proc.poll() is None and time.time() < deadline:
        line = proc.stdout.readline() if proc.stdout else b""
        lines += line.startswith(b"ok")
        if lines >= 3:
            break
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(store) as db:
        docs = db.documents()
        assert 3 <= len(docs) < 12
        for doc in docs:  # every stored document is whole
            assert doc.pages >= 1 and doc.passages > 10
        orphans = db.conn.execute(
            "SELECT COUNT(*) FROM passages WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        assert orphans == 0
        results = ingest_paths([folder], db, embed=False)
        assert sum(r.status == "unchanged" for r in results) == len(docs)
        assert db.counts()["documents"] == 12


@pytest.mark.slow
def test_ingest_embeds_passages_once(tmp_path):
    plan = tmp_path / "plan.txt"
    shutil.copy(seed_file("ostergotland"), plan)
    with Store(tmp_path / "s.db") as store:
        [result] = ingest_paths([plan], store)
        assert not [w for w in result.warnings if "not embedded" in w]
        hashes = {p.hash for p in store.passages()}
        assert store.counts()["vectors"] == len(hashes) > 50
        assert store.get_meta("embedding_model")
        (tmp_path / "other.txt").write_text(plan.read_text(encoding="utf-8") + "\nEtt stycke till.\n")
        ingest_paths([tmp_path / "other.txt"], store)
        assert store.counts()["vectors"] == len(hashes) + 1  # only the new passage was embedded
