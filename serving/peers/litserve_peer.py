"""The model served by LitServe, as its docs serve a model: a `LitAPI` (setup, decode, predict,
encode) and a `LitServer` on the CPU with `workers_per_device` inference processes behind its FastAPI
front end. Run in LitServe's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import litserve as ls
from fastapi import HTTPException

from serving.inputs import InputError
from serving.peers.model import arguments, json_path, passed_on, served, settings_of, write_record

PEER = "litserve"


class Model(ls.LitAPI):
    def __init__(self, args, path: str):
        super().__init__(api_path=path)
        self.passed_on = passed_on(args)

    def setup(self, device):
        from types import SimpleNamespace

        self.served = served(SimpleNamespace(**self.passed_on), PEER)  # in each inference worker, warmed up

    def decode_request(self, request):
        return request

    def predict(self, payload):
        try:
            return self.served.json_answer(payload)
        except InputError as error:  # a bad body is the client's: 4xx with why, as ours answer it
            raise HTTPException(status_code=error.status, detail=error.message) from None

    def encode_response(self, output):
        return output


def main() -> None:
    args = arguments(PEER)
    settings = settings_of(args, PEER)
    server = ls.LitServer(Model(args, json_path(args)), accelerator="cpu", workers_per_device=settings.workers)
    write_record(args, settings, "litserve", "LitServe inference worker processes")
    server.run(host="127.0.0.1", port=settings.port, generate_client_file=False)


if __name__ == "__main__":
    main()
