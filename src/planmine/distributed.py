"""Parallel and distributed ingest on Dask: workers prepare and embed, this process commits.

`planmine ingest --workers N` starts a local cluster of N worker processes on 127.0.0.1;
`--scheduler tcp://host:8786` (or $PLANMINE_SCHEDULER) uses a running cluster, whose workers need
planmine, the embedding model ($PLANMINE_MODELS) and read access to the files at the same paths.
Each file is one task. A task returns a whole `PreparedDocument` (or a failed result), and only this
process writes to the store, one document per transaction: a worker killed mid-task loses nothing, as
Dask runs its task again elsewhere, and a task that keeps killing workers is reported failed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from planmine.errors import PlanmineError, UsageError
from planmine.pipeline import FileTicket, IngestResult, Outcome, PreparedDocument, embed_prepared, prepare

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

SCHEDULER_ENV = "PLANMINE_SCHEDULER"
INSTALL_FIX = 'pip install "dask[distributed]"'

log = logging.getLogger(__name__)


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: the option, else $PLANMINE_SCHEDULER, else None (no cluster)."""
    return option or os.environ.get(SCHEDULER_ENV) or None


def prepare_on_worker(
    ticket: FileTicket, embed: bool, threads: int | None
) -> PreparedDocument | IngestResult:
    """One task: prepare a file and embed its passages with the worker's (cached) model.

    The genre classifier's passages and the document's are embedded once: both go through one
    in-memory cache for the task, whose vectors travel back with the document.
    """
    from planmine.embed import CachedEmbedder, Embedder, MemoryVectors, load_embedder

    embedder: Embedder | None = None
    if embed:
        try:
            embedder = CachedEmbedder(load_embedder(num_threads=threads), MemoryVectors())
        except PlanmineError:
            embedder = None  # the text alone decides the genre; the warning below says why
    prepared = prepare(ticket, embedder)
    if embed and isinstance(prepared, PreparedDocument):
        try:
            if embedder is None:
                embedder = load_embedder(num_threads=threads)  # raises the reason for the warning
            embed_prepared([prepared], embedder, attach=True)
        except PlanmineError as exc:
            prepared.warnings.append(f"passages not embedded yet ({exc}); they will be embedded on first use")
    return prepared


class DaskExecutor:
    """Runs `prepare_on_worker` for every ticket on a Dask cluster and yields outcomes as they finish.

    Args:
        workers: start a local cluster of this many processes (ignored when ``address`` is given).
        address: a running scheduler, e.g. "tcp://10.0.0.5:8786".
        embed: embed passages on the workers.
    """

    def __init__(self, *, workers: int = 0, address: str | None = None, embed: bool = True) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise UsageError(f"Distributed ingest needs Dask: {INSTALL_FIX}.") from exc
        if not address and workers < 1:
            raise UsageError(f"--workers must be 1 or more, got {workers}.")
        self.embed = embed
        self.cluster: LocalCluster | None = None
        self.threads: int | None = None
        try:
            if address:
                self.client: Client = Client(address, timeout="15s")
            else:
                # One thread per worker, and ONNX Runtime's threads split between the workers, so N
                # workers on N cores do not oversubscribe them.
                self.threads = max(1, _usable_cores() // workers)
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

        submitted: dict[Any, tuple[int, FileTicket]] = {}
        for index, ticket in tickets:
            future = self.client.submit(
                prepare_on_worker,
                ticket,
                self.embed,
                self.threads,
                key=f"prepare-{index}-{ticket.sha256[:16]}",
            )
            submitted[future] = (index, ticket)
        for future in as_completed(list(submitted)):
            index, ticket = submitted.pop(future)
            try:
                outcome: PreparedDocument | IngestResult = future.result()
            except Exception as exc:  # KilledWorker and the like: the file is reported, never half-stored
                outcome = IngestResult(
                    ticket.path,
                    "failed",
                    reason=f"the worker preparing it was lost ({type(exc).__name__}: {exc}); ingest it again",
                    code="worker_lost",
                )
            future.release()
            yield index, outcome

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
