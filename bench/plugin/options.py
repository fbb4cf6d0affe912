"""The suite's command-line options, checked once before collection (a bad one is a one-line
usage error), and the run's start and end: SIGTERM, the memory sampler."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench.harness.interrupts import sigterm_as_ctrl_c
from bench.harness.memory import PeakMemory
from bench.method import headlines
from bench.method.plan import P99_BOUND_MS, Plan
from bench.plugin.state import run_state


def pytest_addoption(parser):
    group = parser.getgroup("tfserve-bench")
    group.addoption("--bench-quick", action="store_true", help="fewer cases and rounds (CI smoke run, under a minute once trained)")
    group.addoption("--bench-workers", default=None, help="gunicorn worker counts to sweep, e.g. 1,2,4 (default 1,2; with --bench-extended 1,2,4)")
    group.addoption("--bench-extended", action="store_true",
                    help="also cold starts of every kind, bursts on the Flask dev server, saved_model and "
                         "static-xla micro-batching bursts, waitress's requests and bursts, "
                         "open-loop sweeps of every kind and worker count (pruned when more workers stop paying), "
                         "the first request after idle; it brings --bench-capacity")
    group.addoption("--bench-capacity", action="store_true",
                    help="also how much traffic each set-up holds (open-loop searches for the rate held under "
                         "--p99-bound-ms) and the set-up to deploy: 4-5 more minutes; a default run has 5 in all")
    group.addoption("--bench-change-threshold", type=float, default=headlines.CHANGE_THRESHOLD, metavar="F",
                    help="with --benchmark-compare: a ratio CHANGED only when its interval and the compared run's "
                         "are apart (at the confidence of all the run's ratios together) and it moved by more "
                         "than this fraction (default %(default)s)")
    group.addoption("--bench-instructions-threshold", type=float, default=headlines.INSTRUCTIONS_THRESHOLD, metavar="F",
                    help="with --benchmark-compare: a kind's instructions per request (the request's thread) CHANGED "
                         "when it moved by more than this fraction (default %(default)s)")
    group.addoption("--p99-bound-ms", type=float, default=P99_BOUND_MS, metavar="MS",
                    help="the p99 latency a set-up must keep in the open loop: its max rate is the highest offered "
                         "rate under it, and the recommendation is made for it (default %(default)s)")
    group.addoption("--model", type=Path, metavar="PATH",
                    help="your own model instead of the suite's (a SavedModel directory, .keras, frozen .pb or .onnx): "
                         "its forms that agree with it, over HTTP, bursts, the open loop and cold starts")
    group.addoption("--shape", action="append", metavar="NAME:D1,D2",
                    help="with --model: an input's dimensions after the batch, where the model leaves them free")
    group.addoption("--input-data", type=Path, metavar="FILE",
                    help="with --model: the requests, in perf_analyzer's JSON format (default: generated)")
    group.addoption("--bench-peers", nargs="?", const="all", default=None, metavar="NAMES",
                    help="also the model servers people deploy instead (serving.peers: "
                         "all, or names comma-separated), each serving the same model in one rotation with ours; "
                         "their environments are built on first use")
    group.addoption("--serving-url", default=os.environ.get("TFSERVE_URL"),
                    help="measure an already-running server (request, burst, open loop) instead of launching ones; "
                         "env TFSERVE_URL")
    group.addoption("--serving-protocol", default="tfserve", choices=("tfserve", "v2", "tfs-grpc", "v2-grpc"),
                    help="with --serving-url: what it speaks: tfserve (ours: GET /<kind>?text=, /healthz) or v2 "
                         "(the Open Inference Protocol's REST: KServe, Triton, MLServer; ours answer it too); over "
                         "gRPC, --serving-url HOST:PORT: tfs-grpc (TF Serving's Predict) or v2-grpc (the Open Inference "
                         "Protocol's ModelInfer); ours: python -m serving grpc (default %(default)s)")
    group.addoption("--serving-model", default="sentiment", metavar="NAME",
                    help="with --serving-protocol v2, tfs-grpc or v2-grpc: the model's name on the server "
                         "(default %(default)s)")


def pytest_configure(config):
    # SIGTERM (a CI runner cancelling the job) takes Ctrl-C's path: fixtures tear down, servers stop.
    sigterm_as_ctrl_c()
    state = run_state(config)
    state.peak_memory = PeakMemory().start()
    state.started = time.monotonic()
    state.subject = _subject(config)
    try:
        plan_for(config)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_unconfigure(config):
    if run_state(config).peak_memory is not None:
        run_state(config).peak_memory.stop()


def plan_for(config) -> Plan:
    """The run's plan, from its options."""
    from bench.questions import knobs

    return Plan.from_options(knobs(), config.getoption("--bench-quick"), config.getoption("--bench-workers"),
                             config.getoption("--bench-extended"), config.getoption("--p99-bound-ms"),
                             run_state(config).subject, config.getoption("--bench-peers"),
                             config.getoption("--bench-capacity"))


def _subject(config):
    """What the run measures (bench.method.subject): someone else's server (`--serving-url`), a model
    file (`--model`) or the suite's own model; a one-line usage error for anything the user got wrong."""
    from bench.method import subject

    if url := config.getoption("--serving-url", default=None):
        if (protocol := config.getoption("--serving-protocol")).endswith("-grpc"):
            return _remote_grpc(url, protocol.removesuffix("-grpc"), config.getoption("--serving-model"))
        if config.getoption("--serving-protocol") == "v2":
            return _remote_open_inference(url.rstrip("/"), config.getoption("--serving-model"))
        return subject.RemoteServer(url.rstrip("/"), _remote_graph(url.rstrip("/")))
    if config.getoption("--model", default=None) is not None:
        return _model_file(config)
    return subject.SuiteModel()


def _model_file(config):
    """`--model PATH`: the model read, its forms made and checked; a one-line usage error for anything
    the user got wrong (the path, the model, --shape, --input-data) or a model with no form to measure."""
    from bench.method.subject import ModelFile
    from serving.model_file import ModelError
    from serving.model_file.prepare import prepare

    shape_flags = tuple(config.getoption("--shape") or ())
    try:
        return ModelFile(prepare(config.getoption("--model"), list(shape_flags), config.getoption("--input-data")),
                         shape_flags)
    except ModelError as error:
        raise pytest.UsageError(str(error)) from None


def _remote_graph(url: str) -> str:
    """The graph kind a running server serves, from its /healthz; a one-line usage error if unreachable."""
    import requests

    from bench.harness.supervisor import health

    try:
        return health(url)["graph"]
    except (requests.RequestException, ValueError, KeyError) as error:
        raise pytest.UsageError(f"--serving-url {url}: no healthy tfserve-bench server there ({error})") from None


def _remote_grpc(url: str, protocol: str, model: str):
    """A gRPC server at HOST:PORT (or grpc://HOST:PORT) answering one text for `model` in `protocol`
    (asked once, its answer's shape judged); a one-line usage error if not."""
    from urllib.parse import urlsplit

    from bench.clients.grpc_connection import GrpcConnection
    from bench.method.oracle import GrpcJudge
    from bench.method.subject import RemoteGrpc

    target = urlsplit(url if "//" in url else f"grpc://{url}").netloc
    connection = GrpcConnection(f"grpc+{protocol}://{target}/{model}", timeout=10)
    try:
        status, body = connection.send("a first request: is the model there?")
    except ConnectionError as error:
        raise pytest.UsageError(f"--serving-url {url}: no gRPC server answering ({error})") from None
    finally:
        connection.close()
    if fault := GrpcJudge(protocol)("a first request", status, body):
        raise pytest.UsageError(f"--serving-url {url}: model {model!r} does not answer {protocol} over gRPC: {fault}")
    return RemoteGrpc(target, protocol, model)


def _remote_open_inference(url: str, model: str):
    """A v2 server with `model` ready (`GET /v2/models/<model>/ready`); a one-line usage error if not."""
    import requests

    from bench.method.subject import RemoteOpenInference

    try:
        requests.get(f"{url}/v2/models/{model}/ready", timeout=10).raise_for_status()
    except requests.RequestException as error:
        raise pytest.UsageError(f"--serving-url {url}: model {model!r} not ready over the Open Inference "
                                f"Protocol v2 ({error})") from None
    return RemoteOpenInference(url, model)
