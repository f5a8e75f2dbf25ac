"""The ingest worker process: uploads are read, tagged and embedded here, away from the server's GIL.

The server's writer thread starts one such process (multiprocessing, spawn) on the first upload and keeps
it for later ones, so the model loads once. The process runs at a lower CPU priority (nice) with one
thread for the embedding model, so that on a small machine the questions asked meanwhile keep a core.
It is the store's only writer; it sends back, over its pipe, each file as it starts and each result.

Messages to the process: ("ingest", [paths], region, max_bytes) or None (stop).
Messages from it: ("file", path), ("result", IngestResult fields), ("done", None), ("error", text).
"""

from __future__ import annotations

import contextlib
import logging
import os
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
INGEST_NICE = 10  # CFS weight 110 against the server's 1024: readers get ~90% of a contended core
INGEST_THREADS = 1  # embedding threads of the ingest process (the other core stays with the readers)


def quiet_process(niceness: int = INGEST_NICE, threads: int = INGEST_THREADS) -> None:
    """Lower this process's priority and limit the threads its model and numeric libraries use."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
        os.environ[name] = str(threads)
    from planmine.embed import models

    models.DEFAULT_OPTIONS["num_threads"] = threads  # this process's load_embedder(): ONNX/torch threads


def serve(conn: Connection, store: str, model: bool) -> None:
    """The process's loop: one ingest job per message until None (or the pipe closes)."""
    quiet_process()
    from planmine.api import Planmine

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        _, paths, region, max_bytes = message
        try:
            with Planmine(store, model=model) as pm:
                pm.ingest(
                    [Path(p) for p in paths],
                    region=region,
                    max_bytes=max_bytes,
                    on_file=lambda path: conn.send(("file", str(path))),
                    on_result=lambda result: conn.send(("result", result_fields(result))),
                )
            conn.send(("done", None))
        except Exception as exc:  # the process survives any one job; the server marks its files failed
            log.exception("ingest job failed")
            conn.send(("error", type(exc).__name__))


def result_fields(result: Any) -> dict[str, Any]:
    """An IngestResult as plain data for the pipe."""
    return {
        "path": result.path,
        "status": result.status,
        "reason": result.reason,
        "code": result.code,
        "document_id": result.document_id,
        "region": result.region,
        "title": result.title,
        "pages": result.pages,
        "passages": result.passages,
        "warnings": list(result.warnings),
    }
