"""What a run says at its end: its answers on the terminal, beside pytest-benchmark's tables,
and in the saved JSON; whether they changed since the run `--benchmark-compare` compares with
(handed over by pytest-benchmark's own hook, from its own storage)."""
from __future__ import annotations

import time

import pytest
from pytest_benchmark.session import PerformanceRegression

from bench.harness.environment import client_info
from bench.method import headlines
from bench.method.headlines import Thresholds
from bench.plugin.state import run_state
from bench.questions import QUESTIONS


def pytest_benchmark_update_machine_info(config, machine_info):
    """The client machine, next to pytest-benchmark's own `machine_info` (py-cpuinfo's CPU)."""
    machine_info["client"] = client_info()


def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """pytest-benchmark hands over each run it compares with, loaded from its storage: keep it
    for the summary (its own machine-info warning stays pytest-benchmark's)."""
    state = run_state(config)
    ours = (_subject_record(state) or {}).get("sha256")
    theirs = (compared_benchmark.get("model") or {}).get("sha256")
    if ours != theirs:  # another model (or the suite's own against a model file): nothing to compare
        raise pytest.UsageError(f"--benchmark-compare: the compared run measured {_model_words(theirs)}, "
                                f"this one {_model_words(ours)}")
    state.compared = compared_benchmark


def _subject_record(state) -> dict | None:
    """What the saved run says of a model file it measured (None: the suite's own model)."""
    return state.subject.record() if state.subject is not None else None


def _model_words(sha: str | None) -> str:
    return f"model {sha[:12]}" if sha else "the suite's own model"


OPTIONS_SAVED = ("--bench-quick", "--bench-capacity", "--bench-extended")


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The run's answers, next to pytest-benchmark's figures (saved run and --benchmark-json)."""
    state = run_state(config)
    output_json["comparisons"] = [c.as_json() for c in state.comparisons]
    if (record := _subject_record(state)) is not None:  # which model, so that runs of two models are never compared
        output_json["model"] = record
    if state.peak_memory is not None:
        output_json["peak_memory"] = state.peak_memory.as_json()
    if state.started is not None:  # from pytest's start to the saving of the run, training included
        output_json["run_seconds"] = round(time.monotonic() - state.started, 1)
    output_json["question_seconds"] = dict(state.seconds)  # where those seconds went
    # what was asked beyond a default run: a run with them takes longer, and answers more
    output_json["options"] = {flag: bool(config.getoption(flag)) for flag in OPTIONS_SAVED}


def _threshold(state, comparison, default: float) -> float | None:
    """The change threshold of a ratio's question (bench.questions: `change_threshold`, `judged_between_runs`)."""
    question = QUESTIONS.get(state.question_of.get(comparison.name))
    if question is None:
        return default
    if not question.judged_between_runs:
        return None
    return question.change_threshold or default


def _compared_name(compared: dict) -> str:
    commit = (compared.get("commit_info") or {}).get("id") or "?"
    return f"the run of {compared.get('datetime', '?')[:19]} (commit {commit[:8]})"


def pytest_sessionstart(session):
    run_state(session.config).session = session


@pytest.hookimpl(wrapper=True)  # around pytest-benchmark's tables: ours come after them
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After pytest-benchmark's tables: the run's answers, whether they changed since the compared run,
    the machine's peak memory, the figures whose measurement was not valid. A run that fails
    `--benchmark-compare-fail` still prints them, then says so in one line and exits 1 (pytest-benchmark
    itself raises there, which ends the summary with a traceback)."""
    try:
        result = yield
        regressed = False
    except PerformanceRegression:
        result, regressed = None, True
    _our_summary(terminalreporter, config)
    if regressed:
        terminalreporter.section("--benchmark-compare-fail", sep="-", red=True)
        terminalreporter.write_line("FAILED: a figure regressed beyond --benchmark-compare-fail (pytest-benchmark's "
                                    "\"Performance has regressed\" above names it)", red=True)
        state = run_state(config)
        if state.session is not None:
            state.session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return result


def _our_summary(terminalreporter, config) -> None:
    write = terminalreporter.write_line
    state = run_state(config)
    if state.comparisons:
        terminalreporter.section("answers: paired ratios of times, 95 % intervals", sep="-")
        for comparison in state.comparisons:
            coverage = f" ({comparison.confidence:.1%})" if comparison.confidence < 0.95 else ""  # too few rounds for 95 %
            write(f"{comparison.name:<52} {comparison.ratio:7.3f} [{comparison.low:.3f}, {comparison.high:.3f}]{coverage}  "
                  f"{comparison.words()}")
    if state.compared is not None:
        default = config.getoption("--bench-change-threshold")
        if state.comparisons:
            terminalreporter.section(f"answers since {_compared_name(state.compared)}", sep="-")
            for line in headlines.changes_since(state.comparisons, state.compared.get("comparisons", []), default,
                                                lambda comparison: _threshold(state, comparison, default)):
                write(line)
        current = [{"name": name, "extra_info": extra_info} for name, extra_info in state.figures.items()]
        thresholds = Thresholds(default, config.getoption("--bench-instructions-threshold"))
        for question in QUESTIONS.values():  # what the questions say changed themselves (counts, knees)
            if question.since and (said := question.since(current, state.compared.get("benchmarks", []), thresholds)):
                title, lines = said
                terminalreporter.section(f"{title} since {_compared_name(state.compared)}", sep="-")
                for line in lines:
                    write(line)
    if state.peak_memory is not None:
        memory = state.peak_memory.as_json()
        terminalreporter.section("peak memory (the whole machine, as `free` counts it)", sep="-")
        write(f"{memory['machine_used_peak_mb']} MB used at the peak, {memory['machine_used_before_mb']} MB before "
              f"the run: the run's share {memory['run_peak_mb']} MB")
    if not state.verdicts:
        return
    invalid = [(name, reason) for name, valid, reason in state.verdicts if not valid]
    terminalreporter.section("validity", sep="-")
    write(f"{len(state.verdicts) - len(invalid)} of {len(state.verdicts)} latency figures VALID")
    for name, reason in invalid:
        write(f"INVALID {name}: {reason}", yellow=True)
