"""A model file's onnx form handed to a process without TensorFlow: a peer's (`serving.peers`), whose
environment has ONNX Runtime and neither TensorFlow nor tf2onnx, and our own onnx servers of the model
once it has been converted. Reading a SavedModel's or a Keras file's inputs takes TensorFlow (400 MB
and seconds per process); the hand-off file says all a server needs without it: the model's spec, the
request shapes, the ONNX file and which of its tensors each spec name is. It is written where the
model's hash and the `--shape` flags find it (no TensorFlow needed to look), by whoever converted the
model first (`serving.model_file.prepare`, or a server loading its onnx form), and loaded into the
same `ModelEndpoint`, so the model's work is identical and only the serving differs."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path

from serving.model_file import ModelError, forms
from serving.model_file.shapes import parse_shape_flags, resolve
from serving.model_file.spec import ModelSpec, TensorSpec, file_sha256, model_format, read_spec

FORM = "onnx"  # the one form every peer's environment can run


def path_of(model: Path, shape_flags, cache_root: Path = forms.CACHE_ROOT) -> Path:
    """Where the hand-off of `model` served with `shape_flags` is: by the model's hash and the flags."""
    _, where = model_format(Path(model))
    key = hashlib.sha256(json.dumps([file_sha256(where), sorted(shape_flags or ())]).encode()).hexdigest()[:16]
    return Path(cache_root) / "handoffs" / f"{key}.json"


def find(model: Path, shape_flags, cache_root: Path = forms.CACHE_ROOT) -> Path | None:
    """The hand-off written for this model and these flags, if any (its ONNX file still there)."""
    path = path_of(model, shape_flags, cache_root)
    try:
        return path if Path(json.loads(path.read_text())["onnx"]).is_file() else None
    except (OSError, ValueError, KeyError):
        return None


def write(model: Path, shape_flags: list[str] | tuple[str, ...] | None = None,
          cache_root: Path = forms.CACHE_ROOT, spec: ModelSpec | None = None, shapes: dict | None = None) -> Path:
    """The hand-off file of `model`'s onnx form; a ModelError (one line) when it has none. `spec` and
    `shapes`: the model's, when the caller has read them already."""
    spec = spec or read_spec(model)
    shapes = shapes or resolve(spec, parse_shape_flags(list(shape_flags or ())))
    try:
        onnx_path, names = forms.onnx_file(spec, shapes, cache_root)
    except forms.Unavailable as reason:
        raise ModelError(f"--model {model}: no onnx form for a peer to serve: {reason}") from None
    record = {"model": str(spec.path.resolve()), "format": spec.format, "sha256": spec.sha256,
              "inputs": [[t.name, t.dtype, list(t.shape)] for t in spec.inputs],
              "outputs": [[t.name, t.dtype, list(t.shape)] for t in spec.outputs],
              "shapes": {name: list(shape) for name, shape in shapes.items()},
              "onnx": str(Path(onnx_path).resolve()), "names": names}
    path = path_of(model, shape_flags, cache_root)
    path.parent.mkdir(parents=True, exist_ok=True)
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


def load(path: Path, given: Path | None = None) -> tuple[ModelSpec, dict, forms.Form]:
    """(the model's spec, request shapes, the handed-off form loaded) for a `ModelEndpoint` (runtime
    threads as the caller configured them); `given`: the model's path as the caller named it."""
    from serving.graphs.onnx import predict_of

    spec, shapes, record = read(path)
    started = time.perf_counter()
    try:
        predict = predict_of(Path(record["onnx"]), record["names"])
    except forms.Unavailable as reason:
        raise ModelError(f"{record['onnx']}: {reason}") from None
    loaded = forms.Form(FORM, predict, load_ms=(time.perf_counter() - started) * 1000)
    return (replace(spec, path=Path(given)) if given else spec), shapes, loaded
