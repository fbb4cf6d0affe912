"""A VALID/INVALID verdict on every latency figure, from its own precision.

A figure is valid when its measurement had at least `min_requests` requests,
lasted at least `min_duration_s`, and is precise: the 95 % bootstrap interval of
the median of its per-round medians is no wider than ±`max_half_width` of that
median. A machine that drifts during a rotation moves every case of it alike (the
paired ratios absorb that), so the per-round medians are judged with that common
drift taken out (`bench.method.paired.Rotation.relative_medians`): drift alone does not
invalidate a figure; a case whose rounds disagree with each other does.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.method.stats import bootstrap_median_ci

MIN_ROUNDS = 3


@dataclass(frozen=True)
class Rules:
    min_requests: int = 200
    min_duration_s: float = 1.0
    max_half_width: float = 0.05  # of the median's 95 % interval, relative to the median


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    half_width: float | None = None  # the median's interval, ± relative

    def as_extra_info(self) -> dict:
        return {"valid": self.valid, "validity_reason": self.reason}


def precision_verdict(round_medians_s: Sequence[float], requests: int, duration_s: float, rules: Rules) -> Verdict:
    """The verdict on a figure from its per-round medians (seconds), its request count and the
    rotation's duration."""
    reasons = []
    half_width = None
    if requests < rules.min_requests:
        reasons.append(f"{requests} requests < minimum {rules.min_requests}")
    if duration_s < rules.min_duration_s:
        reasons.append(f"{duration_s:.2f} s < minimum {rules.min_duration_s:.2f} s")
    if len(round_medians_s) < MIN_ROUNDS:
        reasons.append(f"{len(round_medians_s)} rounds: too few for an interval (at least {MIN_ROUNDS})")
    else:
        median, low, high = bootstrap_median_ci(round_medians_s)
        half_width = (high - low) / 2 / median
        if half_width > rules.max_half_width:
            reasons.append(f"imprecise: median {median * 1000:.3f} ms [{low * 1000:.3f}, {high * 1000:.3f}], "
                           f"±{half_width:.1%} > ±{rules.max_half_width:.0%}")
    if reasons:
        return Verdict(False, "; ".join(reasons), half_width)
    return Verdict(True, f"{requests} requests over {duration_s:.2f} s, median within ±{half_width:.1%} "
                         f"(95 % interval over {len(round_medians_s)} rounds; bound ±{rules.max_half_width:.0%})",
                   half_width)


def imprecise(round_medians_s: Sequence[float], rules: Rules) -> bool:
    """Whether a figure's rounds miss its precision bound (the rest of `precision_verdict` aside):
    what more rounds can mend."""
    if len(round_medians_s) < MIN_ROUNDS:
        return True
    median, low, high = bootstrap_median_ci(round_medians_s)
    return (high - low) / 2 / median > rules.max_half_width
