"""The model served by BentoML, as its docs serve a model: a `@bentoml.service` class with `workers`
processes, its model loaded in `__init__`, an `@bentoml.api` method whose parameters are the JSON
body's fields, started with `bentoml serve`. Run in BentoML's own environment
(`serving.peers.environment`). BentoML imports this module itself in each worker, so the command
line's settings reach the service class through the environment."""
from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace
from typing import Any

import bentoml
from bentoml.exceptions import BadInput

from serving.inputs import InputError
from serving.peers.model import arguments, json_path, passed_on, served, settings_of, write_record

PEER = "bentoml"
ARGS = "TFSERVE_BENTOML_ARGS"  # the command line's settings, for the service class in each worker


def _answer(model, payload: dict) -> dict:
    try:
        return model.json_answer(payload)
    except InputError as error:  # a bad body is the client's: 400 with why
        raise BadInput(error.message) from None


if ARGS in os.environ:  # imported by `bentoml serve`: the service as configured
    GIVEN = SimpleNamespace(**json.loads(os.environ[ARGS]))
    SETTINGS = settings_of(GIVEN, PEER)

    @bentoml.service(workers=SETTINGS.workers, traffic={"timeout": 30})
    class Model:
        def __init__(self) -> None:
            self.served = served(GIVEN, PEER)  # in each worker, warmed up

        if getattr(GIVEN, "model_form", None):  # a model file: TF Serving's body, its row or columnar form
            @bentoml.api(route=json_path(GIVEN))
            def predict(self, instances: list | None = None, inputs: Any = None) -> dict:
                body = {"instances": instances} if instances is not None else {}
                return _answer(self.served, {**body, **({"inputs": inputs} if inputs is not None else {})})
        else:  # the suite's model: {"text": ...}
            @bentoml.api(route=json_path(GIVEN))
            def predict(self, text: str) -> dict:
                return _answer(self.served, {"text": text})


def main() -> None:
    args = arguments(PEER)
    write_record(args, settings_of(args, PEER), "bentoml", "BentoML worker processes")
    env = {**os.environ, ARGS: json.dumps(passed_on(args))}
    command = [sys.executable, "-m", "bentoml", "serve", "serving.peers.bentoml_peer:Model",
               "--host", "127.0.0.1", "--port", str(args.port)]
    os.execvpe(command[0], command, env)  # BentoML's own server takes this process's place


if __name__ == "__main__":
    main()
