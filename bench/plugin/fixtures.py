"""The suite's fixtures: the plan, the texts and the answers they must get, the server pool,
each group's rotation (measured once, on first use), and `describe` for each figure's record."""
from __future__ import annotations

import atexit

import numpy as np
import pytest

from bench import rotations
from bench.oracle import AnswerJudge
from bench.plan import Case, Plan, request_texts
from bench.plugin.options import plan_for
from bench.plugin.progress import step
from bench.plugin.state import run_state
from bench.records import Figure
from bench.servers import ServerPool

SPAWN_TEXT = "the staff was friendly, but the room was dirty"


@pytest.fixture(scope="session")
def plan(pytestconfig) -> Plan:
    return plan_for(pytestconfig)


@pytest.fixture(scope="session")
def texts() -> list[str]:
    """Held-out sentences, sent in turn: real inputs, none seen in training."""
    return request_texts()


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
    def judge(graph: str) -> AnswerJudge:
        expected = None if plan.remote_url else request.getfixturevalue("expected_positive")
        return AnswerJudge(graph, expected)

    return judge


def file_answers(config, measured: rotations.Measured) -> rotations.Measured:
    """File a rotation's headline ratios for the run's summary and saved JSON (a new question's
    fixture calls this too)."""
    run_state(config).comparisons.extend(measured.comparisons)
    return measured


def measure_group(config, group: str, title: str, measure, pool: ServerPool | None = None) -> rotations.Measured:
    """Start the group's servers (if it has any), run `measure(cases)` as one rotation, file its answers."""
    cases = run_state(config).group_cases[group]
    if pool is not None:
        with step(config, f"{title}: starting the servers"):
            pool.start_group(group)
    with step(config, f"{title}: {len(cases)} cases in turn"):
        return file_answers(config, measure(cases))


@pytest.fixture(scope="session")
def measured_requests(pytestconfig, plan, server_pool, texts, artifacts, judge_for) -> rotations.Measured:
    """Every selected single-request case, measured in one rotation (first use runs it)."""
    return measure_group(pytestconfig, "request_case", f"single requests, {plan.request_rounds} rounds",
                         lambda cases: rotations.measure_requests(cases, plan, server_pool, texts, artifacts, judge_for),
                         server_pool)


@pytest.fixture(scope="session")
def measured_bursts(pytestconfig, plan, server_pool, texts, judge_for) -> rotations.Measured:
    return measure_group(pytestconfig, "burst_case", f"bursts, {plan.burst_rounds} rounds",
                         lambda cases: rotations.measure_bursts(cases, plan, server_pool, texts, judge_for), server_pool)


@pytest.fixture(scope="session")
def measured_after_idle(pytestconfig, plan, server_pool, texts, judge_for) -> rotations.Measured:
    return measure_group(pytestconfig, "after_idle_case", "after idle",
                         lambda cases: rotations.measure_after_idle(cases, plan, server_pool, texts, judge_for),
                         server_pool)


@pytest.fixture(scope="session")
def measured_loads(pytestconfig, plan, artifacts) -> rotations.Measured:
    return measure_group(pytestconfig, "spawn_graph", "load + first prediction, each in a fresh process",
                         lambda cases: rotations.measure_loads(cases, plan, artifacts, SPAWN_TEXT))


@pytest.fixture(scope="session")
def measured_cold_starts(pytestconfig, plan, artifacts_dir) -> rotations.Measured:
    return measure_group(pytestconfig, "cold_start_graph", "cold starts, each a fresh server",
                         lambda cases: rotations.measure_cold_starts(cases, plan, artifacts_dir))


@pytest.fixture(scope="session")
def server_pool(artifacts_dir, pytestconfig, plan):
    state = run_state(pytestconfig)
    pool = ServerPool(artifacts_dir, plan.remote_url, state.server_groups)
    atexit.register(pool.stop_all)  # also when the run is interrupted before teardown
    state.pool = pool
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def describe(request):
    """`describe(benchmark, question, case, setup, texts, **figures)`: stores the figure's record
    (`bench.records.Figure`) in `extra_info`, and notes its validity verdict for the summary.

    `setup` is what the measured server reported of itself (`GET /healthz`), or this process's
    own for in-process figures: read, never typed in.
    """
    def record(benchmark, question: str, case: Case, setup: dict, texts: list[str], **figures) -> None:
        figure = Figure(question=question, graph=case.graph, setup=case.config.id, server_setup=setup,
                        text_chars_mean=round(float(np.mean([len(t) for t in texts])), 1), **figures)
        benchmark.extra_info.update(figure.as_extra_info())
        if "valid" in figures:
            run_state(request.config).verdicts.append(
                (request.node.nodeid, figures["valid"], figures.get("validity_reason", "")))

    return record
