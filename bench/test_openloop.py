"""Open loop: how much traffic a set-up holds (LoadGen Server, perf_analyzer, Model Analyzer).

Each case sweeps offered rates from light load to past saturation (`bench.clients.openloop.sweep`):
latency is charged from each request's scheduled send time (no coordinated omission); a trial with
errors fails its rate, and any wrong answer fails the benchmark. pytest-benchmark times the whole
sweep (one round); the figures are in `extra_info`: `max_rate` (the knee under the bound),
`beyond_rate` (the lowest failing rate above it), the percentiles at the knee and every trial.
"""
from __future__ import annotations

import pytest

from bench.clients import openloop
from bench.questions import open_loop


@pytest.fixture(scope="session")
def knees() -> dict[str, float]:
    """The knees found so far in this run, by case: what --bench-extended's worker sweep prunes on."""
    return {}


def test_max_rate_under_p99_bound(benchmark, describe, openloop_case, plan, server_pool, texts, judge_for, knees):
    if reason := open_loop.pruned(openloop_case, knees):
        pytest.skip(reason)
    graph = openloop_case.graph
    benchmark.group = f"open loop: max rate with p99 <= {plan.p99_bound_ms:g} ms"
    url = server_pool.endpoint(openloop_case)
    judge = judge_for(graph)
    # A short warm-up at a low rate: a server that answers wrongly even then is broken, not slow.
    warmup = openloop.run(url, texts, judge, rate=50, duration_s=0.5)
    assert not warmup.errors and not warmup.wrong, warmup.errors[:1] + warmup.faults[:1]
    seconds, steps = open_loop.trial(plan)
    curve = benchmark.pedantic(openloop.sweep, args=(url, texts, judge, plan.p99_bound_ms),
                               kwargs={"duration_s": seconds, "steps": steps, "start_rate": open_loop.START_RATE,
                                       "ceiling": open_loop.CEILING}, rounds=1)
    # A wrong answer is a broken server at any rate, never a slow one: the benchmark fails (a rate
    # with errors only, e.g. refused connections of a shedding server, is a rate it does not hold).
    wrong = [trial for trial in curve.trials if trial["wrong"]]
    assert not wrong, f"wrong answers at {[t['rate'] for t in wrong]} requests/s: {wrong[0]['first_wrong']}"
    knees[str(openloop_case)] = curve.knee
    at_knee = next((t for t in reversed(curve.trials) if t["passed"] and t["rate"] == curve.knee), {})
    describe(benchmark, open_loop.RECORD, openloop_case, server_pool.server_setup_of(openloop_case), texts,
             memory=server_pool.memory_of(openloop_case),
             part={"max_rate": curve.knee, "p99_bound_ms": plan.p99_bound_ms, "beyond_rate": curve.beyond,
                   "trials": curve.points},
             p50_ms=at_knee.get("p50_ms"), p90_ms=at_knee.get("p90_ms"), p99_ms=at_knee.get("p99_ms"),
             p99_9_ms=at_knee.get("p99.9_ms"), requests_per_second=at_knee.get("achieved_rate"))
