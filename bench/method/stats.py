"""Pure statistics over latency samples (seconds in, milliseconds out)."""
from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from scipy.stats import t as student_t

PERCENTILES = (50, 90, 99)


def latency_summary(latencies_s: Sequence[float]) -> dict:
    """p50/p90/p99/max in ms (linear interpolation between samples) and the count."""
    if len(latencies_s) == 0:
        raise ValueError("no latency samples")
    ms = np.asarray(latencies_s, dtype=float) * 1000.0
    summary = {f"p{p}_ms": round(float(np.percentile(ms, p)), 3) for p in PERCENTILES}
    summary["max_ms"] = round(float(ms.max()), 3)
    summary["requests"] = int(ms.size)
    return summary


def requests_per_second(requests: int, seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return round(requests / seconds, 2)


def median_by_rank(rounds: Sequence[Sequence[float]]) -> list[float]:
    """For rank i, the median over rounds of each round's i-th fastest sample.

    The seed plotted per-thread times of one burst; the median over rounds
    keeps that shape while one noisy round cannot define it.
    """
    if not rounds:
        raise ValueError("no rounds")
    width = min(len(r) for r in rounds)
    ranked = np.sort(np.asarray([list(r)[:width] for r in rounds], dtype=float), axis=1)
    return [round(float(v), 6) for v in np.median(ranked, axis=0)]


def bootstrap_ratio_ci(base: Sequence[float], candidate: Sequence[float], confidence: float = 0.95,
                       resamples: int = 4000, seed: int = 0) -> tuple[float, float, float]:
    """(ratio, low, high): median of paired per-round ratios candidate ÷ base, with a bootstrap interval.

    Rounds are paired (the same round ran base and candidate back to back), so a
    noisy moment of the machine hits both sides of one ratio alike.
    """
    if len(base) != len(candidate) or len(base) < 3:
        raise ValueError("need at least 3 paired rounds")
    ratios = np.asarray(candidate, dtype=float) / np.asarray(base, dtype=float)
    return bootstrap_median_ci(ratios, confidence, resamples, seed)


def bootstrap_median_ci(values: Sequence[float], confidence: float = 0.95, resamples: int = 4000,
                        seed: int = 0) -> tuple[float, float, float]:
    """(median, low, high): the median of `values` (e.g. per-round medians) with a bootstrap
    percentile interval."""
    if len(values) < 3:
        raise ValueError("need at least 3 values")
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    samples = np.median(rng.choice(values, size=(resamples, len(values)), replace=True), axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(np.median(values)), float(low), float(high)


def regression_verdict(low: float, high: float, threshold: float) -> int:
    """0: not slower than the threshold (with confidence); 1: slower than it; 2: cannot tell."""
    limit = 1 + threshold
    if low > limit:
        return 1
    if high < limit:
        return 0
    return 2


def widened(ratio: float, low: float, high: float, variance: float, confidence: float,
            degrees_of_freedom: int | None = None) -> tuple[float, float]:
    """(low, high) of a ratio's interval with a further source of spread added: `variance` on the log
    scale (e.g. the launch floor, bench.method.launches), combined with each side's half-width in
    quadrature at the interval's own `confidence`: Student's t quantile when the variance was
    estimated from `degrees_of_freedom` values (a few launches: the normal's would cover too little),
    else the normal's."""
    if variance <= 0:
        return low, high
    tail = 1 - (1 - confidence) / 2
    quantile = student_t.ppf(tail, degrees_of_freedom) if degrees_of_freedom else NormalDist().inv_cdf(tail)
    extra = quantile * variance ** 0.5
    below, above = np.log(ratio / low), np.log(high / ratio)
    return float(ratio * np.exp(-np.hypot(below, extra))), float(ratio * np.exp(np.hypot(above, extra)))
