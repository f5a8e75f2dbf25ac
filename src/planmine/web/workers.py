"""The app's workers: readers over committed snapshots of the store, and one writer that ingests.

Reads run on a `Snapshot`: one thread with one `Planmine` whose SQLite connection sits inside a read
transaction, so every question it answers sees one committed state of the store (WAL lets the writer
commit meanwhile). When the store's generation moves, a new snapshot is opened and its theme index built
on its own thread while the old one keeps answering; the new one takes over when it is ready (and has
answered again the questions asked most recently). Answers are remembered per snapshot: they only change
when the store does, and a remembered answer is served without waiting for the reader thread.

Uploads are ingested in a separate, lower-priority process (`planmine.web.ingest_process`), so that the
ingest's Python work does not hold the server's GIL and its embedding leaves a core to the readers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import queue
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from planmine.api import Answer, Planmine
from planmine.store import Store
from planmine.web.config import WebConfig

log = logging.getLogger(__name__)
T = TypeVar("T")
ANSWERS_KEPT = 4096  # answers remembered per snapshot (a few kB each)
PREWARM_QUESTIONS = 256  # a new snapshot first answers again up to this many of the latest questions...
PREWARM_S = 5.0  # ...for at most this long, before it takes over
BATCH_QUESTIONS = 16  # new questions waiting together are answered in one batch (one embedding call)
BUILD_WAIT_S = 300.0  # the longest a request waits for a first (or externally changed) snapshot
CATCH_UP_S = 120.0  # the longest an ingest job waits for the readers to see what it stored
AnswerKey = tuple[str, int]  # (question, top_k)


class Probe:
    """The store's committed generation, read over a connection of its own (any thread, microseconds).

    The generation is the counter `Store` bumps in every write transaction (`Store.generation`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def generation(self) -> int | None:
        """The generation now committed; None when there is no store yet."""
        with self._lock:
            try:
                if self._conn is None:
                    if not self.path.exists():
                        return None
                    self._conn = sqlite3.connect(
                        f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=5
                    )
                row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            except sqlite3.DatabaseError:  # not created yet (no meta table): the first write will
                return None
        return int(row[0]) if row and row[0] else 0

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SnapshotStore(Store):
    """A store that a reader holds inside one read transaction, and that never writes.

    Answering may compute vectors the store lacks (background phrases of the question reader, theme
    definitions, a passage not yet embedded); a read transaction cannot store them, and writing would
    wait on the ingest's lock. They are kept in `overlay` instead, shared by the reader's snapshots:
    a vector is keyed by model and text hash, so it holds in every state of the store.
    """

    def __init__(self, path: Path, overlay: dict[tuple[str, str], np.ndarray]) -> None:
        super().__init__(path)  # creates the schema of a new store: before any read transaction
        self.overlay = overlay
        self.pinned = False

    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        hashes = list(hashes)
        found = super().vectors(model, hashes)
        for h in hashes:
            if h not in found and (model, h) in self.overlay:
                found[h] = self.overlay[model, h]
        return found

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        for h, v in vectors.items():
            self.overlay[model, h] = np.asarray(v, dtype=np.float32)

    def set_meta(self, key: str, value: str) -> None:
        if not self.pinned:  # a note such as the embedding model's name: the ingest records it
            super().set_meta(key, value)

    def pin(self) -> int:
        """Begin the read transaction; the generation of the state it shows."""
        self.conn.execute("BEGIN")
        self.pinned = True
        return self.generation()  # the first read fixes the transaction's state


class Snapshot:
    """One committed state of the store, answered on a thread of its own."""

    def __init__(
        self, config: WebConfig, number: int, overlay: dict[tuple[str, str], np.ndarray] | None = None
    ) -> None:
        self.config = config
        self.number = number
        self.overlay = overlay if overlay is not None else {}
        self.pm: Planmine | None = None
        self.generation = -1
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"planmine-reader-{number}")
        self._answers: OrderedDict[AnswerKey, Answer] = OrderedDict()
        self._pending: dict[AnswerKey, Future[Answer]] = {}  # asked, being answered: asked again, awaited
        self._todo: list[AnswerKey] = []
        self._draining = False
        self._lock = threading.Lock()
        self._closed = False

    # -- any thread ------------------------------------------------------------------------------
    def submit(self, work: Callable[[Planmine], T]) -> Future[T] | None:
        """`work(planmine)` on this snapshot's thread; None once the snapshot is closed."""
        with self._lock:
            if self._closed:
                return None
            return self._pool.submit(self._call, work)

    def request(self, key: AnswerKey) -> Future[Answer] | None:
        """The answer to (question, top_k) as a future: remembered, already being computed for another
        request, or queued to be computed with the other new questions waiting; None once closed."""
        with self._lock:
            if self._closed:
                return None
            future: Future[Answer] = Future()
            if (hit := self._answers.get(key)) is not None:
                future.set_result(hit)
                return future
            if (pending := self._pending.get(key)) is not None:
                return pending
            self._pending[key] = future
            self._todo.append(key)
            if not self._draining:
                self._draining = True
                self._pool.submit(self._drain)
            return future

    def cached(self, key: AnswerKey) -> Answer | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def recent(self, n: int) -> list[AnswerKey]:
        """The keys of the n answers asked most recently, latest first."""
        with self._lock:
            return list(reversed(self._answers))[:n]

    def close(self, wait: bool = False) -> None:
        """Close after the work already queued (a request that arrives later goes to the new snapshot)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._pool.submit(self._shut)
        self._pool.shutdown(wait=wait)

    def start(self, questions: list[AnswerKey]) -> Future[Snapshot]:
        """`open` on this snapshot's own thread (its connection lives and dies there)."""
        return self._pool.submit(self.open, questions)

    # -- its own thread --------------------------------------------------------------------------
    def open(self, questions: list[AnswerKey]) -> Snapshot:
        """Open the store, pin a committed state, build the index and answer `questions` (for the cache)."""
        store = SnapshotStore(self.config.store, self.overlay)
        self.pm = Planmine.over(store, model=self.config.model)
        self._pin()
        self._warm(questions)
        return self

    def answer(self, question: str, top_k: int) -> Answer:
        """`pm.ask`, remembered for this snapshot (the last ANSWERS_KEPT questions)."""
        key = (question, top_k)
        if (hit := self.cached(key)) is not None:
            return hit
        assert self.pm is not None
        found = self.pm.ask(question, top_k=top_k)
        with self._lock:
            self._remember(key, found)
        return found

    def _drain(self) -> None:
        """Answer the queued questions, BATCH_QUESTIONS of one top_k at a time, until none wait."""
        while True:
            with self._lock:
                if not self._todo:
                    self._draining = False
                    return
                top_k = self._todo[0][1]
                batch = [k for k in self._todo if k[1] == top_k][:BATCH_QUESTIONS]
                self._todo = [k for k in self._todo if k not in batch]
            results: list[tuple[AnswerKey, Answer | None, BaseException | None]] = []
            try:
                assert self.pm is not None
                answers = self.pm.ask_many([q for q, _ in batch], top_k=top_k)
                results = [(k, a, None) for k, a in zip(batch, answers, strict=True)]
            except Exception:  # one question's error must not fail the others: each on its own
                for key in batch:
                    try:
                        results.append((key, self.answer(*key), None))
                    except Exception as exc:
                        results.append((key, None, exc))
            with self._lock:
                done = []
                for key, found, error in results:
                    if found is not None:
                        self._remember(key, found)
                    done.append((self._pending.pop(key), found, error))
            for future, found, error in done:
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(found)  # type: ignore[arg-type]

    def _remember(self, key: AnswerKey, found: Answer) -> None:
        """Keep an answer (call with the lock held)."""
        self._answers[key] = found
        self._answers.move_to_end(key)
        while len(self._answers) > ANSWERS_KEPT:
            self._answers.popitem(last=False)

    def _call(self, work: Callable[[Planmine], T]) -> T:
        assert self.pm is not None
        return work(self.pm)

    def _pin(self) -> None:
        assert self.pm is not None
        self.generation = self._store().pin()

    def _store(self) -> SnapshotStore:
        assert self.pm is not None and isinstance(self.pm.store, SnapshotStore)
        return self.pm.store

    def _warm(self, questions: list[AnswerKey]) -> None:
        assert self.pm is not None
        if not self.pm.store.documents():
            return
        self.pm.ask("nära vård")  # the model and the theme index, before the first question
        deadline = time.monotonic() + PREWARM_S
        for question, top_k in questions:
            if time.monotonic() > deadline:
                break
            self.answer(question, top_k)

    def _shut(self) -> None:
        if self.pm is not None:
            self.pm.close()  # ends the read transaction
            self.pm = None


class Reader:
    """Every read (questions, tables, document views) goes to the current snapshot of the store.

    `busy()` says an upload is being ingested: while it is, a question is answered from the snapshot the
    reader has (the last committed state it loaded) and new snapshots open only when the writer says a
    file is stored (`refresh`). At other times a change to the store (another process) is seen at once.
    """

    def __init__(self, config: WebConfig, busy: Callable[[], bool] = lambda: False) -> None:
        self.config = config
        self._busy = busy
        self._probe = Probe(config.store)
        self._current: Snapshot | None = None
        self._building: Snapshot | None = None
        self._again = False
        self._error: BaseException | None = None
        self._count = 0
        self._overlay: dict[tuple[str, str], np.ndarray] = {}  # vectors computed by readers
        self._changed = threading.Condition()
        self.hits = 0
        self.misses = 0

    # -- reads -----------------------------------------------------------------------------------
    def run(self, work: Callable[[Planmine], T]) -> T:
        """`work(planmine)` on the current snapshot's thread; its result, or its exception re-raised."""
        while True:
            future = self._fresh().submit(work)
            if future is not None:
                return future.result()

    async def arun(self, work: Callable[[Planmine], T]) -> T:
        """`run` for async routes: awaits the snapshot's thread without holding a thread of the server."""
        while True:
            snapshot = self._ready()
            if snapshot is None:
                snapshot = await asyncio.to_thread(self._fresh)  # waits for a new snapshot
            future = snapshot.submit(work)
            if future is not None:
                return await asyncio.wrap_future(future)

    async def ask(self, question: str, top_k: int) -> Answer:
        """The answer from the current snapshot: remembered, or computed with the other new questions."""
        while True:
            snapshot = self._ready()
            if snapshot is None:
                snapshot = await asyncio.to_thread(self._fresh)  # waits for a new snapshot
            future = snapshot.request((question, top_k))
            if future is not None:
                return await asyncio.wrap_future(future)

    def cached(self, question: str, top_k: int) -> Answer | None:
        """The remembered answer for the current, up-to-date snapshot, or None; never waits."""
        snapshot = self._ready()
        found = snapshot.cached((question, top_k)) if snapshot is not None else None
        with self._changed:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def answer(self, pm: Planmine, question: str, top_k: int) -> Answer:
        """Inside `run`'s work: `pm.ask`, remembered for the snapshot `pm` belongs to."""
        for snapshot in (self._current, self._building):
            if snapshot is not None and snapshot.pm is pm:
                return snapshot.answer(question, top_k)
        return pm.ask(question, top_k=top_k)

    @property
    def generation(self) -> int:
        """The store generation the current snapshot shows (-1 before the first)."""
        current = self._current
        return current.generation if current is not None else -1

    def stats(self) -> dict[str, Any]:
        current = self._current
        return {
            "generation": self.generation,
            "snapshots_opened": self._count,
            "answers_cached": len(current.recent(ANSWERS_KEPT)) if current else 0,
            "cache_hits": self.hits,
            "cache_misses": self.misses,
        }

    # -- snapshots -------------------------------------------------------------------------------
    def _ready(self) -> Snapshot | None:
        """The current snapshot if it shows the committed generation, or if an upload is running (its
        files appear as each is stored); else None (a new snapshot is needed)."""
        current = self._current
        if current is not None and (self._busy() or self._probe.generation() == current.generation):
            return current
        return None

    def _fresh(self) -> Snapshot:
        """`_ready`, or else (waiting for it) a snapshot of what is committed now."""
        if (ready := self._ready()) is not None:
            return ready
        self.refresh(again=False)
        return self.wait(self._probe.generation(), BUILD_WAIT_S)

    def refresh(self, again: bool = True) -> None:
        """Open a new snapshot in the background; if one is being opened, one more after it (`again`: the
        writer has stored a file since) or not (a reader waiting for any snapshot of the current state)."""
        with self._changed:
            if self._building is not None:
                self._again = self._again or again
                return
            self._count += 1
            snapshot = self._building = Snapshot(self.config, self._count, self._overlay)
            self._error = None
            questions = self._current.recent(PREWARM_QUESTIONS) if self._current else []
        snapshot.start(questions).add_done_callback(self._opened)

    def _opened(self, future: Future[Snapshot]) -> None:
        with self._changed:
            snapshot, self._building = self._building, None
            again, self._again = self._again, False
            old = None
            if future.exception() is not None or snapshot is None:
                self._error = future.exception()
                log.error("could not open the store for reading: %s", self._error)
                if snapshot is not None:
                    snapshot.close()
            else:
                old, self._current = self._current, snapshot
            self._changed.notify_all()
        if old is not None:
            old.close()
        if (
            snapshot is not None
            and self._error is None
            # while an upload runs, only the writer's word counts: a file's commits are not one state
            and (again or (not self._busy() and self._probe.generation() != snapshot.generation))
        ):
            self.refresh()

    def wait(self, generation: int | None, timeout: float) -> Snapshot:
        """The current snapshot once it shows `generation` or later (or the newest after `timeout`)."""

        def ready() -> bool:
            current = self._current
            fresh = current is not None and (generation is None or current.generation >= generation)
            return fresh or (self._building is None and self._error is not None)

        with self._changed:
            self._changed.wait_for(ready, timeout)
            current, error = self._current, self._error
        if current is None:
            if error is not None:
                raise error
            raise TimeoutError("the store could not be opened in time")
        return current

    def catch_up(self, timeout: float = CATCH_UP_S) -> None:
        """Wait until the readers show what is committed now (an ingest job's last step)."""
        self.refresh()
        self.wait(self._probe.generation(), timeout)

    def warm(self) -> None:
        """Open the first snapshot now, in the background, so the first question is quick."""
        self.refresh()

    def close(self) -> None:
        with self._changed:
            snapshots = [s for s in (self._building, self._current) if s is not None]
            self._current = self._building = None
        for snapshot in snapshots:
            snapshot.close(wait=True)
        self._probe.close()


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
    """The single writer: ingest jobs run one after another in a worker process, each file committed
    on its own; `on_stored` is called after each stored file and `catch_up` before a job is done."""

    def __init__(
        self,
        config: WebConfig,
        on_stored: Callable[[], None] = lambda: None,
        catch_up: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        self._on_stored = on_stored
        self._catch_up = catch_up
        self._queue: queue.Queue[IngestJob | None] = queue.Queue()
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._running = 0
        self._process: Any = None  # multiprocessing.Process, started with the first job
        self._conn: Any = None
        self._thread = threading.Thread(target=self._loop, name="planmine-writer", daemon=True)
        self._thread.start()

    # -- what the reader and the routes ask ------------------------------------------------------
    def busy(self) -> bool:
        """A job is queued or running (until the readers show what it stored)."""
        return self._running > 0

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
        with self._lock:
            self._running += 1  # busy from now on, before the job leaves the queue
        self._queue.put(job)
        return job

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=60)
        if self._process is not None:
            with contextlib.suppress(OSError, ValueError):  # the process may be gone already
                self._conn.send(None)
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)

    def _loop(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                self._ingest(job)
            except Exception:  # the worker must survive any one job
                log.exception("ingest job %s failed", job.id)
                for f in job.files:
                    if f.status in ("queued", "reading"):
                        f.status, f.reason = "failed", "internal error while ingesting (see the server log)"
            finally:
                try:
                    self._catch_up()  # done means: a question asked now sees what the job stored
                except Exception:
                    log.exception("the readers did not catch up after ingest job %s", job.id)
                with self._lock:
                    self._running -= 1
                job.state, job.finished = "done", time.time()
                job.done.set()

    def _worker(self) -> Any:
        """The pipe to the ingest process, started (or restarted after a crash) here."""
        if self._process is None or not self._process.is_alive():
            from planmine.web import ingest_process

            context = multiprocessing.get_context("spawn")  # no fork of a threaded server
            self._conn, child = context.Pipe()
            self._process = context.Process(
                target=ingest_process.serve,
                args=(child, str(self.config.store), self.config.model),
                name="planmine-ingest",
                daemon=True,
            )
            self._process.start()
            child.close()
        return self._conn

    def _ingest(self, job: IngestJob) -> None:
        by_path = {f.path: f for f in job.files}
        job.state = "running"
        conn = self._worker()
        conn.send(("ingest", [f.path for f in job.files], job.region, self.config.max_upload_bytes))
        while True:
            if not conn.poll(1.0):
                if not self._process.is_alive():
                    raise RuntimeError(f"the ingest process stopped (exit code {self._process.exitcode})")
                continue
            kind, data = conn.recv()
            if kind == "file":
                if (f := by_path.get(data)) is not None:
                    f.status = "reading"
            elif kind == "result":
                if (f := by_path.get(data["path"])) is not None:
                    for key, value in data.items():
                        if key != "path":
                            setattr(f, key, value)
                self._on_stored()  # stored and embedded: readers may now see it
            elif kind == "done":
                return
            else:
                raise RuntimeError(f"the ingest process failed ({data})")
