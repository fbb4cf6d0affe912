"""The no-HTTP baseline's process: one graph kind, the server's own classify path, called directly.

`python -m bench.clients.inprocess_worker ARTIFACTS GRAPH [--slowdown F]`: loads the kind and warms it
up, prints one JSON line `{"ready": true, "setup": ...}`, then answers one line per request read
from stdin (a JSON string, the text) with `{"seconds": ..., "body": ...}`: the call timed here with
`time.perf_counter`, so the pipe's own latency is not the figure. With `--model PATH [--shape ...]`
(ARTIFACTS unused) it serves a model file's form: each line a TF Serving predict body, answered by
the server's own path (`serving.model_file.endpoint.ModelEndpoint`) without HTTP.

A process of its own, as a server's worker is: four kinds loaded into one process made each of
them slower (here static-xla 0.82 ms a call instead of 0.55 ms, static 6.9 instead of 5.9), which
is no deployment's regime. `--slowdown F` keeps the call busy F times its own time more: a deliberate
slowdown for the tests that check what the suite's answers say about one.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable

from bench.method import cases
from serving.setup_report import hosting

IN_PROCESS = hosting(cases.IN_PROCESS.server)  # one process, no server


def in_process_setup(graph: str, artifacts_dir) -> dict:
    """The set-up of this process, for figures measured without a server (as `/healthz` reports a server's)."""
    from serving.settings import Settings
    from serving.setup_report import process_setup

    return process_setup(Settings(graph=graph, artifacts=artifacts_dir), IN_PROCESS)


def answerer(args) -> tuple[Callable[[str], str], dict]:
    """(a request's line -> the answer's body, this process's set-up), loaded and warmed up: the
    suite's kind through the server's classify path, or a model file's form through its TF Serving
    path (`serving.model_file.endpoint.ModelEndpoint`)."""
    from serving.settings import Settings
    from serving.setup_report import process_setup

    if args.model:
        from serving.model_file.endpoint import ModelEndpoint

        settings = Settings(graph=args.graph, model=args.model, shape=tuple(args.shape or ()) or None)
        endpoint = ModelEndpoint.from_settings(settings)  # warmed up as it loads
        return (lambda body: json.dumps(endpoint.answer(json.loads(body)))), process_setup(settings, IN_PROCESS)
    from sentiment_model.artifacts import load_artifacts
    from serving.classifier import Classifier

    artifacts = load_artifacts(args.artifacts)
    classifier = Classifier(args.graph, artifacts)
    classifier.classify(["warm up"])
    return (lambda text: json.dumps({"graph": args.graph, **classifier.classify([text])[0][0]})), \
        in_process_setup(args.graph, artifacts.root)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.clients.inprocess_worker")
    parser.add_argument("artifacts")
    parser.add_argument("graph")
    parser.add_argument("--slowdown", type=float, default=0.0)
    parser.add_argument("--model", help="a model file's form instead of the suite's kind")
    parser.add_argument("--shape", action="append")
    args = parser.parse_args()
    answer, setup = answerer(args)
    gc.collect()
    gc.disable()  # collected between calls only when asked, never inside a timed one
    print(json.dumps({"ready": True, "setup": setup}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request is None:  # between rounds: what the last round left
            gc.collect(1)
            print("{}", flush=True)
            continue
        started = time.perf_counter()
        body = answer(request)
        if args.slowdown:  # busy, not asleep: a sleep this short overshoots by the timer's slack and the
            # wake-up (an injected 10 % read 1.157 [1.116, 1.202] in CI)
            until = time.perf_counter() + args.slowdown * (time.perf_counter() - started)
            while time.perf_counter() < until:
                pass
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "body": body}), flush=True)


if __name__ == "__main__":
    main()
