"""What a run measures — its subject: the suite's own model (the default), a model file (`--model
PATH`) or a server someone else runs (`--serving-url`). A subject owns its kinds, the requests every
case sends, how an answer is judged, what its servers are launched with, the form every other is
checked against and what the saved run records of it. Questions take their cases from it
(`Subject.cases`), so no question asks which subject it measures."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bench.method.cases import IN_PROCESS, REMOTE, Case, ServerConfig, http_servers
from bench.method.oracle import (
    AnswerJudge,
    GrpcJudge,
    JsonRequest,
    Judge,
    ModelJudge,
    OpenInferenceJudge,
    OpenInferenceModelJudge,
)
from serving import peers
from serving.model_file.prepare import Prepared
from serving.model_file.shapes import batch_free, plain

TEXT_POOL_SIZE = 50


def request_texts() -> list[str]:
    """The texts every request sends, in turn: held-out sentences, real inputs none seen in training."""
    from sentiment_model import corpus

    return [e.text for e in corpus.read_tsv() if e.split == "test"][:TEXT_POOL_SIZE]


@dataclass(frozen=True)
class Sweep:
    """What a question measures of a subject without the suite's kind policy (a model file's forms,
    a remote server's one kind): every kind on the default server and every fast-kind front end with
    `workers` workers (`front_ends=False`: on the default server alone), in-process first when
    `in_process`; a quick run keeps the first `quick_cases`. `over_http`: a remote server answers it;
    `over_grpc`: a remote gRPC server too."""

    workers: int
    in_process: bool = False
    front_ends: bool = True
    quick_cases: int | None = None
    over_http: bool = True
    over_grpc: bool = True  # a remote gRPC server answers it too (False: its client speaks HTTP only)


# The suite's model in each protocol a peer speaks (serving.peers): its request body for one text
BODIES = {"json": lambda text: {"text": text},
          "v2": lambda text: {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [text]}]}}


def body(protocol: str, text: str) -> bytes:
    return json.dumps(BODIES[protocol](text)).encode()


class Subject(Protocol):
    uses_artifacts: bool  # the suite's own model is trained (or found cached) and loaded for it

    def cases(self, question, plan) -> list:
        """The cases `question` (bench.questions.question.Question) measures of this subject."""

    def requests(self) -> list:
        """What every case sends, in turn."""

    def requests_in(self, protocol: str, texts: list) -> list:
        """What a peer speaking `protocol` (serving.peers: "json" or "v2") is sent instead; `texts`: the run's requests."""

    def judge_in(self, protocol: str, ours: Judge) -> Judge:
        """The judge of a peer's answers in `protocol`, against what `ours` (our servers' judge) expects."""

    def judge(self, kind: str, expected: Callable[[], dict]) -> Judge:
        """The judge of `kind`'s answers; `expected()`: the suite's model's answers, loaded when asked for."""

    def launch_settings(self) -> dict:
        """What every server of the run is started with beside its set-up (`serving.settings.Settings`)."""

    def endpoint(self) -> str | None:
        """The path requests go to (None: `/<kind>`, the suite's own)."""

    def record(self) -> dict | None:
        """What the saved run says of the subject (None: the suite's own model)."""


class _SuiteTexts:
    """A subject whose requests are the suite's texts, launched with nothing more than its set-up."""

    def requests(self) -> list[str]:
        return request_texts()

    def launch_settings(self) -> dict:
        return {}

    def endpoint(self) -> str | None:
        return None

    def record(self) -> dict | None:
        return None


class SuiteModel(_SuiteTexts):
    """The suite's own LSTM, its kinds measured as the kind policy (`bench.method.policy`) says: each
    question's own `cases`."""

    uses_artifacts = True  # the suite's model is trained (or found cached) and loaded

    def cases(self, question, plan) -> list:
        return question.cases(plan)

    def judge(self, kind: str, expected: Callable[[], dict]) -> Judge:
        return AnswerJudge(kind, expected())

    def requests_in(self, protocol: str, texts: list[str]) -> list:
        """Each text as the protocol takes it (POST JSON, not ours' GET: the peers take no query string;
        over gRPC the text itself, serialized by the gRPC client, bench.clients.grpc_connection)."""
        if protocol == "v2-grpc":
            return list(texts)
        return [JsonRequest(text, body(protocol, text)) for text in texts]

    def judge_in(self, protocol: str, ours: AnswerJudge) -> Judge:
        return {"v2": OpenInferenceJudge(ours.expected), "v2-grpc": GrpcJudge("v2", ours.expected)}.get(protocol, ours)


def _body(request: dict, batch_free: bool) -> bytes:
    if batch_free:  # one row, an object of the inputs (TF Serving's row format)
        return json.dumps({"instances": [{plain(name): value[0].tolist() for name, value in request.items()}]}).encode()
    return json.dumps({"inputs": {plain(name): value.tolist() for name, value in request.items()}}).encode()


def sweep_cases(sweep: Sweep, kinds: tuple[str, ...], quick: bool) -> list[Case]:
    """`sweep` over `kinds`, for a subject without a kind policy."""
    cases = [Case(kind, IN_PROCESS) for kind in kinds] if sweep.in_process else []
    cases += [Case(kind, ServerConfig(server, sweep.workers))
              for server in http_servers(front_ends=sweep.front_ends) for kind in kinds]
    return cases[:sweep.quick_cases] if quick and sweep.quick_cases else cases


@dataclass
class ModelFile:
    """A model file (`--model PATH`): the forms that agreed with the model as given, each measured as
    the question's `sweep` says; TF Serving's REST bodies, built once; the answers the model as given
    gave in this process."""

    prepared: Prepared
    shape_flags: tuple[str, ...] = ()  # `--shape`, handed on to every server
    uses_artifacts = False  # nothing of the suite's own model is trained or loaded

    @property
    def forms(self) -> tuple[str, ...]:
        """The forms that agreed with the model as given: the only ones measured."""
        return tuple(name for name, form in self.prepared.forms.items() if form.predict is not None)

    def cases(self, question, plan) -> list:
        if question.beside_peers:  # ours of its forms, and every peer (a peer's case fails without an onnx form)
            # but those over gRPC: the gRPC client sends one text, not a model's tensors (docs/peers.md)
            return [case for case in question.cases(plan)
                    if (not peers.get(case.config.server).over_grpc if case.config.peer else case.graph in self.forms)]
        if question.sweep is None:
            return []
        return sweep_cases(question.sweep, self.forms, plan.quick)

    def requests(self) -> list[JsonRequest]:
        rows = batch_free(self.prepared.spec)
        return [JsonRequest(f"request {index}", _body(request, rows))
                for index, request in enumerate(self.prepared.requests, 1)]

    def judge(self, kind: str, expected: Callable[[], dict]) -> ModelJudge:
        answers = {f"request {index}": answer for index, answer in enumerate(self.prepared.answers, 1)}
        return ModelJudge(kind, answers, [t.name for t in self.prepared.spec.outputs])

    def requests_in(self, protocol: str, texts: list[JsonRequest]) -> list[JsonRequest]:
        """TF Serving's bodies as ours are sent them ("json"), or each request's inputs as the Open
        Inference Protocol's typed tensors ("v2")."""
        if protocol == "json":
            return texts
        if protocol != "v2":
            raise ValueError(f"a model file's requests are not sent over {protocol}")
        from serving.model_file.v2_tensors import tensor

        return [JsonRequest(f"request {index}", json.dumps({"inputs": [tensor(name, value) for name, value in request.items()]}).encode())
                for index, request in enumerate(self.prepared.requests, 1)]

    def judge_in(self, protocol: str, ours: ModelJudge) -> Judge:
        return OpenInferenceModelJudge(ours.graph, ours.expected, ours.output_names) if protocol == "v2" else ours

    def launch_settings(self) -> dict:
        return {"model": self.prepared.spec.path.resolve(), "shape": self.shape_flags or None}

    def endpoint(self) -> str:
        return f"/v1/models/{self.prepared.spec.name}:predict"

    def record(self) -> dict:
        """Which model, and what became of each form."""
        return {**self.prepared.spec.as_json(), "given": self.prepared.given,
                "forms": {name: "measured" if form.predict is not None else form.reason
                          for name, form in self.prepared.forms.items()}}


@dataclass(frozen=True)
class RemoteServer(_SuiteTexts):
    """A server someone else runs (`--serving-url`), serving `kind` (its /healthz says which): one case
    for each question asked over HTTP; its answers judged on their shape (it may hold another model)."""

    url: str
    kind: str
    uses_artifacts = False

    def cases(self, question, plan) -> list:
        return [Case(self.kind, REMOTE)] if question.sweep is not None and question.sweep.over_http else []

    def judge(self, kind: str, expected: Callable[[], dict]) -> Judge:
        return AnswerJudge(kind, None)


@dataclass(frozen=True)
class RemoteOpenInference(_SuiteTexts):
    """A text classifier someone else serves over the Open Inference Protocol v2's REST (KServe, Triton,
    MLServer, our own servers: `--serving-url URL --serving-protocol v2`): each text an infer request
    with one BYTES input `text`, its answer judged on its shape; the set-up stored is what the server
    and the model's metadata say of themselves."""

    url: str
    model: str
    kind = "v2"
    uses_artifacts = False

    def cases(self, question, plan) -> list:
        return [Case(self.kind, REMOTE)] if question.sweep is not None and question.sweep.over_http else []

    def requests(self) -> list[JsonRequest]:
        return [JsonRequest(text, json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                                                          "data": [text]}]}).encode()) for text in request_texts()]

    def judge(self, kind: str, expected: Callable[[], dict]) -> Judge:
        return OpenInferenceJudge()

    def endpoint(self) -> str:
        return f"/v2/models/{self.model}/infer"

    def remote_setup(self) -> dict:
        """The server's metadata (`GET /v2`, where it answers it) and the model's (`GET /v2/models/<model>`)."""
        import requests

        model = requests.get(f"{self.url}/v2/models/{self.model}", timeout=10)
        model.raise_for_status()
        server = requests.get(f"{self.url}/v2", timeout=10)
        return {"protocol": "open inference v2", "server": "remote", "model": model.json(),
                "server_metadata": server.json() if server.ok else None}

    def record(self) -> dict:
        return {"protocol": "open inference v2", "url": self.url, "model": self.model}


@dataclass(frozen=True)
class RemoteGrpc(_SuiteTexts):
    """A text classifier someone else serves over gRPC (`--serving-url HOST:PORT --serving-protocol
    tfs-grpc|v2-grpc`): TF Serving's Predict or the Open Inference Protocol v2's ModelInfer (TF Serving,
    Triton, KServe, MLServer; ours: `python -m serving grpc`), each text one call with one string input
    `text` (bench.clients.grpc_connection); its answers judged on their shape (it may hold another model).
    Single requests and bursts: the open loop's client speaks HTTP only."""

    target: str  # host:port
    protocol: str  # "tfs" or "v2"
    model: str
    uses_artifacts = False

    @property
    def kind(self) -> str:
        return f"{self.protocol}-grpc"

    @property
    def url(self) -> str:
        return f"grpc+{self.protocol}://{self.target}"

    def cases(self, question, plan) -> list:
        sweep = question.sweep
        return [Case(self.kind, REMOTE)] if sweep is not None and sweep.over_http and sweep.over_grpc else []

    def judge(self, kind: str, expected: Callable[[], dict]) -> Judge:
        return GrpcJudge(self.protocol)

    def endpoint(self) -> str:
        return f"/{self.model}"

    def remote_setup(self) -> dict:
        return {"protocol": f"{self.protocol} over gRPC", "server": "remote", "model": self.model}

    def record(self) -> dict:
        return {"protocol": f"{self.protocol} over gRPC", "target": self.target, "model": self.model}

