"""Peers: the model servers people deploy instead of writing Flask + gunicorn, each serving the
suite's model through its own API, so the suite can measure them side by side with ours.

A peer is a module here that serves the suite's onnx form (or a model file's, `--model`: see
`serving.peers.model`) (the same `serving.classifier.Classifier`
our onnx servers run, so the model's work is identical and only the serving differs) in the protocol
it speaks: the general-purpose ones (LitServe, BentoML, Ray Serve) on our contract, `POST /onnx` with
`{"text": ...}` answered as our servers answer it; the inference servers (MLServer, KServe, Triton) on the
Open Inference Protocol v2's infer (`serving.open_inference`: the text a BYTES input, the answer its
`probabilities` and `label`). Each writes what it runs (its set-up, as our `/healthz` reports ours) to
the file `--record` names before it serves, so no peer needs a route of ours; it is ready when its own
readiness endpoint says so. It runs in an environment of its own
(`serving.peers.environment`): the peers' pins do not all agree with ours (PyTriton wants another
NumPy, MLServer another protobuf, KServe another psutil), a peer's server is a subprocess anyway, and
the suite's own environment stays exactly what the default run measures.
"""
from __future__ import annotations

from dataclasses import dataclass

# Where each protocol's request goes for the suite's model: "json", POST {"text": ...} as our servers take
# it; "v2", the Open Inference Protocol's infer call for the model `sentiment`
ENDPOINTS = {"json": "/onnx", "v2": "/v2/models/sentiment/infer", "v2-grpc": "/sentiment"}
# ... and for a model file named <model>: TF Serving's REST predict, as ours, or the v2 infer call
FILE_ENDPOINTS = {"json": "/v1/models/{model}:predict", "v2": "/v2/models/{model}/infer", "v2-grpc": "/{model}"}


@dataclass(frozen=True)
class Peer:
    module: str  # serving.peers.<module>, run as `python -m` in the peer's environment
    requirements: tuple[str, ...]  # its pins, installed beside our numpy and onnxruntime pins
    description: str
    settings: str  # its recommended production settings on a few CPU cores, as it is launched
    ready_path: str  # its own readiness endpoint: up only once its model is loaded ({model}: the model's name)
    # "json": POST /onnx {"text": ...}, as ours; "v2": the Open Inference Protocol's REST infer; "v2-grpc": its
    # gRPC ModelInfer, on a port of its own (its REST stays up: it says when it is ready)
    protocol: str = "json"
    # Started only once the servers launched with it are up, one at a time: a peer whose start-up fails
    # on a machine busy starting others (the reason, said in the docs)
    starts_alone: str | None = None
    environment: str | None = None  # the peer whose environment it runs from (None: its own)

    def endpoint(self, model_file: str | None = None) -> str:
        """Where its REST requests go: for the suite's model, or for the model file named `model_file`."""
        return FILE_ENDPOINTS[self.protocol].format(model=model_file) if model_file else ENDPOINTS[self.protocol]

    @property
    def over_grpc(self) -> bool:
        return self.protocol == "v2-grpc"


PEERS = {
    "litserve": Peer("litserve_peer", ("litserve==0.2.19",),
                     "LitServe: a FastAPI (uvicorn) front end feeding N inference worker processes through queues",
                     "workers_per_device=N on the CPU, no batching (max_batch_size=1: a request at a time)",
                     "/health"),
    "bentoml": Peer("bentoml_peer", ("bentoml==1.4.40",),
                    "BentoML: a service class behind its HTTP server, N worker processes",
                    "@bentoml.service(workers=N), no adaptive batching (single requests)",
                    "/readyz"),
    "rayserve": Peer("rayserve_peer", ("ray[serve]==2.60.0",),
                     "Ray Serve: an HTTP proxy in front of N replica actors, on a local Ray (GCS, raylet, workers)",
                     "@serve.deployment, num_replicas=N with a CPU share each, no batching", "/-/healthz"),
    # uvloop 0.22 no longer makes an event loop where MLServer 1.7.1's inference workers ask for one
    "mlserver": Peer("mlserver_peer", ("mlserver==1.7.1", "uvloop==0.21.0"),
                     "MLServer (Seldon): the Open Inference Protocol, an MLModel runtime in N parallel inference workers",
                     "parallel_workers=N, no adaptive batching", "/v2/models/{model}/ready", protocol="v2"),
    "mlserver-grpc": Peer("mlserver_peer", ("mlserver==1.7.1", "uvloop==0.21.0"),
                          "MLServer over gRPC: its gRPC server in the main process, N parallel inference workers",
                          "parallel_workers=N, no adaptive batching", "/v2/models/{model}/ready", protocol="v2-grpc",
                          environment="mlserver"),
    "kserve": Peer("kserve_peer", ("kserve==0.21.0",),
                   "KServe's Python model server: the Open Inference Protocol on FastAPI (uvicorn), N workers",
                   "ModelServer(workers=N), REST only", "/v2/models/{model}/ready", protocol="v2"),
    # the same servers over gRPC (the Open Inference Protocol's ModelInfer), each from the REST peer's environment
    "kserve-grpc": Peer("kserve_peer", ("kserve==0.21.0",),
                        "KServe's Python model server over gRPC: its gRPC server (grpc.aio) in the main process",
                        "ModelServer(workers=N, enable_grpc=True): KServe 0.21 runs its gRPC server in one process, "
                        "the N workers serve REST only", "/v2/models/{model}/ready", protocol="v2-grpc",
                        environment="kserve"),
    # PyTriton 0.7 declares numpy<2: its own pin, beside our onnxruntime's
    "pytriton": Peer("pytriton_peer", ("nvidia-pytriton==0.7.0", "numpy==1.26.4"),
                     "Triton Inference Server through PyTriton: Triton's own HTTP server and N CPU model "
                     "instances handing requests to this process's callables",
                     "N model instances (a callable each) on the CPU, no batching, HTTP only",
                     "/v2/models/{model}/ready", protocol="v2",
                     # its model stubs wait 1 s, fixed, for their handshake socket (pytriton/proxy/communication.py):
                     # with 12 servers starting on 2 cores both its launches failed so
                     starts_alone="PyTriton's model instances wait a fixed 1 s for their handshake with it"),
}


def get(name: str) -> Peer:
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; choose from {', '.join(PEERS)}")
    return PEERS[name]
