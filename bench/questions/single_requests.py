"""Single requests, one at a time: HTTP (gunicorn, the Flask dev server, the front ends) against
in-process, each case answering a window of requests back to back, cases taking turns window by
window, as a user's load generator would see each server. Its benchmark: bench/test_request.py."""
from __future__ import annotations

from collections.abc import Callable

from bench.clients.http import SequentialClient
from bench.harness.memory import process_tree_memory
from bench.harness.server_pool import ServerPool
from bench.method.cases import IN_PROCESS, OTHER_SEED_SERVERS, OTHER_SERVERS, Case, ServerConfig, default_server
from bench.method.launches import firsts, launches_of, of_case
from bench.method.oracle import judged
from bench.method.paired import Stream, collect_young
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, FAST_GRAPHS, FAST_KIND_SERVERS, SWEEP_GRAPHS
from bench.method.rotations import Measured, rotate_toward_precision, windows_method
from bench.method.rounds import Knobs, Rounds
from bench.method.subject import Sweep
from bench.method.validity import Rules
from bench.questions.question import GateFlag, Gating, Question
from bench.results.rows import fastest

RECORD = "request"
# Windows of requests back to back, the first 3 untimed; every case on two processes in a full run,
# four a side in the gate (bench.method.launches: a launch here keeps its own speed, σ ≈ 3.5 %, which
# no number of rounds on one process averages away; the gate's ±5 % needs the mean of four), with
# shorter windows for about the same time. (A window of 100 requests let the machine drift between
# the gate's sides within a round.)
KNOBS = Knobs(quick=Rounds(6, 10, 3), full=Rounds(30, 8, 3, launches=2, extra_s=30), gate=Rounds(20, 10, 3, launches=4))


def rules(plan: Plan) -> Rules:
    """The median's 95 % interval over rounds: ±5 % in a full run (±1-3 % seen on a quiet machine),
    ±10 % in a quick run's 6 rounds."""
    return Rules(50, 0.2, 0.10) if plan.quick else Rules(200, 1.0, 0.05)


def cases(plan: Plan) -> list[Case]:
    kinds = SWEEP_GRAPHS if plan.quick else ALL_GRAPHS
    cases = [Case(graph, config) for config in (IN_PROCESS, default_server(1)) for graph in kinds]
    if not plan.quick:  # the seed's Flask dev server, for the two kinds it compared; front ends for the fast kinds
        cases += [Case(graph, config) for config in OTHER_SEED_SERVERS for graph in SWEEP_GRAPHS]
        cases += [Case(graph, ServerConfig(name, 1)) for name in FAST_KIND_SERVERS for graph in FAST_GRAPHS]
    if plan.extended:  # the other servers people deploy Flask on
        cases += [Case(graph, config) for config in OTHER_SERVERS for graph in SWEEP_GRAPHS]
    return cases


def measure_requests(cases: list[Case], plan: Plan, pool: ServerPool, texts: list | Callable, artifacts,
                     judge, between_rounds: Callable[[], object] = collect_young, record: str = RECORD) -> Measured:
    """Single requests, one at a time: each case answers a window of requests back to back (its
    first few answered and judged but not timed), cases taking turns window by window, as a user's
    load generator would see each server; each case on its rounds' `launches` processes (servers, or
    in-process workers), its intervals holding the spread between them (bench.method.launches).
    `record`: the question measuring them (its rounds, its figures' name: the peers' too); `texts`: what
    every case sends, or case -> what it sends (the peers': each its protocol's)."""
    size = plan.rounds_of(record)
    sent = texts if callable(texts) else lambda case: texts
    processes = launches_of(cases, size.launches)
    clients, server_setups, memory = {}, {}, {}
    try:
        for process in processes:
            if process.config.in_process:
                from bench.clients import inprocess

                clients[str(process)] = inprocess.InProcessClient(process.graph, artifacts, sent(process),
                                                                  plan.subject.launch_settings() or None)
            else:
                clients[str(process)] = SequentialClient(pool.endpoint(process), sent(process))
                server_setups[str(process)] = pool.server_setup_of(process)
                memory[str(process)] = pool.memory_of(process)
        for name, client in clients.items():  # the in-process workers load their kinds meanwhile
            if name not in server_setups:
                server_setups[name] = client.wait_ready().setup
                memory[name] = process_tree_memory(client.process.pid)

        def collect_everywhere():
            between_rounds()
            for client in clients.values():
                client.collect()

        streams = [Stream(name, client.timed_unit) for name, client in clients.items()]
        rotation, added = rotate_toward_precision(streams, size, cases, rules(plan), size.extra_s,
                                                  between_rounds=collect_everywhere)
    finally:
        for client in clients.values():
            client.close()
    # every answer is judged, the warm-up round's too: a wrong one means a broken server; a server that
    # stopped answering fails its own figure (its client's errors), the others measured on
    faults = {str(case): [fault for process in of_case(case, processes)
                          for fault in clients[str(process)].errors + judged(clients[str(process)].answers, judge(case))]
              for case in cases}
    method = windows_method(size.per_round, size.discard, "requests", size.launches, added)
    return Measured(record, cases, rotation, firsts(server_setups, cases), faults, method=method,
                    memory=firsts(memory, cases)).finish()


def measure(cases: list[Case], run) -> Measured:
    # the suite's own model is loaded only for the in-process baseline (a model file's run has none)
    uses_artifacts = run.plan.subject.uses_artifacts and any(case.config.in_process for case in cases)
    artifacts = run.artifacts if uses_artifacts else None
    return measure_requests(cases, run.plan, run.pool, run.texts, artifacts, run.judge)


QUESTION = Question(RECORD, "request_case", "single requests", cases=cases, server_case=lambda case: case,
                    measure=measure, sweep=Sweep(1, in_process=True),  # every form in-process (no HTTP) and over HTTP
                    server_memory=True,
                    headline=lambda rows, run: fastest(rows, RECORD, "one request at a time", "p50", "gunicorn-w1", run),
                    seed_ratios=(("a request in-process", "request in-process: static / dynamic"),
                                 ("over gunicorn, 1 worker", "request gunicorn-w1: static / dynamic")),
                    gate=Gating(lambda graphs, server: [Case(graph, default_server(1, server)) for graph in graphs], measure,
                                kind_ratios=True, what="single requests slower", alias="requests",
                                flags=(GateFlag("--rounds", "rounds", "rounds of single requests"),
                                       GateFlag("--requests", "per_round", "requests per side per round"))),
                    knobs=KNOBS)
