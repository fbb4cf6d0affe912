"""The first request after the server has been idle, beside the steady one, per graph kind:
the benchmark of the question `bench.questions.after_idle` (its cases, measurement, ratios
and report section are there)."""
from __future__ import annotations

import pytest

from bench.method.stats import latency_summary, requests_per_second
from bench.plugin.sample_clock import sample_clock
from bench.questions import after_idle


@pytest.mark.benchmark(timer=sample_clock)
def test_after_idle(benchmark, describe, after_idle_case, measurements, texts):
    benchmark.group = f"after idle: {after_idle_case.case.config.id}"
    measured = measurements(after_idle.RECORD)
    measured.assert_correct(after_idle_case)
    times = measured.samples(after_idle_case)
    sample_clock.hand_over(benchmark, times)
    describe(benchmark, after_idle.RECORD, after_idle_case.case, measured.server_setups[str(after_idle_case)], texts,
             **measured.about(), part={"idle_ms": after_idle_case.idle_ms},
             requests_per_second=requests_per_second(len(times), sum(times)), **latency_summary(times))
