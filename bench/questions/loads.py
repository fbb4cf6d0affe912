"""Load + first prediction: each kind's graph loaded afresh and asked once, timed inside a probe
process that imported the runtime once (the seed's "spawn"). Its benchmark: bench/test_spawn.py."""
from __future__ import annotations

from bench.clients.inprocess_worker import in_process_setup
from bench.harness.load_probe import LoadProbe
from bench.harness.supervisor import ROOT_ENV
from bench.method.cases import IN_PROCESS, Case
from bench.method.paired import Stream, collect_young, rotate
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, DEFAULT_LOAD_GRAPHS, SWEEP_GRAPHS
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions.question import GateFlag, Gating, Question

LOAD_TEXT = "the staff was friendly, but the room was dirty"

RECORD = "load"
KNOBS = Knobs(quick=Rounds(3), full=Rounds(20), gate=Rounds(10, launches=2))  # one load per kind per round


def graphs(plan: Plan) -> tuple[str, ...]:
    """The kinds whose registry entry says so (static-xla's first prediction compiles for
    ~2.3 s: only with --bench-extended)."""
    if plan.quick:
        return SWEEP_GRAPHS
    return ALL_GRAPHS if plan.extended else DEFAULT_LOAD_GRAPHS


def measure_loads(cases: list[Case], run, text: str = LOAD_TEXT) -> Measured:
    """Load + first prediction, rotating kind by kind, timed inside a probe process of each case's
    checkout (`bench.harness.load_probe`; one in the suite, one per side and replica in the gate, whose
    cases carry a `replica`: two launches keep their own speed) that imported the runtime once.

    Each load starts from a fresh Keras/TF state, as a new server process would; the warm-up
    round pays one-off kernel set-up; garbage is collected between rounds, never in a load.
    """
    roots = {str(case): run.root_of(case) for case in cases}
    processes = {str(case): (roots[str(case)], getattr(case, "replica", 1)) for case in cases}  # a probe each
    probes: dict = {}
    answers: dict[str, list[float]] = {str(case): [] for case in cases}
    try:
        for case in cases:  # all started, then all awaited: their imports overlap
            if processes[str(case)] not in probes:
                probes[processes[str(case)]] = LoadProbe(roots[str(case)], run.artifacts_of(case), text, ROOT_ENV)
        # each checkout's frozen graph's P(POSITIVE): what every kind of that checkout must give
        references = {process: probe.wait_ready().load("static")[1] for process, probe in probes.items()}

        def stream(case: Case) -> Stream:
            probe = probes[processes[str(case)]]

            def load_and_predict() -> float:
                seconds, positive = probe.load(case.graph)
                answers[str(case)].append(positive)
                return seconds

            return Stream(str(case), load_and_predict)

        def collect_everywhere() -> None:
            for probe in probes.values():
                probe.collect()
            collect_young()

        rotation = rotate([stream(case) for case in cases], run.plan.rounds_of(RECORD).rounds, warmup_rounds=1,
                          between_rounds=collect_everywhere)
    finally:
        for probe in probes.values():
            probe.close()
    faults = {str(case): [f"P(POSITIVE) {p:.6f} != {references[processes[str(case)]]:.6f}" for p in answers[str(case)]
                          if abs(p - references[processes[str(case)]]) > 1e-5] for case in cases}
    server_setups = {str(case): in_process_setup(case.graph, run.artifacts_of(case)) for case in cases}
    return Measured("load + first prediction", cases, rotation, server_setups, faults).finish(where=lambda config: "")


# the load probe loads the suite's own model (no sweep): a model file's forms load in its cold starts
QUESTION = Question(RECORD, "load_case", "load + first prediction, a fresh graph each time",
                    cases=lambda plan: [Case(graph, IN_PROCESS) for graph in graphs(plan)], case_id=lambda case: case.graph,
                    measure=measure_loads,
                    seed_ratios=(("load + first prediction", "load + first prediction: static / dynamic"),),
                    gate=Gating(lambda graphs, _server: [Case(graph, IN_PROCESS) for graph in graphs], measure_loads,
                                threshold="coarse", what="loads slower", alias="loads",
                                flags=(GateFlag("--load-rounds", "rounds", "rounds of loads"),)),
                    knobs=KNOBS)
