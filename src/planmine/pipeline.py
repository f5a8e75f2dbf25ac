"""Ingest files into the store: read → clean → metadata → segment and tag → save, one document at a time.

Batch work records a status per file (ok, partial, replaced, unchanged, duplicate, failed) with a reason
and goes on; each document is saved in one transaction, so nothing stored is lost or duplicated.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planmine.errors import IngestError, PlanmineError
from planmine.meta import apply_overrides, detect_metadata, load_manifest
from planmine.regions import canonical_region
from planmine.store import Store
from planmine.types import Status

if TYPE_CHECKING:
    from planmine.embed import CachedEmbedder, Embedder

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024**2


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


def ingest_file(
    path: Path,
    store: Store,
    *,
    region: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: bool = True,
    manifest: dict[str, dict[str, str]] | None = None,
    get_embedder: Callable[[], Embedder | None] | None = None,
) -> IngestResult:
    """Ingest one file; expected failures come back as a failed result, never as an exception.

    The document's genre is classified from its text, and from its passages' e5 vectors when
    `get_embedder` gives an embedder (loaded only for a file that is read; its vectors are cached, so the
    embedding after saving reuses them).
    """
    from planmine.clean import clean_document
    from planmine.genre_model import assign_genre
    from planmine.ingest import read_document
    from planmine.tag import analyse

    key = str(path.resolve())
    overrides = dict((manifest or {}).get(path.name, {}))
    if region:
        overrides["region"] = region
    try:
        size = path.stat().st_size
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
        raw = read_document(path, max_bytes=max_bytes, ocr=ocr)
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
    max_bytes: int = DEFAULT_MAX_BYTES,
    ocr: bool = True,
    embed: bool = True,
    on_file: Callable[[Path], None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest files and folders (recursively); each file's result, in order.

    With `embed`, the passages of each stored document are embedded and cached in the store right away,
    so that questions later need no embedding; without the model installed, a warning says so and the
    vectors are computed on first use.
    """
    from planmine.ingest import iter_documents

    embedder = _PassageEmbedder(store) if embed else None
    files = list(iter_documents(list(paths)))
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    results: list[IngestResult] = []
    for path in files:
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
            get_embedder=embedder.embedder if embedder else None,
        )
        stored = result.document_id is not None and result.status in ("ok", "partial", "replaced")
        if embedder and stored and (warning := embedder.embed_document(result.document_id or 0)):
            result.warnings.append(warning)
        results.append(result)
        if on_result:
            on_result(result)
    if embedder:
        embedder.embed_themes()
    return results


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
        except PlanmineError as exc:  # e.g. a broken $PLANMINE_THEMES file: query will say so itself
            log.warning("theme vectors not cached: %s", exc)
