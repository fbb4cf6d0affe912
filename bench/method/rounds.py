"""The size of a question's rotation, and its sizes in a quick run, a full run and the gate."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rounds:
    """The size of one question's rotation (`bench.method.paired.rotate`): every case takes `rounds`
    turns, each a window of `per_round` timed units after `discard` untimed ones (answered and judged,
    the server waking up). Zero rounds: the question is not measured."""

    rounds: int
    per_round: int = 1
    discard: int = 0


@dataclass(frozen=True)
class Knobs:
    """A question's rounds in a quick run, a full run and the regression gate (None: not gated). A
    question declares them in its module (`bench.questions.question.Question.knobs`); the plugin and
    the gate build the plan from the registry's."""

    quick: Rounds
    full: Rounds
    gate: Rounds | None = None
