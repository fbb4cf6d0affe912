"""A pytest plugin for a real `pytest bench` run (`-p tamper_inprocess`) that changes one
in-process stream, so tests can check what the suite's answers say about it.

TAMPER=slow-static: every static in-process call sleeps TAMPER_MS more, inside its timed part (a
deliberate slowdown, `bench.clients.inprocess_worker --delay-ms`).
TAMPER=static-twice: the "dynamic" stream runs the static graph too (two identical streams).
"""
from __future__ import annotations

import json
import os

from bench.clients import inprocess

MODE = os.environ.get("TAMPER", "")
DELAY_MS = float(os.environ.get("TAMPER_MS", "2"))


class TamperedClient(inprocess.InProcessClient):
    def __init__(self, graph, artifacts, texts):
        self.delay_ms = DELAY_MS if MODE == "slow-static" and graph == "static" else 0.0
        super().__init__("static" if MODE == "static-twice" else graph, artifacts, texts)
        self.graph = graph  # answers still say which stream they belong to

    def timed_unit(self) -> float:
        text = next(self._texts)
        answer = self._call(text)
        body = json.loads(answer["body"])
        self.answers.add(text, 200, json.dumps({**body, "graph": self.graph}).encode())
        return answer["seconds"]


def pytest_configure(config):
    inprocess.InProcessClient = TamperedClient
