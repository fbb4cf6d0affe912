"""The no-HTTP baseline: the server's own classify path, called directly."""
from __future__ import annotations

import json
from itertools import cycle

from bench.load import Answers


class InProcessClient:
    def __init__(self, graph: str, artifacts, texts: list[str]):
        from serving.classifier import Classifier

        self.graph = graph
        self.classifier = Classifier(graph, artifacts)
        self._texts = cycle(texts)
        self.answers = Answers()

    def connect(self) -> None:
        """Nothing to set up in-process (the HTTP clients open their connection here)."""

    def one_request(self) -> None:
        text = next(self._texts)
        results, _ = self.classifier.classify([text])
        self.answers.add(text, 200, json.dumps({"graph": self.graph, **results[0]}).encode())

    def close(self) -> None:
        pass
