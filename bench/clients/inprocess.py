"""The no-HTTP baseline's client: requests handed to a process that serves one graph kind
in-process (`bench.clients.inprocess_worker`), which times each call itself."""
from __future__ import annotations

import json
import sys
from itertools import cycle
from pathlib import Path

from bench.harness.line_process import LineProcess
from bench.method.oracle import Answers

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class InProcessClient:
    """Like `bench.clients.http.SequentialClient`, for a graph kind called without HTTP: `timed_unit()`
    returns the seconds the call took inside its process."""

    slowdown = 0.0  # a deliberate slowdown inside every call, a fraction of its time (tests only)

    def __init__(self, graph: str, artifacts, texts: list, model: dict | None = None):
        """`model`: a model file's launch settings (`model`, `shape`): its form, its requests' bodies."""
        self.graph = graph
        self._texts = cycle(texts)
        self.answers = Answers()
        self.errors: list[str] = []  # none kept: a worker that fails raises (bench.harness.line_process), it is ours
        command = [sys.executable, "-m", "bench.clients.inprocess_worker", str(artifacts.root) if artifacts else "-", graph]
        if model:
            command += ["--model", str(model["model"])] + [flag for shape in model["shape"] or () for flag in ("--shape", shape)]
        if self.slowdown:
            command += ["--slowdown", str(self.slowdown)]
        self.process = LineProcess(command, PROJECT_ROOT, name=f"in-process {graph} worker")
        self.setup: dict | None = None

    def wait_ready(self) -> InProcessClient:
        """Until the kind is loaded and warmed up (start several clients, then wait for each)."""
        self.setup = json.loads(self.process.reply())["setup"]
        return self

    def _call(self, text: str | None) -> dict:
        self.process.send(json.dumps(text))
        return json.loads(self.process.reply())

    def connect(self) -> None:
        """Nothing to open in-process (the HTTP clients open their connection here)."""

    def timed_unit(self) -> float:
        text = next(self._texts)
        answer = self._call(text if isinstance(text, str) else text.body.decode())
        self.answers.add(text, 200, answer["body"].encode())
        return answer["seconds"]

    def one_request(self) -> None:
        self.timed_unit()

    def collect(self) -> None:
        """Collect the worker's young garbage, untimed (between rounds)."""
        self._call(None)

    def close(self) -> None:
        self.process.close()
