"""Open loop: how much traffic a set-up holds (LoadGen Server, perf_analyzer, Model Analyzer).

Each case's knee is searched by the rule of `bench.clients.capacity`: latency charged from each
request's scheduled send time (no coordinated omission), a rate held when its p99 and its backlog
stay within the bound and every answer is right, a failed trial repeated once while doubling, five
searches on five server launches (the knee their median, its interval their range), the set-ups
interleaved round by round (`bench.questions.open_loop.measure`), then the knee verified by longer
trials (else lower rates). Any wrong answer fails the case's benchmark. pytest-benchmark keeps
seconds per request at each search's knee (1 / knee), so `--benchmark-compare-fail=median:N%` fails
a run whose capacity fell by more than N %; the figures are in `extra_info`.
"""
from __future__ import annotations

import pytest

from bench.plugin.sample_clock import sample_clock
from bench.questions import open_loop


@pytest.mark.benchmark(timer=sample_clock)
def test_max_rate_under_p99_bound(benchmark, describe, openloop_case, plan, measurements, texts):
    benchmark.group = f"open loop: seconds per request at the max rate with p99 <= {plan.p99_bound_ms:g} ms"
    measured = measurements(open_loop.RECORD)
    part = measured.parts.get(str(openloop_case), {})
    if "pruned" in part:
        pytest.skip(part["pruned"])
    measured.assert_correct(openloop_case)
    sample_clock.hand_over(benchmark, measured.samples(openloop_case))
    at_claim = [t for t in part["verification"] if t["rate"] == part["verified_rate"]] or part["verification"]
    at_knee = at_claim[len(at_claim) // 2] if at_claim else {}
    describe(benchmark, open_loop.RECORD, openloop_case, measured.server_setups[str(openloop_case)], texts,
             memory=measured.memory.get(str(openloop_case)), part=part,
             p50_ms=at_knee.get("p50_ms"), p90_ms=at_knee.get("p90_ms"), p99_ms=at_knee.get("p99_ms"),
             p99_9_ms=at_knee.get("p99.9_ms"), requests_per_second=at_knee.get("achieved_rate"))
