"""The regression gate's measurement: each gated question's own `measure`, with base and candidate
as two sides of every case in one rotation (`python -m bench.gate` keeps the checkout, the verdict
and the output).

A side is a checkout with its own trained model and the answers that model gives; a case with a
side (`SideCase`) is measured like any case, its server started from its side's pool (each
side's servers run its own code) and its answers judged against its side's model. While a
figure looks slower than its threshold but its interval does not show it yet, the question's
rotation runs again on the same processes and all rounds are judged together, up to `--looks`
and a time budget (sequential sampling, as Pinpoint's; every look paid for in the confidence).

Each timed case runs on its gate rounds' `launches` processes per side (servers; load probes), all in the rotation, a side's round
value the geometric mean of its processes' round medians: two launches of the same code keep
their own speed (identical servers here: 0.962 [0.946, 0.975] on one no-op gate, 1.019 [1.008,
1.024] in issue 28's A/A rotation), an offset no number of rounds on one process averages away; over
two processes per side it shrinks by √2 and varies from gate to gate as the interval does not.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from bench.clients.http import SequentialClient
from bench.harness.checkouts import Side
from bench.harness.server_pool import ServerPool
from bench.harness.supervisor import ServerError
from bench.method import launches
from bench.method.cases import Case, ServerConfig, default_server
from bench.method.oracle import AnswerJudge, judged
from bench.method.plan import Plan
from bench.method.policy import GRAPH_PAIRS
from bench.method.stats import bootstrap_ratio_ci, regression_verdict, widened
from bench.questions import QUESTIONS
from bench.questions.question import Question

SLOWER = 1  # bench.method.stats.regression_verdict: the interval's bottom above the threshold
INFO_KIND = "info"  # a figure's kind when it is shown, not judged (bench.method.verdicts.INFO)


class SideCase(NamedTuple):
    """A case measured for one side (on one of its server processes, `replica`): named e.g.
    "base static-gunicorn-w1" or "candidate#2 static-gunicorn-w1" in the rotation."""

    side: str
    case: Case
    replica: int = 1

    @property
    def process(self) -> str:
        """Which of the side's server processes: its pool's key."""
        return self.side if self.replica == 1 else f"{self.side}#{self.replica}"

    @property
    def graph(self) -> str:
        return self.case.graph

    @property
    def config(self) -> ServerConfig:
        return self.case.config

    def __str__(self) -> str:
        return f"{self.process} {self.case}"


class SideFailed(Exception):
    """A side could not serve or answer: the candidate fails (exit 1), a broken base cannot be compared."""

    def __init__(self, side: str, message: str):
        super().__init__(message)
        self.side = side


class WrongAnswer(SideFailed):
    """A side answered wrongly."""


class SidesPool:
    """The gate's servers (bench.questions.question.Servers): `replicas` pools per side, each case's
    server taken from the pool of its side and replica. The open loop's `cpu_clock_of` and `relaunch`
    are not here: no gated question searches capacity."""

    def __init__(self, sides: list[Side], replicas: int):
        self.pools = {SideCase(side.name, None, replica).process: ServerPool(side.artifacts, project_root=side.root)
                      for side in sides for replica in range(1, replicas + 1)}

    def get(self, case: SideCase):
        return self.pools[case.process].get(case.case)

    def endpoint(self, case: SideCase) -> str:
        return self.pools[case.process].endpoint(case.case)

    def server_setup_of(self, case: SideCase) -> dict:
        return self.pools[case.process].server_setup_of(case.case)

    def memory_of(self, case: SideCase) -> dict | None:
        return None  # not the gate's question

    def launch(self, cases: list[SideCase]) -> None:
        """Stop the servers of the question before (so a question without servers, loads, is timed on
        a quiet machine), start every side's servers for `cases` together, then wait for all. A
        server that cannot start is its side's failure (`SideFailed`)."""
        self.stop_all()
        for case in cases:
            with _blamed_on(case.side):
                self.pools[case.process].launch([case.case])
        for process, pool in self.pools.items():
            with _blamed_on(process.split("#")[0]):
                pool.wait_healthy()

    def stop_all(self) -> None:
        for pool in self.pools.values():
            pool.stop_all()


class SidesRun:
    """The gate's `bench.questions.question.Run`, for cases with a side: each side's code, model and answers."""

    artifacts = None  # no in-process client is gated
    artifacts_dir = None

    def __init__(self, sides: list[Side], plan: Plan, texts: list[str]):
        self.sides = {side.name: side for side in sides}
        # each question's processes a side: its cases come with a side and a replica (SideCase), so its
        # own `measure` sees one process per case
        self.replicas = {record: rounds.launches for record, rounds in plan.rounds.items()}
        self.plan = replace(plan, rounds={record: replace(rounds, launches=1) for record, rounds in plan.rounds.items()})
        self.texts = texts
        self.pool = SidesPool(sides, max(self.replicas.values(), default=1))

    def judge(self, case: SideCase) -> AnswerJudge:
        return AnswerJudge(case.graph, self.sides[case.side].expected)

    def root_of(self, case: SideCase) -> Path:
        return self.sides[case.side].root

    def artifacts_of(self, case: SideCase) -> Path:
        return self.sides[case.side].artifacts

    def launch(self, cases: list[SideCase]) -> None:
        self.pool.launch(cases)

    def stop_all(self) -> None:
        self.pool.stop_all()


@contextmanager
def _blamed_on(side: str):
    """A server of `side` that fails to start or to become healthy is that side's failure."""
    try:
        yield
    except ServerError as error:
        raise SideFailed(side, f"{side}: a server could not start: {error}") from None


def check_sides_serve(run: SidesRun, graphs: tuple[str, ...], server: str) -> None:
    """Before anything is timed: every gated kind of each side on `server`, launched and asked once,
    its answer judged. A candidate that cannot serve or answer fails here (`SideFailed`), before the
    instruction counts, which could not say which side broke."""
    cases = [SideCase(side, Case(graph, default_server(1, server))) for graph in graphs for side in run.sides]
    try:
        run.launch(cases)
        for case in cases:
            client = SequentialClient(run.pool.endpoint(case), run.texts[:1])
            try:
                client.one_request()
            finally:
                client.close()
            if faults := judged(client.answers, run.judge(case)):
                raise WrongAnswer(case.side, f"{case} answered wrongly: {faults[0]}")
    finally:
        run.stop_all()


class GateFigure(NamedTuple):
    """One gated figure as measured: both sides' per-round values, and what its verdict needs besides."""

    label: str
    base: list[float]
    candidate: list[float]
    kind: str  # which threshold: "fine", "coarse", "exact", or INFO_KIND
    note: str = ""  # what a change of it means
    where: tuple[str, ...] | list[str] = ()  # where a change went: the question's `Gating.where`
    # the spread between the processes of each side's case in its question (bench.method.launches)
    spreads: tuple[launches.Spread, ...] = ()
    processes: int = 1  # per side's case
    means: int = 2  # the means over a side's processes it compares: base's and candidate's (a kind ratio: four)

    def launch_floor(self, spreads: tuple[launches.Spread, ...] | None = None) -> launches.Spread:
        """(the launch variance its log ratio carries, the degrees of freedom of σ²): σ² pooled over
        `spreads` (default: its question's; the gate pools every question's for its verdicts), σ²/k
        per mean over k processes."""
        variance, df = launches.pooled(list(self.spreads if spreads is None else spreads))
        return variance / self.processes * self.means, df


def gated(groups: list[str]) -> list[Question]:
    return [QUESTIONS[group] for group in groups]


def measure_question(question: Question, graphs: tuple[str, ...], server: str, run: SidesRun, budget_s: float,
                     thresholds: Mapping[str, float], confidence: float, max_looks: int = 1) -> list[GateFigure]:
    """The question's figures, candidate against base, rotating again while a judged one looks slower
    than its threshold without its interval (at `confidence`, each look's) showing it, up to `max_looks`
    looks and `budget_s` seconds after the first; the questions that measure through HTTP do it on
    `server` (serving.servers)."""
    cases = question.gate.cases(graphs, server)
    # every timed figure on its gate rounds' launches a side (servers, or load probes); a count repeats exactly
    replicas = 1 if question.gate.threshold == "exact" else run.replicas.get(question.record, 1)
    sided = [SideCase(side, case, replica) for case in cases for side in run.sides for replica in range(1, replicas + 1)]
    run.launch([case for case in sided if case.config.launched])
    merged, looks, first_look_s = {str(case): [] for case in sided}, 0, None
    started = time.monotonic()
    while True:
        looks += 1
        measured = question.gate.measure(sided, run)
        for case in sided:
            if faults := measured.faults.get(str(case)):
                raise WrongAnswer(case.side, f"{case} answered wrongly: {faults[0]}")
            merged[str(case)] += measured.rotation.round_medians[str(case)]
        figures = _figures(question, measured, cases, run, *_by_side(sided, merged), replicas)
        elapsed = time.monotonic() - started
        first_look_s = elapsed if first_look_s is None else first_look_s
        extra_s = elapsed - first_look_s  # what the looks after the first have taken
        if question.gate.threshold == "exact" or looks >= max_looks or extra_s > budget_s or not any(
                _suspected(figure, thresholds[figure.kind], confidence) for figure in figures if figure.kind != INFO_KIND):
            return figures


def _by_side(sided: list[SideCase], merged: dict[str, list[float]]) -> tuple[dict[str, list[float]], tuple[launches.Spread, ...]]:
    """("side case" -> per-round values, the geometric mean over the side's processes; the spread
    between each side case's processes: bench.method.launches)."""
    groups: dict[str, list[list[float]]] = {}
    for case in sided:
        groups.setdefault(f"{case.side} {case.case}", []).append(merged[str(case)])
    return ({name: launches.geometric_mean_rounds(processes) for name, processes in groups.items()},
            tuple(launches.spread(processes) for processes in groups.values() if len(processes) > 1))


def _suspected(figure: GateFigure, threshold: float, confidence: float) -> bool:
    """Whether the figure looks slower than its threshold (its median ratio above it) without the
    interval, its launch floor inside, showing it yet: what more rounds settle. An unchanged
    candidate seldom looks slower than the threshold, so a no-op gate seldom pays for another look;
    a real slowdown near the threshold gets the rounds that decide it."""
    ratio, low, high = bootstrap_ratio_ci(figure.base, figure.candidate, confidence)
    variance, df = figure.launch_floor() if figure.spreads else (0.0, 0)
    low, high = widened(ratio, low, high, variance, confidence, df)
    return ratio > 1 + threshold and regression_verdict(low, high, threshold) != SLOWER


def _figures(question: Question, measured, cases: list[Case], run: SidesRun,
             merged: dict[str, list[float]], spreads: tuple[launches.Spread, ...], replicas: int) -> list[GateFigure]:
    sides = list(run.sides)
    base, candidate = sides
    note = question.gate.note or (lambda case, run: "")

    def where(case: Case) -> list[str]:
        records = [measured.profiles.get(str(SideCase(side, case))) for side in sides]
        return question.gate.where(*records) if question.gate.where and None not in records else []

    found = [GateFigure(f"{measured.scenario} {case.graph}{f' {case.config.id}' if case.config.launched else ''}",
                        merged[f"{base} {case}"], merged[f"{candidate} {case}"], question.gate.threshold,
                        note(SideCase(candidate, case), run), where(case), spreads, replicas) for case in cases]
    # Each side's ratio between kinds, round by round: information, never a verdict (a kind made
    # faster moves it as much as the other made slower), with its two-sided interval.
    if question.gate.kind_ratios:
        by_graph = {case.graph: case for case in cases}
        for top, bottom in GRAPH_PAIRS:
            if top in by_graph and bottom in by_graph:
                found.append(GateFigure(f"ratio {top} ÷ {bottom}", *[
                    [t / b for t, b in zip(merged[f"{side} {by_graph[top]}"], merged[f"{side} {by_graph[bottom]}"])]
                    for side in sides], INFO_KIND, spreads=spreads, processes=replicas, means=4))
    return found
