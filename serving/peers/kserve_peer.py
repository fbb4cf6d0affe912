"""The suite's model served by KServe's Python model server, as its docs serve a custom model: a
`kserve.Model` (loaded in `load`, ready once loaded, `predict` on the Open Inference Protocol's
request) handed to `ModelServer(workers=N)`; REST only (its gRPC server off) unless `--grpc-port` is given (the
suite's v2 gRPC client is tested against it). Run in KServe's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import uuid

from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer

from serving.peers.model import answer_v2, arguments, load_classifier, settings_of, write_record

PEER = "kserve"


class Sentiment(Model):
    def __init__(self, settings):
        super().__init__("sentiment")
        self.settings = settings
        self.load()

    def load(self) -> bool:
        self.classifier = load_classifier(self.settings)
        self.ready = True
        return self.ready

    # With workers > 1 the server hands the model to each worker process pickled: each loads its own.
    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "classifier"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.load()

    def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        data = payload.inputs[0].data
        texts = [text.decode() if isinstance(text, bytes) else text for text in data]
        probabilities, labels = answer_v2(self.classifier, texts)
        return InferResponse(response_id=payload.id or str(uuid.uuid4()), model_name=self.name, infer_outputs=[
            InferOutput(name="probabilities", shape=[len(texts), 2], datatype="FP32", data=probabilities),
            InferOutput(name="label", shape=[len(texts)], datatype="BYTES", data=labels)])


def main() -> None:
    args = arguments(PEER, grpc=True)
    settings = settings_of(args, PEER)
    write_record(args, settings, "kserve", "KServe ModelServer uvicorn workers")
    grpc = {"grpc_port": args.grpc_port, "enable_grpc": True} if args.grpc_port else {"enable_grpc": False}
    ModelServer(http_port=args.port, workers=args.workers, **grpc).start([Sentiment(settings)])


if __name__ == "__main__":
    main()
