"""The regression gate's verdicts: each gated figure candidate ÷ base against its threshold, and
the gate's outcome from all of them (`python -m bench.gate`).

The rule decides, as asv's and Bencher's do: a figure FAILs when its slowdown beyond the threshold
is significant, otherwise it PASSes, with the smallest slowdown the run could have seen. Its
interval's confidence is corrected for every gated time figure and every look the gate may take
(Bonferroni over figures × looks: `family_confidence`), so the whole gate's chance of a false FAIL
stays under 1 − `--confidence`. A ratio between kinds (static ÷ dynamic) is information, shown with
its two-sided interval, never a verdict: a kind made faster moves it too."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.method.headlines import INSTRUCTIONS_THRESHOLD
from bench.method.stats import bootstrap_ratio_ci, regression_verdict, widened
from bench.results.comparison import Comparison

CANNOT_DECIDE = 2
# The gate's default thresholds by a figure's kind (bench.questions.question.Gating.threshold): what
# the gate is for, quoted by the report's first lines
GATE_THRESHOLDS = {"exact": INSTRUCTIONS_THRESHOLD, "fine": 0.05, "coarse": 0.10}
INFO = "INFO"  # a figure shown, not judged (a ratio between kinds)
# The gate judges a figure up to this often by default (`--looks`): a second rotation only for a figure
# that looks slower than its threshold without showing it (bench.questions.gating), so a no-op gate
# seldom takes it. Once was not enough: a CI gate saw +10 % as 1.180 [1.048, 1.258] at 20 rounds and
# passed it (the rounds' spread, not the 2.1 % launch floor, set that interval). Each look widens every
# interval of the family; looking whenever an interval spans the threshold took a no-op gate from ~6.5
# to 8.5 minutes.
LOOKS = 2


def family_confidence(confidence: float, figures: int, looks: int = LOOKS) -> float:
    """Each interval's confidence so that `figures` time figures, each judged up to `looks` times, give a
    false FAIL with probability at most 1 − `confidence` together (Bonferroni)."""
    return 1 - (1 - confidence) / max(1, figures * looks)


@dataclass(frozen=True, kw_only=True)
class GateComparison(Comparison):
    """One gated figure, candidate ÷ base: the suite's comparison record, plus the verdict."""

    threshold: float
    verdict: str  # PASS, FAIL or INFO
    base_median: float
    candidate_median: float
    rounds: int
    note: str = ""  # what a change of the figure means (instructions: in time)
    where: tuple[str, ...] = ()  # where a change went (instructions: the functions that grew most)
    launch_floor: float = 0.0  # the spread between launches in its interval: σ of the log ratio

    @property
    def smallest_detectable_slowdown(self) -> float:
        """The smallest slowdown this run would have FAILed: the threshold plus the interval's
        lower half-width (a true ratio r gives an interval bottom near r minus that width)."""
        return self.threshold + (self.ratio - self.low)

    def as_json(self) -> dict:
        return {**super().as_json(), "threshold": self.threshold, "verdict": self.verdict,
                "base_median": self.base_median, "candidate_median": self.candidate_median, "rounds": self.rounds,
                "smallest_detectable_slowdown": round(self.smallest_detectable_slowdown, 5),
                **({"note": self.note} if self.note else {}), **({"where": list(self.where)} if self.where else {}),
                **({"launch_floor": self.launch_floor} if self.launch_floor else {})}


def compare(label: str, base: list[float], candidate: list[float], confidence: float, threshold: float,
            exact: bool = False, note: str = "", where: tuple[str, ...] = (), judged: bool = True,
            launch_variance: float = 0.0, launch_offsets: int = 0) -> GateComparison:
    """Time figures: the median of per-round ratios with a bootstrap interval at `confidence` (the
    family's, already corrected), widened by both sides' launch floor (`launch_variance`, log scale:
    bench.method.launches); FAIL when its bottom is above 1 + threshold, else PASS. Exact figures
    (instruction counts, one value per side): their ratio, with no interval. `judged=False`: INFO."""
    if exact:
        ratio = low = high = candidate[0] / base[0]
        confidence = 1.0
    else:
        ratio, low, high = bootstrap_ratio_ci(base, candidate, confidence)
        low, high = widened(ratio, low, high, launch_variance, confidence, launch_offsets)
    return GateComparison(
        name=f"{label}: candidate / base", numerator="candidate", denominator="base", ratio=round(ratio, 6),
        low=round(low, 6), high=round(high, 6), confidence=confidence, measure="instructions" if exact else "time",
        threshold=threshold, verdict=(("FAIL" if regression_verdict(low, high, threshold) == 1 else "PASS") if judged
                                      else INFO),
        base_median=float(np.median(base)), candidate_median=float(np.median(candidate)), rounds=len(base), note=note,
        where=where, launch_floor=round(launch_variance ** 0.5, 5))


def outcome(found: list[GateComparison], accepted: str | None, trailer: str) -> tuple[int, str]:
    """(exit status, the outcome in words); `accepted`: the reason given in the candidate's `trailer`."""
    failed = [c for c in found if c.verdict == "FAIL"]
    if failed:
        slower = ", ".join(f"{c.name} {c.ratio:.3f}" for c in failed)
        if accepted:
            return 0, f"ACCEPTED slowdown ({trailer}: {accepted}): {slower}"
        return 1, f"FAIL: slower than the threshold: {slower}"
    timed = [c for c in found if c.verdict == "PASS" and c.measure == "time"]
    seen = f"; the smallest slowdown each figure could have shown: up to {max(c.smallest_detectable_slowdown for c in timed):.1%}" \
        if timed else ""
    return 0, f"PASS: no figure significantly slower than its threshold{seen}"
