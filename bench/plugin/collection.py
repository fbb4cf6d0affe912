"""Parametrisation from the plan through the question registry (`bench.questions`), and which
cases and servers each question's rotation takes: only the selected ones, so `-k` narrows the
rotation and the servers too."""
from __future__ import annotations

import pytest

from bench.method.launches import launches_of
from bench.plugin.options import plan_for
from bench.plugin.state import run_state
from bench.questions import with_parameter


def pytest_generate_tests(metafunc):
    plan = plan_for(metafunc.config)
    for question in with_parameter():
        if question.parameter in metafunc.fixturenames:
            cases = plan.subject.cases(question, plan) if plan.asks(question) else []
            if not cases:  # not asked in this run (a model file's, someone else's server): one skip, no case
                flag = f" (measured with --bench-{question.opt_in})" if question.opt_in and not plan.asks(question) else ""
                metafunc.parametrize(question.parameter, [pytest.param(None, marks=pytest.mark.skip(
                    reason=f"{question.record}: not measured in this run{flag}"))], ids=["none"])
                continue
            metafunc.parametrize(question.parameter, cases, ids=question.case_id)


def _value(item, parameter: str):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(parameter) if callspec else None


@pytest.hookimpl(trylast=True)  # after `-k`/`-m` deselection: only the selected cases count
def pytest_collection_modifyitems(config, items):
    """Put the benchmarks of questions measured first (instructions: valgrind must not share the
    machine with a wall clock) in front; remember each question's selected cases (its rotation
    takes them in this order), the servers they need (started together when the question is
    measured), and its benchmarks not yet run (its servers stop after the last one)."""
    state, plan = run_state(config), plan_for(config)
    first = [question.parameter for question in with_parameter() if question.first]
    items.sort(key=lambda item: not any(_value(item, parameter) is not None for parameter in first))  # stable
    for question in with_parameter():
        selected = state.group_cases.setdefault(question.parameter, [])
        for item in items:
            if (case := _value(item, question.parameter)) is None:
                continue
            if case not in selected:
                selected.append(case)
            if question.server_case:  # every process of the case's server (bench.method.launches)
                count = plan.rounds_of(question.record).launches if question.knobs else 1
                state.server_groups.setdefault(question.parameter, []).extend(
                    launches_of([question.server_case(case)], count))
                state.group_items.setdefault(question.parameter, set()).add(item.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After a question's last benchmark, stop the servers no later question needs (peak memory)."""
    state = run_state(item.config)
    for name, waiting in state.group_items.items():
        if item.nodeid in waiting:
            waiting.discard(item.nodeid)
            if not waiting and state.pool is not None:
                state.pool.release(name)
