"""The no-HTTP baseline's process: one graph kind, the server's own classify path, called directly.

`python -m bench.clients.inprocess_worker ARTIFACTS GRAPH [--slowdown F]`: loads the kind and warms it
up, prints one JSON line `{"ready": true, "setup": ...}`, then answers one line per request read
from stdin (a JSON string, the text) with `{"seconds": ..., "body": ...}`: the call timed here with
`time.perf_counter`, so the pipe's own latency is not the figure. With `--model PATH [--shape ...]`
(ARTIFACTS unused) it serves a model file's form: each line a TF Serving predict body, answered by
the server's own path (`serving.model_file.app.ModelEndpoint`) without HTTP.

A process of its own, as a server's worker is: four kinds loaded into one process made each of
them slower (here static-xla 0.82 ms a call instead of 0.55 ms, static 6.9 instead of 5.9), which
is no deployment's regime. `--slowdown F` sleeps F times each call's own time inside it: a deliberate slowdown
for the tests that check what the suite's answers say about one.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time

from bench.method import cases
from serving.setup_report import hosting

IN_PROCESS = hosting(cases.IN_PROCESS.server)  # one process, no server


def in_process_setup(graph: str, artifacts_dir) -> dict:
    """The set-up of this process, for figures measured without a server (as `/healthz` reports a server's)."""
    from serving.settings import Settings
    from serving.setup_report import process_setup

    return process_setup(Settings(graph=graph, artifacts=artifacts_dir), IN_PROCESS)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.clients.inprocess_worker")
    parser.add_argument("artifacts")
    parser.add_argument("graph")
    parser.add_argument("--slowdown", type=float, default=0.0)
    parser.add_argument("--model", help="a model file's form instead of the suite's kind")
    parser.add_argument("--shape", action="append")
    args = parser.parse_args()
    if args.model:
        serve_model_file(args)
        return
    from sentiment_model.artifacts import load_artifacts
    from serving.classifier import Classifier

    artifacts = load_artifacts(args.artifacts)
    classifier = Classifier(args.graph, artifacts)
    classifier.classify(["warm up"])
    setup = in_process_setup(args.graph, artifacts.root)
    gc.collect()
    gc.disable()  # collected between calls only when asked, never inside a timed one
    print(json.dumps({"ready": True, "setup": setup}), flush=True)
    for line in sys.stdin:
        text = json.loads(line)
        if text is None:  # between rounds: what the last round left
            gc.collect(1)
            print("{}", flush=True)
            continue
        started = time.perf_counter()
        results, _ = classifier.classify([text])
        body = json.dumps({"graph": args.graph, **results[0]})
        if args.slowdown:
            time.sleep(args.slowdown * (time.perf_counter() - started))
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "body": body}), flush=True)


def serve_model_file(args) -> None:
    """The baseline for a model file's form: each line a predict body, answered without HTTP."""
    from serving.model_file.app import ModelEndpoint
    from serving.settings import Settings
    from serving.setup_report import process_setup

    settings = Settings(graph=args.graph, model=args.model, shape=tuple(args.shape or ()) or None)
    endpoint = ModelEndpoint(settings)
    gc.collect()
    gc.disable()
    print(json.dumps({"ready": True, "setup": process_setup(settings, IN_PROCESS)}), flush=True)
    for line in sys.stdin:
        body = json.loads(line)
        if body is None:
            gc.collect(1)
            print("{}", flush=True)
            continue
        started = time.perf_counter()
        answer = json.dumps(endpoint.answer(json.loads(body)))
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "body": answer}), flush=True)


if __name__ == "__main__":
    main()
