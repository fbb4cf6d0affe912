"""Ours and the peers', from launch to ready (`--bench-peers`; bench.questions.peers): a fresh process
per case per round, in rotating order, each timed from its launch until it says it is ready (ours:
`/healthz`; a peer: the readiness endpoint its docs name for a load balancer), then stopped, untimed.
Ours here are the peers' model form (onnx), a worker per core: what a user would launch instead."""
from __future__ import annotations

import time

from bench.harness.peer_process import PeerProcess
from bench.harness.supervisor import ServerError, ServerProcess, health
from bench.method.cases import Case
from bench.method.paired import Stream, rotate
from bench.method.plan import Plan
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions.peers import COLD_STARTS, OURS, measure_those_up, with_peer_ratios
from bench.questions.question import Question

# a launch a case a round (a peer's start is seconds): none in a quick run, three give an interval
KNOBS = Knobs(quick=Rounds(0), full=Rounds(3))


def cases(plan: Plan) -> list[Case]:
    """Our onnx set-ups and every peer asked for; none without --bench-peers."""
    if not plan.peers:
        return []
    return [*(case for case in OURS if case.graph == "onnx"),
            *(Case("onnx", OURS[0].config._replace(server=peer)) for peer in plan.peers)]


def launcher(case: Case, run) -> ServerProcess:
    """A fresh process of `case`, serving the run's subject (the suite's model or a model file)."""
    subject = run.plan.subject
    artifacts_dir = run.artifacts_dir if subject.uses_artifacts else None  # a model file's run trains nothing
    if case.config.peer:
        return PeerProcess(case.config.server, artifacts_dir, workers=case.config.workers, **subject.launch_settings())
    return ServerProcess(case.graph, artifacts_dir, **case.config.settings(), **subject.launch_settings())


def can_start(case: Case, run) -> str | None:
    """None when one launch of `case` gets ready (untimed: it also builds a peer's environment), else why not."""
    try:
        with launcher(case, run):
            return None
    except ServerError as error:
        return str(error).splitlines()[0]


def measure(cases: list[Case], run) -> Measured:
    """A peer that cannot start at all fails its own figure with why; a later launch that fails, the question."""
    down = {str(case): why for case in cases if case.config.peer and (why := can_start(case, run))}
    return with_peer_ratios(measure_those_up(cases, down, lambda up: launches(up, run)))


def launches(cases: list[Case], run) -> Measured:
    server_setups: dict[str, dict] = {}

    def stream(case: Case) -> Stream:
        def launch_and_wait() -> float:
            process = launcher(case, run)
            try:
                process.start().wait_healthy()
                elapsed = time.perf_counter() - process.launched_at  # from the launch that served (a port clash relaunches)
                server_setups[str(case)] = (process.reported_setup() if case.config.peer
                                            else health(process.url)["setup"])
            finally:
                process.stop()
            return elapsed

        return Stream(str(case), launch_and_wait)

    rotation = rotate([stream(case) for case in cases], run.plan.rounds_of(COLD_STARTS).rounds)
    return Measured(COLD_STARTS, cases, rotation, server_setups).finish()


QUESTION = Question(COLD_STARTS, "peer_cold_start_case", "cold starts, ours and the peers'", cases=cases,
                    measure=measure, knobs=KNOBS, beside_peers=True)
