"""What every peer's service shares, run inside the peer's environment: its command line, the
suite's onnx form loaded as our onnx servers load it (runtime threads fitted to the peer's worker
processes, warmed up), the answer to a text as ours answers it (our JSON, or the Open Inference
Protocol's), and its record (its set-up, as our `/healthz` reports ours), written to `--record` so
every figure stores how the peer ran."""
from __future__ import annotations

import argparse
import json
from importlib import metadata
from pathlib import Path

from sentiment_model.artifacts import ArtifactError, load_artifacts
from serving import graphs
from serving.classifier import Classifier
from serving.settings import Settings
from serving.setup_report import hosting, process_setup

GRAPH = "onnx"  # the form every peer serves: ONNX Runtime, no TensorFlow in its environment


def arguments(peer: str, grpc: bool = False) -> argparse.Namespace:
    """The peer's command line; `grpc`: it has a gRPC server, off unless `--grpc-port` is given."""
    parser = argparse.ArgumentParser(prog=f"python -m serving.peers.{peer}_peer",
                                     description=f"the suite's model served by {peer}")
    parser.add_argument("--artifacts", type=Path, required=True, help="the trained model's folder")
    parser.add_argument("--port", type=int, required=True)
    if grpc:
        parser.add_argument("--grpc-port", type=int, help="also serve the Open Inference Protocol v2 over gRPC here")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default %(default)s)")
    parser.add_argument("--record", type=Path, help="write its set-up here as JSON before it serves")
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:  # before the peer starts its workers: a bad folder is one line, not a worker dying over and over
        load_artifacts(args.artifacts)
    except (ArtifactError, OSError) as error:
        parser.error(f"--artifacts {args.artifacts}: {error}")
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


def answer_v2(classifier: Classifier, texts: list[str]) -> tuple[list[float], list[str]]:
    """The Open Inference Protocol's outputs for `texts`: `probabilities` row-major [N, 2], `label` [N]."""
    results, _ = classifier.classify(texts)
    return ([result["probabilities"][label] for result in results for label in classifier.labels],
            [result["label"] for result in results])


def write_record(args: argparse.Namespace, settings: Settings, distribution: str, worker_class: str) -> None:
    """Its set-up, as our servers report theirs (the runtime's threads as its workers fit them)."""
    if args.record is None:
        return
    graphs.configure_for_processes(settings, settings.workers)
    setup = process_setup(settings, hosting(settings.server, settings.workers, worker_class, None))
    setup[f"{settings.server}_version"] = metadata.version(distribution)
    args.record.write_text(json.dumps(setup))
