"""A model file served over HTTP with TF Serving's REST predict API, so a user's client for
`tensorflow_model_server` works unchanged: `POST /v1/models/<name>:predict` with the row format
(`{"instances": [...]}` → `{"predictions": [...]}`) or the columnar one (`{"inputs": ...}` →
`{"outputs": ...}`), and `GET /healthz`. The model's name is its file's stem (`--model
/models/resnet.onnx` → `resnet`), as `--model_name` names it for TF Serving."""
from __future__ import annotations

import logging
import os
import time

import numpy as np
from flask import Flask, jsonify, request

from serving.inputs import InputError, check_body_length, json_payload
from serving.json_errors import answer_errors_as_json
from serving.model_file import ModelError, forms
from serving.model_file.data import generate
from serving.model_file.shapes import batch_free, parse_shape_flags, plain, resolve
from serving.model_file.spec import read_spec
from serving.settings import Settings

log = logging.getLogger("serving")


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

    def __init__(self, settings: Settings, workers: int = 1):
        from serving import graphs

        form = settings.graph
        graphs.configure_for_processes(settings, workers)  # runtime threads that fit the server's processes
        self.form, self.limits = form, settings.limits
        self.spec = read_spec(settings.model)
        self.shapes = resolve(self.spec, parse_shape_flags(list(settings.shape or ())))
        self.loaded = forms.load_form(form, self.spec, self.shapes, forms.CACHE_ROOT)
        if self.loaded.predict is None:
            raise ModelError(f"--graph {form}: unavailable for this model: {self.loaded.reason}")
        started = time.perf_counter()  # one answer before any request: the first is not a client's
        self.loaded.predict(generate(self.spec, self.shapes, 1, int_high=1)[0])
        self.warmup_ms = (time.perf_counter() - started) * 1000
        self.per_row = form == "static-xla"  # compiled once at one row: a batch is answered row by row
        self.inputs = {plain(t.name): t for t in self.spec.inputs}  # as a request names them
        self.batch_free = batch_free(self.spec)

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

    def answer(self, payload: object) -> dict:
        """The JSON answer to a decoded predict body; an InputError (4xx) for one that does not fit."""
        arrays, rows, row_format = self.arrays(payload)
        if self.per_row and rows > 1:
            parts = [self.loaded.predict({k: v[i:i + 1] for k, v in arrays.items()}) for i in range(rows)]
            answers = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
        else:
            answers = self.loaded.predict(arrays)
        outputs = {key: _json_ready(np.asarray(value)) for key, value in answers.items()}
        if row_format:  # TF Serving: one prediction per instance, an object when there are several outputs
            if len(outputs) == 1:
                return {"predictions": next(iter(outputs.values()))}
            return {"predictions": [{key: value[i] for key, value in outputs.items()} for i in range(rows)]}
        return {"outputs": next(iter(outputs.values())) if len(outputs) == 1 else outputs}


def create_model_app(settings: Settings, hosted_by: dict | None = None) -> Flask:
    """The app for one form (`--graph`) of a model file (`--model`); a ModelError (the model, its
    flags, an unavailable form) is raised before any request is accepted."""
    from serving.setup_report import hosting as direct_hosting
    from serving.setup_report import process_setup

    hosted_by = hosted_by or direct_hosting("wsgi")
    endpoint = ModelEndpoint(settings, hosted_by["workers"] or 1)
    spec, name = endpoint.spec, endpoint.spec.name
    setup = process_setup(settings, hosted_by)
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=settings.limits.max_body_bytes, DEBUG=False)
    log.info("model %s (%s) as %s loaded in %.0f ms", spec.path, spec.format, settings.graph, endpoint.loaded.load_ms)

    @app.post("/v1/models/<requested>:predict")
    def predict(requested: str):
        if requested != name:
            return jsonify(error=f"Servable not found for request: Latest({requested})"), 404
        started = time.perf_counter()
        payload = json_payload(check_body_length(request.get_data(cache=False), request.content_length),
                               request.content_type)
        return jsonify(**endpoint.answer(payload), timings_ms={"total_ms": (time.perf_counter() - started) * 1000})

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", graph=settings.graph, model=spec.as_json(), model_name=name,
                       load_ms=endpoint.loaded.load_ms, warmup_ms=endpoint.warmup_ms, pid=os.getpid(),
                       parent_pid=os.getppid(), setup=setup)

    answer_errors_as_json(app)
    return app
