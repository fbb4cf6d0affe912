"""Parametrisation from the plan, and which cases and servers each group's rotation takes
(only the selected ones: `-k` narrows the rotation and the servers too)."""
from __future__ import annotations

import pytest

from bench.plan import Case, ServerConfig
from bench.plugin.options import plan_for
from bench.plugin.state import run_state

# parameter name -> the plan's cases for it
PARAMETERS = {
    "spawn_graph": lambda plan: list(plan.spawn_graphs),
    "cold_start_graph": lambda plan: list(plan.cold_start_graphs),
    "request_case": lambda plan: plan.request_cases,
    "burst_case": lambda plan: plan.burst_cases,
    "openloop_case": lambda plan: plan.openloop_cases,
    "after_idle_case": lambda plan: plan.after_idle_cases,
}
SERVED = ("request_case", "burst_case", "openloop_case", "after_idle_case")  # their cases need servers
ROTATED = {  # parameter name -> how its graph kinds are served in its rotation (None: the case says)
    "spawn_graph": ServerConfig("in-process"), "cold_start_graph": ServerConfig("gunicorn", 1),
    "request_case": None, "burst_case": None, "after_idle_case": None,
}


def pytest_generate_tests(metafunc):
    plan = plan_for(metafunc.config)
    for argument, cases in PARAMETERS.items():
        if argument in metafunc.fixturenames:
            metafunc.parametrize(argument, cases(plan), ids=str)


def _parameter(item, name: str):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec else None


@pytest.hookimpl(trylast=True)  # after `-k`/`-m` deselection: only the selected cases count
def pytest_collection_modifyitems(config, items):
    """Remember which servers each group's selected benchmarks need, to start them together when
    the group runs and stop them after it, and which cases each group's rotation takes."""
    state = run_state(config)
    for item in items:
        for name in SERVED:
            if (case := _parameter(item, name)) is not None:
                state.server_groups.setdefault(name, []).append(getattr(case, "case", case))  # an AfterIdle's server
                state.group_items.setdefault(name, set()).add(item.nodeid)
    state.group_cases = {name: [] for name in ROTATED}
    for item in items:
        for name, served in ROTATED.items():
            if (value := _parameter(item, name)) is not None:
                case = Case(value, served) if served else value
                if case not in state.group_cases[name]:
                    state.group_cases[name].append(case)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After a group's last benchmark, stop the servers no later group needs (peak memory)."""
    state = run_state(item.config)
    for name, waiting in state.group_items.items():
        if item.nodeid in waiting:
            waiting.discard(item.nodeid)
            if not waiting and state.pool is not None:
                state.pool.release(name)
