"""Load + first prediction: each kind's graph loaded afresh and asked once, timed inside a probe
process that imported the runtime once (the seed's "spawn"). Its benchmark: bench/test_spawn.py."""
from __future__ import annotations

from bench.clients.inprocess_worker import in_process_setup
from bench.harness.load_probe import LoadProbe
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV
from bench.method.paired import Stream, collect_young, rotate
from bench.method.plan import ALL_GRAPHS, DEFAULT_LOAD_GRAPHS, IN_PROCESS, SWEEP_GRAPHS, Case, Plan
from bench.method.rotations import Measured
from bench.questions import Question

LOAD_TEXT = "the staff was friendly, but the room was dirty"

RECORD = "load"


def graphs(plan: Plan) -> tuple[str, ...]:
    """The kinds whose registry entry says so (static-xla's first prediction compiles for
    ~2.3 s: only with --bench-extended)."""
    if plan.quick:
        return SWEEP_GRAPHS
    return ALL_GRAPHS if plan.extended else DEFAULT_LOAD_GRAPHS


def measure_loads(cases: list[Case], plan: Plan, artifacts, text: str) -> Measured:
    """Load + first prediction, rotating kind by kind, timed inside a probe process of this
    checkout (`bench.harness.load_probe`, the regression gate's too) that imported the runtime once.

    Each load starts from a fresh Keras/TF state, as a new server process would; the warm-up
    round pays one-off kernel set-up; garbage is collected between rounds, never in a load.
    """
    probe = LoadProbe(PROJECT_ROOT, artifacts.root, text, ROOT_ENV).wait_ready()
    answers: dict[str, list[float]] = {str(case): [] for case in cases}
    try:
        _, reference = probe.load("static")  # the frozen graph's P(POSITIVE): what every kind must give

        def stream(case: Case) -> Stream:
            def load_and_predict() -> float:
                seconds, positive = probe.load(case.graph)
                answers[str(case)].append(positive)
                return seconds

            return Stream(str(case), load_and_predict)

        def collect_everywhere() -> None:
            probe.collect()
            collect_young()

        rotation = rotate([stream(case) for case in cases], plan.load_rounds, warmup_rounds=1,
                          between_rounds=collect_everywhere)
    finally:
        probe.close()
    faults = {name: [f"P(POSITIVE) {p:.6f} != {reference:.6f}" for p in found if abs(p - reference) > 1e-5]
              for name, found in answers.items()}
    setups = {str(case): in_process_setup(case.graph, artifacts) for case in cases}
    return Measured("load + first prediction", cases, rotation, setups, faults).finish(where=lambda config: "")


QUESTION = Question(RECORD, "load_graph", "load + first prediction, a fresh graph each time",
                    cases=lambda plan: list(graphs(plan)),
                    measure=lambda kinds, run: measure_loads([Case(graph, IN_PROCESS) for graph in kinds], run.plan,
                                                             run.artifacts, LOAD_TEXT))
