"""The Flask app factory: one app for every model source, the suite's own model (`--artifacts`) or
a model file (`--model`). Each answers TF Serving's REST predict API (`POST /v1/models/<name>:predict`,
so one client serves both: `tools.tfserving`), the Open Inference Protocol v2's health endpoints and
`GET /healthz`; the suite's model also answers texts at `/<graph>` (GET ?text=, POST JSON) and v2's
metadata and infer (`serving.open_inference`). It knows graph kinds only through `serving.graphs`."""
from __future__ import annotations

import logging
import os
import time

import numpy as np
from flask import Flask, jsonify, request

from sentiment_model.artifacts import load_artifacts
from serving import graphs, open_inference
from serving.classifier import Classifier
from serving.graphs import Predictor
from serving.inputs import (
    InputError,
    check_body_length,
    instances_from_json,
    json_payload,
    texts_from_json,
    texts_from_query,
)
from serving.json_errors import answer_errors_as_json
from serving.settings import Settings
from serving.setup_report import hosting, process_setup

log = logging.getLogger("serving")

TF_SERVING_MODEL_NAME = "sentiment"  # as in tensorflow_model_server --model_name=sentiment


# How an app built directly (tests, tools) is hosted; a server passes its own (`serving.servers`).
DIRECT_HOSTING = hosting("wsgi")


def request_body() -> bytes:
    """The whole body, or a 400 when the client sent less than it announced."""
    return check_body_length(request.get_data(cache=False), request.content_length)


class SuiteModelSource:
    """The suite's own model (`--artifacts`), as `config.graph`: texts at `/<graph>`, ids through TF
    Serving's API, with the micro-batcher when asked for."""

    def __init__(self, config: Settings, predictor: Predictor | None, workers: int):
        # runtime threads that fit the server's processes, unless the flags set them
        graphs.configure_for_processes(config, workers)
        # loads and warms up before any request is accepted
        self.classifier = Classifier(config.graph, load_artifacts(config.artifacts), predictor, config.batch_window_ms,
                                     config.max_batch_rows)
        self.config, self.name = config, TF_SERVING_MODEL_NAME
        log.info("graph %s loaded in %.0f ms, warm-up %.0f ms", config.graph, self.classifier.load_ms,
                 self.classifier.warmup_ms)

    def add_routes(self, app: Flask) -> None:
        config, classifier, limits = self.config, self.classifier, self.config.limits

        def predict():
            started = time.perf_counter()
            if request.method == "POST":
                texts, is_batch = texts_from_json(request_body(), request.content_type, limits)
            else:
                texts, is_batch = texts_from_query(request.query_string, limits), False
            results, timings = classifier.classify(texts)
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            body = {"graph": config.graph, "results": results} if is_batch else {"graph": config.graph, **results[0]}
            body["timings_ms"] = timings
            return jsonify(body)

        app.add_url_rule(f"/{config.graph}", endpoint=f"predict_{config.graph}", view_func=predict, methods=["GET", "POST"])

    def tf_serving(self) -> dict:
        """TF Serving's predict on ids (`{"instances": [[id, ...]]}`)."""
        classifier = self.classifier
        instances = instances_from_json(request_body(), request.content_type, classifier.vocabulary.maxlen, self.config.limits)
        if max(max(row) for row in instances) >= len(classifier.vocabulary):
            raise InputError(f"ids must be below the vocabulary size {len(classifier.vocabulary)}")
        return {"predictions": classifier.predict_ids(np.asarray(instances, dtype=np.int32)).tolist()}

    def open_inference(self, model: str) -> dict:
        """The Open Inference Protocol v2's infer on texts (`serving.open_inference`)."""
        texts, request_id, outputs = open_inference.texts_from_infer(request_body(), request.content_type,
                                                                     self.config.limits)
        results, _ = self.classifier.classify(texts)
        return open_inference.infer_response(model, results, self.classifier.labels, request_id, outputs)

    def metadata(self) -> dict:
        return open_inference.metadata(self.name, f"tfserve-bench {self.config.graph}")

    def health(self) -> dict:
        return {"load_ms": self.classifier.load_ms, "warmup_ms": self.classifier.warmup_ms}


class ModelFileSource:
    """A model file (`--model`) as the form `config.graph`, answering TF Serving's row and columnar
    bodies (`serving.model_file.endpoint`); its name is its file's stem."""

    def __init__(self, config: Settings, workers: int):
        from serving.model_file.endpoint import ModelEndpoint

        self.endpoint = ModelEndpoint.from_settings(config, workers)  # a ModelError (model, flags, form) before any request
        self.name = self.endpoint.spec.name
        log.info("model %s (%s) as %s loaded in %.0f ms", self.endpoint.spec.path, self.endpoint.spec.format,
                 config.graph, self.endpoint.loaded.load_ms)

    def add_routes(self, app: Flask) -> None:
        """Nothing beside TF Serving's API."""

    def open_inference(self, model: str) -> dict:
        raise InputError("a model file answers TF Serving's predict API; the Open Inference Protocol's "
                         "infer is the suite's model's only", 404)

    def metadata(self) -> dict:
        raise InputError("a model file's metadata is at /healthz; the Open Inference Protocol's is the suite's model's only", 404)

    def tf_serving(self) -> dict:
        started = time.perf_counter()
        payload = json_payload(request_body(), request.content_type)
        return {**self.endpoint.answer(payload), "timings_ms": {"total_ms": (time.perf_counter() - started) * 1000}}

    def health(self) -> dict:
        spec = self.endpoint.spec
        return {"model": spec.as_json(), "model_name": self.name, "load_ms": self.endpoint.loaded.load_ms,
                "warmup_ms": self.endpoint.warmup_ms}


def create_app(config: Settings, predictor: Predictor | None = None, hosted_by: dict | None = None) -> Flask:
    """One app per graph kind of one model source: `config.model` (a model file) or `config.artifacts`
    (the suite's own model). `predictor` (ids -> probabilities) replaces loading the suite's model's
    kind, e.g. in tests; `hosted_by` is how the server runs it (`serving.servers`), reported by `/healthz`.
    A model file's ModelError (the model, its flags, an unavailable form) is raised before any request.
    """
    hosting = hosted_by or DIRECT_HOSTING
    workers = hosting["workers"] or 1
    source = ModelFileSource(config, workers) if config.model is not None else SuiteModelSource(config, predictor, workers)
    app = Flask(__name__, static_folder=None)  # Flask's own `static` endpoint would clash with /static
    app.config.update(MAX_CONTENT_LENGTH=config.limits.max_body_bytes, DEBUG=False)
    source.add_routes(app)

    @app.post("/v1/models/<model>:predict")
    def tf_serving_predict(model: str):
        """TF Serving's REST predict API, its 404 for another model's name."""
        if model != source.name:
            return jsonify(error=f"Servable not found for request: Latest({model})"), 404
        return jsonify(source.tf_serving())

    def v2_model(model: str):
        """The Open Inference Protocol's 404 for another model's name (its error body)."""
        if model != source.name:
            return jsonify(error=f"model {model!r} not found; this server serves {source.name!r}"), 404
        return None

    @app.get("/v2/health/live")
    def v2_live():
        return jsonify(live=True)

    @app.get("/v2/health/ready")
    def v2_ready():  # the app is built only once its model is loaded and warmed up
        return jsonify(ready=True)

    @app.get("/v2/models/<model>")
    def v2_metadata(model: str):
        return v2_model(model) or jsonify(source.metadata())

    @app.get("/v2/models/<model>/ready")
    def v2_model_ready(model: str):
        return v2_model(model) or jsonify(name=model, ready=True)

    @app.post("/v2/models/<model>/infer")
    def v2_infer(model: str):
        return v2_model(model) or jsonify(source.open_inference(model))

    setup = process_setup(config, hosting)

    @app.get("/healthz")
    def healthz():
        # pids let a launcher check it reached its own server, not another one on the port.
        return jsonify(status="ok", graph=config.graph, **source.health(), pid=os.getpid(), parent_pid=os.getppid(),
                       setup=setup)

    answer_errors_as_json(app)
    return app
