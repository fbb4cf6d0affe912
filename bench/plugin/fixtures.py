"""The suite's fixtures: the plan, the texts and the answers they must get, the server pool,
each group's rotation (measured once, on first use), and `describe` for each figure's record."""
from __future__ import annotations

import atexit
import time
from pathlib import Path

import numpy as np
import pytest

from bench.harness.server_pool import ServerPool
from bench.harness.supervisor import PROJECT_ROOT
from bench.method import rotations
from bench.method.cases import Case
from bench.method.oracle import Judge
from bench.method.plan import Plan
from bench.plugin.options import plan_for
from bench.plugin.progress import step
from bench.plugin.state import run_state
from bench.questions import QUESTIONS
from bench.results.records import Figure


@pytest.fixture(scope="session")
def plan(pytestconfig) -> Plan:
    return plan_for(pytestconfig)


@pytest.fixture(scope="session")
def texts(plan) -> list:
    """Held-out sentences, sent in turn: real inputs, none seen in training; a model file's requests
    (TF Serving's REST bodies) in a run with `--model`."""
    return plan.subject.requests()


@pytest.fixture(scope="session")
def artifacts(artifacts_dir):
    from sentiment_model.artifacts import load_artifacts

    return load_artifacts(artifacts_dir)


@pytest.fixture(scope="session")
def expected_positive(oracle, texts) -> dict[str, float]:
    """P(POSITIVE) for every pooled text, computed in this process: what servers must answer."""
    return dict(zip(texts, oracle(texts)[:, 1].tolist()))


@pytest.fixture(scope="session")
def judge_for(plan, request):
    """graph kind -> the judge of its answers (shape only for a remote server's model)."""
    def judge(graph: str) -> Judge:
        return plan.subject.judge(graph, lambda: request.getfixturevalue("expected_positive"))

    return judge


def file_answers(config, record: str, measured: rotations.Measured) -> rotations.Measured:
    """File a rotation's headline ratios (of question `record`) for the run's summary and saved JSON."""
    state = run_state(config)
    state.comparisons.extend(measured.comparisons)
    state.question_of.update({comparison.name: record for comparison in measured.comparisons})
    return measured


class SuiteRun:
    """The suite's `bench.questions.question.Run`: what a question's `measure` may use, each made only
    when asked for (the server pool, the loaded artifacts): the plan, the texts, the answer judges, the
    artifacts and the servers; and where each case's code and model are (this checkout's; the gate's
    `bench.questions.gating.SidesRun` answers the same for two checkouts)."""

    def __init__(self, request):
        self._request = request
        self.plan: Plan = request.getfixturevalue("plan")
        self.texts: list[str] = request.getfixturevalue("texts")
        self.judge_for = request.getfixturevalue("judge_for")

    def judge(self, case) -> Judge:
        return self.judge_for(case.graph)

    def root_of(self, case) -> Path:
        return PROJECT_ROOT

    def artifacts_of(self, case) -> Path:
        return self.artifacts_dir

    @property
    def pool(self) -> ServerPool:
        return self._request.getfixturevalue("server_pool")

    @property
    def artifacts(self):
        return self._request.getfixturevalue("artifacts")

    @property
    def artifacts_dir(self) -> Path:
        return self._request.getfixturevalue("artifacts_dir")


@pytest.fixture(scope="session")
def measurements(request):
    """`measurements(question)` -> its `bench.method.rotations.Measured`: the question's selected cases
    measured in one rotation on first use (its servers started first), its answers filed."""
    state, run = run_state(request.config), SuiteRun(request)

    def measured(record: str) -> rotations.Measured:
        if record not in state.measured:
            question = QUESTIONS[record]
            cases = state.group_cases.get(question.parameter, [])  # none: a one-off (the client's cost)
            started = time.monotonic()
            if question.server_case:
                with step(request.config, f"{question.title}: starting the servers"):
                    run.pool.start_group(question.parameter)
            with step(request.config, f"{question.title}: {len(cases)} cases in turn"):
                state.measured[record] = file_answers(request.config, record, question.measure(cases, run))
            state.seconds[record] = round(time.monotonic() - started, 1)  # servers started, then measured
        return state.measured[record]

    return measured


@pytest.fixture(scope="session")
def server_pool(request, pytestconfig, plan):
    state = run_state(pytestconfig)
    # a model file's servers, someone else's: nothing of the suite's own model is trained or loaded
    artifacts_dir = request.getfixturevalue("artifacts_dir") if plan.subject.uses_artifacts else None
    pool = ServerPool(artifacts_dir, state.server_groups, subject=plan.subject)
    atexit.register(pool.stop_all)  # also when the run is interrupted before teardown
    state.pool = pool
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def describe(request):
    """`describe(benchmark, question, case, setup, texts, part=None, **figures)`: stores the figure's record
    (`bench.results.records.Figure`) in `extra_info`, and notes its validity verdict for the summary.

    `setup` is what the measured server reported of itself (`GET /healthz`), or this process's
    own for in-process figures: read, never typed in.
    """
    def record(benchmark, question: str, case: Case, setup: dict, texts: list[str], part: dict | None = None,
               **figures) -> None:
        if undeclared := set(part or {}) - set(QUESTIONS[question].part):  # its module's PART names them
            raise ValueError(f"{question} figures {sorted(undeclared)} are not in its question's part")
        figure = Figure(question=question, graph=case.graph, setup=case.config.id, server_setup=setup,
                        text_chars_mean=round(float(np.mean([len(str(t)) if isinstance(t, str) else len(t.body)
                                                             for t in texts])), 1), part=part or {}, **figures)
        benchmark.extra_info.update(figure.as_extra_info())
        run_state(request.config).figures[request.node.name] = benchmark.extra_info  # the summary compares these
        if "valid" in figures:
            run_state(request.config).verdicts.append(
                (request.node.nodeid, figures["valid"], figures.get("validity_reason", "")))

    return record
