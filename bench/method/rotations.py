"""What one question's rotation leaves behind (each question's `measure`, bench/questions/).

A question's benchmarks (one per case, so pytest-benchmark keeps a row per case) share one
`Measured`: the rotation's samples, the answers each case gave (judged before any ratio is
formed: a case with a wrong answer gets no ratio, and its benchmark fails), and what each
measured server says of itself; and the helpers the questions' measurements share.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.method import headlines
from bench.method.cases import Case
from bench.method.launches import merged
from bench.method.paired import Rotation, Stream, rotate
from bench.method.rounds import Rounds
from bench.method.validity import Rules, imprecise
from bench.results.comparison import Comparison

# Below this many rounds a ratio gets no interval (a quick run's single cold start).
MIN_ROUNDS_FOR_INTERVAL = 3


@dataclass
class Measured:
    """One group's rotation and what each case left behind, keyed by `str(case)`."""

    scenario: str
    cases: list[Case]
    rotation: Rotation
    server_setups: dict[str, dict]
    faults: dict[str, list[str]] = field(default_factory=dict)  # wrong answers, in words
    latencies_s: dict[str, list[list[float]]] = field(default_factory=dict)  # per burst, per request
    comparisons: list[Comparison] = field(default_factory=list)
    method: str = "paired rotation, unit by unit"
    memory: dict[str, dict] = field(default_factory=dict)  # the measured processes', after warm-up
    parts: dict[str, dict] = field(default_factory=dict)  # per case: the question's own figures (its record's part)
    profiles: dict[str, object] = field(default_factory=dict)  # per case: what Gating.where compares (a question's own)

    def samples(self, case: Case) -> list[float]:
        return self.rotation.samples[str(case)]

    def round_medians(self, case: Case) -> list[float]:
        """Per-round medians with the machine's drift taken out (`Rotation.relative_medians`):
        what a figure's own precision is judged on (bench.method.validity)."""
        return self.rotation.relative_medians(str(case))

    def assert_correct(self, case: Case) -> None:
        """A figure counts only correct answers: fail the case's benchmark on any wrong one."""
        faults = self.faults.get(str(case), [])
        assert not faults, f"{len(faults)} wrong answers or errors, first: {faults[0]}"

    def about(self) -> dict:
        """How the figure was measured, for `extra_info`."""
        return {"method": self.method, "rotation_cases": [str(case) for case in self.cases],
                "rotation_rounds": self.rotation.rounds}

    def finish(self, where: Callable | None = None) -> Measured:
        """Form the group's headline ratios among the cases whose every answer was right."""
        if self.rotation.rounds >= MIN_ROUNDS_FOR_INTERVAL:
            correct = [case for case in self.cases if not self.faults.get(str(case))]
            extra = {"where": where} if where else {}
            self.comparisons = headlines.comparisons(self.scenario, self.rotation, correct, **extra)
        return self


def rotate_toward_precision(streams: list[Stream], size: Rounds, cases: list, rules: Rules, budget_s: float,
                            **rotate_options) -> tuple[Rotation, int]:
    """(the cases' merged rotation, the rounds added): `size.rounds` rounds of `streams` (a case's
    processes among them, bench.method.launches), then more, half as many each time, while a case's
    figure is still imprecise by `rules` and the question's `budget_s` of extra time lasts (at most
    as many rounds again). INVALID
    stays for what the budget could not mend."""
    rotation = rotate(streams, size.rounds, size.per_round, warmup_rounds=1, window=True, discard=size.discard,
                      **rotate_options)
    added, started = 0, time.perf_counter()
    while budget_s > 0 and size.rounds > 1 and added < size.rounds:  # at most as many again
        whole = merged(rotation, cases)
        if not any(imprecise(whole.relative_medians(str(case)), rules) for case in cases):
            break
        per_round_s = rotation.duration_s / rotation.rounds
        more = max(2, size.rounds // 2)
        if time.perf_counter() - started + more * per_round_s > budget_s:
            break
        rotation = rotation.then(rotate(streams, more, size.per_round, window=True, discard=size.discard,
                                        **rotate_options))
        added += more
    return merged(rotation, cases), added


def windows_method(per_round: int, discard: int, units: str, launches: int = 1, added: int = 0) -> str:
    on = f", on {launches} processes per case (launch floor in the intervals)" if launches > 1 else ""
    more = f", {added} rounds added toward the precision bound" if added else ""
    return (f"paired rotation, steady windows: {per_round} {units} back to back per case per round, after "
            f"{discard} untimed{on}{more}")


def timed_units(units: list, rounds: int, per_round: int, discard: int) -> list:
    """The timed ones of a stream's units, in order: each round's window after its discarded
    units, the warm-up round (the first) left out."""
    window = discard + per_round
    kept = units[window:]  # the warm-up round
    return [unit for start in range(0, rounds * window, window) for unit in kept[start + discard:start + window]]

