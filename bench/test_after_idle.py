"""The first request after the server has been idle, beside the steady one, per graph kind.

A low-traffic service mostly answers requests that arrive after a pause: its
worker, TensorFlow's threads and the CPU have gone to sleep and answer slower
(here about 3x the steady figure for static-xla). Measured on its own, named as
such, so no other question measures this regime by accident
(`bench.rotations.measure_after_idle`).
"""
from __future__ import annotations

import pytest

from bench import records
from bench.paired import sample_clock
from bench.stats import latency_summary, requests_per_second


@pytest.mark.benchmark(timer=sample_clock)
def test_after_idle(benchmark, describe, after_idle_case, measured_after_idle, texts):
    benchmark.group = f"after idle: {after_idle_case.case.config.id}"
    measured = measured_after_idle
    measured.assert_correct(after_idle_case)
    times = measured.samples(after_idle_case)
    sample_clock.hand_over(benchmark, times)
    describe(benchmark, records.AFTER_IDLE, after_idle_case.case, measured.setups[str(after_idle_case)], texts,
             **measured.about(), idle_ms=after_idle_case.idle_ms,
             requests_per_second=requests_per_second(len(times), sum(times)), **latency_summary(times))
