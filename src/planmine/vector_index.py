"""A persistent nearest-neighbour index of the store's passage vectors, kept beside the store.

Without it every process rebuilds its search structures from the vectors table. The index is an HNSW
graph (usearch) keyed by passage id, one per embedding model, in the folder ``<store>.index/``:

- ``<model>.json``: the manifest: which store (its uid) and generation the index reflects, the model,
  the dimension, the HNSW settings and the names of the two data files below;
- ``<model>-<token>.usearch``: the HNSW graph and vectors;
- ``<model>-<token>.keys.npy``: the indexed passage ids and a 64-bit digest of each one's text hash.

It is never stale and never half-written: `passage_index` compares the manifest with the store's
generation and, when they differ, brings the index up to date incrementally (passages gone or changed
are removed, new ones added from the vectors table). New data files get a fresh name, the manifest is
written to a temporary file and renamed over the old one, and only then are the old files removed: a
reader sees the old index or the new one, and a file that cannot be read is rebuilt from the store.
A different model, dimension or HNSW setting starts a new index.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planmine.errors import PlanmineError

INDEX_FORMAT = 1
INSTALL_FIX = "pip install usearch"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexConfig:
    """The HNSW settings of the persistent index (a change of any starts a new index)."""

    connectivity: int = 16
    expansion_add: int = 64
    expansion_search: int = 96
    metric: str = "ip"  # the vectors are unit length: inner product is the cosine
    dtype: str = "f32"  # f16 halves the file; measured in benchmarks/bench_scale.py before adopting


INDEX_CONFIG = IndexConfig()


@dataclass(frozen=True)
class IndexUpdate:
    """What bringing the index up to date did."""

    added: int = 0
    removed: int = 0
    rebuilt: bool = False
    unembedded: int = 0  # passages without a vector of the model yet (embedded on first use)
    seconds: float = 0.0


class PassageIndex:
    """The loaded index: `search` returns passage ids and cosines, best first."""

    def __init__(self, index: Any, model: str, dim: int, ids: np.ndarray, update: IndexUpdate) -> None:
        self.index = index
        self.model = model
        self.dim = dim
        self.ids = ids
        self.update = update

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, cosines), each of shape (len(queries), k); missing neighbours have id -1."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if len(self.ids) == 0 or k < 1:
            return np.full((len(queries), max(k, 0)), -1, dtype=np.int64), np.zeros((len(queries), max(k, 0)))
        found = self.index.search(queries, min(k, len(self.ids)), threads=_threads())
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
        sims = 1.0 - np.asarray(found.distances, dtype=np.float32).reshape(len(queries), -1)
        counts = np.asarray(getattr(found, "counts", [len(found.keys)])).reshape(-1)  # one query: Matches
        for row, count in enumerate(counts.tolist()):
            keys[row, count:] = -1
        if keys.shape[1] < k:
            pad = k - keys.shape[1]
            keys = np.pad(keys, ((0, 0), (0, pad)), constant_values=-1)
            sims = np.pad(sims, ((0, 0), (0, pad)))
        return keys, sims


def index_folder(store_path: str | Path) -> Path:
    """The folder beside the store that holds its indexes."""
    return Path(f"{Path(store_path)}.index")


def passage_index(
    store: Any, model: str | None = None, *, config: IndexConfig = INDEX_CONFIG
) -> PassageIndex:
    """The index of ``store``'s passage vectors of ``model`` (default: the store's embedding model),
    brought up to date with the store first (incrementally; rebuilt when it cannot be read).

    Steps: read the manifest; if it reflects the store's generation, memory-map the index and return;
    else compare the indexed (id, text digest) pairs with the store's, and only when passages were
    removed, changed or newly embedded, load the index writable, update it and write new files.
    """
    model = model or _store_model(store)
    t0 = time.perf_counter()
    folder = index_folder(store.path)
    slug = _slug(model)
    manifest = _read_manifest(folder / f"{slug}.json")
    generation, uid = store.generation(), store.uid()
    keys = None
    if manifest and manifest.get("uid") == uid and manifest.get("config") == asdict(config):
        keys = _load_keys(folder, manifest)
    if keys is None or manifest is None:
        return _build(store, model, config, folder, slug, generation, uid, t0)
    ids, digests = keys
    dim = int(manifest["dim"])
    if manifest.get("generation") != generation:
        want_ids, hashes = store.passage_hashes()
        want_digests = _digests(hashes)
        keep = np.isin(ids, want_ids)  # indexed passages still in the store with the same text
        if keep.any():
            same = want_digests[np.searchsorted(want_ids, ids[keep])] == digests[keep]
            keep[np.flatnonzero(keep)[~same]] = False
        gone = ids[~keep]
        fresh = list(store.passage_vectors(model, want_ids[~np.isin(want_ids, ids[keep])]))
        if any(vectors.shape[1] != dim for _, vectors in fresh):  # another model under this name
            return _build(store, model, config, folder, slug, generation, uid, t0)
        if len(gone) or fresh:
            index = _load_index(folder, manifest, view=False, count=len(ids))
            if index is None:
                return _build(store, model, config, folder, slug, generation, uid, t0)
            if len(gone):
                index.remove(gone)
            for batch_ids, vectors in fresh:
                index.add(batch_ids, np.ascontiguousarray(vectors, dtype=np.float32), threads=_threads())
            added = [batch_ids for batch_ids, _ in fresh]
            ids = np.sort(np.concatenate([ids[keep], *added]))
            digests = want_digests[np.searchsorted(want_ids, ids)]
            _write(folder, slug, None, index, ids, digests,
                   model=model, dim=dim, generation=generation, uid=uid, config=config)  # fmt: skip
            update = IndexUpdate(
                added=sum(len(a) for a in added),
                removed=len(gone),
                unembedded=len(want_ids) - len(ids),
                seconds=time.perf_counter() - t0,
            )
            log.info("vector index of %s: %s", model, update)
            return PassageIndex(index, model, dim, ids, update)
        _write(folder, slug, manifest, None, ids, digests,
               model=model, dim=dim, generation=generation, uid=uid, config=config)  # fmt: skip
        unembedded = len(want_ids) - len(ids)
    else:
        unembedded = 0
    index = _load_index(folder, manifest, view=True, count=len(ids))  # only read: memory-mapped
    if index is None:
        return _build(store, model, config, folder, slug, generation, uid, t0)
    update = IndexUpdate(unembedded=unembedded, seconds=time.perf_counter() - t0)
    return PassageIndex(index, model, dim, ids, update)


def _build(
    store: Any, model: str, config: IndexConfig, folder: Path, slug: str, generation: int, uid: str, t0: float
) -> PassageIndex:
    """A new index of every passage with a vector of ``model``, written beside the store."""
    want_ids, hashes = store.passage_hashes()
    want_digests = _digests(hashes)
    index, dim, added = None, 0, []
    for batch_ids, vectors in store.passage_vectors(model, want_ids):
        if index is None:
            dim = vectors.shape[1]
            index = _new_index(dim, config)
        index.add(batch_ids, np.ascontiguousarray(vectors, dtype=np.float32), threads=_threads())
        added.append(batch_ids)
    if index is None:
        index = _new_index(1, config)
    ids = np.sort(np.concatenate(added)) if added else np.zeros(0, np.int64)
    digests = want_digests[np.searchsorted(want_ids, ids)] if len(ids) else np.zeros(0, np.uint64)
    _write(folder, slug, None, index, ids, digests,
           model=model, dim=dim, generation=generation, uid=uid, config=config)  # fmt: skip
    update = IndexUpdate(
        added=len(ids), rebuilt=True, unembedded=len(want_ids) - len(ids), seconds=time.perf_counter() - t0
    )
    log.info("vector index of %s built: %s", model, update)
    return PassageIndex(index, model, dim, ids, update)


def nearest_passages(
    store: Any, query_vectors: np.ndarray, k: int, model: str | None = None
) -> list[list[tuple[int, float]]]:
    """For each query vector, its ``k`` nearest stored passages as (passage id, cosine), best first.

    The one entry point for the query path: the index is opened (and brought up to date) on each call;
    hold a `passage_index` to search many times.
    """
    ids, sims = passage_index(store, model).search(query_vectors, k)
    return [
        [(int(i), float(s)) for i, s in zip(row_ids, row_sims, strict=True) if i >= 0]
        for row_ids, row_sims in zip(ids, sims, strict=True)
    ]


def refresh_after_ingest(store: Any) -> IndexUpdate | None:
    """Bring the index up to date after documents were committed; None (logged) when it cannot be."""
    if not store.get_meta(_model_key()):
        return None  # no vectors yet: nothing to index
    try:
        return passage_index(store).update
    except (PlanmineError, OSError) as exc:
        log.warning(
            "the vector index of %s was not updated (%s); it is brought up to date on first use",
            store.path,
            exc,
        )
        return None


def _model_key() -> str:
    from planmine.embed.cache import EMBEDDING_MODEL_KEY

    return EMBEDDING_MODEL_KEY


def _store_model(store: Any) -> str:
    model = store.get_meta(_model_key())
    if not model:
        raise PlanmineError(
            f"The store '{store.path}' has no passage vectors yet, so there is nothing to index. "
            "Ingest with the model installed (planmine model install) or pass the model name."
        )
    return str(model)


def _new_index(dim: int, config: IndexConfig) -> Any:
    try:
        from usearch.index import Index
    except ImportError as exc:
        raise PlanmineError(f"The vector index needs usearch: {INSTALL_FIX}") from exc
    return Index(
        ndim=dim,
        metric=config.metric,
        dtype=config.dtype,
        connectivity=config.connectivity,
        expansion_add=config.expansion_add,
        expansion_search=config.expansion_search,
    )


def _digests(hashes: list[str]) -> np.ndarray:
    """A uint64 of each text hash (its first 16 hex digits), to notice a passage whose text changed."""
    return np.array([int(h[:16], 16) if h else 0 for h in hashes], dtype=np.uint64)


def _slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._") or "model"


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == INDEX_FORMAT else None


def _load_keys(folder: Path, manifest: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(indexed passage ids, their text digests) named by ``manifest``, or None when unreadable."""
    try:
        keys = np.load(folder / str(manifest["keys_file"]), allow_pickle=False)
        if keys.ndim != 2 or keys.shape[1] != 2:
            raise ValueError(f"keys of shape {keys.shape}")
    except (OSError, ValueError, KeyError) as exc:
        log.warning("vector index keys in %s cannot be read (%s): rebuilding the index", folder, exc)
        return None
    return keys[:, 0].astype(np.int64), keys[:, 1].astype(np.uint64)


def _load_index(folder: Path, manifest: dict[str, Any], *, view: bool, count: int) -> Any:
    """The HNSW index named by ``manifest`` (memory-mapped with ``view``), or None when it cannot be read
    or does not hold ``count`` vectors."""
    try:
        from usearch.index import Index

        index = Index.restore(str(folder / str(manifest["index_file"])), view=view)
        if index is None or len(index) != count:
            raise ValueError(f"{0 if index is None else len(index)} vectors, the keys name {count}")
        config = manifest["config"]  # the file keeps the graph, not the search settings
        for setting in ("expansion_add", "expansion_search"):
            setattr(index, setting, config[setting])
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        log.warning("vector index in %s cannot be read (%s): rebuilding it", folder, exc)
        return None
    return index


def _write(
    folder: Path,
    slug: str,
    unchanged: dict[str, Any] | None,
    index: Any,
    ids: np.ndarray,
    digests: np.ndarray,
    **manifest: Any,
) -> None:
    """Write new data files (unless ``unchanged`` names current ones), then swap the manifest in."""
    folder.mkdir(parents=True, exist_ok=True)
    if unchanged is not None:
        index_file, keys_file = str(unchanged["index_file"]), str(unchanged["keys_file"])
    else:
        token = uuid.uuid4().hex[:12]
        index_file, keys_file = f"{slug}-{token}.usearch", f"{slug}-{token}.keys.npy"
        index.save(str(folder / index_file))
        with (folder / keys_file).open("wb") as handle:
            np.save(
                handle,
                np.stack([ids.astype(np.uint64), digests]).T if len(ids) else np.zeros((0, 2), np.uint64),
            )
            handle.flush()
            os.fsync(handle.fileno())
    record = {
        "format": INDEX_FORMAT,
        **{k: v for k, v in manifest.items() if k != "config"},
        "config": asdict(manifest["config"]),
        "count": len(ids),
        "index_file": index_file,
        "keys_file": keys_file,
    }
    tmp = folder / f".{slug}.{uuid.uuid4().hex[:8]}.json.tmp"
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(tmp, folder / f"{slug}.json")
    _remove_unreferenced(folder, slug, {index_file, keys_file})


def _remove_unreferenced(folder: Path, slug: str, current: set[str], grace_s: float = 60.0) -> None:
    """Delete this model's data files no manifest names any more (not those a writer just made)."""
    now = time.time()
    for path in folder.glob(f"{slug}-*"):
        if path.name in current:
            continue
        try:
            if now - path.stat().st_mtime > grace_s:
                path.unlink()
        except OSError:
            pass


def _threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
