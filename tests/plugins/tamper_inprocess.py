"""A pytest plugin for a real `pytest bench` run (`-p tamper_inprocess`) that changes one
in-process stream, so tests can check what the suite's answers say about it.

TAMPER=slow-static: every static in-process request sleeps TAMPER_MS more (a deliberate slowdown).
TAMPER=static-twice: the "dynamic" stream runs the static graph too (two identical streams).
"""
from __future__ import annotations

import os
import time

from bench import inprocess

MODE = os.environ.get("TAMPER", "")
DELAY_S = float(os.environ.get("TAMPER_MS", "2")) / 1000


class TamperedClient(inprocess.InProcessClient):
    def __init__(self, graph, artifacts, texts):
        super().__init__("static" if MODE == "static-twice" else graph, artifacts, texts)
        self.graph = graph  # answers still say which stream they belong to

    def one_request(self) -> None:
        if MODE == "slow-static" and self.graph == "static":
            time.sleep(DELAY_S)
        super().one_request()


def pytest_configure(config):
    inprocess.InProcessClient = TamperedClient
