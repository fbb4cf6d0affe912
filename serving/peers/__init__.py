"""Peers: the model servers people deploy instead of writing Flask + gunicorn, each serving the
suite's model through its own API, so the suite can measure them side by side with ours.

A peer is a module here that serves the suite's onnx form (the same `serving.classifier.Classifier`
our onnx servers run, so the model's work is identical and only the serving differs) on the same
contract as ours: `POST /onnx` with `{"text": ...}`, answered as our servers answer it, and
`GET /healthz` (or its `health_path`) with its pid and set-up. It runs in an environment of its own
(`serving.peers.environment`): the peers' pins do not all agree with ours (PyTriton wants another
NumPy, MLServer another protobuf, KServe another psutil), a peer's server is a subprocess anyway, and
the suite's own environment stays exactly what the default run measures.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Peer:
    module: str  # serving.peers.<module>, run as `python -m` in the peer's environment
    requirements: tuple[str, ...]  # its pins, installed beside our numpy and onnxruntime pins
    description: str
    settings: str  # its recommended production settings on a few CPU cores, as it is launched
    ready_path: str  # its own readiness endpoint: up only once its model is loaded
    health_path: str = "/healthz"  # our record (pid, set-up), where the peer leaves the name free


PEERS = {
    "litserve": Peer("litserve_peer", ("litserve==0.2.19",),
                     "LitServe: a FastAPI (uvicorn) front end feeding N inference worker processes through queues",
                     "workers_per_device=N on the CPU, no batching (max_batch_size=1: a request at a time)",
                     "/health"),
    "bentoml": Peer("bentoml_peer", ("bentoml==1.4.40",),
                    "BentoML: a service class behind its HTTP server, N worker processes",
                    "@bentoml.service(workers=N), no adaptive batching (single requests)",
                    "/readyz", health_path="/tfserve/healthz"),  # its own /healthz is a liveness probe
}


def get(name: str) -> Peer:
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; choose from {', '.join(PEERS)}")
    return PEERS[name]
