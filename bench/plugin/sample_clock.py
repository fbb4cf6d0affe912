"""The clock through which the suite hands a rotation's measured times to pytest-benchmark."""
from __future__ import annotations

from collections.abc import Sequence


class SampleClock:
    """Hands times measured in a rotation to pytest-benchmark, through its documented `timer`
    option (`@pytest.mark.benchmark(timer=...)`): pytest-benchmark reads this clock before and
    after each round's target, and the target moves the clock by the next measured sample.

    pytest-benchmark then keeps, stores and compares exactly the rotation's own
    `perf_counter` times; it times nothing itself for these benchmarks.
    """

    def __init__(self, name: str) -> None:
        self.__name__ = name  # what pytest-benchmark stores as the run's timer
        self._now = 0.0
        self._pending: list[float] = []

    def __call__(self) -> float:
        return self._now

    def _advance(self) -> None:
        # pytest-benchmark calls the target once more after the rounds under --benchmark-cprofile:
        # with no sample left, that call takes no time instead of failing
        if self._pending:
            self._now += self._pending.pop(0)

    def hand_over(self, benchmark, samples_s: Sequence[float]) -> None:
        """One pytest-benchmark round per sample, each exactly that sample long."""
        if not samples_s:
            raise ValueError("no samples to hand over")
        self._pending = list(samples_s)
        try:
            benchmark.pedantic(self._advance, rounds=len(samples_s))
        finally:
            self._pending = []  # all taken, or pytest-benchmark is disabled (--benchmark-disable)


# The clock the suite's paired benchmarks name in their `benchmark` marker.
sample_clock = SampleClock("sample_clock")
