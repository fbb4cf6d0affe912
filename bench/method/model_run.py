"""A run on a model file (`pytest bench --model PATH`): the forms it measures, the requests every
case sends (TF Serving's REST bodies, built once) and the answers each must get (the model as
given, in this process), and what launches its servers."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from bench.method.oracle import JsonRequest, ModelJudge
from serving.model_file.prepare import Prepared
from serving.model_file.shapes import batch_free, plain


def _body(request: dict, batch_free: bool) -> bytes:
    def plain_values(value: np.ndarray):
        return value.tolist()

    if batch_free:  # one row, an object of the inputs (TF Serving's row format)
        return json.dumps({"instances": [{plain(name): plain_values(value[0]) for name, value in request.items()}]}).encode()
    return json.dumps({"inputs": {plain(name): plain_values(value) for name, value in request.items()}}).encode()


@dataclass
class ModelRun:
    prepared: Prepared
    shape_flags: tuple[str, ...] = ()  # `--shape`, handed on to every server

    @property
    def forms(self) -> tuple[str, ...]:
        """The forms that agreed with the model as given: the only ones measured."""
        return tuple(name for name, form in self.prepared.forms.items() if form.predict is not None)

    def requests(self) -> list[JsonRequest]:
        rows = batch_free(self.prepared.spec)
        return [JsonRequest(f"request {index}", _body(request, rows))
                for index, request in enumerate(self.prepared.requests, 1)]

    def judge(self, form: str) -> ModelJudge:
        expected = {f"request {index}": answer for index, answer in enumerate(self.prepared.answers, 1)}
        return ModelJudge(form, expected, [t.name for t in self.prepared.spec.outputs])

    def launch_settings(self) -> dict:
        """What every server of the run is started with beside its set-up (`serving.settings.Settings`)."""
        return {"model": self.prepared.spec.path.resolve(), "shape": self.shape_flags or None}

    def record(self) -> dict:
        """What the saved run says of the model: which one, and what became of each form."""
        return {**self.prepared.spec.as_json(), "given": self.prepared.given,
                "forms": {name: "measured" if form.predict is not None else form.reason
                          for name, form in self.prepared.forms.items()}}
