"""What a correct answer is: one judge for every path that makes a figure.

A figure counts only correct answers, so the benchmarks, the open-loop search
and the gate all ask this judge about every answer they time. The expected
P(POSITIVE) per text comes from the same model loaded in-process (the `oracle`
fixture of the root conftest.py; the gate's `artifacts_for` per side); for a
remote server (maybe another model) only the answer's shape can be checked.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

LABELS = ("NEGATIVE", "POSITIVE")
TOLERANCE = 1e-4  # float32 through JSON and across graph kinds

# (text, HTTP status, body) -> None when correct, else what is wrong, in words
Judge = Callable[[str, int, bytes], "str | None"]


class Answers:
    """Collects (text, HTTP status, body) of every timed request, for judging after timing."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, bytes]] = []

    def add(self, text: str, status: int, body: bytes) -> None:
        self.items.append((text, status, body))


def judged(answers: Answers, judge: Judge) -> list[str]:
    """What is wrong with each collected answer, in words (nothing: all right)."""
    return [fault for item in answers.items if (fault := judge(*item)) is not None]


@dataclass(frozen=True)
class AnswerJudge:
    graph: str
    expected: Mapping[str, float] | None  # None: a remote server, judged on shape only

    def __call__(self, text: str, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            answer = json.loads(body)
            label, positive, probability = answer["label"], answer["probabilities"]["POSITIVE"], answer["probability"]
            graph = answer["graph"]
        except (ValueError, KeyError, TypeError) as error:
            return f"unreadable answer ({error!r}): {body[:120]!r}"
        if graph != self.graph:
            return f"answered for graph {graph!r}, not {self.graph!r}"
        if label not in LABELS or not 0.0 <= probability <= 1.0:
            return f"malformed answer {answer!r}"
        if self.expected is None:
            return None
        wanted = self.expected[text]
        if abs(positive - wanted) > TOLERANCE:
            return f"P(POSITIVE) {positive:.6f} for {text!r}, expected {wanted:.6f}"
        if label != LABELS[wanted > 0.5]:
            return f"label {label} for {text!r}, expected {LABELS[wanted > 0.5]}"
        return None
