"""Open loop: how much traffic a set-up holds (LoadGen Server, perf_analyzer, Model Analyzer).

Each case's knee is searched by the rule of `bench.clients.capacity`: latency charged from each
request's scheduled send time (no coordinated omission), a rate held when its p99 and its backlog
stay within the bound and every answer is right, a failed trial repeated once, five searches on
five server launches (the
knee their median, its interval their range), then the knee verified by longer trials (else the interval's lower end). A trial
with errors fails its rate; any wrong answer fails the benchmark. pytest-benchmark keeps seconds
per request at each search's knee (1 / knee), so `--benchmark-compare-fail=median:N%` fails a run
whose capacity fell by more than N %; the figures are in `extra_info`.
"""
from __future__ import annotations

import pytest

from bench.clients import capacity, openloop
from bench.plugin.sample_clock import sample_clock
from bench.questions import open_loop

NOTHING_HELD_S = 1.0  # the stored seconds per request of a set-up that held no rate at all


@pytest.fixture(scope="session")
def knees() -> dict[str, float]:
    """The knees found so far in this run, by case: what --bench-extended's worker sweep prunes on."""
    return {}


@pytest.mark.benchmark(timer=sample_clock)
def test_max_rate_under_p99_bound(benchmark, describe, openloop_case, plan, server_pool, texts, judge_for, knees):
    if reason := open_loop.pruned(openloop_case, knees):
        pytest.skip(reason)
    graph = openloop_case.graph
    benchmark.group = f"open loop: seconds per request at the max rate with p99 <= {plan.p99_bound_ms:g} ms"
    url = server_pool.endpoint(openloop_case)
    judge = judge_for(graph)
    # A short warm-up at a low rate: a server that answers wrongly even then is broken, not slow.
    warmup = openloop.run(url, texts, judge, rate=50, duration_s=0.5)
    assert not warmup.errors and not warmup.wrong, warmup.errors[:1] + warmup.faults[:1]
    rule = open_loop.rule(plan)
    relaunch = (lambda: server_pool.relaunch(openloop_case)) if openloop_case.config.launched else None
    if relaunch is not None:  # the later searches' launches, started together now and idle until their turn
        server_pool.launch_spares(openloop_case, rule.searches - 1)
    found = capacity.measure(url, texts, judge, plan.p99_bound_ms, rule, server_pool.cpu_clock_of(openloop_case), relaunch)
    # A wrong answer is a broken server at any rate, never a slow one: the benchmark fails (a rate
    # with errors only, e.g. refused connections of a shedding server, is a rate it does not hold).
    wrong = [trial for trial in found.trials + found.verification if trial["wrong"]]
    assert not wrong, f"wrong answers at {[t['rate'] for t in wrong]} requests/s: {wrong[0]['first_wrong']}"
    sample_clock.hand_over(benchmark, [1 / knee if knee else NOTHING_HELD_S for knee in found.knees])
    knees[str(openloop_case)] = found.knee
    at_knee = found.verification[len(found.verification) // 2] if found.verification else {}
    cpu_ms = found.cpu_ms_per_request()
    setup = server_pool.server_setup_of(openloop_case)
    low, high = found.interval
    describe(benchmark, open_loop.RECORD, openloop_case, setup, texts, memory=server_pool.memory_of(openloop_case),
             part={"max_rate": found.knee, "max_rate_low": low, "max_rate_high": high, "knees": found.knees,
                   "p99_bound_ms": plan.p99_bound_ms, "beyond_rate": found.beyond, "trials": found.points,
                   "verification": found.verification, "verified_rate": found.verified_rate, "cpu_ms_per_request": cpu_ms,
                   "cpu_bound_rate": round(open_loop.CORES * 1000 / cpu_ms, 1) if cpu_ms else None,
                   "rule": rule.words(), "command": open_loop.command(server_pool.get(openloop_case).settings)
                   if openloop_case.config.launched else None},
             p50_ms=at_knee.get("p50_ms"), p90_ms=at_knee.get("p90_ms"), p99_ms=at_knee.get("p99_ms"),
             p99_9_ms=at_knee.get("p99.9_ms"), requests_per_second=at_knee.get("achieved_rate"))
