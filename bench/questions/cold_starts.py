"""Cold start: process launch to /healthz 200 (Python, the runtime's import, load, warm-up), one
launch per kind per round. Its benchmark: bench/test_spawn.py."""
from __future__ import annotations

import time

import numpy as np

from bench.harness.supervisor import ServerProcess, health
from bench.method.cases import Case, default_server
from bench.method.paired import Stream, rotate
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, SEED_AND_OTHER_RUNTIMES
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.method.subject import Sweep
from bench.questions.question import Question
from bench.results.formatting import section

SERVER = default_server(1)

RECORD = "cold start"
# One launch per kind per round (~5-7 s each for TensorFlow's kinds): none in a quick run; fewer
# than 3 rounds give no interval.
KNOBS = Knobs(quick=Rounds(0), full=Rounds(3))


def cases(plan: Plan) -> list[Case]:
    """Cold starts cost ~5-7 s each for TensorFlow's kinds (its import): none in a quick run (no
    rounds); the seed's two kinds and the other runtimes' by default, all with --bench-extended."""
    return [Case(graph, SERVER) for graph in (ALL_GRAPHS if plan.extended else SEED_AND_OTHER_RUNTIMES)]


def measure_cold_starts(cases: list[Case], plan: Plan, artifacts_dir) -> Measured:
    """Process launch → /healthz 200 (Python, the runtime's import, load, warm-up), one launch per
    kind per round, in rotating order; each server is stopped, untimed, before the next launch.
    Each launch's worker reports its own load and warm-up times (`/healthz`): the rest of the
    launch is starting Python and the server and importing the runtime."""
    server_setups: dict[str, dict] = {}
    parts: dict[str, list[tuple[float, float]]] = {str(case): [] for case in cases}

    def stream(case: Case) -> Stream:
        def launch_and_wait() -> float:
            process = ServerProcess(case.graph, artifacts_dir, **case.config.settings(), **plan.subject.launch_settings())
            try:
                process.start().wait_healthy()
                elapsed = time.perf_counter() - process.launched_at  # from the launch that served (a port clash relaunches)
                report = health(process.url)
                server_setups[str(case)] = report["setup"]
                parts[str(case)].append((report["load_ms"], report["warmup_ms"]))
            finally:
                process.stop()
            return elapsed

        return Stream(str(case), launch_and_wait)

    rotation = rotate([stream(case) for case in cases], plan.rounds_of(RECORD).rounds)
    measured = Measured("cold start", cases, rotation, server_setups).finish()
    measured.parts = {name: {"load_ms": round(float(np.median([p[0] for p in found])), 1),
                                        "warmup_ms": round(float(np.median([p[1] for p in found])), 1)}
                                 for name, found in parts.items() if found}
    return measured


def report(rows) -> list[str]:
    """Its report section: where a launch's time goes, per kind."""
    launches = sorted((row for row in rows if row.figure.question == RECORD and row.figure.get("load_ms") is not None),
                      key=lambda row: row.median_ms)
    table = ["| graph | launch to healthy | load | warm-up | Python, server, runtime import |", "|---|---:|---:|---:|---:|"]
    table += [f"| {row.graph} | {row.median_ms:.0f} | {row.figure.get('load_ms'):.0f} | {row.figure.get('warmup_ms'):.0f} | "
              f"{row.median_ms - row.figure.get('load_ms') - row.figure.get('warmup_ms'):.0f} |" for row in launches]
    return section("Where a cold start goes", table if launches else [],
                   "Median over launches, ms: launch of `python -m serving run` (gunicorn, one worker) to `/healthz` "
                   "200; the worker's own load and warm-up (first prediction) as it reports them; the rest is starting "
                   "Python and the server and importing the runtime.")


# Its own figures: the launched worker's own load and warm-up (medians over launches, /healthz); the
# rest of a launch is Python, the server and the runtime's import.
PART = ("load_ms", "warmup_ms")

QUESTION = Question(RECORD, "cold_start_case", "cold starts, each a fresh server", cases=cases,
                    case_id=lambda case: case.graph, sweep=Sweep(SERVER.workers, front_ends=False, over_http=False),
                    measure=lambda cases, run: measure_cold_starts(cases, run.plan, run.artifacts_dir), part=PART,
                    report=report, seed_ratios=(("cold start (launch to healthy)", "cold start gunicorn-w1: static / dynamic"),),
                    # three launches a kind: static ÷ dynamic read 0.893 [0.849, 0.908] and 0.948 [0.941, 0.967] in
                    # two runs of one commit
                    change_threshold=0.10, knobs=KNOBS)
