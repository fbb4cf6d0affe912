"""What every peer's service shares, run inside the peer's environment: its command line, the model
it serves loaded as our onnx servers load it (runtime threads fitted to the peer's worker processes,
warmed up), the answer to a request as ours answers it, and its record (its set-up, as our `/healthz`
reports ours), written to `--record` so every figure stores how the peer ran.

A peer serves one of two models, each through the same two calls so a peer's code does not ask which:
- the suite's LSTM (`--artifacts`, `SuiteServed`): `POST /onnx {"text": ...}`, or the Open Inference
  Protocol's model `sentiment` (a BYTES `text` in; `probabilities` and `label` out);
- a model file (`--model-form`, `FileServed`): its onnx form handed over by the suite
  (`serving.model_file.handoff`), answering TF Serving's REST predict body at `/v1/models/<name>:predict`
  as our servers do, or the Open Inference Protocol's model `<name>` with the model's own typed tensors.
"""
from __future__ import annotations

import argparse
import json
from importlib import metadata
from pathlib import Path

import numpy as np

from sentiment_model.artifacts import ArtifactError, load_artifacts
from serving import graphs
from serving.classifier import Classifier
from serving.inputs import InputError
from serving.model_file import ModelError
from serving.settings import Settings
from serving.setup_report import hosting, process_setup

GRAPH = "onnx"  # the form every peer serves: ONNX Runtime, no TensorFlow in its environment


def arguments(peer: str, grpc: bool = False) -> argparse.Namespace:
    """The peer's command line; `grpc`: it has a gRPC server, off unless `--grpc-port` is given."""
    parser = argparse.ArgumentParser(prog=f"python -m serving.peers.{peer}_peer",
                                     description=f"the suite's model, or a model file's onnx form, served by {peer}")
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument("--artifacts", type=Path, help="the trained model's folder (the suite's LSTM)")
    model.add_argument("--model-form", type=Path, help="a model file's onnx form, as the suite hands it over "
                                                       "(serving.model_file.handoff)")
    parser.add_argument("--port", type=int, required=True)
    if grpc:
        parser.add_argument("--grpc-port", type=int, help="also serve the Open Inference Protocol v2 over gRPC here")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default %(default)s)")
    parser.add_argument("--record", type=Path, help="write its set-up here as JSON before it serves")
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:  # before the peer starts its workers: a bad folder or file is one line, not a worker dying over and over
        if args.artifacts:
            load_artifacts(args.artifacts)
        else:
            from serving.model_file import handoff

            handoff.read(args.model_form)
    except (ArtifactError, OSError, ValueError, KeyError, TypeError) as error:
        given = f"--artifacts {args.artifacts}" if args.artifacts else f"--model-form {args.model_form}"
        parser.error(f"{given}: {error}")
    return args


def settings_of(args: argparse.Namespace, peer: str) -> Settings:
    model = getattr(args, "model_form", None)
    if model:  # what our servers record of a model file: the model as the user gave it
        from serving.model_file import handoff

        model = handoff.read(Path(model))[0].path
    return Settings(graph=GRAPH, artifacts=getattr(args, "artifacts", None), model=model, port=args.port,
                    server=peer, workers=args.workers)


def passed_on(args: argparse.Namespace) -> dict:
    """The command line's settings as JSON, for peers that load the model in processes of their own."""
    given = {"artifacts": args.artifacts, "model_form": getattr(args, "model_form", None)}
    return {**{name: str(Path(value).resolve()) for name, value in given.items() if value},
            "port": args.port, "workers": args.workers}


class SuiteServed:
    """The suite's LSTM, its onnx form (the classifier our onnx servers run)."""

    name = "sentiment"
    # the Open Inference Protocol's tensors: (name, dtype, shape; -1 a free dimension)
    v2_inputs = (("text", "string", (-1,)),)
    v2_outputs = (("probabilities", "float32", (-1, 2)), ("label", "string", (-1,)))

    def __init__(self, settings: Settings):
        graphs.configure_for_processes(settings, settings.workers)
        self.classifier = Classifier(GRAPH, load_artifacts(settings.artifacts))

    def json_answer(self, payload: dict) -> dict:
        """`{"text": ...}` answered as our servers answer it."""
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise InputError('body must be {"text": "..."}')
        results, timings = self.classifier.classify([payload["text"]])
        return {"graph": GRAPH, **results[0], "timings_ms": timings}

    def v2_answer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """`text` [N] (BYTES) -> `probabilities` [N, 2] (NEGATIVE, POSITIVE), `label` [N]."""
        if set(inputs) != {"text"}:
            raise InputError(f"the model's one input is named 'text', not {sorted(inputs)}")
        texts = [text.decode() if isinstance(text, bytes) else str(text) for text in np.asarray(inputs["text"]).reshape(-1)]
        results, _ = self.classifier.classify(texts)
        labels = self.classifier.labels
        return {"probabilities": np.asarray([[result["probabilities"][label] for label in labels] for result in results],
                                            dtype=np.float32),
                "label": np.asarray([result["label"] for result in results], dtype=object)}


def _free_as_minus_one(shape: tuple) -> tuple[int, ...]:
    return tuple(-1 if d is None else d for d in shape)


class FileServed:
    """A model file's onnx form, handed over by the suite (`serving.model_file.handoff`), answering
    through the `ModelEndpoint` our servers answer with."""

    def __init__(self, settings: Settings, model_form: Path):
        from serving.model_file import handoff
        from serving.model_file.endpoint import ModelEndpoint
        from serving.model_file.shapes import plain

        graphs.configure_for_processes(settings, settings.workers)
        self.endpoint = ModelEndpoint(*handoff.load(model_form), settings.limits)
        spec = self.endpoint.spec
        self.name = spec.name
        self.v2_inputs = tuple((plain(t.name), t.dtype, _free_as_minus_one(t.shape)) for t in spec.inputs)
        self.v2_outputs = tuple((plain(t.name), t.dtype, _free_as_minus_one(t.shape)) for t in spec.outputs)
        self._output_names = {t.name: plain(t.name) for t in spec.outputs}

    def json_answer(self, payload: dict) -> dict:
        """TF Serving's REST predict body answered as our servers answer it."""
        return self.endpoint.answer(payload)

    def v2_answer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The model's inputs (named without ":0") -> its outputs, named so."""
        arrays, rows = self.endpoint.checked(inputs)
        return {self._output_names.get(name, name): value for name, value in self.endpoint.outputs(arrays, rows).items()}


def served(args, peer: str):
    """The model the command line (or its settings passed on, `passed_on`) names, loaded: `SuiteServed`
    or `FileServed`."""
    settings = settings_of(args, peer)
    if getattr(args, "model_form", None):
        try:
            return FileServed(settings, Path(args.model_form))
        except ModelError as error:
            raise SystemExit(f"--model-form {args.model_form}: {error}") from None
    return SuiteServed(settings)


def model_name(args: argparse.Namespace) -> str:
    """The served model's name without loading it (the Open Inference Protocol's `<name>`)."""
    if getattr(args, "model_form", None):
        from serving.model_file import handoff

        return handoff.read(Path(args.model_form))[0].name
    return SuiteServed.name


def json_path(args: argparse.Namespace) -> str:
    """Where the JSON peers take requests: ours (`/onnx`), or TF Serving's predict for a model file."""
    from serving.peers import ENDPOINTS, FILE_ENDPOINTS

    if getattr(args, "model_form", None):
        return FILE_ENDPOINTS["json"].format(model=model_name(args))
    return ENDPOINTS["json"]


def write_record(args: argparse.Namespace, settings: Settings, distribution: str, worker_class: str) -> None:
    """Its set-up, as our servers report theirs (the runtime's threads as its workers fit them)."""
    if args.record is None:
        return
    graphs.configure_for_processes(settings, settings.workers)
    setup = process_setup(settings, hosting(settings.server, settings.workers, worker_class, None))
    setup[f"{settings.server}_version"] = metadata.version(distribution)
    setup["grpc_port"] = getattr(args, "grpc_port", None)  # its gRPC server on: what the gRPC peers are sent to
    args.record.write_text(json.dumps(setup))
