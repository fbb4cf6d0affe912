"""The suite's model served by BentoML, as its docs serve a model: a `@bentoml.service` class with
`workers` processes, its model loaded in `__init__`, an `@bentoml.api` method per endpoint, started
with `bentoml serve`. Run in BentoML's own environment (`serving.peers.environment`). BentoML
imports this module itself in each worker, so the command line's settings reach the service class
through the environment."""
from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import bentoml

from serving.peers.model import answer, arguments, load_classifier, settings_of, write_record

PEER = "bentoml"
ARGS = "TFSERVE_BENTOML_ARGS"  # the command line's settings, for the service class in each worker


if ARGS in os.environ:  # imported by `bentoml serve`: the service as configured
    SETTINGS = settings_of(SimpleNamespace(**json.loads(os.environ[ARGS])), PEER)

    @bentoml.service(workers=SETTINGS.workers, traffic={"timeout": 30})
    class Sentiment:
        def __init__(self) -> None:
            self.classifier = load_classifier(SETTINGS)  # in each worker, warmed up

        @bentoml.api(route="/onnx")
        def onnx(self, text: str) -> dict:
            return answer(self.classifier, text)


def main() -> None:
    args = arguments(PEER)
    write_record(args, settings_of(args, PEER), "bentoml", "BentoML worker processes")
    env = {**os.environ, ARGS: json.dumps({"artifacts": str(args.artifacts), "port": args.port, "workers": args.workers})}
    command = [sys.executable, "-m", "bentoml", "serve", "serving.peers.bentoml_peer:Sentiment",
               "--host", "127.0.0.1", "--port", str(args.port)]
    os.execvpe(command[0], command, env)  # BentoML's own server takes this process's place


if __name__ == "__main__":
    main()
