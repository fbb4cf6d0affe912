"""The run's state between pytest's hooks: one object in pytest's own per-run store."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bench.harness.memory import PeakMemory


@dataclass
class RunState:
    peak_memory: PeakMemory | None = None  # the machine's used memory, sampled through the run
    started: float | None = None  # time.monotonic() when pytest was configured: the run's length is stored
    compared: dict | None = None  # the saved run --benchmark-compare compares with, as pytest-benchmark loaded it
    subject: object | None = None  # what the run measures (bench.method.subject), made once at configure
    server_groups: dict = field(default_factory=dict)  # parameter name -> its selected cases (their servers)
    group_items: dict = field(default_factory=dict)  # parameter name -> node ids of its benchmarks not yet run
    group_cases: dict = field(default_factory=dict)  # parameter name -> the selected cases, one rotation each
    pool: object | None = None  # the run's bench.harness.server_pool.ServerPool, once a benchmark asked for it
    measured: dict = field(default_factory=dict)  # question -> its bench.method.rotations.Measured, once measured
    seconds: dict = field(default_factory=dict)  # question -> the seconds its servers' start and its measuring took
    comparisons: list = field(default_factory=list)  # every rotation's headline ratios (bench.results.comparison.Comparison)
    question_of: dict = field(default_factory=dict)  # a ratio's name -> the record of the question it answers
    verdicts: list = field(default_factory=list)  # (benchmark name, valid, reason) of every judged figure
    figures: dict = field(default_factory=dict)  # benchmark name -> its extra_info, as `describe` stored it
    session: object | None = None  # pytest's session: its exit status, when --benchmark-compare-fail fails


STATE = pytest.StashKey[RunState]()


def run_state(config) -> RunState:
    """This run's state (made on first use: pytest-benchmark's hooks may come before ours)."""
    if STATE not in config.stash:
        config.stash[STATE] = RunState()
    return config.stash[STATE]
