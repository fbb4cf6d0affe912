"""The model served by MLServer (Seldon's), as its docs serve a custom model: an `MLModel` runtime
(`load`, `predict` on the Open Inference Protocol's request, decoded by its codecs), a
model-settings.json naming it, a settings.json with `parallel_workers` inference processes, started
with `mlserver start`. Its gRPC server listens on `--grpc-port` (else a free port), its metrics server on a free port.
Run in MLServer's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from pathlib import Path

import numpy as np
from mlserver import MLModel
from mlserver.codecs import NumpyCodec, StringCodec
from mlserver.errors import MLServerError
from mlserver.types import InferenceRequest, InferenceResponse, ResponseOutput

from serving.inputs import InputError
from serving.model_file.v2_tensors import tensor
from serving.peers.model import arguments, model_name, passed_on, served, settings_of, write_record

PEER = "mlserver"


def decoded(given) -> np.ndarray:
    """An input as an array of its shape (BYTES: text, through its StringCodec)."""
    if given.datatype == "BYTES":
        return np.asarray(StringCodec.decode_input(given), dtype=object).reshape(given.shape)
    return NumpyCodec.decode_input(given)


def encoded(name: str, value) -> ResponseOutput:
    """An output as MLServer sends it: BYTES as bytes (its gRPC server refuses text; its REST sends them as text)."""
    found = tensor(name, value)
    if found["datatype"] == "BYTES":
        found["data"] = [text.encode() for text in found["data"]]
    return ResponseOutput(**found)


class Served(MLModel):
    async def load(self) -> bool:
        from types import SimpleNamespace

        self.served = served(SimpleNamespace(**self.settings.parameters.extra), PEER)
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        try:
            outputs = self.served.v2_answer({given.name: decoded(given) for given in payload.inputs})
        except InputError as error:
            raise MLServerError(error.message, status_code=error.status) from None
        return InferenceResponse(model_name=self.name, id=payload.id, outputs=[
            encoded(name, value) for name, value in outputs.items()])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    args = arguments(PEER, grpc=True)
    write_record(args, settings_of(args, PEER), "mlserver", "MLServer parallel inference workers")
    # its settings beside the record, removed with it when the launcher stops it (a folder of its own without one)
    folder = args.record.with_suffix(".d") if args.record else Path(tempfile.mkdtemp(prefix="mlserver-peer-"))
    folder.mkdir(exist_ok=True)
    (folder / "settings.json").write_text(json.dumps({
        "host": "127.0.0.1", "http_port": args.port, "grpc_port": args.grpc_port or _free_port(), "metrics_port": _free_port(),
        "parallel_workers": args.workers}))
    (folder / "model-settings.json").write_text(json.dumps({
        "name": model_name(args), "implementation": "serving.peers.mlserver_peer.Served",
        "parameters": {"extra": passed_on(args)}}))
    command = [str(Path(sys.executable).parent / "mlserver"), "start", str(folder)]  # its own command
    os.execv(command[0], command)  # MLServer's own server takes this process's place


if __name__ == "__main__":
    main()
