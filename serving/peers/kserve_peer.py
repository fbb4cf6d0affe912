"""The model served by KServe's Python model server, as its docs serve a custom model: a
`kserve.Model` (loaded in `load`, ready once loaded, `predict` on the Open Inference Protocol's
request, its inputs read with `as_numpy`) handed to `ModelServer(workers=N)`; REST only (its gRPC
server off) unless `--grpc-port` is given (the suite's v2 gRPC client is tested against it). Run in
KServe's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.errors import InvalidInput

from serving.inputs import InputError
from serving.model_file.v2_tensors import tensor
from serving.peers.model import arguments, model_name, passed_on, served, settings_of, write_record

PEER = "kserve"


class Served(Model):
    def __init__(self, name: str, given: dict):
        super().__init__(name)
        self.given = given
        self.load()

    def load(self) -> bool:
        self.served = served(SimpleNamespace(**self.given), PEER)
        self.ready = True
        return self.ready

    # With workers > 1 the server hands the model to each worker process pickled: each loads its own.
    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "served"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.load()

    def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        try:
            outputs = self.served.v2_answer({given.name: given.as_numpy() for given in payload.inputs})
        except InputError as error:
            raise InvalidInput(error.message) from None
        return InferResponse(response_id=payload.id or str(uuid.uuid4()), model_name=self.name, infer_outputs=[
            InferOutput(**tensor(name, value)) for name, value in outputs.items()])


def main() -> None:
    args = arguments(PEER, grpc=True)
    write_record(args, settings_of(args, PEER), "kserve", "KServe ModelServer uvicorn workers")
    grpc = {"grpc_port": args.grpc_port, "enable_grpc": True} if args.grpc_port else {"enable_grpc": False}
    ModelServer(http_port=args.port, workers=args.workers, **grpc).start([Served(model_name(args), passed_on(args))])


if __name__ == "__main__":
    main()
