"""Benchmark options and fixtures: the plan, running servers, answer checking."""
from __future__ import annotations

import atexit
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from bench import headlines, rotations
from bench.environment import client_info
from bench.memory import PeakMemory
from bench.oracle import AnswerJudge
from bench.plan import Case, Plan, ServerConfig, request_texts
from bench.records import Figure
from bench.servers import ServerPool

SPAWN_TEXT = "the staff was friendly, but the room was dirty"


def pytest_addoption(parser):
    group = parser.getgroup("tfserve-bench")
    group.addoption("--bench-quick", action="store_true", help="fewer cases and rounds (CI smoke run, under a minute once trained)")
    group.addoption("--bench-workers", default=None, help="gunicorn worker counts to sweep, e.g. 1,2,4 (default 1,2; with --bench-extended 1,2,4)")
    group.addoption("--bench-extended", action="store_true",
                    help="also cold starts of every kind, bursts on the Flask dev server, saved_model and "
                         "static-xla micro-batching bursts, waitress's requests and bursts, "
                         "a second open-loop search (about a minute more)")
    group.addoption("--bench-change-threshold", type=float, default=headlines.CHANGE_THRESHOLD, metavar="F",
                    help="with --benchmark-compare: a ratio CHANGED only when its interval and the compared run's "
                         "are apart and it moved by more than this fraction (default 0.05)")
    group.addoption("--serving-url", default=os.environ.get("TFSERVE_URL"),
                    help="measure an already-running server (request, burst, open loop) instead of launching ones; "
                         "env TFSERVE_URL")


# What this run keeps between pytest's hooks, in pytest's own per-run store.
SERVER_GROUPS = pytest.StashKey[dict]()  # parameter name -> its selected cases (the pool launches their servers)
GROUP_ITEMS = pytest.StashKey[dict]()  # parameter name -> node ids of its benchmarks not yet run
POOL = pytest.StashKey["ServerPool"]()  # the run's servers, once a benchmark asked for them
PEAK_MEMORY = pytest.StashKey[PeakMemory]()  # the machine's used memory, sampled through the run
GROUP_CASES = pytest.StashKey[dict]()  # parameter name -> the selected cases, measured in one rotation
COMPARISONS = pytest.StashKey[list]()  # every rotation's headline ratios (bench.paired.Comparison)
SAVED_BEFORE = pytest.StashKey[list]()  # saved runs that existed before this one, for --benchmark-compare
REMOTE_GRAPH = pytest.StashKey[str]()  # graph kind of --serving-url, read once from its /healthz
VERDICTS = pytest.StashKey[list]()  # (benchmark name, valid, reason) of every judged figure


def pytest_generate_tests(metafunc):
    plan = _plan(metafunc.config)
    for argument, values in (
        ("spawn_graph", list(plan.spawn_graphs)),
        ("cold_start_graph", list(plan.cold_start_graphs)),
        ("request_case", plan.request_cases),
        ("burst_case", plan.burst_cases),
        ("openloop_case", plan.openloop_cases),
        ("after_idle_case", plan.after_idle_cases),
    ):
        if argument in metafunc.fixturenames:
            metafunc.parametrize(argument, values, ids=str)


ROTATED = {  # parameter name -> how its graph kinds are served in its rotation
    "spawn_graph": ServerConfig("in-process"), "cold_start_graph": ServerConfig("gunicorn", 1),
    "request_case": None, "burst_case": None, "after_idle_case": None,
}


@pytest.hookimpl(trylast=True)  # after `-k`/`-m` deselection: only the selected cases count
def pytest_collection_modifyitems(config, items):
    """Remember which servers each group's selected benchmarks need, to start them together
    when the group runs and stop them after it, and which cases each group's rotation takes
    (only the selected ones: `-k` narrows the rotation and the servers too)."""
    served, group_items = {}, {}
    for item in items:
        for name in ("request_case", "burst_case", "openloop_case", "after_idle_case"):
            if (case := getattr(item, "callspec", None) and item.callspec.params.get(name)) is not None:
                served.setdefault(name, []).append(getattr(case, "case", case))  # an AfterIdle's server
                group_items.setdefault(name, set()).add(item.nodeid)
    config.stash[SERVER_GROUPS] = served
    config.stash[GROUP_ITEMS] = group_items
    groups: dict[str, list[Case]] = {name: [] for name in ROTATED}
    for item in items:
        for name, served in ROTATED.items():
            if (value := getattr(item, "callspec", None) and item.callspec.params.get(name)) is not None:
                case = Case(value, served) if served else value
                if case not in groups[name]:
                    groups[name].append(case)
    config.stash[GROUP_CASES] = groups


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    """Check the options once, before collection, so a bad one is a one-line usage error."""
    # SIGTERM (a CI runner cancelling the job) takes Ctrl-C's path: fixtures tear down, servers stop.
    signal.signal(signal.SIGTERM, _interrupt)
    config.stash[PEAK_MEMORY] = PeakMemory().start()
    config.stash[SAVED_BEFORE] = _saved_runs(config)
    url = config.getoption("--serving-url", default=None)
    if url:
        config.stash[REMOTE_GRAPH] = _remote_graph(url.rstrip("/"))
    try:
        _plan(config)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_unconfigure(config):
    if PEAK_MEMORY in config.stash:
        config.stash[PEAK_MEMORY].stop()


def _plan(config) -> Plan:
    url = config.getoption("--serving-url")
    return Plan.from_options(config.getoption("--bench-quick"), config.getoption("--bench-workers"),
                             url.rstrip("/") if url else None, config.stash.get(REMOTE_GRAPH, None),
                             config.getoption("--bench-extended"))


def _remote_graph(url: str) -> str:
    """The graph kind a running server serves, from its /healthz; a one-line usage error if unreachable."""
    import requests

    try:
        response = requests.get(f"{url}/healthz", timeout=10)
        response.raise_for_status()
        return response.json()["graph"]
    except (requests.RequestException, ValueError, KeyError) as error:
        raise pytest.UsageError(f"--serving-url {url}: no healthy tfserve-bench server there ({error})") from None


@pytest.fixture(scope="session")
def plan(pytestconfig) -> Plan:
    return _plan(pytestconfig)


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
    config.stash.setdefault(COMPARISONS, []).extend(measured.comparisons)
    return measured


@pytest.fixture(scope="session")
def measured_requests(pytestconfig, plan, server_pool, texts, artifacts, judge_for) -> rotations.Measured:
    """Every selected single-request case, measured in one rotation (first use runs it)."""
    server_pool.start_group("request_case")
    cases = pytestconfig.stash[GROUP_CASES]["request_case"]
    return file_answers(pytestconfig, rotations.measure_requests(cases, plan, server_pool, texts, artifacts, judge_for))


@pytest.fixture(scope="session")
def measured_bursts(pytestconfig, plan, server_pool, texts, judge_for) -> rotations.Measured:
    server_pool.start_group("burst_case")
    cases = pytestconfig.stash[GROUP_CASES]["burst_case"]
    return file_answers(pytestconfig, rotations.measure_bursts(cases, plan, server_pool, texts, judge_for))


@pytest.fixture(scope="session")
def measured_after_idle(pytestconfig, plan, server_pool, texts, judge_for) -> rotations.Measured:
    server_pool.start_group("after_idle_case")
    cases = pytestconfig.stash[GROUP_CASES]["after_idle_case"]
    return file_answers(pytestconfig, rotations.measure_after_idle(cases, plan, server_pool, texts, judge_for))


@pytest.fixture(scope="session")
def measured_loads(pytestconfig, plan, artifacts) -> rotations.Measured:
    cases = pytestconfig.stash[GROUP_CASES]["spawn_graph"]
    return file_answers(pytestconfig, rotations.measure_loads(cases, plan, artifacts, SPAWN_TEXT))


@pytest.fixture(scope="session")
def measured_cold_starts(pytestconfig, plan, artifacts_dir) -> rotations.Measured:
    cases = pytestconfig.stash[GROUP_CASES]["cold_start_graph"]
    return file_answers(pytestconfig, rotations.measure_cold_starts(cases, plan, artifacts_dir))


@pytest.fixture(scope="session")
def server_pool(artifacts_dir, pytestconfig, plan):
    pool = ServerPool(artifacts_dir, plan.remote_url, pytestconfig.stash.get(SERVER_GROUPS, {}))
    atexit.register(pool.stop_all)  # also when the run is interrupted before teardown
    pytestconfig.stash[POOL] = pool
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After a group's last benchmark, stop the servers no later group needs (peak memory)."""
    groups = item.config.stash.get(GROUP_ITEMS, {})
    pool = item.config.stash.get(POOL, None)
    for name, waiting in groups.items():
        if item.nodeid in waiting:
            waiting.discard(item.nodeid)
            if not waiting and pool is not None:
                pool.release(name)


def pytest_benchmark_update_machine_info(config, machine_info):
    """The client machine, next to pytest-benchmark's own `machine_info` (py-cpuinfo's CPU)."""
    machine_info["client"] = client_info()


def _describe(benchmark, question: str, case: Case, setup: dict, texts: list[str], **figures) -> None:
    """Store the figure's record (`bench.records.Figure`) in `extra_info`.

    `setup` is what the measured server reported of itself (`GET /healthz`), or
    this process's own for in-process figures: read, never typed in.
    """
    record = Figure(question=question, graph=case.graph, setup=case.config.id, server_setup=setup,
                    text_chars_mean=round(float(np.mean([len(t) for t in texts])), 1), **figures)
    benchmark.extra_info.update(record.as_extra_info())


@pytest.fixture
def describe(request):
    """`describe(benchmark, question, case, setup, texts, **figures)`: stores the figure's record,
    and notes its validity verdict for the terminal summary (in `config.stash`)."""
    def record(benchmark, question: str, case: Case, setup: dict, texts: list[str], **figures) -> None:
        _describe(benchmark, question, case, setup, texts, **figures)
        if "valid" in figures:
            request.config.stash.setdefault(VERDICTS, []).append(
                (request.node.nodeid, figures["valid"], figures.get("validity_reason", "")))

    return record


def round_times(benchmark) -> list[float]:
    """Seconds per round, as pytest-benchmark timed them."""
    return list(benchmark.stats.stats.data)


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The run's answers, next to pytest-benchmark's figures (saved run and --benchmark-json)."""
    output_json["comparisons"] = [c.as_json() for c in config.stash.get(COMPARISONS, [])]
    if PEAK_MEMORY in config.stash:
        output_json["peak_memory"] = config.stash[PEAK_MEMORY].as_json()


def _saved_runs(config) -> list[Path]:
    """pytest-benchmark's saved runs in its file storage (none for other storages)."""
    storage = str(config.getoption("benchmark_storage", default="") or "")
    if not storage.startswith("file://"):
        return []
    return sorted(Path(storage[len("file://"):]).glob("*/[0-9][0-9][0-9][0-9]_*.json"), key=lambda p: p.name)


def _compared_run(config) -> Path | None:
    """The run `--benchmark-compare` compares with: the given number, or the newest before this run."""
    spec = config.getoption("benchmark_compare", default=[])
    saved = config.stash.get(SAVED_BEFORE, [])
    if spec is True:
        return saved[-1] if saved else None
    if spec:
        return next((run for run in saved if run.name.startswith(f"{spec}_")), None)
    return None


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's tables
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After pytest-benchmark's tables: the run's answers (ratios with intervals), whether they
    changed since the compared run, and the figures whose measurement was not valid."""
    write = terminalreporter.write_line
    found = config.stash.get(COMPARISONS, [])
    if found:
        terminalreporter.section("answers: paired ratios of times, 95 % intervals", sep="-")
        for comparison in found:
            write(f"{comparison.name:<52} {comparison.ratio:7.3f} [{comparison.low:.3f}, {comparison.high:.3f}]  "
                  f"{comparison.words()}")
        compared = _compared_run(config)
        if compared is not None:
            terminalreporter.section(f"answers since run {compared.name.split('_')[0]}", sep="-")
            before = json.loads(compared.read_text()).get("comparisons", [])
            for line in headlines.changes_since(found, before, config.getoption("--bench-change-threshold")):
                write(line)
    if PEAK_MEMORY in config.stash:
        memory = config.stash[PEAK_MEMORY].as_json()
        terminalreporter.section("peak memory (the whole machine, as `free` counts it)", sep="-")
        write(f"{memory['machine_used_peak_mb']} MB used at the peak, {memory['machine_used_before_mb']} MB before "
              f"the run: the run's share {memory['run_peak_mb']} MB")
    judged = config.stash.get(VERDICTS, [])
    if not judged:
        return
    invalid = [(name, reason) for name, valid, reason in judged if not valid]
    terminalreporter.section("validity", sep="-")
    write(f"{len(judged) - len(invalid)} of {len(judged)} latency figures VALID")
    for name, reason in invalid:
        terminalreporter.write_line(f"INVALID {name}: {reason}", yellow=True)
