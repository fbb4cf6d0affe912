"""The questions the suite has asked from the start: single requests, bursts, load + first
prediction, cold starts, the open loop, and the client's own cost. Their measurement lives in
`bench.method.rotations` (shared with the regression gate) and `bench.clients.openloop`."""
from __future__ import annotations

from bench.method import rotations
from bench.method.plan import IN_PROCESS, Case, ServerConfig
from bench.questions import Question
from bench.results import records

LOAD_TEXT = "the staff was friendly, but the room was dirty"
COLD_START_SERVER = ServerConfig("gunicorn", 1)

REQUEST = Question(
    records.REQUEST, "request_case", "single requests", cases=lambda plan: plan.request_cases,
    server_case=lambda case: case,
    measure=lambda cases, run: rotations.measure_requests(cases, run.plan, run.pool, run.texts, run.artifacts,
                                                          run.judge_for))
BURST = Question(
    records.BURST, "burst_case", "bursts", cases=lambda plan: plan.burst_cases, server_case=lambda case: case,
    measure=lambda cases, run: rotations.measure_bursts(cases, run.plan, run.pool, run.texts, run.judge_for))
LOAD = Question(
    records.LOAD, "load_graph", "load + first prediction, a fresh graph each time", cases=lambda plan: list(plan.load_graphs),
    measure=lambda graphs, run: rotations.measure_loads([Case(graph, IN_PROCESS) for graph in graphs], run.plan,
                                                        run.artifacts, LOAD_TEXT))
COLD_START = Question(
    records.COLD_START, "cold_start_graph", "cold starts, each a fresh server", cases=lambda plan: list(plan.cold_start_graphs),
    measure=lambda graphs, run: rotations.measure_cold_starts([Case(graph, COLD_START_SERVER) for graph in graphs],
                                                              run.plan, run.artifacts_dir))
OPEN_LOOP = Question(records.OPEN_LOOP, "openloop_case", cases=lambda plan: plan.openloop_cases,
                     server_case=lambda case: case)
CLIENT_COST = Question(records.CLIENT_COST, None)  # its benchmark runs its own minimal server

QUESTIONS = (REQUEST, BURST, LOAD, COLD_START, OPEN_LOOP, CLIENT_COST)
