"""The client's own cost: our client and wrk against a server that does nothing (`bench/harness/
minimal_app.py` under gunicorn, one sync worker, as our servers run), the floor under every HTTP
figure of the run. wrk's p50 is measured in windows alternating with ours on the same server; the
difference is what the client itself adds to each request (nothing is subtracted from any figure).
So for each protocol the suite speaks (ours, `GET ?text=`; a JSON body POSTed, as LitServe, BentoML
and Ray Serve take it; the Open Inference Protocol v2's infer call, MLServer's and KServe's): a peer
is not charged for our client. Each protocol's request body and answer sizes are stored, and the time
a client spends encoding a request and decoding its answer with Python's json (our client builds each
request's bytes once, before timing, and reads answers after: no timed figure holds them).
Over gRPC (TF Serving's Predict, the Open Inference Protocol v2's ModelInfer) no outside load generator is
at hand (wrk speaks HTTP/1.1): our client's p50 against the same services with no model behind them
(`bench/harness/minimal_grpc.py`) is stored as the floor of a gRPC figure, client and server stacks together.
It has no cases: it runs its own minimal servers. Its benchmark: bench/test_client_cost.py."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import numpy as np

from bench.clients import wrk
from bench.clients.http import SequentialClient
from bench.harness.minimal_app import ANSWER, V2_ANSWER
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, free_port
from bench.method.oracle import JsonRequest
from bench.method.paired import Rotation
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.method.subject import body
from bench.questions.question import Question
from bench.results.formatting import fmt, section
from serving.peers import ENDPOINTS
from serving.setup_report import hosting

RECORD = "client cost"
# Requests timed by our client and by wrk on a server that does nothing, as many as single requests time.
KNOBS = Knobs(quick=Rounds(60), full=Rounds(480))
KEY = "minimal-gunicorn-w1"  # what it measures, as its figure's set-up names it
TEXT = "the staff was friendly, but the room was dirty"
WINDOWS, REQUESTS = 20, 100  # ~0.3 ms each: about a second in all
# Started here with these flags; it has no /healthz to report itself (it is not our app).
MINIMAL_SERVER = {**hosting("gunicorn", 1, "sync", 1), "app": "bench.harness.minimal_app"}
WRK_MISSING = "wrk is not installed (Debian: apt-get install wrk): the client's cost is measured against it"


# Its own figures: our client's and wrk's p50 in alternating windows on the same server, and the
# difference (ours: GET ?text=); `protocols`: the same and more for each protocol (`PROTOCOLS`).
PART = ("client_window_p50_ms", "wrk_window_p50_ms", "client_cost_ms", "protocols")
# protocol -> (the path on the minimal server, the request, its answer there)
PROTOCOLS = {"text": ("/static", TEXT, ANSWER),
             "json": (ENDPOINTS["json"], JsonRequest(TEXT, body("json", TEXT)), ANSWER),
             "v2": (ENDPOINTS["v2"], JsonRequest(TEXT, body("v2", TEXT)), V2_ANSWER)}
CODEC_REPEATS = 2000  # encodes and decodes timed per protocol, each ~µs
GRPC_PROTOCOLS = {"tfs-grpc": "grpc+tfs", "v2-grpc": "grpc+v2"}  # protocol -> our client's URL scheme


@contextmanager
def minimal_server() -> Iterator[str]:
    """The minimal app under gunicorn, one sync worker, on a free port: its URL; stopped on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
         "bench.harness.minimal_app:app"], cwd=PROJECT_ROOT, env=ROOT_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                SequentialClient(f"{url}/static", ["ping"]).one_request()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the minimal gunicorn server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def minimal_grpc_server() -> Iterator[str]:
    """`bench.harness.minimal_grpc` on a free port: its HOST:PORT once it listens; stopped on the way out."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.harness.minimal_grpc", "--port", str(port)], cwd=PROJECT_ROOT,
                               env=ROOT_ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the minimal gRPC server did not start (exit code {process.wait(timeout=30)})")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure_grpc(target: str, protocol: str) -> tuple[dict, list[str]]:
    """One gRPC protocol on the minimal gRPC server: our client's window p50s (no outside tool to
    alternate with: `floor_ms`, no cost of its own), the sizes; and any answer not the fixed one."""
    from bench.method.oracle import GrpcJudge

    client = SequentialClient(f"{GRPC_PROTOCOLS[protocol]}://{target}/sentiment", [TEXT])
    try:
        for _ in range(REQUESTS):  # untimed warm-up: the server's first Predict imports TensorFlow's protos
            client.timed_unit()
        windows = [float(np.median([client.timed_unit() for _ in range(REQUESTS)])) * 1000 for _ in range(WINDOWS)]
    finally:
        client.close()
    judge = GrpcJudge(protocol.split("-")[0], {TEXT: 0.99})
    faults = [f"{protocol}: {error}" for error in client.errors]
    faults += [f"{protocol}: {fault}" for item in client.answers.items if (fault := judge(*item)) is not None]
    answer = client.answers.items[-1][2] if client.answers.items else b""
    floor = float(np.median(windows))
    return {"client_window_p50_ms": round(floor, 4), "wrk_window_p50_ms": None, "client_cost_ms": None,
            "floor_ms": round(floor, 4), "request_body_bytes": len(client.connection.request_for(TEXT)),
            "answer_bytes": len(answer), "encode_us": None, "decode_us": None}, faults


def codec_us(protocol: str) -> tuple[float, float]:
    """(encode, decode) in µs, medians: one request of `protocol` built from its text with Python's
    json (the text URL-encoded for ours), one answer of it parsed."""
    answer = PROTOCOLS[protocol][2]
    encode = (lambda: urlencode({"text": TEXT})) if protocol == "text" else (lambda: body(protocol, TEXT))

    def timed(call) -> float:
        times = []
        for _ in range(CODEC_REPEATS):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return float(np.median(times)) * 1e6

    return timed(encode), timed(lambda: json.loads(answer))


def measure_protocol(url: str, protocol: str) -> tuple[dict, list[str]]:
    """One protocol on the minimal server: our client's and wrk's window p50s alternating, the cost,
    the sizes and the codec's times; and any answer not the server's."""
    path, request, answer = PROTOCOLS[protocol]
    ours, theirs, answers = wrk.alternate_p50s(url + path, request, windows=WINDOWS, requests=REQUESTS)
    encode, decode = codec_us(protocol)
    ours_p50, wrk_p50 = float(np.median(ours)), float(np.median(theirs))
    faults = [f"{protocol}: HTTP {status}: {body[:120]!r}" for _, status, body in answers.items
              if not (status == 200 and body == answer)]
    return {"client_window_p50_ms": round(ours_p50, 4), "wrk_window_p50_ms": round(wrk_p50, 4),
            "client_cost_ms": round(ours_p50 - wrk_p50, 4),
            "request_body_bytes": len(request.body) if isinstance(request, JsonRequest) else 0,
            "answer_bytes": len(answer), "encode_us": round(encode, 2), "decode_us": round(decode, 2)}, faults


def measure(cases: list, run) -> Measured:
    """For each protocol, windows of wrk and of our client alternating on the minimal server; then
    the question's rounds of our client alone (its own clock, ours: GET ?text=): `samples(KEY)`,
    `parts[KEY]`."""
    if not wrk.available():
        return Measured(RECORD, [], Rotation({}, {}), {}, method=f"not measured: {WRK_MISSING}")
    with minimal_server() as url:
        protocols, faults = {}, []
        for protocol in PROTOCOLS:
            protocols[protocol], wrong = measure_protocol(url, protocol)
            faults += wrong
        with minimal_grpc_server() as target:
            for protocol in GRPC_PROTOCOLS:
                protocols[protocol], wrong = measure_grpc(target, protocol)
                faults += wrong
        client = SequentialClient(url + PROTOCOLS["text"][0], [TEXT])
        try:
            times = [client.timed_unit() for _ in range(run.plan.rounds_of(RECORD).rounds)]
        finally:
            client.close()
    faults += [f"HTTP {status}: {body[:120]!r}" for _, status, body in client.answers.items
               if not (status == 200 and body == ANSWER)]
    ours = protocols["text"]
    return Measured(RECORD, [], Rotation({KEY: times}, {}), {KEY: MINIMAL_SERVER}, faults={KEY: faults},
                    method=f"our client's own clock, {len(times)} requests back to back, after {WINDOWS} windows of "
                           f"{REQUESTS} alternating with wrk in each of {len(PROTOCOLS)} protocols",
                    parts={KEY: {**{name: ours[name] for name in PART[:3]}, "protocols": protocols}})


def report(rows) -> list[str]:
    """Each protocol on the minimal server: its sizes, our client's and wrk's p50, the difference, and
    what encoding a request and decoding its answer cost a Python client."""
    found = next((row.figure.get("protocols") for row in rows if row.figure.question == RECORD and row.figure.get("protocols")), None)
    if not found:
        return []
    table = ["| protocol | request body (B) | answer (B) | our client p50 (ms) | wrk p50 (ms) | our client's own cost (ms) "
             "| encode a request (µs) | decode an answer (µs) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for protocol, figures in found.items():
        table.append(f"| {WORDS.get(protocol, protocol)} | {figures['request_body_bytes']} | {figures['answer_bytes']} | "
                     f"{fmt(figures['client_window_p50_ms'], 3)} | {fmt(figures['wrk_window_p50_ms'], 3)} | "
                     f"{fmt(figures['client_cost_ms'], 3)} | {fmt(figures['encode_us'], 1)} | {fmt(figures['decode_us'], 1)} |")
    return section("The load generator's own cost in each protocol", table,
                   "Against a server that does nothing (one gunicorn sync worker, answers of the real sizes), windows "
                   f"of {REQUESTS} requests of our client and of wrk alternating, medians of the windows' p50s: what our "
                   "client adds to every figure in that protocol, ours and each peer's alike (nothing is subtracted). "
                   "Encoding and decoding (Python's json) happen outside every timed request: shown for what a Python "
                   "client of that protocol pays. Over gRPC wrk has no turn (it speaks HTTP/1.1): our client's p50 against "
                   "the same gRPC services with no model behind them (one process, one handler thread) is the floor "
                   "of a gRPC figure, our client and grpcio's stack on both sides together.")


WORDS = {"text": "ours: GET ?text=", "json": "JSON body (LitServe, BentoML, Ray Serve)", "v2": "Open Inference v2 (MLServer, KServe)",
         "tfs-grpc": "TF Serving gRPC Predict (protobuf)", "v2-grpc": "Open Inference v2 gRPC ModelInfer (KServe, Triton)"}
QUESTION = Question(RECORD, None, "client cost against a minimal server", measure=measure, part=PART, knobs=KNOBS,
                    report=report)
