"""The seed's stress test, measured honestly: 20 threads released together, per worker count.

Each round of pytest-benchmark is one burst's wall clock (release → last answer),
measured in one rotation with every other burst case (`bench.questions.bursts`).
Every request's own client-side latency goes into `extra_info`, so queueing shows
(the seed summed in-handler times, which hides it).
"""
from __future__ import annotations

import pytest

from bench.method.stats import latency_summary, median_by_rank, requests_per_second
from bench.method.validity import precision_verdict
from bench.plugin.sample_clock import sample_clock
from bench.questions import bursts as burst_question


@pytest.mark.benchmark(timer=sample_clock)
def test_burst(benchmark, describe, burst_case, plan, measurements, texts):
    benchmark.group = f"burst of {burst_question.THREADS}: {burst_case.config.server}"
    measured = measurements(burst_question.RECORD)
    measured.assert_correct(burst_case)
    walls = measured.samples(burst_case)
    sample_clock.hand_over(benchmark, walls)
    bursts = measured.latencies_s[str(burst_case)]
    latencies = [latency for burst in bursts for latency in burst]
    verdict = precision_verdict(measured.round_medians(burst_case), len(latencies), measured.rotation.duration_s, burst_question.rules(plan))
    describe(
        benchmark, burst_question.RECORD, burst_case, measured.server_setups[str(burst_case)], texts, **measured.about(), **verdict.as_extra_info(),
        memory=measured.memory.get(str(burst_case)),
        requests_per_second=requests_per_second(len(latencies), sum(walls)),
        part={"threads": burst_question.THREADS, "latency_by_rank_ms": [round(v * 1000, 3) for v in median_by_rank(bursts)]},
        **latency_summary(latencies),
    )
