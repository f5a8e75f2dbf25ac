"""The web app's settings in one frozen record, and where its write token comes from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from planmine.errors import UsageError

TOKEN_ENV = "PLANMINE_TOKEN"
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class WebConfig:
    """How `planmine serve` runs.

    Args:
        store: the SQLite store the app reads (and, with a token, writes).
        token: the bearer token that unlocks writing; None leaves the app read-only.
        max_upload_bytes: the largest request body (an upload of one or more files) accepted.
        max_files: the most files one upload may carry.
        upload_dir: where uploaded originals are kept (default: `uploads/` beside the store).
        model: use the embedding model (False: lexical matching only, for tests and weak machines).
        top_k: evidence passages per region in answers and tables.
        jobs_kept: finished ingest jobs remembered for their progress pages.
        warm: load the model and build the index when the server starts (not on the first question).
    """

    store: Path
    token: str | None = None
    max_upload_bytes: int = 50 * 1024**2
    max_files: int = 20
    upload_dir: Path | None = None
    model: bool = True
    top_k: int = 5
    jobs_kept: int = 50
    warm: bool = False

    @property
    def writable(self) -> bool:
        return bool(self.token)

    @property
    def uploads(self) -> Path:
        return self.upload_dir or self.store.parent / "uploads"


def load_token(token_file: Path | None = None) -> str | None:
    """The write token: the first line of `token_file`, else $PLANMINE_TOKEN, else None (read-only).

    A token shorter than 16 characters is refused: it would be guessable.
    """
    token: str | None = None
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip().splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise UsageError(
                f"Cannot read a token from '{token_file}': {exc if isinstance(exc, OSError) else 'it is empty'}. "
                "Write one line with a long random token into it."
            ) from exc
    else:
        token = (os.environ.get(TOKEN_ENV) or "").strip() or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise UsageError(
            f"The write token has {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(24))')."
        )
    return token
