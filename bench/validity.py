"""A VALID/INVALID verdict on every latency figure, in the spirit of MLPerf LoadGen.

A figure is valid when its measurement had at least `min_requests` requests,
lasted at least `min_duration_s`, and was stable: the medians of its last three
windows agree within `tolerance` (max ÷ min − 1), as perf_analyzer's stability
rule asks. Before the timed run, `stabilise` runs untimed trial windows until
three agree or `max_trials` is reached, so the timed run starts warm.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

WINDOWS = 3


@dataclass(frozen=True)
class Rules:
    min_requests: int = 200
    min_duration_s: float = 1.0
    tolerance: float = 0.15
    max_trials: int = 6  # trial windows before the timed run


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str

    def as_extra_info(self) -> dict:
        return {"valid": self.valid, "validity_reason": self.reason}


def window_medians(samples: Sequence[float], windows: int = WINDOWS) -> list[float]:
    chunks = np.array_split(np.asarray(samples, dtype=float), windows)
    return [float(np.median(chunk)) for chunk in chunks if len(chunk)]


def spread(medians: Sequence[float]) -> float:
    """max ÷ min − 1: 0.1 means the windows differ by 10 %."""
    low = min(medians)
    return float("inf") if low <= 0 else max(medians) / low - 1


def judge(samples_s: Sequence[float], requests: int, duration_s: float, rules: Rules) -> Verdict:
    """The verdict on a timed run: `samples_s` in time order (latencies, or burst walls)."""
    reasons = []
    if requests < rules.min_requests:
        reasons.append(f"{requests} requests < minimum {rules.min_requests}")
    if duration_s < rules.min_duration_s:
        reasons.append(f"{duration_s:.2f} s < minimum {rules.min_duration_s:.2f} s")
    if len(samples_s) < WINDOWS:
        reasons.append(f"{len(samples_s)} samples: too few for {WINDOWS} windows")
    else:
        windows = spread(window_medians(samples_s))
        if windows > rules.tolerance:
            reasons.append(f"unstable: window medians differ by {windows:.0%} > {rules.tolerance:.0%}")
    if reasons:
        return Verdict(False, "; ".join(reasons))
    return Verdict(True, f"{requests} requests over {duration_s:.2f} s, window medians within {rules.tolerance:.0%}")


def stabilise(one_window: Callable[[], float], rules: Rules) -> list[float]:
    """Run untimed windows (each returns its median) until the last three agree; their medians."""
    medians: list[float] = []
    while len(medians) < rules.max_trials:
        medians.append(one_window())
        if len(medians) >= WINDOWS and spread(medians[-WINDOWS:]) <= rules.tolerance:
            break
    return medians


def median_seconds(call: Callable[[], object], count: int, setup: Callable[[], object] = lambda: None) -> float:
    """Median wall time of `count` calls, each after an untimed `setup`: one trial window."""
    import time

    times = []
    for _ in range(count):
        setup()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def rounds_for(rules: Rules, seconds_per_round: float, requests_per_round: int, at_least: int) -> int:
    """Rounds enough for both minimums (and never fewer than the plan's own count)."""
    by_requests = -(-rules.min_requests // requests_per_round)
    # 25 % spare: the trial window's median can overstate a warm run's mean.
    by_duration = int(1.25 * rules.min_duration_s / max(seconds_per_round, 1e-6)) + 1
    return max(at_least, by_requests, by_duration)
