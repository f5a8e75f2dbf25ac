"""Ingest files into the store: read → clean → metadata → segment and tag → save, one document at a time.

Batch work records a status per file (ok, partial, replaced, unchanged, duplicate, failed) with a reason
and goes on; each document is saved in one transaction, so nothing stored is lost or duplicated. Each file
has a time budget (IngestLimits.time_budget_s); a full disk stops the batch (the files left are reported
'not tried'); Ctrl-C raises IngestInterrupted carrying the results so far.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planmine.errors import (
    DuplicateDocumentError,
    IngestError,
    IngestInterrupted,
    PlanmineError,
    StoreFullError,
    TimeBudgetExceeded,
)
from planmine.ingest.limits import DEFAULT_LIMITS, IngestLimits
from planmine.meta import apply_overrides, detect_metadata, load_manifest
from planmine.regions import canonical_region
from planmine.store import Store
from planmine.types import Status

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder, Embedder

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_bytes
# Files SQLite keeps beside a store: never documents, also when the store lies inside an ingested folder.
_STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass
class IngestResult:
    """What happened to one file."""

    path: str
    status: Status
    document_id: int | None = None
    region: str | None = None
    title: str = ""
    pages: int = 0
    passages: int = 0
    reason: str = ""
    code: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise TimeBudgetExceeded in the block after `seconds` (0: no limit).

    Uses SIGALRM, so it bounds work only in the main thread of a POSIX process (elsewhere it is a no-op);
    Python code and regular expressions are interrupted, a long call inside a C library ends first.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeBudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def ingest_file(
    path: Path,
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int | None = None,
    ocr: bool = True,
    manifest: dict[str, dict[str, str]] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
    get_embedder: Callable[[], Embedder | None] | None = None,
) -> IngestResult:
    """Ingest one file; expected failures come back as a failed result, never as an exception.

    The document's genre is classified from its text, and from its passages' e5 vectors when
    `get_embedder` gives an embedder (loaded only for a file that is read; its vectors are cached, so the
    embedding after saving reuses them). A full store disk comes back as a failed result with code
    'disk_full' (the caller stops its batch).
    """
    from planmine.clean import clean_document
    from planmine.genre_model import assign_genre
    from planmine.ingest import read_document, regular_file_size
    from planmine.tag import analyse

    key = str(path.resolve())
    overrides = dict((manifest or {}).get(path.name, {}))
    if region:
        overrides["region"] = region
    max_bytes = limits.max_bytes if max_bytes is None else max_bytes
    try:
        size = regular_file_size(path)  # a FIFO or a device would never finish hashing
        if size > max_bytes:  # refused before hashing: a huge file is never read
            raise IngestError(
                path,
                f"the file is {size / 1024**2:.1f} MB, over the limit of {max_bytes / 1024**2:.0f} MB; "
                "raise it with --max-mb",
                code="too_large",
            )
        sha = file_sha256(path)
        existing = store.find_document(path=key)
        wanted_region = canonical_region(overrides["region"]) if overrides.get("region") else None
        wanted_genre = overrides.get("genre")
        if (
            existing
            and existing.sha256 == sha
            and wanted_region in (None, existing.region)
            and wanted_genre in (None, existing.meta.genre)
        ):
            return IngestResult(
                key, "unchanged", existing.id, existing.region, existing.meta.title, reason="already stored"
            )
        twin = store.find_document(sha256=sha)
        if twin and twin.path != key:
            return IngestResult(
                key,
                "duplicate",
                twin.id,
                twin.region,
                twin.meta.title,
                reason=f"same content as '{twin.name}' (document {twin.id}), not stored twice",
            )
        with time_budget(limits.time_budget_s):  # the save below is never cut off
            raw = read_document(path, max_bytes=max_bytes, ocr=ocr, limits=limits)
            raw.path = key
            clean = clean_document(raw)
            meta = detect_metadata(clean)
            passages, tags = analyse(clean, 0)
            meta = assign_genre(meta, clean, passages, get_embedder() if get_embedder else None)
            if overrides:
                meta = apply_overrides(meta, overrides, source="option" if region else "manifest")
            warnings = list(dict.fromkeys([*raw.warnings, *clean.warnings]))
            if meta.region == "unknown":
                warnings.append(
                    f"region not detected ({meta.region_evidence}); set it with --region or a manifest"
                )
        status: Status = "partial" if any("unreadable" in w or "low OCR" in w for w in warnings) else "ok"
        document_id = store.save_document(clean, meta, passages, tags, status=status, warnings=warnings)
        if existing:
            status = "replaced"
        return IngestResult(
            key,
            status,
            document_id,
            meta.region,
            meta.title,
            pages=len(clean.pages),
            passages=len(passages),
            reason=f"changed since last ingest; replaced document {existing.id}" if existing else "",
            warnings=warnings,
        )
    except TimeBudgetExceeded as exc:
        reason = f"{exc}; the file is skipped (raise the budget with --timeout SECONDS, 0 for none)"
        return IngestResult(key, "failed", reason=reason, code="timeout")
    except DuplicateDocumentError as exc:  # another process stored the same content first
        return IngestResult(key, "duplicate", exc.twin_id, reason=str(exc))
    except StoreFullError as exc:
        return IngestResult(key, "failed", reason=str(exc), code="disk_full")
    except IngestError as exc:
        return IngestResult(key, "failed", reason=exc.reason, code=exc.code)
    except PlanmineError as exc:
        return IngestResult(key, "failed", reason=str(exc), code="error")
    except OSError as exc:
        return IngestResult(key, "failed", reason=exc.strerror or str(exc), code="os_error")
    except Exception as exc:  # a bug must not stop the batch; it is reported with its type
        log.exception("unexpected error ingesting %s", path)
        return IngestResult(
            key, "failed", reason=f"internal error: {type(exc).__name__}: {exc}", code="internal"
        )


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int | None = None,
    ocr: bool = True,
    embed: bool = True,
    on_file: Callable[[Path], None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> list[IngestResult]:
    """Ingest files and folders (recursively); each file's result, in order.

    With `embed`, the passages of each stored document are embedded and cached in the store right away,
    so that questions later need no embedding; without the model installed, a warning says so and the
    vectors are computed on first use. The store's own files are skipped. When the store's disk is full
    the batch stops: the files left come back failed with code 'not_tried'. Ctrl-C raises
    IngestInterrupted with the results of the files done.
    """
    from planmine.ingest import iter_documents

    embedder = _PassageEmbedder(store) if embed else None
    own = {Path(f"{store.path.resolve()}{suffix}") for suffix in _STORE_SUFFIXES}
    files = [p for p in iter_documents(list(paths)) if p.resolve() not in own]
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    results: list[IngestResult] = []
    try:
        for number, path in enumerate(files):
            if on_file:
                on_file(path)
            folder = path.parent
            if folder not in manifests:
                try:
                    manifests[folder] = load_manifest(folder)
                except PlanmineError as exc:
                    manifests[folder] = {}
                    results.append(IngestResult(str(folder), "failed", reason=str(exc), code="manifest"))
            result = ingest_file(
                path,
                store,
                region=region,
                max_bytes=max_bytes,
                ocr=ocr,
                manifest=manifests[folder],
                limits=limits,
                get_embedder=embedder.embedder if embedder else None,
            )
            stored = result.document_id is not None and result.status in ("ok", "partial", "replaced")
            if embedder and stored and result.code != "disk_full":
                try:
                    if warning := embedder.embed_document(result.document_id or 0):
                        result.warnings.append(warning)
                except StoreFullError as exc:  # the document is stored; its vectors come on first use
                    result.warnings.append(f"passages not embedded: {exc}")
                    result.code = "disk_full"
            results.append(result)
            if on_result:
                on_result(result)
            if result.code == "disk_full":
                results.extend(_not_tried(files[number + 1 :], on_result))
                return results
        if embedder:
            embedder.embed_themes()
    except KeyboardInterrupt:
        raise IngestInterrupted(list(results)) from None
    return results


def _not_tried(files: list[Path], on_result: Callable[[IngestResult], None] | None) -> list[IngestResult]:
    reason = "not tried: the batch stopped because the store's disk is full"
    left = [IngestResult(str(p.resolve()), "failed", reason=reason, code="not_tried") for p in files]
    for result in left:
        if on_result:
            on_result(result)
    return left


class _PassageEmbedder:
    """Embeds a stored document's passages into the store's vector cache; loads the model once, lazily."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._embedder: CachedEmbedder | None = None
        self._unavailable = ""

    def embedder(self) -> CachedEmbedder | None:
        """The cached embedder, loaded on first use; None when the model cannot be loaded."""
        from planmine.embed import CachedEmbedder, load_embedder

        if self._embedder is None and not self._unavailable:
            try:
                self._embedder = CachedEmbedder(load_embedder(), self.store)
            except PlanmineError as exc:
                self._unavailable = f"passages not embedded yet ({exc}); they will be embedded on first use"
        return self._embedder

    def embed_document(self, document_id: int) -> str:
        """Embed and cache; returns a warning when the model cannot be used (the document stays stored)."""
        if self._unavailable or self.embedder() is None:
            return self._unavailable
        assert self._embedder is not None
        try:
            texts = [p.text for p in self.store.passages(document_id=document_id)]
            self._embedder.embed_passages(texts)
        except StoreFullError:
            raise
        except PlanmineError as exc:
            self._unavailable = f"passages not embedded yet ({exc}); they will be embedded on first use"
            return self._unavailable
        return ""

    def embed_themes(self) -> None:
        """Cache the theme definitions' vectors too, when the model was loaded for this ingest."""
        if self._embedder is None:
            return
        from planmine.themes.semantic import cache_theme_vectors

        try:
            cache_theme_vectors(self.store, self._embedder)
        except PlanmineError as exc:  # a broken $PLANMINE_THEMES file, a full disk: computed on first use
            log.warning("theme vectors not cached: %s", exc)
