"""The Flask app factory. It knows graph kinds only through `serving.graphs`."""
from __future__ import annotations

import logging
import os
import time

import numpy as np
from flask import Flask, jsonify, request

from sentiment_model.artifacts import load_artifacts
from serving import graphs
from serving.classifier import Classifier
from serving.graphs import Predictor
from serving.inputs import InputError, check_body_length, instances_from_json, texts_from_json, texts_from_query
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


def create_app(config: Settings, predictor: Predictor | None = None, hosted_by: dict | None = None) -> Flask:
    """One app per graph kind; routes `/<graph>` (GET ?text=, POST JSON) and `/healthz`.

    `predictor` (ids -> probabilities) replaces loading `config.graph`'s model, e.g. in tests;
    `hosted_by` is how the server runs it (`serving.servers`), reported by `/healthz`.
    """
    hosting = hosted_by or DIRECT_HOSTING
    # runtime threads that fit the server's processes, unless the flags set them
    graphs.configure_for_processes(config, hosting["workers"] or 1)
    # loads and warms up before any request is accepted
    classifier = Classifier(config.graph, load_artifacts(config.artifacts), predictor, config.batch_window_ms,
                            config.max_batch_rows)
    limits = config.limits
    app = Flask(__name__, static_folder=None)  # Flask's own `static` endpoint would clash with /static
    app.config.update(MAX_CONTENT_LENGTH=limits.max_body_bytes, DEBUG=False)
    log.info("graph %s loaded in %.0f ms, warm-up %.0f ms", config.graph, classifier.load_ms, classifier.warmup_ms)

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

    @app.post("/v1/models/<model>:predict")
    def tf_serving_predict(model: str):
        """TF Serving's REST predict API on ids, so one client serves both (`tools.tfserving`)."""
        if model != TF_SERVING_MODEL_NAME:
            return jsonify(error=f"Servable not found for request: Latest({model})"), 404
        instances = instances_from_json(request_body(), request.content_type, classifier.vocabulary.maxlen, limits)
        if max(max(row) for row in instances) >= len(classifier.vocabulary):
            raise InputError(f"ids must be below the vocabulary size {len(classifier.vocabulary)}")
        probabilities = classifier.predict_ids(np.asarray(instances, dtype=np.int32))
        return jsonify(predictions=probabilities.tolist())

    setup = process_setup(config, hosting)

    @app.get("/healthz")
    def healthz():
        # pids let a launcher check it reached its own server, not another one on the port.
        return jsonify(status="ok", graph=config.graph, load_ms=classifier.load_ms, warmup_ms=classifier.warmup_ms,
                       pid=os.getpid(), parent_pid=os.getppid(), setup=setup)

    answer_errors_as_json(app)
    return app
