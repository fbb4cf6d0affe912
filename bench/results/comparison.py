"""A ratio of two measured streams with its interval: the suite's stored answer to a question,
the run JSON's `comparisons` entries (made by `bench.method.paired.Rotation.compare`, and for
counts by `bench.questions.instructions`)."""
from __future__ import annotations

from dataclasses import dataclass


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

    def words(self) -> str:
        """The verdict in words: "static is 2.60x faster than dynamic [2.41, 2.80]", or "same within ±3 %"."""
        top, bottom = self.subject.split(" / ")
        if self.measure == "instructions":
            return f"{top} runs {self.ratio:.3f}x the instructions of {bottom} per request (exact count)"
        if self.high < 1:
            return f"{top} is {1 / self.ratio:.2f}x faster than {bottom} [{1 / self.high:.2f}, {1 / self.low:.2f}]"
        if self.low > 1:
            return f"{top} is {self.ratio:.2f}x slower than {bottom} [{self.low:.2f}, {self.high:.2f}]"
        within = max(1 - self.low, self.high - 1)
        return f"{top} and {bottom} the same within ±{within:.0%} (ratio {self.ratio:.3f} [{self.low:.3f}, {self.high:.3f}])"

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
