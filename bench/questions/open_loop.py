"""The open loop: the highest request rate whose p99 stays under a bound (bench.clients.openloop);
its benchmark (bench/test_openloop.py) runs each case's search itself."""
from __future__ import annotations

from bench.method.plan import FAST_GRAPHS, Case, Plan, default_server, remote_cases
from bench.questions.question import Question
from bench.results.formatting import fmt, section

RECORD = "open loop"


def trial(plan: Plan) -> tuple[float, int]:
    """Seconds of one rate's trial, and the bisection steps after the doubling."""
    return (0.5, 2) if plan.quick else (1.5, 3)


def cases(plan: Plan) -> list[Case]:
    """Open-loop rate searches: the fastest set-ups (2 workers on 2 cores), or one in quick mode."""
    if plan.remote_url:
        return remote_cases(plan)
    if plan.quick:
        return [Case("static", default_server(1))]
    kinds = ("static", *FAST_GRAPHS) if plan.extended else ("static-xla",)
    return [Case(graph, default_server(2)) for graph in kinds]


def report(rows) -> list[str]:
    """Its report section: each searched set-up's highest rate under the bound."""
    searches = [row.figure for row in rows if row.figure.question == RECORD]
    table = ["| graph | set-up | max rate (/s) | p99 bound (ms) | p50 | p99 | p99.9 |", "|---|---|---:|---:|---:|---:|---:|"]
    table += [f"| {f.graph} | {f.setup} | {f.get('max_rate'):.0f} | {f.get('p99_bound_ms'):g} | "
              f"{fmt(f.p50_ms)} | {fmt(f.p99_ms)} | {fmt(f.p99_9_ms)} |" for f in searches]
    return section("Open loop", table if searches else [],
                   "Highest tried rate (requests/s, constant schedule) whose p99, charged from each request's "
                   "scheduled send time, stays under the bound.")


# Its own figures: the highest rate whose p99 stayed under the bound, the bound, every trial.
PART = ("max_rate", "p99_bound_ms", "trials")

QUESTION = Question(RECORD, "openloop_case", cases=cases, server_case=lambda case: case, part=PART, report=report)
