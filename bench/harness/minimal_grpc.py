"""`python -m bench.harness.minimal_grpc --port P`: the suite's two gRPC APIs with no model behind them.
Calibrates the gRPC client as `minimal_app` calibrates the HTTP one.

The same services as `python -m serving grpc` (serving.grpc_server: TF Serving's Predict and the Open
Inference Protocol v2's ModelInfer, their parsing, input rules and answers of the real sizes), over a
classifier that answers every text at once, in one process with one handler thread as our gRPC
workers run. What the suite's client measures against it is the floor of a gRPC figure: our client,
grpcio on both sides and the messages' (de)serialization. Prints `ready` once it listens; SIGTERM stops it.
"""
from __future__ import annotations

import argparse
import signal
import threading
from concurrent import futures

import grpc

from serving.grpc_server import InferenceService

LABELS = ["NEGATIVE", "POSITIVE"]
RESULT = {"label": "POSITIVE", "probabilities": {"NEGATIVE": 0.01, "POSITIVE": 0.99}}  # minimal_app's answer


class FixedAnswers:
    """A classifier's interface with no model: every text POSITIVE at 0.99."""

    labels = LABELS

    def classify(self, texts: list[str]) -> tuple[list[dict], dict]:
        return [RESULT for _ in texts], {}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.harness.minimal_grpc", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    server.add_generic_rpc_handlers(InferenceService(FixedAnswers()).handlers())
    if server.add_insecure_port(f"127.0.0.1:{args.port}") == 0:
        parser.error(f"cannot listen on 127.0.0.1:{args.port}")
    server.start()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
