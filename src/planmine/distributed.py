"""Parallel and distributed ingest on Dask: workers prepare and embed, this process commits.

`planmine ingest --workers N` starts a local cluster of N worker processes on 127.0.0.1;
`--scheduler tcp://host:8786` (or $PLANMINE_SCHEDULER) uses a running cluster, whose workers need
planmine, the embedding model ($PLANMINE_MODELS) and read access to the files at the same paths.
A task is a few consecutive files (up to `EmbedBatching.task_bytes` together, so small documents share
length-sorted batches; a larger file goes alone). It returns whole `PreparedDocument`s (or failed
results), and only this process writes to the store, one document per transaction: a worker killed
mid-task loses nothing, as Dask runs its task again elsewhere, and the files of a task that keeps killing
workers are reported failed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.embed.base import Embedder
from planmine.embed.batching import BATCHING, EmbedBatching
from planmine.errors import ModelError, PlanmineError, UsageError
from planmine.pipeline import (
    FileTicket,
    IngestResult,
    Outcome,
    PreparedDocument,
    SegmentedDocument,
    embed_prepared,
    materialise,
    not_embedded,
    segment_file,
    tag_segmented,
)

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

    from planmine.store import Store

SCHEDULER_ENV = "PLANMINE_SCHEDULER"
# The local cluster's workers do not sample their task's stack every 10 ms for the dashboard (there is
# none): the sampling took 10 s of a worker's event loop per 600 passages, 16 % of its CPU.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}
INSTALL_FIX = 'pip install "dask[distributed]"'

log = logging.getLogger(__name__)


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: the option, else $PLANMINE_SCHEDULER, else None (no cluster)."""
    return option or os.environ.get(SCHEDULER_ENV) or None


def prepare_on_worker(
    tickets: list[FileTicket], embed: bool, threads: int | None
) -> list[PreparedDocument | IngestResult]:
    """One task: prepare a few files and embed their passages together with the worker's (cached) model.

    The files are segmented, all their passages embedded in one call (length-sorted batches across the
    files), then each is tagged; the genre classifier's passages and the document's come from one
    in-memory cache for the task, so each passage is embedded once, and its vectors travel back with
    the document.
    """
    from planmine.embed import CachedEmbedder, MemoryVectors, load_embedder

    embedder: Embedder | None = None
    warning = ""
    if embed:
        try:
            embedder = CachedEmbedder(load_embedder(num_threads=threads), MemoryVectors())
        except PlanmineError as exc:  # the text alone decides the genre
            warning = not_embedded(exc)
    segmented = [segment_file(ticket) for ticket in tickets]
    if embedder is not None:
        try:
            embed_prepared([d for d in segmented if isinstance(d, SegmentedDocument)], embedder)
        except PlanmineError as exc:
            embedder = None
            warning = not_embedded(exc)
    outcomes: list[PreparedDocument | IngestResult] = []
    for document in segmented:
        if isinstance(document, IngestResult):
            outcomes.append(document)
            continue
        prepared = tag_segmented(document, embedder)
        if isinstance(prepared, PreparedDocument):
            if embedder is not None:
                embed_prepared([prepared], embedder, attach=True)  # every vector from the task's cache
            elif warning:
                prepared.warnings.append(warning)
            materialise(prepared, embedder)  # the theme evidence is computed here too, not by the writer
        outcomes.append(prepared)
    return outcomes


def embed_on_worker(texts: list[str], kind: str, threads: int | None) -> tuple[str, np.ndarray]:
    """One task: the worker's (cached) model embeds ``texts`` as "passages" or "queries"; its name too."""
    from planmine.embed import load_embedder

    embedder = load_embedder(num_threads=threads)
    vectors = embedder.embed_queries(texts) if kind == "queries" else embedder.embed_passages(texts)
    return embedder.name, vectors


class WorkerEmbedder(Embedder):
    """An `Embedder` whose model runs on a worker, so that this process never loads it.

    The commit side uses it for what ingest embeds after the documents (the theme definitions): the
    workers already hold the model, while loading it here too would cost seconds of this process's CPU.
    """

    def __init__(self, client: Client, name: str, dim: int, threads: int | None) -> None:
        self.client, self.name, self.dim, self.threads = client, name, dim, threads

    def _embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        name, vectors = self.client.submit(
            embed_on_worker, list(texts), kind, self.threads, pure=False
        ).result()
        if name != self.name:
            raise ModelError(f"The workers embed with '{name}', but the store's vectors are '{self.name}'.")
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passages")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "queries")


class DaskExecutor:
    """Runs `prepare_on_worker` for every ticket on a Dask cluster and yields outcomes as they finish.

    Args:
        workers: start a local cluster of this many processes (ignored when ``address`` is given).
        address: a running scheduler, e.g. "tcp://10.0.0.5:8786".
        embed: embed passages on the workers.
        batching: `task_bytes` sets how many files go to a worker together (see EmbedBatching).
    """

    def __init__(
        self,
        *,
        workers: int = 0,
        address: str | None = None,
        embed: bool = True,
        batching: EmbedBatching = BATCHING,
    ) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise UsageError(f"Distributed ingest needs Dask: {INSTALL_FIX}.") from exc
        if not address and workers < 1:
            raise UsageError(f"--workers must be 1 or more, got {workers}.")
        self.embed = embed
        self.batching = batching
        self.cluster: LocalCluster | None = None
        self.threads: int | None = None
        try:
            if address:
                self.client: Client = Client(address, timeout="15s")
            else:
                # One thread per worker, and ONNX Runtime's threads split between the workers, so N
                # workers on N cores do not oversubscribe them.
                self.threads = max(1, _usable_cores() // workers)
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self.cluster = LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise UsageError(
                f"Cannot reach the Dask scheduler at '{address}': {exc}. Start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`, or use --workers N."
            ) from exc

    def run(self, tickets: Iterable[tuple[int, FileTicket]]) -> Iterator[Outcome]:
        from distributed import as_completed

        submitted: dict[Any, list[tuple[int, FileTicket]]] = {}
        for group in task_groups(tickets, self.batching.task_bytes):
            first, ticket = group[0]
            future = self.client.submit(
                prepare_on_worker,
                [t for _, t in group],
                self.embed,
                self.threads,
                key=f"prepare-{first}-{len(group)}-{ticket.sha256[:16]}",
            )
            submitted[future] = group
        for future in as_completed(list(submitted)):
            group = submitted.pop(future)
            try:
                outcomes: list[PreparedDocument | IngestResult] = future.result()
            except Exception as exc:  # KilledWorker and the like: the files are reported, never half-stored
                reason = f"the worker preparing it was lost ({type(exc).__name__}: {exc}); ingest it again"
                outcomes = [
                    IngestResult(t.path, "failed", reason=reason, code="worker_lost") for _, t in group
                ]
            future.release()
            yield from zip((index for index, _ in group), outcomes, strict=True)

    def embed_themes(self, store: Store) -> None:
        """Cache the theme definitions' vectors, embedded on a worker (see `WorkerEmbedder`)."""
        from planmine.embed import EMBEDDING_MODEL_KEY
        from planmine.themes.semantic import cache_theme_vectors

        name = store.get_meta(EMBEDDING_MODEL_KEY)
        if not self.embed or name is None:
            return  # nothing was embedded: query will embed on first use
        dim = store.vector_dim(name)
        if dim is None:
            return
        try:
            cache_theme_vectors(store, WorkerEmbedder(self.client, name, dim, self.threads))
        except PlanmineError as exc:  # a broken $PLANMINE_THEMES file, a full disk: computed on first use
            log.warning("theme vectors not cached: %s", exc)

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def task_groups(
    tickets: Iterable[tuple[int, FileTicket]], task_bytes: int
) -> Iterator[list[tuple[int, FileTicket]]]:
    """Consecutive tickets whose files add up to at most ``task_bytes`` (a larger file goes alone)."""
    group: list[tuple[int, FileTicket]] = []
    size = 0
    for index, ticket in tickets:
        try:
            nbytes = os.path.getsize(ticket.path)
        except OSError:
            nbytes = task_bytes  # alone: the worker reports the file's error
        if group and size + nbytes > task_bytes:
            yield group
            group, size = [], 0
        group.append((index, ticket))
        size += nbytes
    if group:
        yield group


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
