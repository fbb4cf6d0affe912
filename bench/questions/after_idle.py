"""After idle: the first request after the server has been idle, beside the steady one, per kind.

A low-traffic service mostly answers requests that arrive after a pause: its worker, the
runtime's threads and the CPU have gone to sleep and answer slower (here about 3x the steady
figure for static-xla). Measured on its own, named as such, so no other question measures this
regime by accident. Everything of this question is here: its cases, how they are measured, its
ratios and its report section; `bench/test_after_idle.py` is its benchmark.
"""
from __future__ import annotations

import time
from typing import NamedTuple

from bench.clients.http import SequentialClient
from bench.method.cases import Case, default_server
from bench.method.oracle import judged
from bench.method.paired import Stream, rotate, timed
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, GRAPH_PAIRS, SWEEP_GRAPHS
from bench.method.rotations import MIN_ROUNDS_FOR_INTERVAL, Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions.question import Question
from bench.results.formatting import fmt, section

RECORD = "after idle"
SERVER = default_server(1)  # one sync worker, as single requests
STEADY_LEAD = 3  # untimed requests right before a steady one


class AfterIdle(NamedTuple):
    """A request that follows `idle_ms` of silence (server and client idle), or, with 0, the
    steady request that follows a few others right away: the regime a low-traffic service sees."""

    graph: str
    idle_ms: float

    @property
    def case(self) -> Case:
        """The server it is sent to (the same one for every idle time of a kind)."""
        return Case(self.graph, SERVER)

    @property
    def regime(self) -> str:
        return f"idle {self.idle_ms:g} ms" if self.idle_ms else "steady"

    def __str__(self) -> str:
        return f"{self.case}-{self.regime.replace(' ', '')}"


def cases(plan: Plan) -> list[AfterIdle]:
    """Every kind after 20 ms and 200 ms of idle (2 s too with --bench-extended: 8 s a round),
    beside its steady request; a quick run: the seed's two kinds after 200 ms."""
    if plan.quick:
        return [AfterIdle(graph, idle) for graph in SWEEP_GRAPHS for idle in (0, 200)]
    idles = (0, 20, 200, 2000) if plan.extended else (0, 20, 200)
    return [AfterIdle(graph, idle) for graph in ALL_GRAPHS for idle in idles]


KNOBS = Knobs(quick=Rounds(4), full=Rounds(12))


# Idle episodes per case per round, the round keeping their median: with one, a round's ratio was
# one request's luck (intervals up to ±45 % between runs, issue 28); the target is ±15 %.
EPISODES = 3


def measure(cases: list[AfterIdle], run) -> Measured:
    """The first request after `idle_ms` of silence, and the steady one (after `STEADY_LEAD` untimed
    requests back to back), for each kind on its own server; unit by unit, `EPISODES` timed requests
    per case per round. Before an idle request the whole run waits (nothing else is sent), then the
    connection opens (untimed) and the request is timed from its first byte, as single requests."""
    clients = {str(case): SequentialClient(run.pool.endpoint(case.case), run.texts) for case in cases}

    def stream(case: AfterIdle) -> Stream:
        client = clients[str(case)]

        def prepare() -> None:
            if case.idle_ms:
                time.sleep(case.idle_ms / 1000)
            else:
                for _ in range(STEADY_LEAD):
                    client.one_request()
            client.connect()

        return Stream(str(case), timed(prepare, client.one_request))

    try:
        rotation = rotate([stream(case) for case in cases], run.plan.rounds_of(RECORD).rounds, EPISODES, warmup_rounds=1)
    finally:
        for client in clients.values():
            client.close()
    faults = {str(case): judged(clients[str(case)].answers, run.judge(case)) for case in cases}
    server_setups = {str(case): run.pool.server_setup_of(case.case) for case in cases}
    measured = Measured(RECORD, cases, rotation, server_setups, faults,
                        method=f"paired rotation, unit by unit, {EPISODES} per case per round: after idle, or after "
                               f"{STEADY_LEAD} untimed requests")
    if rotation.rounds >= MIN_ROUNDS_FOR_INTERVAL:
        measured.comparisons = comparisons(rotation, [case for case in cases if not faults[str(case)]])
    return measured


def comparisons(rotation, cases: list[AfterIdle]) -> list:
    """Each kind's request after idle ÷ its steady request, and the kinds against each other
    after the same idle time (`bench.method.policy.GRAPH_PAIRS`)."""
    by_kind: dict[str, dict[float, AfterIdle]] = {}
    for case in cases:
        by_kind.setdefault(case.graph, {})[case.idle_ms] = case
    found = []
    for graph, idles in by_kind.items():
        for idle, case in sorted(idles.items()):
            if idle and 0 in idles:
                found.append((f"after idle {case.case.config.id} {graph}: {case.regime} / steady", case, idles[0]))
    for idle in sorted({case.idle_ms for case in cases}):
        for top, bottom in GRAPH_PAIRS:
            if idle in by_kind.get(top, {}) and idle in by_kind.get(bottom, {}):
                case = by_kind[top][idle]
                found.append((f"after idle {case.case.config.id} {case.regime}: {top} / {bottom}",
                              case, by_kind[bottom][idle]))
    return [rotation.compare(name, str(top), str(bottom)) for name, top, bottom in found]


def report(rows) -> list[str]:
    """Its report section: a row per graph kind, a column per regime (steady, idle 20 ms, ...)."""
    found = [r.figure for r in rows if r.figure.question == RECORD]
    if not found:
        return []
    idles = sorted({f.get("idle_ms") for f in found})
    names = ["steady" if not idle else f"idle {idle:g} ms" for idle in idles]
    p50 = {(f.graph, f.get("idle_ms")): f.p50_ms for f in found}
    table = ["| graph | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for graph in sorted({f.graph for f in found}):
        table.append(f"| {graph} | " + " | ".join(fmt(p50.get((graph, idle)), 3) for idle in idles) + " |")
    return section("After idle", table, "p50 (ms) of the first request after the server and the client were idle, "
                   "beside the steady request (right after a few others), gunicorn with one sync worker.")


# Its own figure: how long server and client were idle before each timed request (0: steady).
PART = ("idle_ms",)

# Not judged between runs: its ratios follow how the machine wakes from idle, which moves between
# runs of one commit (static, idle 200 ms ÷ steady: 1.700 [1.529, 1.766] in one run, 2.572 [2.444,
# 2.711] in the next, five minutes later), intervals apart by far.
QUESTION = Question(RECORD, "after_idle_case", "after idle", cases=cases, server_case=lambda case: case.case,
                    measure=measure, report=report, part=PART, judged_between_runs=False, answers_panel="after idle",
                    knobs=KNOBS, opt_in="extended")  # ~1 minute, not judged between runs: not in a default run's 5
