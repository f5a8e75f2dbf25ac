"""Run a sentence-transformers model's transformer through ONNX Runtime: same vectors, less CPU.

On this 2-core machine ONNX Runtime's fused fp32 kernels embed about 1.8x more passages per CPU-second
than torch with identical results (cosine 0.9999999; see benchmarks/bench_embed.py). sentence-transformers'
own ONNX backend needs `optimum`, which would downgrade transformers, so the transformer alone is
exported here with torch.onnx and everything after it (pooling) still runs through the model's own modules.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

# planmine makes no network use. ONNX Runtime >= 1.29 sends telemetry on Linux (it resolves
# mobile.events.data.microsoft.com a few seconds into a run, disable_telemetry_events() or not); only this
# variable, set before the runtime initialises, turns it off entirely (tests/test_hardening_cli.py checks
# under strace that no socket is opened).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

ONNX_FILE = Path("onnx") / "model.onnx"
# Dynamic int8 quantisation of ONNX_FILE, made on demand; the name carries the recipe (quantize_onnx), so
# a file made by an earlier recipe is never taken for this one. INT8_TAG names its vectors in the store.
INT8_FILE = Path("onnx") / "model.int8-pc-down.onnx"
INT8_TAG = "onnx-int8pc"

log = logging.getLogger(__name__)


def onnx_available() -> bool:
    """Whether onnxruntime can be imported (the export also needs the `onnx` package)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_onnx(folder: Path, hf_model: Any | None = None) -> Path | None:
    """Export the model folder's transformer (token embeddings out) to ``folder/onnx/model.onnx``.

    Returns the file, or None when onnx is not installed or the export fails (torch is used then).
    """
    try:
        import onnx  # noqa: F401
        import torch
    except ImportError:
        return None
    if hf_model is None:
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            hf_model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        except Exception as exc:
            log.warning("cannot load %s for the ONNX export (%s); embedding will use torch", folder, exc)
            return None
    target = folder / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")  # renamed into place when whole

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 6, 7, 2], [0, 6, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                TokenEmbeddings(hf_model.eval()),
                (ids, mask),
                str(partial),
                input_names=["input_ids", "attention_mask"],
                output_names=["token_embeddings"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "token_embeddings": {0: "batch", 1: "tokens"},
                },
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:  # an exotic architecture: torch still works, so do not fail the install
        log.warning("ONNX export of %s failed (%s); embedding will use torch", folder, exc)
        partial.unlink(missing_ok=True)
        return None
    partial.replace(target)
    return target


def quantize_onnx(folder: Path) -> Path:
    """Write ``folder/onnx/model.int8-pc-down.onnx``: the fp32 export with int8 weights (dynamic quantisation).

    MatMul weights become int8, one scale per output channel, and activations are quantised per batch at
    run time, so no calibration data is needed. The feed-forward down-projections (MatMuls whose weight
    has more rows than columns, fed by GELU outputs whose outliers a per-tensor activation scale cannot
    hold) stay fp32, and so do the embedding tables: quantising the down-projections too cost cosine
    agreement 0.976-0.993 with the fp32 vectors, keeping them gives 0.998 (benchmarks/bench_embed.py
    --int8-agreement). Made once (about a minute, 1-2 GB of memory), then reused.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source, target = folder / ONNX_FILE, folder / INT8_FILE
    if target.is_file():
        return target
    down = down_projections(onnx.load(str(source)))
    partial = target.with_name(target.name + ".partial")
    logging.getLogger("root").setLevel(logging.ERROR)  # the quantiser's "run pre-processing first" note
    try:
        quantize_dynamic(
            str(source),
            str(partial),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=down,
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def down_projections(model: Any) -> list[str]:
    """Names of the MatMul nodes whose constant weight has more rows than columns (project down)."""
    shapes = {i.name: tuple(i.dims) for i in model.graph.initializer}
    return [
        node.name
        for node in model.graph.node
        if node.op_type == "MatMul"
        and len(shape := shapes.get(node.input[1], ())) == 2
        and shape[0] > shape[1]
    ]


class OnnxTokenEmbeddings:
    """An ONNX Runtime session computing token embeddings from input ids and attention mask."""

    def __init__(self, path: Path, num_threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if num_threads:
            options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        return np.asarray(self.session.run(["token_embeddings"], feeds)[0])
