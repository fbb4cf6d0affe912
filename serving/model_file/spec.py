"""What a model file is and what it takes: its format, and its input and output tensors (names,
dtypes, shapes) read from the model itself, as perf_analyzer reads them from the model's config.

Formats: a SavedModel directory (its `serving_default` signature; a TF Serving base directory of
numbered versions: the newest), a Keras `.keras` file, a frozen GraphDef `.pb` (its placeholders in,
the nodes nothing consumes out) and an `.onnx` file (`InferenceSession.get_inputs()`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from serving.model_file import ModelError

FORMATS = ("saved_model", "keras", "graphdef", "onnx")
SIGNATURE = "serving_default"
# ONNX Runtime's type names → numpy's (strings: "string")
_ORT_DTYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(float16)": "float16",
               "tensor(int64)": "int64", "tensor(int32)": "int32", "tensor(int16)": "int16", "tensor(int8)": "int8",
               "tensor(uint8)": "uint8", "tensor(bool)": "bool", "tensor(string)": "string"}
# graph nodes that are never a model's answer
_NOT_OUTPUTS = {"NoOp", "Const", "Placeholder", "Assert", "VarHandleOp", "SaveV2", "RestoreV2"}


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str  # numpy's name ("float32", "int64", ...), or "string"
    shape: tuple[int | None, ...]  # None: a free dimension (the batch, a sequence's length, ...)

    def __str__(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name}: {self.dtype}[{dims}]"


@dataclass(frozen=True)
class ModelSpec:
    path: Path  # the file or directory as given
    format: str  # one of FORMATS
    sha256: str  # of the file, or of a directory's files and their relative paths
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]

    @property
    def name(self) -> str:
        """What TF Serving would call it (`--model_name`): the file's stem, or the directory's name."""
        return self.path.name.split(".")[0] if self.path.is_file() else self.path.resolve().name

    def as_json(self) -> dict:
        """What a saved run records of the model, so two runs of different models are never compared."""
        return {"path": str(self.path), "format": self.format, "sha256": self.sha256,
                "inputs": [str(spec) for spec in self.inputs], "outputs": [str(spec) for spec in self.outputs]}


def model_format(path: Path) -> tuple[str, Path]:
    """(format, the path to load): a ModelError for a path that is missing or not a model."""
    if not path.exists():
        raise ModelError(f"--model {path}: no such file or directory")
    if path.is_dir():
        if (path / "saved_model.pb").is_file():
            return "saved_model", path
        versions = sorted((p for p in path.iterdir() if p.name.isdigit() and (p / "saved_model.pb").is_file()),
                          key=lambda p: int(p.name))
        if versions:  # TF Serving's base directory: serve the newest version, as it does
            return "saved_model", versions[-1]
        raise ModelError(f"--model {path}: a directory without saved_model.pb (not a SavedModel)")
    suffix = path.suffix.lower()
    formats = {".keras": "keras", ".pb": "graphdef", ".onnx": "onnx"}
    if suffix not in formats:
        raise ModelError(f"--model {path}: unknown model file type {suffix or '(none)'!r}; "
                         "give a SavedModel directory, a .keras, a frozen .pb or an .onnx file")
    try:
        with path.open("rb") as file:
            file.read(1)
    except OSError as error:
        raise ModelError(f"--model {path}: cannot read it ({error.strerror})") from None
    return formats[suffix], path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def read_spec(path: Path | str) -> ModelSpec:
    """The model's format, hash and tensors; a ModelError (one line) for anything a user got wrong."""
    given = Path(path)
    kind, where = model_format(given)
    reader = {"onnx": _onnx_tensors, "saved_model": _saved_model_tensors, "keras": _keras_tensors,
              "graphdef": _graphdef_tensors}[kind]
    try:
        inputs, outputs = reader(where)
    except ModelError:
        raise
    except Exception as error:  # a file of the right name that its library cannot read
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(f"--model {given}: not a readable {kind} model ({first[:200]})") from None
    if not inputs:
        raise ModelError(f"--model {given}: the model takes no inputs")
    return ModelSpec(given, kind, file_sha256(where), tuple(inputs), tuple(outputs))


def _dims(shape) -> tuple[int | None, ...]:
    return tuple(d if isinstance(d, int) and d >= 0 else None for d in shape)


def _onnx_tensors(path: Path):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def spec(arg) -> TensorSpec:
        if arg.type not in _ORT_DTYPES:
            raise ModelError(f"--model {path}: tensor {arg.name} has type {arg.type}, which the suite cannot generate")
        return TensorSpec(arg.name, _ORT_DTYPES[arg.type], _dims(arg.shape))

    return [spec(arg) for arg in session.get_inputs()], [spec(arg) for arg in session.get_outputs()]


def _tf_spec(name: str, spec) -> TensorSpec:
    import tensorflow as tf

    dtype = "string" if spec.dtype == tf.string else spec.dtype.name
    if spec.shape.rank is None:
        raise ModelError(f"tensor {name} has no known rank: the suite cannot shape its inputs")
    return TensorSpec(name, dtype, _dims(spec.shape.as_list()))


def saved_model_signature(path: Path):
    """The SavedModel's `serving_default` signature (a concrete function); a ModelError without one."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    if SIGNATURE not in loaded.signatures:
        found = ", ".join(loaded.signatures) or "none"
        raise ModelError(f"--model {path}: no {SIGNATURE!r} signature to call (its signatures: {found})")
    return loaded, loaded.signatures[SIGNATURE]


def _saved_model_tensors(path: Path):
    _, signature = saved_model_signature(path)
    inputs = [_tf_spec(name, spec) for name, spec in sorted(signature.structured_input_signature[1].items())]
    outputs = [_tf_spec(name, spec) for name, spec in sorted(signature.structured_outputs.items())]
    return inputs, outputs


def _keras_tensors(path: Path):
    import keras

    model = keras.saving.load_model(str(path), compile=False)

    def spec(tensor) -> TensorSpec:
        dtype = "string" if str(tensor.dtype) == "string" else str(tensor.dtype)
        return TensorSpec(tensor.name, dtype, _dims(tensor.shape))

    outputs = [spec(t) for t in model.outputs]
    names = list(getattr(model, "output_names", None) or [])  # the output layers' names, not Keras's tensor ids
    if len(names) == len(outputs):
        outputs = [TensorSpec(name, t.dtype, t.shape) for name, t in zip(names, outputs)]
    return [spec(t) for t in model.inputs], outputs


def read_graph_def(path: Path):
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(path.read_bytes())
    return graph_def


def _graphdef_tensors(path: Path):
    import tensorflow as tf

    graph_def = read_graph_def(path)
    if not graph_def.node:
        raise ModelError(f"--model {path}: an empty graph")
    consumed = {name.split(":")[0].lstrip("^") for node in graph_def.node for name in node.input}
    inputs = []
    for node in graph_def.node:
        if node.op == "Placeholder":
            dtype = tf.dtypes.as_dtype(node.attr["dtype"].type)
            shape = node.attr["shape"].shape
            if shape.unknown_rank:
                raise ModelError(f"--model {path}: placeholder {node.name} has no known rank")
            spec = tf.TensorSpec([None if d.size < 0 else d.size for d in shape.dim], dtype)
            inputs.append(_tf_spec(f"{node.name}:0", spec))
    names = [f"{node.name}:0" for node in graph_def.node if node.name not in consumed and node.op not in _NOT_OUTPUTS]
    if not names:
        raise ModelError(f"--model {path}: no node is the graph's answer (every node's output is consumed)")
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    outputs = []
    for name in names:
        tensor = graph.get_tensor_by_name(name)
        known = tensor.shape.rank is not None
        outputs.append(TensorSpec(name, "string" if tensor.dtype == tf.string else tensor.dtype.name,
                                  _dims(tensor.shape.as_list()) if known else ()))
    return inputs, outputs
