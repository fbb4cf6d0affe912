"""Spawn: (a) load + first prediction with TensorFlow already imported; (b) cold start to /healthz."""
from __future__ import annotations

import numpy as np
import pytest

from bench.conftest import in_process_setup, round_times
from bench.servers import reported_setup
from bench.stats import latency_summary, requests_per_second
from bench.plan import Case, ServerConfig
from serving.supervisor import ServerProcess

TEXT = "the staff was friendly, but the room was dirty"


def test_load_and_first_prediction(benchmark, describe, spawn_graph, plan, artifacts, expected_positive):
    import keras

    from serving import graphs

    benchmark.group = "spawn: load + first prediction"
    ids = artifacts.vocabulary.encode_batch([TEXT])

    def load_and_predict():
        return graphs.load(spawn_graph, artifacts)(ids)

    # Each round starts from a fresh Keras/TF state, as a new server process would
    # (the first round, which also pays one-off kernel set-up, is a warm-up).
    probabilities = benchmark.pedantic(
        load_and_predict, setup=keras.backend.clear_session, rounds=plan.spawn_rounds, warmup_rounds=1,
    )
    reference = graphs.load("static", artifacts)(ids)
    np.testing.assert_allclose(probabilities, reference, atol=1e-5)
    describe(benchmark, Case(spawn_graph, ServerConfig("in-process")), in_process_setup(spawn_graph), [TEXT],
             **_figures(benchmark))


def test_cold_start(benchmark, describe, cold_start_graph, plan, artifacts_dir):
    """Process launch → /healthz 200 (Python + TensorFlow import, load, warm-up), gunicorn 1 worker."""
    benchmark.group = "spawn: cold start to healthy"
    launched: list[ServerProcess] = []
    reported: list[dict] = []

    def stop(process: ServerProcess):  # untimed: read what the server says of itself, then stop it
        reported.append(reported_setup(process.url))
        process.stop()

    def launch():
        process = ServerProcess(cold_start_graph, artifacts_dir, workers=1)
        launched.append(process)
        return (process,), {}

    def start_and_wait(process: ServerProcess):
        process.start().wait_healthy()

    try:
        benchmark.pedantic(start_and_wait, setup=launch, teardown=stop,
                           rounds=plan.cold_start_rounds)
    finally:
        for process in launched:
            process.stop()
    describe(benchmark, Case(cold_start_graph, ServerConfig("gunicorn", 1)), reported[-1], [TEXT], **_figures(benchmark))


def _figures(benchmark) -> dict:
    times = round_times(benchmark)
    return {"requests_per_second": requests_per_second(len(times), sum(times)), **latency_summary(times)}
