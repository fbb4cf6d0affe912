"""Ours and the peers', one request at a time (`--bench-peers`; bench.questions.peers): the single
requests' rotation (bench.questions.single_requests) over ours and theirs, each case sent the texts in its own protocol."""
from __future__ import annotations

from bench.method.cases import Case
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions import single_requests
from bench.questions.peers import REQUESTS, cases, judges_for, report, requests_for, with_peer_ratios
from bench.questions.question import Question

# as single requests are sized: two launches a case (the launch floor), extra rounds while imprecise
KNOBS = Knobs(quick=Rounds(6, 10, 3), full=Rounds(20, 8, 3, launches=2, extra_s=30))


def measure(cases: list[Case], run) -> Measured:
    return with_peer_ratios(single_requests.measure_requests(cases, run.plan, run.pool, requests_for(run.texts), None,
                                                             judges_for(run.judge), record=REQUESTS))


QUESTION = Question(REQUESTS, "peer_request_case", "single requests, ours and the peers'", cases=cases,
                    server_case=lambda case: case, measure=measure, server_memory=True, report=report, knobs=KNOBS)
