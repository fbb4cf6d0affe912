"""Ours and the peers', one request at a time (`--bench-peers`; bench.questions.peers): the single
requests' rotation (bench.questions.single_requests) over ours and theirs, each case sent the texts in its own protocol."""
from __future__ import annotations

from statistics import median

from bench.method.cases import Case
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions import single_requests
from bench.questions.peers import (
    REQUESTS,
    body_bytes,
    cases,
    down_in_pool,
    judges_for,
    measure_those_up,
    protocol_of,
    report,
    requests_for,
    with_peer_ratios,
)
from bench.questions.question import Question

# as single requests are sized: two launches a case (the launch floor), extra rounds while imprecise
KNOBS = Knobs(quick=Rounds(6, 10, 3), full=Rounds(20, 8, 3, launches=2, extra_s=30))


# Its own figures: the protocol each case spoke and the median size of the request bodies it was sent.
PART = ("protocol", "request_body_bytes")


def measure(cases: list[Case], run) -> Measured:
    sent, down = requests_for(run), down_in_pool(cases, run, REQUESTS)

    def rotation(up: list[Case]) -> Measured:
        return single_requests.measure_requests(up, run.plan, run.pool, sent, None, judges_for(run), record=REQUESTS)

    measured = with_peer_ratios(measure_those_up(cases, down, rotation))
    measured.parts = {str(case): {"protocol": protocol_of(case),
                                  "request_body_bytes": int(median(body_bytes(protocol_of(case), request)
                                                                   for request in sent(case)))}
                      for case in cases if str(case) not in down}
    return measured


QUESTION = Question(REQUESTS, "peer_request_case", "single requests, ours and the peers'", cases=cases,
                    server_case=lambda case: case, measure=measure, server_memory=True, report=report, part=PART,
                    knobs=KNOBS, beside_peers=True)
