"""Open loop: the highest request rate whose p99 stays under a bound (LoadGen Server, perf_analyzer).

Latency is charged from each request's scheduled send time (no coordinated
omission). pytest-benchmark times the whole search (one round); the figures are
in `extra_info`: `max_rate`, the percentiles at that rate, and every trial.
"""
from __future__ import annotations

from bench import openloop
from bench.conftest import describe
from bench.load import Answers


def test_max_rate_under_p99_bound(benchmark, openloop_case, plan, server_pool, texts, check_answers, environment):
    graph = openloop_case.graph
    benchmark.group = f"open loop: max rate with p99 <= {plan.p99_bound_ms:g} ms"
    url = f"{server_pool.get(openloop_case).url}/{graph}"
    # A short warm-up at a low rate, with its answers checked like every other benchmark's.
    warmup = openloop.run(url, texts, rate=50, duration_s=0.5)
    answers = Answers()
    answers.items = warmup.answers
    check_answers(answers, graph)
    rate, trials = benchmark.pedantic(
        openloop.max_rate_under, args=(url, texts, plan.p99_bound_ms),
        kwargs={"duration_s": plan.openloop_trial_s, "steps": 2 if plan.quick else 3}, rounds=1,
    )
    at_max = next((t for t in reversed(trials) if t["passed"] and t["rate"] == rate), {})
    describe(benchmark, openloop_case, environment, texts, max_rate=rate, p99_bound_ms=plan.p99_bound_ms,
             trials=trials, **{k: v for k, v in at_max.items() if k.endswith("_ms")})
