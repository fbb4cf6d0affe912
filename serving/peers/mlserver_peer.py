"""The suite's model served by MLServer (Seldon's), as its docs serve a custom model: an `MLModel`
runtime (`load`, `predict` on the Open Inference Protocol's request, strings through its
`StringCodec`), a model-settings.json naming it, a settings.json with `parallel_workers` inference
processes, started with `mlserver start`. Its gRPC and metrics servers get free ports of their own.
Run in MLServer's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from pathlib import Path

from mlserver import MLModel
from mlserver.codecs import StringCodec
from mlserver.types import InferenceRequest, InferenceResponse, ResponseOutput

from serving.peers.model import answer_v2, arguments, load_classifier, settings_of, write_record

PEER = "mlserver"
MODEL = "sentiment"


class Sentiment(MLModel):
    async def load(self) -> bool:
        from types import SimpleNamespace

        self.classifier = load_classifier(settings_of(SimpleNamespace(**self.settings.parameters.extra), PEER))
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        texts = StringCodec.decode_input(payload.inputs[0])
        probabilities, labels = answer_v2(self.classifier, texts)
        return InferenceResponse(model_name=self.name, id=payload.id, outputs=[
            ResponseOutput(name="probabilities", shape=[len(texts), 2], datatype="FP32", data=probabilities),
            StringCodec.encode_output("label", labels)])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    args = arguments(PEER)
    write_record(args, settings_of(args, PEER), "mlserver", "MLServer parallel inference workers")
    # its settings beside the record, removed with it when the launcher stops it (a folder of its own without one)
    folder = args.record.with_suffix(".d") if args.record else Path(tempfile.mkdtemp(prefix="mlserver-peer-"))
    folder.mkdir(exist_ok=True)
    (folder / "settings.json").write_text(json.dumps({
        "host": "127.0.0.1", "http_port": args.port, "grpc_port": _free_port(), "metrics_port": _free_port(),
        "parallel_workers": args.workers}))
    (folder / "model-settings.json").write_text(json.dumps({
        "name": MODEL, "implementation": "serving.peers.mlserver_peer.Sentiment",
        "parameters": {"extra": {"artifacts": str(args.artifacts.resolve()), "port": args.port, "workers": args.workers}}}))
    command = [str(Path(sys.executable).parent / "mlserver"), "start", str(folder)]  # its own command
    os.execv(command[0], command)  # MLServer's own server takes this process's place


if __name__ == "__main__":
    main()
