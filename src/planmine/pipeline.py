"""Ingest files into the store in two halves: prepare (pure, any process) and commit (one writer).

`check_file` asks the store whether a file needs work (unchanged, duplicate, too large) and returns a
`FileTicket`; `prepare` turns a ticket into a `PreparedDocument` (`segment_file`: read → clean →
metadata → segment, then `tag_segmented`: genre → tag), touching no store, so it can run in a worker
process; `commit` saves one prepared document in one transaction. Batch work records a status per file
(ok, partial, replaced, unchanged, duplicate, failed) with a reason and goes on; nothing stored is ever
half a document. Each file has a time budget
(IngestLimits.time_budget_s); a full disk stops the batch (the files left are reported 'not tried');
Ctrl-C raises IngestInterrupted carrying the results so far.

Passages are embedded across documents: the serial path segments documents until a group holds
`EmbedBatching.group_passages` passages, embeds the group in one call (length-sorted, token-capped
batches; the caps live in `planmine.embed.batching`), then tags and commits each document.
`--workers`/`--scheduler` hand prepare and embed to Dask workers (planmine.distributed) and commit here.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from planmine.embed.batching import BATCHING, EmbedBatching
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
from planmine.types import CleanDocument, DocumentEvidence, DocumentMeta, Passage, Status, Tag

if TYPE_CHECKING:
    import numpy as np

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


@dataclass(frozen=True)
class FileTicket:
    """Everything a worker needs to prepare one file: the store has said it needs work."""

    path: str  # resolved path, the document's key in the store
    sha256: str
    overrides: dict[str, str]
    override_source: str  # "option" or "manifest"
    max_bytes: int = DEFAULT_MAX_BYTES
    ocr: bool = True
    replaces: int | None = None  # id of the stored earlier version at this path
    limits: IngestLimits = DEFAULT_LIMITS


@dataclass
class PreparedDocument:
    """A document read, cleaned, described, segmented and tagged; optionally embedded. Picklable."""

    ticket: FileTicket
    clean: CleanDocument
    meta: DocumentMeta
    passages: list[Passage]
    tags: list[Tag]
    status: Status
    warnings: list[str]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # text hash -> vector (from a worker)
    model: str = ""  # the embedder's name, when `vectors` are filled
    evidence: DocumentEvidence | None = None  # passage × theme evidence (planmine.themes.materialise)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _failure(key: str, exc: BaseException) -> IngestResult:
    """A failed result for an exception: expected errors with their reason, bugs with their type."""
    if isinstance(exc, TimeBudgetExceeded):
        reason = f"{exc}; the file is skipped (raise the budget with --timeout SECONDS, 0 for none)"
        return IngestResult(key, "failed", reason=reason, code="timeout")
    if isinstance(exc, DuplicateDocumentError):  # another process stored the same content first
        return IngestResult(key, "duplicate", exc.twin_id, reason=str(exc))
    if isinstance(exc, StoreFullError):
        return IngestResult(key, "failed", reason=str(exc), code="disk_full")
    if isinstance(exc, IngestError):
        return IngestResult(key, "failed", reason=exc.reason, code=exc.code)
    if isinstance(exc, PlanmineError):
        return IngestResult(key, "failed", reason=str(exc), code="error")
    if isinstance(exc, OSError):
        return IngestResult(key, "failed", reason=exc.strerror or str(exc), code="os_error")
    log.error("unexpected error ingesting %s", key, exc_info=exc)
    return IngestResult(key, "failed", reason=f"internal error: {type(exc).__name__}: {exc}", code="internal")


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


def check_file(
    path: Path,
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int | None = None,
    ocr: bool = True,
    manifest: dict[str, dict[str, str]] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> FileTicket | IngestResult:
    """A ticket when the file needs preparing, else its result (unchanged, duplicate, failed)."""
    from planmine.ingest import regular_file_size

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
    except Exception as exc:
        return _failure(key, exc)
    return FileTicket(
        key,
        sha,
        overrides,
        "option" if region else "manifest",
        max_bytes=max_bytes,
        ocr=ocr,
        limits=limits,
        replaces=existing.id if existing else None,
    )


@dataclass
class SegmentedDocument:
    """The first half of prepare: a document read, cleaned, described and segmented, not yet tagged."""

    ticket: FileTicket
    clean: CleanDocument
    meta: DocumentMeta
    passages: list[Passage]
    warnings: list[str]


def segment_file(ticket: FileTicket) -> SegmentedDocument | IngestResult:
    """Read, clean, describe and segment one file (within its time budget); failures come back as results."""
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.segment import segment

    try:
        with time_budget(ticket.limits.time_budget_s):
            raw = read_document(
                Path(ticket.path), max_bytes=ticket.max_bytes, ocr=ticket.ocr, limits=ticket.limits
            )
            raw.path = ticket.path
            clean = clean_document(raw)
            meta = detect_metadata(clean)
            passages = segment(clean, 0)
    except (Exception, TimeBudgetExceeded) as exc:  # a bug must not stop the batch; reported with its type
        return _failure(ticket.path, exc)
    warnings = list(dict.fromkeys([*raw.warnings, *clean.warnings]))
    return SegmentedDocument(ticket, clean, meta, passages, warnings)


def tag_segmented(
    document: SegmentedDocument, embedder: Embedder | None = None
) -> PreparedDocument | IngestResult:
    """The second half of prepare: genre, overrides and tags (within the file's time budget again).

    The genre is classified from the text, and from the first passages' e5 vectors when an embedder is
    given (a cached one keeps those vectors, so embedding the document later reuses them; the serial
    executor embeds a group's passages before this step, so the genre finds them cached).
    """
    from planmine.genre_model import assign_genre
    from planmine.tag import tag_passages
    from planmine.tag.classify import REQUIREMENT_GENRES

    ticket, passages, warnings = document.ticket, document.passages, list(document.warnings)
    try:
        with time_budget(ticket.limits.time_budget_s):
            meta = assign_genre(document.meta, document.clean, passages, embedder)
            if ticket.overrides:
                meta = apply_overrides(meta, ticket.overrides, source=ticket.override_source)
            # tagged once, knowing the genre: a supplier's or product's duties are no goals or activities
            tags = tag_passages(passages, genre=meta.genre if meta.genre in REQUIREMENT_GENRES else "")
            if meta.region == "unknown":
                warnings.append(
                    f"region not detected ({meta.region_evidence}); set it with --region or a manifest"
                )
    except (Exception, TimeBudgetExceeded) as exc:
        return _failure(ticket.path, exc)
    status: Status = "partial" if any("unreadable" in w or "low OCR" in w for w in warnings) else "ok"
    return PreparedDocument(ticket, document.clean, meta, passages, tags, status, warnings)


def prepare(ticket: FileTicket, embedder: Embedder | None = None) -> PreparedDocument | IngestResult:
    """Read, clean, describe, segment and tag one file; no store involved. Failures come back as results."""
    segmented = segment_file(ticket)
    return segmented if isinstance(segmented, IngestResult) else tag_segmented(segmented, embedder)


def materialise(document: PreparedDocument, embedder: Embedder | None) -> None:
    """Compute the document's passage × theme evidence now, so answers read it from the store.

    With a (cached) embedder the rows carry cosine, z and relevance. A failure leaves it to the first
    read (which computes what is missing), with a warning: the document itself is stored either way.
    """
    from planmine.themes.materialise import EvidenceBuilder
    from planmine.themes.semantic import cached
    from planmine.themes.taxonomy import load_taxonomy

    try:
        vectors = None
        if embedder is not None:
            from planmine.embed import CachedEmbedder, MemoryVectors

            vectors = embedder if isinstance(embedder, CachedEmbedder) else cached(embedder, MemoryVectors())
        builder = EvidenceBuilder(load_taxonomy(), vectors)
        document.evidence = builder.document_evidence(document.passages, document.tags, document.meta.genre)
    except Exception as exc:  # never costs the document: the first read computes it
        log.warning("theme evidence of %s left to the first read: %s", document.ticket.path, exc)


def not_embedded(exc: BaseException) -> str:
    """The warning a document gets when its passages could not be embedded at ingest."""
    return f"passages not embedded yet ({exc}); they will be embedded on first use"


def embed_prepared(
    documents: Sequence[SegmentedDocument | PreparedDocument],
    embedder: Embedder,
    *,
    attach: bool | None = None,
) -> None:
    """Embed the passages of several documents in one call (the embedder batches across them).

    With ``attach`` the vectors are kept on the documents (a worker sends them back with the document);
    by default a plain embedder's are, while a `CachedEmbedder` over the store puts them in its cache.
    """
    from planmine.embed import CachedEmbedder
    from planmine.types import text_hash

    texts = list(dict.fromkeys(p.text for d in documents for p in d.passages))
    vectors = embedder.embed_passages(texts)
    if attach is None:
        attach = not isinstance(embedder, CachedEmbedder)
    if not attach:
        return
    by_hash = {text_hash(t): vectors[i] for i, t in enumerate(texts)}
    for d in documents:
        if isinstance(d, PreparedDocument):
            d.vectors = {p.hash: by_hash[p.hash] for p in d.passages if p.hash in by_hash}
            d.model = embedder.name


def commit(document: PreparedDocument, store: Store) -> IngestResult:
    """Save one prepared document (and the vectors a worker computed) in the store."""
    from planmine.embed import EMBEDDING_MODEL_KEY

    ticket = document.ticket
    try:
        document_id = store.save_document(
            document.clean,
            document.meta,
            document.passages,
            document.tags,
            status=document.status,
            warnings=document.warnings,
            evidence=document.evidence,
        )
    except Exception as exc:
        return _failure(ticket.path, exc)
    code = ""
    if document.vectors:  # a cache beside the document: losing it costs a recomputation only
        try:
            store.put_vectors(document.model, document.vectors)
            store.set_meta(EMBEDDING_MODEL_KEY, document.model)
        except StoreFullError as exc:  # the document is stored; its vectors come on first use
            document.warnings.append(f"passages not embedded: {exc}")
            code = "disk_full"
    return IngestResult(
        ticket.path,
        "replaced" if ticket.replaces else document.status,
        document_id,
        document.meta.region,
        document.meta.title,
        pages=len(document.clean.pages),
        passages=len(document.passages),
        reason=f"changed since last ingest; replaced document {ticket.replaces}" if ticket.replaces else "",
        code=code,
        warnings=document.warnings,
    )


def ingest_file(
    path: Path,
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int | None = None,
    ocr: bool = True,
    manifest: dict[str, dict[str, str]] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestResult:
    """Ingest one file without embedding; expected failures come back as a failed result."""
    checked = check_file(
        path, store, region=region, max_bytes=max_bytes, ocr=ocr, manifest=manifest, limits=limits
    )
    if isinstance(checked, IngestResult):
        return checked
    prepared = prepare(checked)
    return prepared if isinstance(prepared, IngestResult) else commit(prepared, store)


Outcome = tuple[int, "PreparedDocument | IngestResult"]


class Executor(Protocol):
    """Runs prepare (and embed) over numbered tickets, yielding outcomes as they are ready."""

    def run(self, tickets: Iterable[tuple[int, FileTicket]]) -> Iterator[Outcome]: ...

    def embed_themes(self, store: Store) -> None:
        """Cache the theme definitions' vectors after the documents (query needs them at once)."""
        ...


class SerialExecutor:
    """Prepares in this process; embeds groups of documents together through the store's cache.

    Documents are segmented until a group holds `batching.group_passages` passages; the group's passages
    are embedded in one call (so short documents share length-sorted batches), then each document is
    tagged (its genre reads the cached vectors) and yielded for commit. The embedding of a group runs on
    a second thread while this one tags and commits the group before and segments the next (ONNX
    Runtime releases the GIL, so the Python stages and the forward pass use two cores); the batches
    and the cache lookups are those of one group after the other, so what is stored does not change.
    """

    def __init__(
        self,
        store: Store,
        *,
        embed: bool,
        batching: EmbedBatching = BATCHING,
        on_page: Callable[[int, int], None] | None = None,
    ) -> None:
        self.embedder = _PassageEmbedder(store) if embed else None
        self.batching = batching
        self.on_page = on_page

    def run(self, tickets: Iterable[tuple[int, FileTicket]]) -> Iterator[Outcome]:
        from concurrent.futures import ThreadPoolExecutor

        from planmine.ingest.ocr import page_progress

        group: list[tuple[int, SegmentedDocument]] = []
        embedding: _GroupEmbedding | None = None  # the group whose vectors the second thread computes
        with ThreadPoolExecutor(1, thread_name_prefix="planmine-embed") as thread:
            for index, ticket in tickets:
                with page_progress(self.on_page):
                    segmented = segment_file(ticket)
                if isinstance(segmented, IngestResult):
                    yield index, segmented
                    continue
                group.append((index, segmented))
                if self.embedder is None:
                    yield from self._tag(group, "")
                    group = []
                elif sum(len(d.passages) for _, d in group) >= self.batching.group_passages:
                    done = embedding.wait() if embedding else None
                    embedding = self.embedder.start(group, thread)  # runs while `done` is tagged
                    if done:
                        yield from self._tag(*done)
                    group = []
            done = embedding.wait() if embedding else None
            embedding = self.embedder.start(group, thread) if group and self.embedder else None
            if done:
                yield from self._tag(*done)
            if embedding:
                yield from self._tag(*embedding.wait())

    def embed_themes(self, store: Store) -> None:
        (self.embedder or _PassageEmbedder(store)).embed_themes()

    def _tag(self, group: list[tuple[int, SegmentedDocument]], warning: str) -> Iterator[Outcome]:
        embedder = self.embedder.embedder() if self.embedder else None
        for index, segmented in group:
            if warning:
                segmented.warnings.append(warning)
            prepared = tag_segmented(segmented, embedder)
            if isinstance(prepared, PreparedDocument):
                materialise(prepared, embedder)
            yield index, prepared


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int | None = None,
    ocr: bool = True,
    embed: bool = True,
    workers: int = 0,
    scheduler: str | None = None,
    on_file: Callable[[Path], None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    on_page: Callable[[int, int], None] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> list[IngestResult]:
    """Ingest files and folders (recursively); each file's result, in input order.

    With `embed`, passages are embedded and cached in the store right away, so that questions later
    need no embedding; without the model installed, a warning says so and the vectors are computed on
    first use. `workers` > 0 starts a local Dask cluster of that many processes, `scheduler` (or
    $PLANMINE_SCHEDULER) uses a running one; this process stays the only writer either way.
    The store's own files are skipped. When the store's disk is full the batch stops: the files left
    come back failed with code 'not_tried'. Ctrl-C raises IngestInterrupted with the results so far.
    `on_file(path)` is called as a file is started, `on_page(done, total)` after each of its pages OCR'd
    (in this process; pages OCR'd on Dask workers are not reported), `on_result(result)` as it ends.
    """
    from planmine.distributed import scheduler_address
    from planmine.ingest import iter_documents

    own = {Path(f"{store.path.resolve()}{suffix}") for suffix in _STORE_SUFFIXES}
    files = [p for p in iter_documents(list(paths)) if p.resolve() not in own]
    slots: list[IngestResult | None] = []
    todo: list[tuple[int, Path, dict[str, dict[str, str]]]] = []
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in files:
        folder = path.parent
        if folder not in manifests:
            try:
                manifests[folder] = load_manifest(folder)
            except PlanmineError as exc:
                manifests[folder] = {}
                slots.append(IngestResult(str(folder), "failed", reason=str(exc), code="manifest"))
        todo.append((len(slots), path, manifests[folder]))
        slots.append(None)

    def record(index: int, result: IngestResult) -> None:
        slots[index] = result
        if on_result:
            on_result(result)

    address = scheduler_address(scheduler)
    executor: Executor
    if workers or address:
        from planmine.distributed import DaskExecutor

        executor = DaskExecutor(workers=workers, address=address, embed=embed)
    else:
        executor = SerialExecutor(store, embed=embed, on_page=on_page)
    committed = 0
    paths_of = {index: path for index, path, _ in todo}
    disk_full = False
    try:
        while todo and not disk_full:
            held: list[tuple[int, Path, dict[str, dict[str, str]]]] = []

            def tickets(
                round_: list[tuple[int, Path, dict[str, dict[str, str]]]],
                held: list[tuple[int, Path, dict[str, dict[str, str]]]] = held,
            ) -> Iterator[tuple[int, FileTicket]]:
                shas: set[str] = set()
                for index, path, manifest in round_:
                    if on_file:
                        on_file(path)
                    checked = check_file(
                        path,
                        store,
                        region=region,
                        max_bytes=max_bytes,
                        ocr=ocr,
                        manifest=manifest,
                        limits=limits,
                    )
                    if isinstance(checked, IngestResult):
                        record(index, checked)
                    elif checked.sha256 in shas:  # same content as a file of this round: decided next round
                        held.append((index, path, manifest))
                    else:
                        shas.add(checked.sha256)
                        yield index, checked

            for index, outcome in executor.run(tickets(todo)):
                if isinstance(outcome, PreparedDocument):
                    committed += 1
                    outcome = commit(outcome, store)
                record(index, outcome)
                if outcome.code == "disk_full":
                    disk_full = True
                    break
            todo = held
        if embed and committed and not disk_full:
            executor.embed_themes(store)  # before the executor closes: a Dask worker embeds them
    except StoreFullError as exc:  # while caching a group's vectors, before its documents were saved
        log.warning("ingest stopped: %s", exc)
        disk_full = True
    except KeyboardInterrupt:
        raise IngestInterrupted([r for r in slots if r is not None]) from None
    finally:
        close = getattr(executor, "close", None)
        if callable(close):
            close()
    if disk_full:
        reason = "not tried: the batch stopped because the store's disk is full"
        for index, result in enumerate(slots):
            if result is None:
                record(
                    index,
                    IngestResult(str(paths_of[index].resolve()), "failed", reason=reason, code="not_tried"),
                )
        return [r for r in slots if r is not None]
    if committed:
        from planmine.versions import link_store

        link_store(store)  # successive versions of a plan (same owner and series) point to their predecessor
        if embed:
            from planmine.vector_index import refresh_after_ingest

            refresh_after_ingest(store)  # the new passages join the persistent vector index now
            _PassageEmbedder(store).decide_comparison()
    return [r for r in slots if r is not None]


class _PassageEmbedder:
    """Embeds prepared documents into the store's vector cache; loads the model once, lazily."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._embedder: CachedEmbedder | None = None
        self._unavailable = ""

    def _load(self) -> CachedEmbedder:
        from planmine.embed import CachedEmbedder, load_embedder

        if self._embedder is None:
            self._embedder = CachedEmbedder(load_embedder(), self.store)
        return self._embedder

    def embedder(self) -> CachedEmbedder | None:
        """The cached embedder, loaded on first use; None when the model cannot be loaded."""
        if self._embedder is None and not self._unavailable:
            try:
                self._load()
            except PlanmineError as exc:
                self._unavailable = not_embedded(exc)
        return self._embedder

    def start(
        self, group: list[tuple[int, SegmentedDocument]], thread: concurrent.futures.Executor
    ) -> _GroupEmbedding:
        """Start embedding the group's passages not cached yet on ``thread``; `wait` caches them."""
        if self._unavailable:
            return _GroupEmbedding(self, group, None, {}, None)
        try:
            cached = self._load()
        except PlanmineError as exc:
            self._unavailable = not_embedded(exc)
            return _GroupEmbedding(self, group, None, {}, None)
        texts = list(dict.fromkeys(p.text for _, d in group for p in d.passages))
        missing = cached.missing(texts)
        values = list(missing.values())
        future = thread.submit(cached.embedder.embed_passages, values) if missing else None
        return _GroupEmbedding(self, group, cached, missing, future)

    def decide_comparison(self) -> None:
        """Decide the default comparison now, so that the first `compare` reads its cells from the store
        (only the regions whose documents changed are decided again: planmine.themes.cells)."""
        from planmine.compare import compare
        from planmine.embed import EMBEDDING_MODEL_KEY

        if self.store.get_meta(EMBEDDING_MODEL_KEY) is None or (embedder := self.embedder()) is None:
            return
        try:
            compare(self.store, embedder)
        except PlanmineError as exc:  # a broken $PLANMINE_THEMES file: decided on first compare
            log.warning("comparison not decided at ingest: %s", exc)

    def embed_themes(self) -> None:
        """Cache the theme definitions' vectors, when the store holds passage vectors of the model."""
        from planmine.embed import EMBEDDING_MODEL_KEY
        from planmine.themes.semantic import cache_theme_vectors

        if self.store.get_meta(EMBEDDING_MODEL_KEY) is None:
            return  # nothing was embedded (no model, or --no-embed): query will embed on first use
        try:
            cache_theme_vectors(self.store, self._load())
        except PlanmineError as exc:  # a broken $PLANMINE_THEMES file, a full disk: computed on first use
            log.warning("theme vectors not cached: %s", exc)


@dataclass
class _GroupEmbedding:
    """A group of documents whose passages are being embedded on another thread."""

    owner: _PassageEmbedder
    group: list[tuple[int, SegmentedDocument]]
    cached: CachedEmbedder | None
    missing: dict[str, str]
    future: concurrent.futures.Future[np.ndarray] | None

    def wait(self) -> tuple[list[tuple[int, SegmentedDocument]], str]:
        """The group and its warning ('' when its vectors are cached; StoreFullError when they cannot be)."""
        if self.owner._unavailable:
            return self.group, self.owner._unavailable
        if self.cached is None or self.future is None:
            return self.group, ""
        try:
            self.cached.keep(self.missing, self.future.result())
        except StoreFullError:
            raise
        except PlanmineError as exc:
            self.owner._unavailable = not_embedded(exc)
            return self.group, self.owner._unavailable
        return self.group, ""
