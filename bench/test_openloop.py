"""Open loop: the highest request rate whose p99 stays under a bound (LoadGen Server, perf_analyzer).

Latency is charged from each request's scheduled send time (no coordinated
omission); a trial with errors fails its rate, and any wrong answer fails the benchmark. pytest-benchmark times the whole search (one round); the figures are
in `extra_info`: `max_rate`, the percentiles at that rate, and every trial (with its count of wrong answers).
"""
from __future__ import annotations

from bench.clients import openloop
from bench.questions import open_loop


def test_max_rate_under_p99_bound(benchmark, describe, openloop_case, plan, server_pool, texts, judge_for):
    graph = openloop_case.graph
    benchmark.group = f"open loop: max rate with p99 <= {plan.p99_bound_ms:g} ms"
    url = f"{server_pool.get(openloop_case).url}/{graph}"
    judge = judge_for(graph)
    # A short warm-up at a low rate: a server that answers wrongly even then is broken, not slow.
    warmup = openloop.run(url, texts, judge, rate=50, duration_s=0.5)
    assert not warmup.errors and not warmup.wrong, warmup.errors[:1] + warmup.faults[:1]
    rate, trials = benchmark.pedantic(
        openloop.max_rate_under, args=(url, texts, judge, plan.p99_bound_ms),
        kwargs=dict(zip(("duration_s", "steps"), open_loop.trial(plan))), rounds=1,
    )
    # A wrong answer is a broken server at any rate, never a slow one: the benchmark fails (a rate
    # with errors only, e.g. refused connections of a shedding server, is a rate it does not hold).
    wrong = [trial for trial in trials if trial["wrong"]]
    assert not wrong, f"wrong answers at {[t['rate'] for t in wrong]} requests/s: {wrong[0]['first_wrong']}"
    at_max = next((t for t in reversed(trials) if t["passed"] and t["rate"] == rate), {})
    describe(benchmark, open_loop.RECORD, openloop_case, server_pool.server_setup_of(openloop_case), texts,
             part={"max_rate": rate, "p99_bound_ms": plan.p99_bound_ms, "trials": trials}, p50_ms=at_max.get("p50_ms"), p90_ms=at_max.get("p90_ms"),
             p99_ms=at_max.get("p99_ms"), p99_9_ms=at_max.get("p99.9_ms"))
