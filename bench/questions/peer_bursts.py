"""Ours and the peers', bursts of 20 (`--bench-peers`; bench.questions.peers): the bursts' rotation
(bench.questions.bursts) over ours and theirs, each case sent the texts in its own protocol."""
from __future__ import annotations

from bench.method.cases import Case
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions import bursts
from bench.questions.peers import (
    BURSTS,
    cases,
    down_in_pool,
    judges_for,
    measure_those_up,
    requests_for,
    with_peer_ratios,
)
from bench.questions.question import Question

# as bursts are sized: two launches a case (the launch floor), extra rounds while imprecise
KNOBS = Knobs(quick=Rounds(4, 2, 1), full=Rounds(12, 2, 1, launches=2, extra_s=30))


def measure(cases: list[Case], run) -> Measured:
    def rotation(up: list[Case]) -> Measured:
        return bursts.measure_bursts(up, run.plan, run.pool, requests_for(run), judges_for(run),
                                     record=BURSTS, name=f"peer burst of {bursts.THREADS}")

    return with_peer_ratios(measure_those_up(cases, down_in_pool(cases, run, BURSTS), rotation))


QUESTION = Question(BURSTS, "peer_burst_case", "bursts, ours and the peers'", cases=cases,
                    server_case=lambda case: case, measure=measure, server_memory=True, part=("threads",), knobs=KNOBS, beside_peers=True)
