"""The app's two workers: one reader thread over one read connection, one writer thread that ingests.

SQLite (WAL) lets the reader go on while the writer commits: a question asked during an upload is answered
from the last committed state. The reader reopens its store (and so rebuilds the theme index) when the
writer has stored a file, or when another process changed the store while no upload was running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from planmine.api import Answer, Planmine
from planmine.web.config import WebConfig

log = logging.getLogger(__name__)
T = TypeVar("T")
ANSWERS_KEPT = 128  # the same question asked again (page, API, reload) is answered without work


class Reader:
    """Runs every read (questions, tables, document views) on one thread with one open `Planmine`.

    One thread means one SQLite connection and one theme index in memory; on two cores, queries would not
    run faster in parallel anyway. The embedding model is loaded once per process and shared.
    """

    def __init__(self, config: WebConfig, generation: Callable[[], int], busy: Callable[[], bool]) -> None:
        self.config = config
        self._generation = generation
        self._busy = busy
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planmine-reader")
        self._pm: Planmine | None = None
        self._seen_generation = -1
        self._seen_version = -1
        self._answers: OrderedDict[tuple[str, int], Answer] = OrderedDict()

    def run(self, work: Callable[[Planmine], T]) -> T:
        """`work(planmine)` on the reader thread; its result, or its exception re-raised here."""
        return self._pool.submit(self._call, work).result()

    def answer(self, pm: Planmine, question: str, top_k: int) -> Answer:
        """`pm.ask`, remembered for the store state it was read from (the last ANSWERS_KEPT questions).

        Call on the reader thread (inside `run`): reopening the store forgets every remembered answer.
        """
        key = (question, top_k)
        if (hit := self._answers.get(key)) is not None:
            self._answers.move_to_end(key)
            return hit
        found = pm.ask(question, top_k=top_k)
        self._answers[key] = found
        while len(self._answers) > ANSWERS_KEPT:
            self._answers.popitem(last=False)
        return found

    async def arun(self, work: Callable[[Planmine], T]) -> T:
        """`run` for async routes: awaits the reader thread without holding a worker thread of the server."""
        return await asyncio.wrap_future(self._pool.submit(self._call, work))

    def warm(self) -> None:
        """Load the model and build the theme index now, in the background, so the first question is quick."""

        def ask(pm: Planmine) -> None:
            try:
                if pm.store.documents():
                    pm.ask("nära vård")
            except Exception:  # a warm-up must never stop the server; the first real question will say why
                log.exception("warm-up failed")

        self._pool.submit(self._call, ask)

    def _call(self, work: Callable[[Planmine], T]) -> T:
        return work(self._current())

    def _current(self) -> Planmine:
        generation = self._generation()
        if self._pm is not None:
            version = _data_version(self._pm)
            changed_elsewhere = version != self._seen_version and not self._busy()
            if generation == self._seen_generation and not changed_elsewhere:
                return self._pm
            self._pm.close()
        self._pm = Planmine(self.config.store, model=self.config.model)
        self._answers.clear()
        self._seen_generation = generation
        self._seen_version = _data_version(self._pm)
        return self._pm

    def close(self) -> None:
        def shut(_: Planmine) -> None:
            if self._pm is not None:
                self._pm.close()
                self._pm = None

        if self._pm is not None:
            self._pool.submit(shut, self._pm).result()
        self._pool.shutdown(wait=True)


def _lower_priority(niceness: int = 10) -> None:
    """Lower this thread's CPU priority (Linux schedules threads one by one); elsewhere, nothing."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


def _data_version(pm: Planmine) -> int:
    """SQLite's counter of commits made by other connections to this store."""
    return int(pm.store.conn.execute("PRAGMA data_version").fetchone()[0])


@dataclass
class FileStatus:
    """One uploaded file in an ingest job: queued, reading, then the CLI's status with its reason."""

    name: str
    path: str
    status: str = "queued"
    reason: str = ""
    code: str = ""
    document_id: int | None = None
    region: str | None = None
    title: str = ""
    pages: int = 0
    passages: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestJob:
    """An upload being ingested: its files with their statuses, and whether it is done."""

    id: str
    files: list[FileStatus]
    region: str | None = None  # the region of every file (else detected, as `planmine ingest`)
    state: str = "queued"  # queued | running | done
    created: float = field(default_factory=time.time)
    finished: float | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def completed(self) -> int:
        return sum(f.status not in ("queued", "reading") for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "completed": self.completed,
            "total": len(self.files),
            "files": [asdict(f) for f in self.files],
        }


class Writer:
    """The single writer: ingest jobs run one after another on one thread, each file in one transaction."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._queue: queue.Queue[IngestJob | None] = queue.Queue()
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self._running = 0
        self._thread = threading.Thread(target=self._loop, name="planmine-writer", daemon=True)
        self._thread.start()

    # -- what the reader and the routes ask ------------------------------------------------------
    def generation(self) -> int:
        """Bumped each time a file has been stored (once, not again at the job's end): the reader's cue to
        reopen, which costs it a rebuild of the theme index (about a second on the seed corpus)."""
        return self._generation

    def busy(self) -> bool:
        return self._running > 0 or not self._queue.empty()

    def job(self, job_id: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    # -- work ------------------------------------------------------------------------------------
    def submit(self, files: list[tuple[str, Path]], region: str | None = None) -> IngestJob:
        """Queue (display name, saved path) pairs for ingest; the job reports progress as it goes."""
        statuses = [FileStatus(name, str(path)) for name, path in files]
        job = IngestJob(uuid.uuid4().hex[:12], statuses, region=region)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.config.jobs_kept:
                oldest = next(iter(self._jobs.values()))
                if oldest.state != "done":
                    break
                self._jobs.popitem(last=False)
        self._queue.put(job)
        return job

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=60)

    def _loop(self) -> None:
        _lower_priority()  # questions first: an ingest may take longer, a reader waiting on it may not
        while (job := self._queue.get()) is not None:
            self._running += 1
            try:
                self._ingest(job)
            except Exception:  # the worker must survive any one job
                log.exception("ingest job %s failed", job.id)
                for f in job.files:
                    if f.status in ("queued", "reading"):
                        f.status, f.reason = "failed", "internal error while ingesting (see the server log)"
                self._generation += 1  # it may have stored part of the job
            finally:
                self._running -= 1
                job.state, job.finished = "done", time.time()
                job.done.set()

    def _ingest(self, job: IngestJob) -> None:
        from planmine.pipeline import IngestResult

        by_path = {f.path: f for f in job.files}
        job.state = "running"

        def on_file(path: Path) -> None:
            if (f := by_path.get(str(path))) is not None:
                f.status = "reading"

        def on_result(result: IngestResult) -> None:
            f = by_path.get(result.path)
            if f is None:
                return
            f.status, f.reason, f.code, f.document_id = (
                result.status,
                result.reason,
                result.code,
                result.document_id,
            )
            f.region, f.title, f.pages, f.passages = (
                result.region,
                result.title,
                result.pages,
                result.passages,
            )
            f.warnings = list(result.warnings)
            self._generation += 1  # stored and embedded: readers may now see it

        with Planmine(self.config.store, model=self.config.model) as pm:
            pm.ingest(
                [Path(f.path) for f in job.files],
                region=job.region,
                max_bytes=self.config.max_upload_bytes,
                on_file=on_file,
                on_result=on_result,
            )
