"""Small domain errors. The library raises these; the CLI turns them into a message and an exit code."""

from __future__ import annotations


class PlanmineError(Exception):
    """Base class of every error planmine raises on purpose."""


class IngestError(PlanmineError):
    """A file could not be read into a document (corrupt, encrypted, unsupported, too large, ...)."""

    def __init__(self, path: object, reason: str, *, code: str = "unreadable") -> None:
        self.path = str(path)
        self.reason = reason
        self.code = code
        super().__init__(f"Cannot ingest '{self.path}': {reason}")


class StoreError(PlanmineError):
    """The store is missing, locked, or from an incompatible version."""


class ModelError(PlanmineError):
    """The embedding model is missing or cannot be loaded."""


class UsageError(PlanmineError):
    """The user asked for something that does not exist (unknown region, theme, format)."""


class MissingExtraError(PlanmineError):
    """An optional dependency or system program is not installed."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} is not installed. {fix}")


class StoreFullError(StoreError):
    """The store's disk (or its size limit) is full: nothing more can be written."""

    def __init__(self, path: object) -> None:
        self.path = str(path)
        super().__init__(
            f"No space left on the store's disk ('{self.path}'): free some space or use another --store. "
            "The store is consistent; what was stored before stays."
        )


class DuplicateDocumentError(StoreError):
    """Another file with the same content is already stored (found inside the write transaction)."""

    def __init__(self, twin_id: int, twin_name: str) -> None:
        self.twin_id = twin_id
        self.twin_name = twin_name
        super().__init__(f"same content as '{twin_name}' (document {twin_id}), not stored twice")


class TimeBudgetExceeded(BaseException):
    """One file took longer than its time budget.

    A BaseException, so that the readers' broad `except Exception` guards cannot swallow it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"took longer than the time budget of {seconds:g} s per file")


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: carries the results of the files done before it."""

    def __init__(self, results: list[object]) -> None:
        self.results = results
        super().__init__("interrupted")
