"""Each benchmark group measured as one rotation: every case of the group takes turns.

A group's benchmarks (one per case, so pytest-benchmark keeps a row per case)
share one `Measured`: the rotation's samples, the answers each case gave, and
what each measured server says of itself. Answers are judged here, before any
ratio is formed: a case with a wrong answer gets no ratio (and its benchmark fails).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.clients.http import Answers, BurstClient, SequentialClient
from bench.clients.inprocess_worker import in_process_setup
from bench.harness.load_probe import LoadProbe
from bench.harness.memory import process_tree_memory
from bench.harness.server_pool import ServerPool
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerProcess, health
from bench.method import headlines
from bench.method.paired import Comparison, Rotation, Stream, collect_young, rotate
from bench.method.plan import Case, Plan

# Below this many rounds a ratio gets no interval (a quick run's single cold start).
MIN_ROUNDS_FOR_INTERVAL = 3


@dataclass
class Measured:
    """One group's rotation and what each case left behind, keyed by `str(case)`."""

    scenario: str
    cases: list[Case]
    rotation: Rotation
    setups: dict[str, dict]
    faults: dict[str, list[str]] = field(default_factory=dict)  # wrong answers, in words
    latencies_s: dict[str, list[list[float]]] = field(default_factory=dict)  # per burst, per request
    comparisons: list[Comparison] = field(default_factory=list)
    method: str = "paired rotation, unit by unit"
    memory: dict[str, dict] = field(default_factory=dict)  # the measured processes', after warm-up
    cold_start_parts: dict[str, dict] = field(default_factory=dict)  # per case: median load and warm-up ms

    def samples(self, case: Case) -> list[float]:
        return self.rotation.samples[str(case)]

    def round_medians(self, case: Case) -> list[float]:
        """Per-round medians with the machine's drift taken out (`Rotation.relative_medians`):
        what a figure's own precision is judged on (bench.method.validity)."""
        return self.rotation.relative_medians(str(case))

    def assert_correct(self, case: Case) -> None:
        """A figure counts only correct answers: fail the case's benchmark on any wrong one."""
        faults = self.faults.get(str(case), [])
        assert not faults, f"{len(faults)} wrong answers or errors, first: {faults[0]}"

    def about(self) -> dict:
        """How the figure was measured, for `extra_info`."""
        return {"method": self.method, "rotation_cases": [str(case) for case in self.cases],
                "rotation_rounds": self.rotation.rounds}

    def finish(self, where: Callable | None = None) -> Measured:
        """Form the group's headline ratios among the cases whose every answer was right."""
        if self.rotation.rounds >= MIN_ROUNDS_FOR_INTERVAL:
            correct = [case for case in self.cases if not self.faults.get(str(case))]
            extra = {"where": where} if where else {}
            self.comparisons = headlines.comparisons(self.scenario, self.rotation, correct, **extra)
        return self


def windows_method(per_round: int, discard: int, units: str) -> str:
    return f"paired rotation, steady windows: {per_round} {units} back to back per case per round, after {discard} untimed"


def timed_units(units: list, rounds: int, per_round: int, discard: int) -> list:
    """The timed ones of a stream's units, in order: each round's window after its discarded
    units, the warm-up round (the first) left out."""
    window = discard + per_round
    kept = units[window:]  # the warm-up round
    return [unit for start in range(0, rounds * window, window) for unit in kept[start + discard:start + window]]


def judged(answers: Answers, judge) -> list[str]:
    return [fault for item in answers.items if (fault := judge(*item)) is not None]


def measure_requests(cases: list[Case], plan: Plan, pool: ServerPool, texts: list[str], artifacts,
                     judge_for, between_rounds: Callable[[], object] = collect_young) -> Measured:
    """Single requests, one at a time: each case answers a window of requests back to back (its
    first `plan.request_discard` answered and judged but not timed), cases taking turns window by
    window, as a user's load generator would see each server."""
    clients, setups, memory = {}, {}, {}
    try:
        for case in cases:
            if case.config.in_process:
                from bench.clients import inprocess

                clients[str(case)] = inprocess.InProcessClient(case.graph, artifacts, texts)
            else:
                clients[str(case)] = SequentialClient(f"{pool.get(case).url}/{case.graph}", texts)
                setups[str(case)] = pool.setup_of(case)
                memory[str(case)] = pool.memory_of(case)
        for name, client in clients.items():  # the in-process workers load their kinds meanwhile
            if name not in setups:
                setups[name] = client.wait_ready().setup
                memory[name] = process_tree_memory(client.process.pid)

        def collect_everywhere():
            between_rounds()
            for client in clients.values():
                client.collect()

        streams = [Stream(name, client.timed_unit) for name, client in clients.items()]
        rotation = rotate(streams, plan.request_rounds, plan.requests_per_round, warmup_rounds=1,
                          window=True, discard=plan.request_discard, between_rounds=collect_everywhere)
    finally:
        for client in clients.values():
            client.close()
    # every answer is judged, the warm-up round's too: a wrong one means a broken server
    faults = {str(case): judged(clients[str(case)].answers, judge_for(case.graph)) for case in cases}
    method = windows_method(plan.requests_per_round, plan.request_discard, "requests")
    return Measured("request", cases, rotation, setups, faults, method=method, memory=memory).finish()


def measure_bursts(cases: list[Case], plan: Plan, pool: ServerPool, texts: list[str], judge_for) -> Measured:
    """Bursts of `plan.burst_threads` requests released together: each case fires a window of
    bursts back to back (its first `plan.burst_discard` judged but not timed), cases taking turns
    window by window."""
    clients = {str(case): BurstClient(f"{pool.get(case).url}/{case.graph}", texts, plan.burst_threads) for case in cases}
    rotation = rotate([Stream(name, client.timed_unit) for name, client in clients.items()], plan.burst_rounds,
                      plan.bursts_per_round, warmup_rounds=1, window=True, discard=plan.burst_discard)
    setups = {str(case): pool.setup_of(case) for case in cases}
    memory = {str(case): pool.memory_of(case) for case in cases}
    faults, latencies = {}, {}
    for case in cases:
        client = clients[str(case)]  # every burst's answers judged, the warm-up's too
        faults[str(case)] = client.errors + judged(client.answers, judge_for(case.graph))
        latencies[str(case)] = timed_units(client.bursts, rotation.rounds, plan.bursts_per_round, plan.burst_discard)
    method = windows_method(plan.bursts_per_round, plan.burst_discard, "bursts")
    return Measured(f"burst of {plan.burst_threads}", cases, rotation, setups, faults, latencies,
                    method=method, memory=memory).finish()


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


def measure_cold_starts(cases: list[Case], plan: Plan, artifacts_dir) -> Measured:
    """Process launch → /healthz 200 (Python, the runtime's import, load, warm-up), one launch per
    kind per round, in rotating order; each server is stopped, untimed, before the next launch.
    Each launch's worker reports its own load and warm-up times (`/healthz`): the rest of the
    launch is starting Python and the server and importing the runtime."""
    setups: dict[str, dict] = {}
    parts: dict[str, list[tuple[float, float]]] = {str(case): [] for case in cases}

    def stream(case: Case) -> Stream:
        def launch_and_wait() -> float:
            process = ServerProcess(case.graph, artifacts_dir, **case.config.settings())
            try:
                started = time.perf_counter()
                process.start().wait_healthy()
                elapsed = time.perf_counter() - started
                report = health(process.url)
                setups[str(case)] = report["setup"]
                parts[str(case)].append((report["load_ms"], report["warmup_ms"]))
            finally:
                process.stop()
            return elapsed

        return Stream(str(case), launch_and_wait)

    rotation = rotate([stream(case) for case in cases], plan.cold_start_rounds)
    measured = Measured("cold start", cases, rotation, setups).finish()
    measured.cold_start_parts = {name: {"load_ms": round(float(np.median([p[0] for p in found])), 1),
                                        "warmup_ms": round(float(np.median([p[1] for p in found])), 1)}
                                 for name, found in parts.items() if found}
    return measured
