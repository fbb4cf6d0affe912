"""Vocabulary + predictor: texts in, labelled answers and timings out. No HTTP here.

The app (`serving.app`) and the in-process benchmarks (`bench.clients.inprocess`) both
classify through this, so the no-HTTP baseline runs exactly the server's path
without importing Flask.
"""
from __future__ import annotations

import logging
import time

import numpy as np

from sentiment_model.artifacts import Artifacts
from serving import graphs
from serving.batching import MicroBatcher
from serving.graphs import Predictor

log = logging.getLogger("serving")

WARMUP_TEXT = "warm up the graph once before the first request"


class Classifier:
    """Loads (or is handed) a predictor, warms it up once, then classifies texts."""

    def __init__(self, graph: str, artifacts: Artifacts, predictor: Predictor | None = None,
                 batch_window_ms: float | None = None, max_batch_rows: int = 64):
        self.vocabulary = artifacts.vocabulary
        self.labels = artifacts.manifest.get("labels", ["NEGATIVE", "POSITIVE"])
        started = time.perf_counter()
        self.predict_ids = predictor if predictor is not None else graphs.load(graph, artifacts)
        self.load_ms = (time.perf_counter() - started) * 1000
        if batch_window_ms is not None:
            self.predict_ids = MicroBatcher(self.predict_ids, max_batch_rows, batch_window_ms / 1000)
        started = time.perf_counter()
        self.classify([WARMUP_TEXT])
        self.warmup_ms = (time.perf_counter() - started) * 1000

    def classify(self, texts: list[str]) -> tuple[list[dict], dict]:
        started = time.perf_counter()
        ids = self.vocabulary.encode_batch(texts)
        encoded = time.perf_counter()
        probabilities = self.predict_ids(ids)
        inferred = time.perf_counter()
        results = []
        for row in probabilities.tolist():
            best = int(np.argmax(row))
            results.append({
                "label": self.labels[best],
                "probability": row[best],
                "probabilities": dict(zip(self.labels, row)),
            })
        timings = {"preprocess_ms": (encoded - started) * 1000, "inference_ms": (inferred - encoded) * 1000}
        return results, timings
