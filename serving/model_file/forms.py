"""The forms a model file allows, as the built-in model has them, each a callable from a request
(input name → array) to its answer (output name → array), or unavailable with the reason:

- `dynamic`: the model as given, called through its code: a SavedModel's restored signature, a Keras
  model's layers eagerly; a frozen graph or an ONNX file has none;
- `static`: its frozen graph (`convert_variables_to_constants_v2` with `lower_control_flow=False`,
  which keeps an LSTM's loop as one While op), imported and pruned; a `.pb` is one already;
- `static-xla`: the frozen graph inside a `jit_compile=True` function, compiled once at the request
  shape;
- `onnx`: the frozen graph converted by tf2onnx in a subprocess with a time limit, kept only when
  every node is an ONNX operator and ONNX Runtime loads it; an `.onnx` file as given.

What freezing and converting write is cached under `<cache>/<sha256 of the model>[:16]-<of the shapes>/`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serving import graphs
from serving.model_file import ModelError
from serving.model_file.spec import ModelSpec, model_format

# the graph kinds a model file may take, in the registry's order (each kind's `load_model_file`)
FORMS = graphs.model_file_kinds()
CACHE_ROOT = Path(__file__).resolve().parents[2] / ".cache" / "model-forms"
CONVERT_TIMEOUT_S = 300
ONNX_OPSET = 17
Request = dict  # input name (as the spec names it) -> np.ndarray
Predict = Callable[[Request], dict]  # a request -> output name -> np.ndarray


class Unavailable(Exception):
    """A form this model does not allow, or that could not be made: the reason, in one line."""


@dataclass
class Form:
    name: str
    predict: Predict | None = None
    reason: str | None = None  # why unavailable
    load_ms: float | None = None  # loading it until it can answer (freezing and converting, cached, not counted)
    agrees: bool = False  # answered every checked request as the model as given did (serving.model_file.agreement)


def cache_dir(spec: ModelSpec, root: Path, shapes: dict) -> Path:
    """Where the model's derived forms are kept: by its hash and the request shapes (a Keras model
    is traced, so frozen, at them)."""
    import hashlib

    at = hashlib.sha256(json.dumps(sorted((k, list(v)) for k, v in shapes.items())).encode()).hexdigest()[:8]
    folder = Path(root) / f"{spec.sha256[:16]}-{at}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_form(name: str, spec: ModelSpec, shapes: dict, cache_root: Path) -> Form:
    """One form ready to answer, or unavailable with its reason (never an exception)."""
    made_first = {"static": frozen_graph, "static-xla": frozen_graph, "onnx": onnx_file}.get(name)
    try:
        if made_first:  # freezing and converting (cached) are not the form's load time
            made_first(spec, shapes, cache_root)
        started = time.perf_counter()
        predict = graphs.import_kind(name).load_model_file(spec, shapes, cache_root)
    except Unavailable as reason:
        return Form(name, reason=str(reason))
    return Form(name, predict, load_ms=(time.perf_counter() - started) * 1000)


def given_form(spec: ModelSpec) -> str:
    """The form the user gave: the reference every other form's answers are checked against."""
    return {"onnx": "onnx", "graphdef": "static"}.get(spec.format, "dynamic")


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:300]


def keras_model(path: Path):
    import keras

    return keras.saving.load_model(str(path), compile=False)


# --- frozen ---------------------------------------------------------------------------------------

def frozen_graph(spec: ModelSpec, shapes: dict, cache_root: Path) -> tuple[Path, dict]:
    """The model's frozen GraphDef (written once, cached) and which graph tensor each input and
    output of the spec is."""
    folder = cache_dir(spec, cache_root, shapes)
    graph_file, names_file = folder / "frozen.pb", folder / "frozen.json"
    if spec.format == "graphdef":
        _, where = model_format(spec.path)
        return where, {"inputs": {t.name: t.name for t in spec.inputs}, "outputs": {t.name: t.name for t in spec.outputs}}
    if graph_file.is_file() and names_file.is_file():
        return graph_file, json.loads(names_file.read_text())
    if spec.format == "onnx":
        raise Unavailable("an ONNX file holds no TensorFlow graph to freeze")
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    _, where = model_format(spec.path)
    if spec.format == "saved_model":
        from serving.model_file.spec import saved_model_signature

        _, function = saved_model_signature(where)
        input_order = sorted(function.structured_input_signature[1])  # a dict's flattening sorts its keys
        output_order = sorted(function.structured_outputs)
    else:
        model = keras_model(where)
        signature = [tf.TensorSpec((None, *shapes[t.name][1:]), tf.string if t.dtype == "string" else t.dtype)
                     for t in spec.inputs]
        function = tf.function(lambda *xs: model(list(xs) if len(xs) > 1 else xs[0], training=False)
                               ).get_concrete_function(*signature)
        input_order, output_order = [t.name for t in spec.inputs], [t.name for t in spec.outputs]
    try:
        frozen = convert_variables_to_constants_v2(function, lower_control_flow=False)
    except Exception as error:  # what cannot be frozen (e.g. tables, resources), in its own words
        raise Unavailable(f"freezing failed: {first_line(error)}") from None
    if len(frozen.inputs) != len(input_order):  # state freezing cannot fold into constants stays an input
        kept = [t.dtype.name for t in frozen.inputs[len(input_order):]]
        raise Unavailable(f"freezing cannot fold {len(kept)} {'/'.join(sorted(set(kept)))} input(s) into constants "
                          "(a lookup table or other state the graph reads at run time)")
    names = {"inputs": dict(zip(input_order, [t.name for t in frozen.inputs])),
             "outputs": dict(zip(output_order, [t.name for t in frozen.outputs]))}
    write_atomically(names_file, json.dumps(names, indent=1).encode())
    write_atomically(graph_file, frozen.graph.as_graph_def().SerializeToString())
    return graph_file, names


def write_atomically(path: Path, content: bytes) -> None:
    """Whole or not at all: a server's workers may make the same form at once."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


# --- ONNX -----------------------------------------------------------------------------------------

def onnx_file(spec: ModelSpec, shapes: dict, cache_root: Path) -> tuple[Path, dict]:
    """The model as ONNX: the file given, or its frozen graph converted by tf2onnx (cached), checked."""
    if spec.format == "onnx":
        _, where = model_format(spec.path)
        return where, {"inputs": {t.name: t.name for t in spec.inputs}, "outputs": {t.name: t.name for t in spec.outputs}}
    folder = cache_dir(spec, cache_root, shapes)
    converted, failed = folder / "model.onnx", folder / "onnx-unavailable.txt"
    if failed.is_file():
        raise Unavailable(failed.read_text().strip())
    graph_file, names = frozen_graph(spec, shapes, cache_root)
    if not converted.is_file():
        partial = converted.with_name(f"model.{os.getpid()}.partial.onnx")
        command = [sys.executable, "-m", "tf2onnx.convert", "--graphdef", str(graph_file), "--opset", str(ONNX_OPSET),
                   "--inputs", ",".join(names["inputs"].values()), "--outputs", ",".join(names["outputs"].values()),
                   "--output", str(partial)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise Unavailable(f"tf2onnx did not finish within {CONVERT_TIMEOUT_S} s") from None
        if done.returncode != 0 or not partial.is_file():
            errors = [line for line in done.stderr.splitlines() if "rror" in line] or done.stderr.splitlines()[-1:]
            reason = f"tf2onnx could not convert it: {(errors[-1] if errors else 'no output').strip()[:300]}"
            write_atomically(failed, reason.encode())
            raise Unavailable(reason)
        os.replace(partial, converted)
    _check_onnx(converted)
    return converted, names


def _check_onnx(path: Path) -> None:
    """Every node an ONNX operator (tf2onnx can leave TensorFlow ops in place)."""
    import onnx

    model = onnx.load(str(path))
    foreign = sorted({f"{node.domain or 'ai.onnx'}:{node.op_type}" for node in model.graph.node
                      if not onnx.defs.has(node.op_type, node.domain)})
    if foreign:
        raise Unavailable(f"tf2onnx left ops ONNX does not define: {', '.join(foreign[:5])}")


def load_forms(spec: ModelSpec, shapes: dict, cache_root: Path) -> dict[str, Form]:
    """Every form, ready or unavailable. A ModelError is the user's to fix; anything else a form
    raises while loading makes that form unavailable, never stops the run."""
    forms = {}
    for name in FORMS:
        try:
            forms[name] = load_form(name, spec, shapes, cache_root)
        except ModelError:
            raise
        except Exception as error:
            forms[name] = Form(name, reason=f"could not be made: {first_line(error)}")
    return forms
