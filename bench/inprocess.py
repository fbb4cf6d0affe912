"""The no-HTTP baseline's client: requests handed to a process that serves one graph kind
in-process (`bench.inprocess_worker`), which times each call itself."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from itertools import cycle
from pathlib import Path

from bench.load import Answers

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class InProcessError(RuntimeError):
    pass


class InProcessClient:
    """Like `bench.load.SequentialClient`, for a graph kind called without HTTP: `timed_request()`
    returns the seconds the call took inside its process."""

    delay_ms = 0.0  # a deliberate slowdown inside every call (tests only)

    def __init__(self, graph: str, artifacts, texts: list[str]):
        self.graph = graph
        self._texts = cycle(texts)
        self.answers = Answers()
        self._log = tempfile.TemporaryFile("w+")  # a file, not a pipe: TensorFlow's logs cannot block it
        command = [sys.executable, "-m", "bench.inprocess_worker", str(artifacts.root), graph]
        if self.delay_ms:
            command += ["--delay-ms", str(self.delay_ms)]
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._log, text=True)
        self.setup: dict | None = None

    def wait_ready(self) -> "InProcessClient":
        """Until the kind is loaded and warmed up (start several clients, then wait for each)."""
        self.setup = self._reply()["setup"]
        return self

    def _reply(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            self._log.seek(0)
            error = (self._log.read().strip().splitlines() or ["no output"])[-1]
            raise InProcessError(f"the in-process {self.graph} worker stopped (exit {self.process.returncode}): {error}")
        return json.loads(line)

    def _call(self, text: str | None) -> dict:
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def connect(self) -> None:
        """Nothing to open in-process (the HTTP clients open their connection here)."""

    def timed_request(self) -> float:
        text = next(self._texts)
        answer = self._call(text)
        self.answers.add(text, 200, answer["body"].encode())
        return answer["seconds"]

    def one_request(self) -> None:
        self.timed_request()

    def collect(self) -> None:
        """Collect the worker's young garbage, untimed (between rounds)."""
        self._call(None)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
