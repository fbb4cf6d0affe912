"""A VALID/INVALID verdict on every latency figure, in the spirit of MLPerf LoadGen.

A figure is valid when its measurement had at least `min_requests` requests,
lasted at least `min_duration_s`, and was stable: the medians of its last three
windows agree within `tolerance` (max ÷ min − 1), as perf_analyzer's stability
rule asks. The rotation's untimed warm-up round (bench.paired) starts the timed run warm.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

WINDOWS = 3


@dataclass(frozen=True)
class Rules:
    min_requests: int = 200
    min_duration_s: float = 1.0
    tolerance: float = 0.15


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
