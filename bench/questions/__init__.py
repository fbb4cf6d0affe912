"""The benchmark questions: one module each, and the registry below that the plugin loops over.

A question is its `Question` entry: the name its figures are stored under, the benchmark
parameter that carries its cases, how it gets its cases from the plan, which servers they need,
how one rotation measures them, and (optionally) its section of the report. The plugin
(`bench/plugin/`) parametrises, starts servers, measures, files the answers and reports from
these entries alone; `bench/test_<question>.py` turns each case's samples into its benchmark.
A new question is its module here, its line in `QUESTIONS`, its benchmark module and a README line.
"""
from __future__ import annotations

from bench.method.rounds import Knobs
from bench.questions.question import Question


def _registry() -> dict[str, Question]:
    from bench.questions import (
        after_idle,
        bursts,
        client_cost,
        cold_starts,
        instructions,
        loads,
        open_loop,
        peer_bursts,
        peer_cold_starts,
        peer_requests,
        single_requests,
    )

    # the report's order, and the gate's (instructions first: counted before any server starts; loads
    # after requests and bursts: timed once their servers are stopped)
    # the peers' last: measured only with --bench-peers
    modules = (instructions, single_requests, bursts, loads, cold_starts, open_loop, client_cost, after_idle,
               peer_requests, peer_bursts, peer_cold_starts)
    return {module.QUESTION.record: module.QUESTION for module in modules}


QUESTIONS = _registry()


def knobs() -> dict[str, Knobs]:
    """Every question's rounds by its record, for `bench.method.plan.Plan.from_options` and `.for_gate`."""
    return {question.record: question.knobs for question in QUESTIONS.values() if question.knobs}


def parts() -> dict[str, tuple[str, ...]]:
    """Each question's own figures (its records' `part`), by its record: how a saved run is read."""
    return {record: question.part for record, question in QUESTIONS.items()}


def with_parameter() -> list[Question]:
    return [question for question in QUESTIONS.values() if question.parameter]
