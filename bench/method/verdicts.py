"""The regression gate's verdicts: each gated figure candidate ÷ base against its threshold, and
the gate's outcome from all of them (`python -m bench.gate`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.method.headlines import INSTRUCTIONS_THRESHOLD
from bench.method.stats import bootstrap_ratio_ci, regression_verdict
from bench.results.comparison import Comparison

CANNOT_DECIDE = 2
# The gate's default thresholds by a figure's kind (bench.questions.question.Gating.threshold): what
# the gate is for, quoted by the report's first lines
GATE_THRESHOLDS = {"exact": INSTRUCTIONS_THRESHOLD, "fine": 0.05, "coarse": 0.10}
VERDICT_WORDS = {0: "PASS", 1: "FAIL", 2: "UNDECIDED"}


@dataclass(frozen=True, kw_only=True)
class GateComparison(Comparison):
    """One gated figure, candidate ÷ base: the suite's comparison record, plus the verdict."""

    threshold: float
    verdict: str  # PASS, FAIL or UNDECIDED
    base_median: float
    candidate_median: float
    rounds: int
    note: str = ""  # what a change of the figure means (instructions: in time)
    where: tuple[str, ...] = ()  # where a change went (instructions: the functions that grew most)

    @property
    def smallest_detectable_slowdown(self) -> float:
        """The smallest slowdown this run would have FAILed: the threshold plus the interval's
        lower half-width (a true ratio r gives an interval bottom near r minus that width)."""
        return self.threshold + (self.ratio - self.low)

    def as_json(self) -> dict:
        return {**super().as_json(), "threshold": self.threshold, "verdict": self.verdict,
                "base_median": self.base_median, "candidate_median": self.candidate_median, "rounds": self.rounds,
                "smallest_detectable_slowdown": round(self.smallest_detectable_slowdown, 5),
                **({"note": self.note} if self.note else {}), **({"where": list(self.where)} if self.where else {})}


def compare(label: str, base: list[float], candidate: list[float], confidence: float, threshold: float,
            exact: bool = False, note: str = "", where: tuple[str, ...] = ()) -> GateComparison:
    """Time figures: the median of per-round ratios with a bootstrap interval. Exact figures
    (instruction counts, one value per side): their ratio, with no interval to straddle."""
    if exact:
        ratio = low = high = candidate[0] / base[0]
        confidence = 1.0
    else:
        ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
    return GateComparison(
        name=f"{label}: candidate / base", numerator="candidate", denominator="base", ratio=round(ratio, 6),
        low=round(low, 6), high=round(high, 6), confidence=confidence, measure="instructions" if exact else "time",
        threshold=threshold, verdict=VERDICT_WORDS[regression_verdict(low, high, threshold)],
        base_median=float(np.median(base)), candidate_median=float(np.median(candidate)), rounds=len(base), note=note,
        where=where)


def outcome(found: list[GateComparison], accepted: str | None, trailer: str) -> tuple[int, str]:
    """(exit status, the outcome in words); `accepted`: the reason given in the candidate's `trailer`."""
    verdicts = {c.verdict for c in found}
    if "FAIL" in verdicts:
        slower = ", ".join(f"{c.name} {c.ratio:.3f}" for c in found if c.verdict == "FAIL")
        if accepted:
            return 0, f"ACCEPTED slowdown ({trailer}: {accepted}): {slower}"
        return 1, f"FAIL: slower than the threshold: {slower}"
    if "UNDECIDED" in verdicts:
        return CANNOT_DECIDE, "UNDECIDED: an interval spans the threshold"
    return 0, "PASS: not slower than the threshold"
