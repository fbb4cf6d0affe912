"""What a correct answer is: one judge for every path that makes a figure.

A figure counts only correct answers, so the benchmarks, the open-loop search
and the gate all ask this judge about every answer they time. The expected
P(POSITIVE) per text comes from the same model loaded in-process (the `oracle`
fixture of the root conftest.py; the gate's `artifacts_for` per side); for a
remote server (maybe another model) only the answer's shape can be checked.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from google.protobuf.message import DecodeError

from serving.grpc_api import outputs_of

LABELS = ("NEGATIVE", "POSITIVE")
TOLERANCE = 1e-4  # float32 through JSON and across graph kinds

# (the request: a text, or a model file's JsonRequest; HTTP status; body) -> None when correct, else
# what is wrong, in words. AnswerJudge (the suite's model) and ModelJudge (a model file) are judges.
Judge = Callable[["str | JsonRequest", int, bytes], "str | None"]


class JsonRequest(NamedTuple):
    """One request to a model file's server (TF Serving's REST body), named by `key` for its judge."""

    key: str
    body: bytes

    def __str__(self) -> str:
        return self.key


class ModelJudge:
    """A model file's answers: each request's outputs as the model as given answered it in this
    process (`serving.model_file.agreement`: floats within its tolerance, the rest exactly)."""

    def __init__(self, graph: str, expected: Mapping[str, dict], output_names: list[str]):
        self.graph, self.expected, self.output_names = graph, expected, output_names

    def __call__(self, request: JsonRequest, status: int, body: bytes) -> str | None:
        import numpy as np

        from serving.model_file.agreement import differences

        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            answer = json.loads(body)
            found = answer["predictions"] if "predictions" in answer else answer["outputs"]
            if len(self.output_names) == 1:
                outputs = {self.output_names[0]: np.asarray(found)}
            elif "predictions" in answer:  # rows, each an object of the outputs
                outputs = {name: np.asarray([row[name] for row in found]) for name in self.output_names}
            else:
                outputs = {name: np.asarray(found[name]) for name in self.output_names}
        except (ValueError, KeyError, TypeError) as error:
            return f"unreadable answer ({error!r}): {body[:120]!r}"
        wrong = differences(outputs, self.expected[request.key])
        return None if wrong is None else f"{request.key}: {wrong}"


class OpenInferenceModelJudge(ModelJudge):
    """A model file's answers over the Open Inference Protocol v2 (a peer serving it): its outputs as
    typed tensors, each named as the model names it (without ":0"), checked as `ModelJudge` checks ours."""

    def __call__(self, request: JsonRequest, status: int, body: bytes) -> str | None:
        from serving.model_file.agreement import differences
        from serving.model_file.shapes import plain
        from serving.model_file.v2_tensors import array

        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            found = {output["name"]: array(output) for output in json.loads(body)["outputs"]}
            outputs = {name: found[plain(name)] for name in self.output_names}
        except (ValueError, KeyError, TypeError) as error:
            return f"unreadable answer ({error!r}): {body[:120]!r}"
        wrong = differences(outputs, self.expected[request.key])
        return None if wrong is None else f"{request.key}: {wrong}"


class Answers:
    """Collects (text, HTTP status, body) of every timed request, for judging after timing."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, bytes]] = []

    def add(self, text: str, status: int, body: bytes) -> None:
        self.items.append((text, status, body))


def judged(answers: Answers, judge: Judge) -> list[str]:
    """What is wrong with each collected answer, in words (nothing: all right)."""
    return [fault for item in answers.items if (fault := judge(*item)) is not None]


@dataclass(frozen=True)
class AnswerJudge:
    graph: str
    expected: Mapping[str, float] | None  # None: a remote server, judged on shape only

    def __call__(self, text, status: int, body: bytes) -> str | None:
        text = str(text)  # a text, or a text POSTed as JSON (a JsonRequest keyed by its text: the peers')
        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            answer = json.loads(body)
            label, positive, probability = answer["label"], answer["probabilities"]["POSITIVE"], answer["probability"]
            graph = answer["graph"]
        except (ValueError, KeyError, TypeError) as error:
            return f"unreadable answer ({error!r}): {body[:120]!r}"
        if graph != self.graph:
            return f"answered for graph {graph!r}, not {self.graph!r}"
        if label not in LABELS or not 0.0 <= probability <= 1.0:
            return f"malformed answer {answer!r}"
        if self.expected is None:
            return None
        wanted = self.expected[text]
        if abs(positive - wanted) > TOLERANCE:
            return f"P(POSITIVE) {positive:.6f} for {text!r}, expected {wanted:.6f}"
        if label != LABELS[wanted > 0.5]:
            return f"label {label} for {text!r}, expected {LABELS[wanted > 0.5]}"
        return None


@dataclass(frozen=True)
class OpenInferenceJudge:
    """An Open Inference Protocol v2 answer to one text (`serving.open_inference`): a `label` output of
    one of LABELS, `probabilities` (NEGATIVE, POSITIVE) within [0, 1]; with `expected` (a peer serving
    the suite's model) P(POSITIVE) as the suite's model answers it, else (someone else's server,
    `--serving-url --serving-protocol v2`, maybe another model) its shape only."""

    expected: Mapping[str, float] | None = None

    def __call__(self, text, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            outputs = {output["name"]: output["data"] for output in json.loads(body)["outputs"]}
            labels, probabilities = outputs.get("label"), outputs.get("probabilities", [])
        except (ValueError, KeyError, TypeError) as error:
            return f"unreadable answer ({error!r}): {body[:120]!r}"
        if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in LABELS:
            return f"no label of {', '.join(LABELS)} for the one text sent: {body[:120]!r}"
        if not all(isinstance(p, (int, float)) and 0.0 <= p <= 1.0 for p in probabilities):
            return f"probabilities outside [0, 1]: {probabilities!r}"
        if self.expected is None:
            return None
        wanted = self.expected[str(text)]
        if len(probabilities) != len(LABELS) or abs(probabilities[1] - wanted) > TOLERANCE:
            return f"P(POSITIVE) {probabilities[1:2]} for {str(text)!r}, expected {wanted:.6f}"
        if labels[0] != LABELS[wanted > 0.5]:
            return f"label {labels[0]} for {str(text)!r}, expected {LABELS[wanted > 0.5]}"
        return None


@dataclass(frozen=True)
class GrpcJudge:
    """A gRPC answer (TF Serving's PredictResponse, `protocol` "tfs", or v2's ModelInferResponse, "v2"),
    decoded and judged as the Open Inference Protocol's REST answer to the same text (`OpenInferenceJudge`);
    a refused call arrives as its REST status (bench.clients.grpc_connection)."""

    protocol: str
    expected: Mapping[str, float] | None = None

    def __call__(self, text, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status} (gRPC): {body[:120]!r}"
        try:
            outputs = outputs_of(self.protocol, body)
        except (DecodeError, UnicodeDecodeError) as error:
            return f"unreadable gRPC answer ({error!r}): {body[:120]!r}"
        as_json = json.dumps({"outputs": [{"name": name, "data": data} for name, data in outputs.items()]}).encode()
        return OpenInferenceJudge(self.expected)(text, status, as_json)

