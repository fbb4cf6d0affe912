"""The benchmark questions: one module each, and the registry below that the plugin loops over.

A question is its `Question` entry: the name its figures are stored under, the benchmark
parameter that carries its cases, how it gets its cases from the plan, which servers they need,
how one rotation measures them, and (optionally) its section of the report. The plugin
(`bench/plugin/`) parametrises, starts servers, measures, files the answers and reports from
these entries alone; `bench/test_<question>.py` turns each case's samples into its benchmark.
A new question is its module here, its line in `QUESTIONS`, its benchmark module and a README line.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    record: str  # the `question` of its figures' records (bench.results.records.Figure)
    parameter: str | None  # the benchmark parameter, one value per case; None: a one-off benchmark
    title: str = ""  # what the terminal says while it is measured
    cases: Callable | None = None  # plan -> its cases
    server_case: Callable | None = None  # case -> the bench.method.plan.Case whose server it needs; None: no servers
    measure: Callable | None = None  # (cases, run: bench.plugin.fixtures.Run) -> bench.method.rotations.Measured;
    # None: its benchmark measures each case itself (the open loop)
    report: Callable | None = None  # rows (bench.report.Row) -> its report section's lines
    first: bool = False  # measured before every other question (it must not share the machine with them)


def _registry() -> dict[str, Question]:
    from bench.questions import (
        after_idle,
        bursts,
        client_cost,
        cold_starts,
        instructions,
        loads,
        open_loop,
        single_requests,
    )

    # the report's order
    modules = (single_requests, bursts, loads, cold_starts, open_loop, client_cost, after_idle, instructions)
    return {module.QUESTION.record: module.QUESTION for module in modules}


QUESTIONS = _registry()


def with_parameter() -> list[Question]:
    return [question for question in QUESTIONS.values() if question.parameter]
