"""A ratio of two measured streams with its interval: the suite's stored answer to a question,
the run JSON's `comparisons` entries (made by `bench.method.paired.Rotation.compare`, and for
counts by `bench.questions.instructions`)."""
from __future__ import annotations

from dataclasses import dataclass

# An answer in words is "the same" within this, faster or slower beyond it; in between, not decided.
MARGIN = 0.05


@dataclass(frozen=True)
class Comparison:
    """One ratio of two streams with its interval: the suite's stored answer to a question.

    The fields are the run JSON's `comparisons` entries.
    """

    name: str  # the scenario in words, e.g. "request gunicorn-w1: static / dynamic"
    numerator: str
    denominator: str
    ratio: float
    low: float
    high: float
    confidence: float  # 1.0: an exact ratio of counts (low = ratio = high)
    measure: str = "time"  # or "instructions" (bench.questions.instructions)

    @property
    def subject(self) -> str:
        """What the name compares, e.g. "static" and "dynamic" from "…: static / dynamic"."""
        return self.name.rsplit(": ", 1)[-1]

    @property
    def answer(self) -> str:
        """The answer the interval allows, with a margin of equivalence (`MARGIN`): "faster" or "slower"
        when the whole interval lies beyond it, "same" when it lies within ±MARGIN, "undecided" when
        it straddles the margin's edge. Two runs of one commit then differ by at most decided vs
        undecided, never faster vs same, unless their intervals are apart (a ratio at the edge with an
        interval excluding 1 said "slower" in one run and "the same" in the next)."""
        if self.measure == "instructions":
            return "exact"
        if self.high < 1 / (1 + MARGIN):
            return "faster"
        if self.low > 1 + MARGIN:
            return "slower"
        if self.low >= 1 / (1 + MARGIN) and self.high <= 1 + MARGIN:
            return "same"
        return "undecided"

    def words(self) -> str:
        """The answer in words: "static is 2.60x faster than dynamic [2.41, 2.80]", "same within ±5 %", or
        not decided at that margin."""
        top, bottom = self.subject.split(" / ")
        answer = self.answer
        if answer == "exact":
            return f"{top} runs {self.ratio:.3f}x the instructions of {bottom} per request (exact count)"
        if answer == "faster":
            return f"{top} is {1 / self.ratio:.2f}x faster than {bottom} [{1 / self.high:.2f}, {1 / self.low:.2f}]"
        if answer == "slower":
            return f"{top} is {self.ratio:.2f}x slower than {bottom} [{self.low:.2f}, {self.high:.2f}]"
        interval = f"(ratio {self.ratio:.3f} [{self.low:.3f}, {self.high:.3f}])"
        if answer == "same":
            return f"{top} and {bottom} the same within ±{MARGIN:.0%} {interval}"
        return f"{top} against {bottom}: not decided at ±{MARGIN:.0%} {interval}"

    def contradicts(self, other: Comparison) -> bool:
        """Both decided, and not alike: an answer in words that flipped."""
        decided = {"faster", "slower", "same"}
        return self.answer in decided and other.answer in decided and self.answer != other.answer

    @property
    def half_width(self) -> float:
        """Half the interval's width relative to the ratio: 0.05 means ±5 %."""
        return (self.high - self.low) / 2 / self.ratio

    def overlaps(self, other: Comparison) -> bool:
        return self.low <= other.high and other.low <= self.high

    def as_json(self) -> dict:
        return {"name": self.name, "numerator": self.numerator, "denominator": self.denominator,
                "ratio": round(self.ratio, 5), "low": round(self.low, 5), "high": round(self.high, 5),
                "confidence": self.confidence, **({"measure": self.measure} if self.measure != "time" else {})}

    @classmethod
    def from_json(cls, entry: dict) -> Comparison:
        return cls(entry["name"], entry["numerator"], entry["denominator"], float(entry["ratio"]),
                   float(entry["low"]), float(entry["high"]), float(entry["confidence"]), entry.get("measure", "time"))
