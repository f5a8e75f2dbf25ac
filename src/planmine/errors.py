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
