"""One request at a time: HTTP (Flask dev server, gunicorn 1 worker) against in-process."""
from __future__ import annotations

from bench.conftest import in_process_setup, round_times
from bench.load import SequentialClient
from bench.stats import latency_summary, requests_per_second
from bench.validity import judge, median_seconds, rounds_for, stabilise


def test_single_request(benchmark, describe, request_case, plan, server_pool, texts, check_answers, artifacts):
    graph, config = request_case.graph, request_case.config
    benchmark.group = f"request: {config.id}"
    if config.server == "in-process":
        # The floor: the same preprocessing + graph call a server makes, with no HTTP.
        from bench.inprocess import InProcessClient

        client = InProcessClient(graph, artifacts, texts)
        setup = in_process_setup(graph)
    else:
        client = SequentialClient(f"{server_pool.get(request_case).url}/{graph}", texts)
        setup = server_pool.setup_of(request_case)
    rules = plan.request_rules
    try:
        # Untimed trial windows until three agree (capped), then enough timed rounds for the minimums.
        trials = stabilise(lambda: median_seconds(client.one_request, 20, setup=client.connect), rules)
        rounds = rounds_for(rules, trials[-1], 1, plan.request_rounds)
        # each round is one request from its first byte sent; the connection opens untimed before it
        benchmark.pedantic(client.one_request, setup=client.connect, rounds=rounds)
    finally:
        client.close()
    check_answers(client.answers, graph)
    times = round_times(benchmark)
    verdict = judge(times, len(times), sum(times), rules)
    describe(benchmark, request_case, setup, texts, trial_windows=len(trials), **verdict.as_extra_info(),
             requests_per_second=requests_per_second(len(times), sum(times)), **latency_summary(times))
