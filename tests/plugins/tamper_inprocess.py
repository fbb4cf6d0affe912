"""A pytest plugin for a real `pytest bench` run (`-p tamper_inprocess`) that changes one
in-process stream, so tests can check what the suite's answers say about it.

TAMPER=slow-static: every static in-process call stays busy TAMPER_SLOWDOWN (default 0.1) times its
own time more, inside its timed part (`bench.clients.inprocess_worker --slowdown`).
TAMPER=static-twice: the "dynamic" stream runs the static graph too (two identical streams).
Both (TAMPER=static-twice,slow-static): static against itself made 10 % slower.
"""
from __future__ import annotations

import json
import os

from bench.clients import inprocess

MODES = set(os.environ.get("TAMPER", "").split(","))
SLOWDOWN = float(os.environ.get("TAMPER_SLOWDOWN", "0.1"))


class TamperedClient(inprocess.InProcessClient):
    def __init__(self, graph, artifacts, texts, model=None):
        self.slowdown = SLOWDOWN if "slow-static" in MODES and graph == "static" else 0.0
        super().__init__("static" if "static-twice" in MODES else graph, artifacts, texts, model)
        self.graph = graph  # answers still say which stream they belong to

    def timed_unit(self) -> float:
        text = next(self._texts)
        answer = self._call(text)
        body = json.loads(answer["body"])
        self.answers.add(text, 200, json.dumps({**body, "graph": self.graph}).encode())
        return answer["seconds"]


def pytest_configure(config):
    inprocess.InProcessClient = TamperedClient
