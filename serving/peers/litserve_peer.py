"""The suite's model served by LitServe, as its docs serve a model: a `LitAPI` (setup, decode,
predict, encode) and a `LitServer` on the CPU with `workers_per_device` inference processes behind
its FastAPI front end. Run in LitServe's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import litserve as ls

from serving.peers.model import answer, arguments, load_classifier, settings_of, write_record

PEER = "litserve"


class Sentiment(ls.LitAPI):
    def __init__(self, settings):
        super().__init__(api_path="/onnx")
        self.settings = settings

    def setup(self, device):
        self.classifier = load_classifier(self.settings)  # in each inference worker, warmed up

    def decode_request(self, request):
        return request["text"]

    def predict(self, text):
        return answer(self.classifier, text)

    def encode_response(self, output):
        return output


def main() -> None:
    args = arguments(PEER)
    settings = settings_of(args, PEER)
    server = ls.LitServer(Sentiment(settings), accelerator="cpu", workers_per_device=settings.workers)
    write_record(args, settings, "litserve", "LitServe inference worker processes")
    server.run(host="127.0.0.1", port=settings.port, generate_client_file=False)


if __name__ == "__main__":
    main()
