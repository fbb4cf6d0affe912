"""A model file's onnx form handed to another environment: a peer's (`serving.peers`), which has
ONNX Runtime and neither TensorFlow nor tf2onnx. The suite reads the model, converts it (cached, as
`serving.model_file.forms` does for ours) and writes what the other side needs beside the cached
form: the model's spec, the request shapes, the ONNX file and which of its tensors each spec name is.
The other side loads it into the same `ModelEndpoint` our servers answer with, so the model's work
is identical and only the serving differs."""
from __future__ import annotations

import json
from pathlib import Path

from serving.inputs import Limits
from serving.model_file import ModelError, forms
from serving.model_file.endpoint import ModelEndpoint
from serving.model_file.shapes import parse_shape_flags, resolve
from serving.model_file.spec import ModelSpec, TensorSpec, read_spec

FORM = "onnx"  # the one form every peer's environment can run


def write(model: Path, shape_flags: list[str] | tuple[str, ...] | None = None,
          cache_root: Path = forms.CACHE_ROOT) -> Path:
    """The handoff file of `model`'s onnx form; a ModelError (one line) when it has none."""
    spec = read_spec(model)
    shapes = resolve(spec, parse_shape_flags(list(shape_flags or ())))
    try:
        onnx_path, names = forms.onnx_file(spec, shapes, cache_root)
    except forms.Unavailable as reason:
        raise ModelError(f"--model {model}: no onnx form for a peer to serve: {reason}") from None
    record = {"model": str(spec.path.resolve()), "format": spec.format, "sha256": spec.sha256,
              "inputs": [[t.name, t.dtype, list(t.shape)] for t in spec.inputs],
              "outputs": [[t.name, t.dtype, list(t.shape)] for t in spec.outputs],
              "shapes": {name: list(shape) for name, shape in shapes.items()},
              "onnx": str(Path(onnx_path).resolve()), "names": names}
    path = forms.cache_dir(spec, cache_root, shapes) / "handoff.json"
    forms.write_atomically(path, json.dumps(record, indent=1).encode())
    return path


def read(path: Path) -> tuple[ModelSpec, dict, dict]:
    """(the model's spec, request shapes, the record) of a handoff file."""
    record = json.loads(Path(path).read_text())

    def tensors(rows) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(name, dtype, tuple(shape)) for name, dtype, shape in rows)

    spec = ModelSpec(Path(record["model"]), record["format"], record["sha256"], tensors(record["inputs"]),
                     tensors(record["outputs"]))
    return spec, {name: tuple(shape) for name, shape in record["shapes"].items()}, record


def endpoint(path: Path, limits: Limits | None = None) -> ModelEndpoint:
    """The handed-off form loaded and warmed up (runtime threads as the caller configured them)."""
    from serving.graphs.onnx import predict_of

    spec, shapes, record = read(path)
    try:
        predict = predict_of(Path(record["onnx"]), record["names"])
    except forms.Unavailable as reason:
        raise ModelError(f"{record['onnx']}: {reason}") from None
    return ModelEndpoint(spec, shapes, forms.Form(FORM, predict), limits or Limits())
