"""Ingest on a real Dask LocalCluster of 2 workers: same documents as serial, a killed worker loses nothing."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from conftest import seed_file
from planmine.pipeline import IngestResult, ingest_paths
from planmine.store import Store
from planmine.themes.materialise import fingerprint
from planmine.themes.taxonomy import load_taxonomy

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    prefixes = ["kalmar", "skane", "varmland", "ostergotland"]
    for i in range(n):
        text = seed_file(prefixes[i % len(prefixes)]).read_text(encoding="utf-8")
        (folder / f"plan{i:02}.txt").write_text(f"{text}\n\nVersion {i}.\n", encoding="utf-8")
    return folder


def _assert_whole(db: Store) -> None:
    for doc in db.documents():
        assert doc.pages >= 1 and doc.passages > 10
    orphans = db.conn.execute(
        "SELECT COUNT(*) FROM passages WHERE document_id NOT IN (SELECT id FROM documents)"
    ).fetchone()[0]
    assert orphans == 0


def _evidence(db: Store) -> list[tuple]:
    return [
        tuple(r)
        for r in db.conn.execute(
            """SELECT d.name, p.idx, e.theme, e.seq, e.term, e.role, e.quote_start, e.quote_end, e.lexical
               FROM theme_evidence e JOIN passages p ON p.id = e.passage_id JOIN documents d ON d.id = e.document_id
               ORDER BY d.name, p.idx, e.theme, e.seq"""
        )
    ]


def test_two_local_workers_store_what_one_process_stores(tmp_path) -> None:
    folder = _folder(tmp_path, 3)
    shutil.copy(folder / "plan00.txt", folder / "copy.txt")  # same content in the same batch
    with Store(tmp_path / "serial.db") as db:
        serial = ingest_paths([folder], db, embed=False)
        serial_counts = db.counts()
        serial_evidence = _evidence(db)
    with Store(tmp_path / "dask.db") as db:
        parallel = ingest_paths([folder], db, embed=False, workers=2)
        assert db.counts() == serial_counts
        _assert_whole(db)
        # the workers computed each document's theme evidence; the writer stored it with the document
        assert _evidence(db) == serial_evidence and len(serial_evidence) > 50
        assert db.stale_evidence(fingerprint(load_taxonomy()), None) == []
    by_status = sorted(r.status for r in parallel)
    assert by_status == sorted(r.status for r in serial) == ["duplicate", "ok", "ok", "ok"]
    assert [Path(r.path).name for r in parallel] == [Path(r.path).name for r in serial]  # input order
    assert [(r.region, r.passages) for r in parallel] == [(r.region, r.passages) for r in serial]


def test_a_worker_killed_mid_task_loses_nothing(tmp_path) -> None:
    from distributed import Client, LocalCluster

    folder = _folder(tmp_path, 6)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_a_busy_worker(result: IngestResult) -> None:
            if killed:
                return
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)

        with Store(tmp_path / "s.db") as db:
            results = ingest_paths(
                [folder], db, embed=False, scheduler=cluster.scheduler_address, on_result=kill_a_busy_worker
            )
            assert killed, "no worker was busy to kill"
            ok = [r for r in results if r.status == "ok"]
            lost = [r for r in results if r.failed]
            assert len(ok) + len(lost) == 6
            assert all(r.code == "worker_lost" for r in lost)
            assert db.counts()["documents"] == len(ok) >= 4  # retried on the surviving worker
            _assert_whole(db)
