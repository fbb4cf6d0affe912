"""The seed's stress test, measured honestly: 20 threads released together, per worker count.

Each round is one burst; pytest-benchmark times its wall clock (release → last
answer). Every request's own client-side latency goes into `extra_info`, so
queueing shows (the seed summed in-handler times, which hides it).
"""
from __future__ import annotations

from bench.conftest import round_times
from bench.load import Answers, Burst
from bench.stats import latency_summary, median_by_rank, requests_per_second
from bench.validity import judge, median_seconds, rounds_for, stabilise


def test_burst(benchmark, describe, burst_case, plan, server_pool, texts, check_answers):
    graph, config = burst_case.graph, burst_case.config
    benchmark.group = f"burst of {plan.burst_threads}: {config.server}"
    url = f"{server_pool.get(burst_case).url}/{graph}"
    bursts: list[Burst] = []

    def prepare():
        burst = Burst(url, texts, threads=plan.burst_threads)
        bursts.append(burst)
        return (burst,), {}

    def untimed_burst():
        Burst(url, texts, threads=plan.burst_threads).release()

    rules = plan.burst_rules
    trials = stabilise(lambda: median_seconds(untimed_burst, 3), rules)
    rounds = rounds_for(rules, trials[-1], plan.burst_threads, plan.burst_rounds)
    benchmark.pedantic(Burst.release, setup=prepare, rounds=rounds)
    timed = bursts
    errors = [e for b in timed for e in b.errors]
    assert not errors, errors[:5]
    answers = Answers()
    for burst in timed:
        answers.items += burst.answers.items
    check_answers(answers, graph)
    walls = round_times(benchmark)
    latencies = [latency for burst in timed for latency in burst.latencies_s]
    verdict = judge(walls, len(latencies), sum(walls), rules)
    describe(
        benchmark, burst_case, server_pool.setup_of(burst_case), texts, trial_windows=len(trials), **verdict.as_extra_info(),
        threads=plan.burst_threads,
        requests_per_second=requests_per_second(len(latencies), sum(walls)),
        latency_by_rank_ms=[round(v * 1000, 3) for v in median_by_rank([b.latencies_s for b in timed])],
        **latency_summary(latencies),
    )
