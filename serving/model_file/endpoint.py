"""A model file's form answering TF Serving's REST predict body, so a user's client for
`tensorflow_model_server` works unchanged: the row format (`{"instances": [...]}` → `{"predictions":
[...]}`) or the columnar one (`{"inputs": ...}` → `{"outputs": ...}`). No HTTP here: the app
(`serving.app`) serves it, the suite's in-process baseline calls it directly. The model's name is its
file's stem (`--model /models/resnet.onnx` → `resnet`), as `--model_name` names it for TF Serving."""
from __future__ import annotations

import time

import numpy as np

from serving.inputs import InputError, Limits
from serving.model_file import ModelError, forms
from serving.model_file.data import generate
from serving.model_file.shapes import batch_free, parse_shape_flags, plain, resolve
from serving.model_file.spec import ModelSpec, read_spec
from serving.settings import Settings


def _array(value, tensor, shape: tuple, where: str) -> np.ndarray:
    dtype = object if tensor.dtype == "string" else tensor.dtype
    try:
        array = np.array(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{where} is not {tensor.dtype}") from None
    if array.shape != shape:
        raise InputError(f"{where} has shape {list(array.shape)}, the model takes {list(shape)} ({tensor})")
    return array


def _json_ready(value: np.ndarray):
    if value.dtype == object or value.dtype.kind in "SU":
        return [_json_ready(v) for v in value] if value.ndim else (value.item().decode() if isinstance(value.item(), bytes) else str(value.item()))
    return value.tolist()


class ModelEndpoint:
    """One form of a model file, loaded and warmed up, answering TF Serving's predict body: the
    server's path from the decoded body to the answer, shared by the app and the suite's in-process
    baseline (`bench.clients.inprocess_worker --model`)."""

    def __init__(self, spec: ModelSpec, shapes: dict, loaded: forms.Form, limits: Limits):
        """`loaded`: the form, ready to answer (`forms.load_form`, or an ONNX file handed to a peer's
        environment: `serving.model_file.handoff`); warmed up here."""
        if loaded.predict is None:
            raise ModelError(f"--graph {loaded.name}: unavailable for this model: {loaded.reason}")
        self.spec, self.shapes, self.loaded, self.form, self.limits = spec, shapes, loaded, loaded.name, limits
        started = time.perf_counter()  # one answer before any request: the first is not a client's
        self.loaded.predict(generate(self.spec, self.shapes, 1, int_high=1)[0])
        self.warmup_ms = (time.perf_counter() - started) * 1000
        self.per_row = self.form == "static-xla"  # compiled once at one row: a batch is answered row by row
        self.inputs = {plain(t.name): t for t in self.spec.inputs}  # as a request names them
        self.batch_free = batch_free(self.spec)

    @classmethod
    def from_settings(cls, settings: Settings, workers: int = 1) -> ModelEndpoint:
        """`settings.model` as `settings.graph`'s form, its runtime threads fitted to `workers` processes."""
        from serving import graphs
        from serving.model_file import handoff

        graphs.configure_for_processes(settings, workers)  # runtime threads that fit the server's processes
        converted = settings.graph == handoff.FORM and handoff.find(settings.model, settings.shape)
        if converted:  # its onnx form, converted before: served without reading the model (no TensorFlow)
            return cls(*handoff.load(converted, given=settings.model), settings.limits)
        spec = read_spec(settings.model)
        shapes = resolve(spec, parse_shape_flags(list(settings.shape or ())))
        loaded = forms.load_form(settings.graph, spec, shapes, forms.CACHE_ROOT)
        if settings.graph == handoff.FORM and loaded.predict is not None:  # the next launch needs no TensorFlow
            handoff.write(settings.model, settings.shape, spec=spec, shapes=shapes)
        return cls(spec, shapes, loaded, settings.limits)

    def arrays(self, payload: object) -> tuple[dict, int, bool]:
        """(input name → batch array, rows, row format?) from TF Serving's row or columnar body."""
        if not isinstance(payload, dict) or ("instances" in payload) == ("inputs" in payload):
            raise InputError('body must be {"instances": [...]} (rows) or {"inputs": ...} (columns)')
        names, limits = self.inputs, self.limits
        if "instances" in payload:
            rows = payload["instances"]
            if not isinstance(rows, list) or not rows:
                raise InputError('"instances" must be a non-empty list, one item per example')
            if len(rows) > limits.max_batch:
                raise InputError(f"instances has {len(rows)} items; the limit is {limits.max_batch}", 413)
            if not self.batch_free:
                raise InputError('this model has no batch dimension: send its whole input as {"inputs": ...}')
            if len(names) == 1 and not all(isinstance(row, dict) for row in rows):
                columns = {next(iter(names)): rows}
            elif all(isinstance(row, dict) and set(map(plain, row)) == set(names) for row in rows):
                columns = {name: [{plain(k): v for k, v in row.items()}[name] for row in rows] for name in names}
            else:
                raise InputError(f"each instance must be an object with the inputs {sorted(names)}")
            count = len(rows)
        else:
            given = payload["inputs"]
            if isinstance(given, dict) and set(map(plain, given)) == set(names):
                columns = {plain(key): value for key, value in given.items()}
            elif len(names) == 1:
                columns = {next(iter(names)): given}
            else:
                raise InputError(f"inputs must be an object with the inputs {sorted(names)}")
            first = np.shape(columns[next(iter(names))]) if self.batch_free else (1,)
            count = first[0] if first else 0
            if self.batch_free and not 1 <= count <= limits.max_batch:
                raise InputError(f"inputs need between 1 and {limits.max_batch} rows, got {count}", 413 if count else 400)
        arrays = {}
        for name, tensor in names.items():
            shape = ((count,) + self.shapes[tensor.name][1:]) if self.batch_free else self.shapes[tensor.name]
            arrays[tensor.name] = _array(columns[name], tensor, shape, f"input {name}")
        return arrays, count, "instances" in payload

    def checked(self, named: dict[str, np.ndarray]) -> tuple[dict, int]:
        """(input name → batch array, rows) from arrays named as a request names them (the Open Inference
        Protocol's typed tensors, decoded by the peer serving it), each checked against the model's
        dtype and shape as TF Serving's bodies are."""
        if set(named) != set(self.inputs):
            raise InputError(f"the model's inputs are {sorted(self.inputs)}, not {sorted(named)}")
        first = np.shape(named[next(iter(self.inputs))])
        count = (first[0] if first else 0) if self.batch_free else 1
        if self.batch_free and not 1 <= count <= self.limits.max_batch:
            raise InputError(f"inputs need between 1 and {self.limits.max_batch} rows, got {count}", 413 if count else 400)
        arrays = {}
        for name, tensor in self.inputs.items():
            shape = ((count,) + self.shapes[tensor.name][1:]) if self.batch_free else self.shapes[tensor.name]
            value = named[name]
            if tensor.dtype == "string":  # BYTES arrive as bytes: the model takes text
                value = np.vectorize(lambda v: v.decode() if isinstance(v, bytes) else v, otypes=[object])(value)
            arrays[tensor.name] = _array(value, tensor, shape, f"input {name}")
        return arrays, count

    def outputs(self, arrays: dict, rows: int) -> dict[str, np.ndarray]:
        """The model's outputs (its output name → array) for checked input arrays of `rows` rows."""
        if self.per_row and rows > 1:
            parts = [self.loaded.predict({k: v[i:i + 1] for k, v in arrays.items()}) for i in range(rows)]
            return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
        return {key: np.asarray(value) for key, value in self.loaded.predict(arrays).items()}

    def answer(self, payload: object) -> dict:
        """The JSON answer to a decoded predict body; an InputError (4xx) for one that does not fit."""
        arrays, rows, row_format = self.arrays(payload)
        outputs = {key: _json_ready(value) for key, value in self.outputs(arrays, rows).items()}
        if row_format:  # TF Serving: one prediction per instance, an object when there are several outputs
            if len(outputs) == 1:
                return {"predictions": next(iter(outputs.values()))}
            return {"predictions": [{key: value[i] for key, value in outputs.items()} for i in range(rows)]}
        return {"outputs": next(iter(outputs.values())) if len(outputs) == 1 else outputs}
