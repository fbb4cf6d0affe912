"""The size of a question's rotation, and its sizes in a quick run, a full run and the gate."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rounds:
    """The size of one question's rotation (`bench.method.paired.rotate`): every case takes `rounds`
    turns, each a window of `per_round` timed units after `discard` untimed ones (answered and judged,
    the server waking up), on each of its `launches` processes (bench.method.launches: more than one
    puts the spread between launches into its intervals), with up to `extra_s` seconds of further rounds
    while a figure is imprecise (bench.method.rotations.rotate_toward_precision). Zero rounds: the
    question is not measured."""

    rounds: int
    per_round: int = 1
    discard: int = 0
    launches: int = 1
    extra_s: float = 0.0  # seconds of further rounds while a figure misses its precision bound


@dataclass(frozen=True)
class Knobs:
    """A question's rounds in a quick run, a full run and the regression gate (None: not gated). A
    question declares them in its module (`bench.questions.question.Question.knobs`); the plugin and
    the gate build the plan from the registry's."""

    quick: Rounds
    full: Rounds
    gate: Rounds | None = None
