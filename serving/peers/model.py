"""What every peer's service shares, run inside the peer's environment: its command line, the
suite's onnx form loaded as our onnx servers load it (runtime threads fitted to the peer's worker
processes, warmed up), the answer to a text as ours answers it, and its `/healthz` record (pid, set-up)
so the launcher knows it reached its own server and every figure stores how the peer ran."""
from __future__ import annotations

import argparse
import os
from importlib import metadata
from pathlib import Path

from sentiment_model.artifacts import load_artifacts
from serving import graphs
from serving.classifier import Classifier
from serving.settings import Settings
from serving.setup_report import hosting, process_setup

GRAPH = "onnx"  # the form every peer serves: ONNX Runtime, no TensorFlow in its environment


def arguments(peer: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m serving.peers.{peer}_peer",
                                     description=f"the suite's model served by {peer}")
    parser.add_argument("--artifacts", type=Path, required=True, help="the trained model's folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default %(default)s)")
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def settings_of(args: argparse.Namespace, peer: str) -> Settings:
    return Settings(graph=GRAPH, artifacts=args.artifacts, port=args.port, server=peer, workers=args.workers)


def load_classifier(settings: Settings) -> Classifier:
    """The onnx form, its threads shared out among the peer's workers as ours are."""
    graphs.configure_for_processes(settings, settings.workers)
    return Classifier(GRAPH, load_artifacts(settings.artifacts))


def answer(classifier: Classifier, text: str) -> dict:
    results, timings = classifier.classify([text])
    return {"graph": GRAPH, **results[0], "timings_ms": timings}


def health(settings: Settings, peer: str, distribution: str, worker_class: str) -> dict:
    """`/healthz`'s record, whichever of the peer's processes answers it (the runtime's threads as
    its workers fit them)."""
    graphs.configure_for_processes(settings, settings.workers)
    setup = process_setup(settings, hosting(peer, settings.workers, worker_class, None))
    setup[f"{peer}_version"] = metadata.version(distribution)
    return {"status": "ok", "graph": GRAPH, "pid": os.getpid(), "parent_pid": os.getppid(), "setup": setup}
