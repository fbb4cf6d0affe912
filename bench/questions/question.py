"""A question's entry in the registry (`bench.questions.QUESTIONS`): what the plugin, the report
and the gate read of it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.method.plan import Plan
from bench.method.rounds import Knobs
from bench.method.subject import Sweep


class Servers(Protocol):
    """The servers a `measure` sends its cases to (bench.harness.server_pool.ServerPool, or the gate's pools by side)."""

    def endpoint(self, case) -> str: ...
    def get(self, case): ...
    def server_setup_of(self, case) -> dict: ...
    def memory_of(self, case) -> dict | None: ...
    def cpu_clock_of(self, case) -> Callable[[], float]: ...
    def relaunch(self, cases) -> None: ...


class Run(Protocol):
    """What a question's `measure` may use: the suite's (bench.plugin.fixtures.SuiteRun) and the
    gate's (bench.questions.gating.SidesRun) answer the same."""

    plan: Plan
    texts: list
    pool: Servers
    artifacts: object | None  # the suite's model loaded in this process (None: not for this run)
    artifacts_dir: Path | None  # the folder it is trained into

    def judge(self, case) -> Callable: ...
    def root_of(self, case) -> Path: ...  # the checkout whose code measures the case
    def artifacts_of(self, case) -> Path: ...  # the model the case's code serves


@dataclass(frozen=True)
class GateFlag:
    """A flag of `python -m bench.gate` that sets one field of a question's gate rounds."""

    flag: str  # e.g. "--burst-rounds"
    field: str  # of bench.method.rounds.Rounds: "rounds" (at least 3) or "per_round" (at least 1)
    help: str

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def least(self) -> int:
        return 3 if self.field == "rounds" else 1


@dataclass(frozen=True)
class Gating:
    """How a question is gated (`python -m bench.gate --group RECORD`): the cases it compares for the
    gated graph kinds, each measured for base and candidate as two cases of one rotation."""

    cases: Callable  # (graph kinds, server name) -> its cases (bench.method.cases.Case) to compare
    measure: Callable  # (cases, run) -> Measured, for cases as they are (with a side: bench.questions.gating)
    threshold: str = "fine"  # which of the gate's thresholds: "fine" (single requests), "coarse" (wider
    # intervals: bursts, loads) or "exact" (counts, no interval: instructions)
    kind_ratios: bool = False  # also gate each side's ratio between kinds (static ÷ dynamic), per round (coarse)
    what: str = ""  # the gated figure, in the report's words on what the gate fails a change for
    note: Callable | None = None  # (candidate's case, run) -> what a change of the figure means, in words
    # (base's, candidate's record of a case in `Measured.profiles`) -> lines on where a change went
    where: Callable | None = None
    flags: tuple[GateFlag, ...] = ()  # its rounds as `python -m bench.gate` sets them
    alias: str | None = None  # its --group name before the registry ("requests")


@dataclass(frozen=True)
class Question:
    record: str  # the `question` of its figures' records (bench.results.records.Figure)
    parameter: str | None  # the benchmark parameter, one value per case; None: a one-off benchmark
    title: str = ""  # what the terminal says while it is measured
    cases: Callable | None = None  # plan -> its cases of the suite's own model (the kind policy's)
    # what it measures of a subject without that policy (a model file, a remote server); None: nothing
    # (the run's subject decides which it takes: bench.method.subject)
    sweep: Sweep | None = None
    # its cases are ours beside the peers (--bench-peers): a model file's run measures them too, ours
    # of its forms, the peers serving its onnx form (bench.questions.peers)
    beside_peers: bool = False
    case_id: Callable = str  # a case -> its benchmark's parameter id (a saved run's node ids keep it)
    server_case: Callable | None = None  # case -> the bench.method.cases.Case whose server it needs; None: no servers
    measure: Callable | None = None  # (cases, run: Run) -> bench.method.rotations.Measured;
    # None: its benchmark measures each case itself (the open loop)
    report: Callable | None = None  # rows (bench.results.rows.Row) -> its report section's lines
    headline: Callable | None = None  # (rows, the saved run) -> its lines in the report's "In short" (its answer in words)
    # the seed's question (static ÷ dynamic) among its ratios: (words, the ratio's name), for the report's first line
    seed_ratios: tuple[tuple[str, str], ...] = ()
    plots: tuple[tuple[str, Callable], ...] = ()  # (file name, (rows, path) -> whether it drew one) of its own plots
    server_memory: bool = False  # its figures carry the servers' memory (the report's memory table)
    in_benchmark_table: bool = True  # its figures are latencies (the report's table of all benchmarks)
    answers_panel: str = "steady: requests, bursts, loads and launches"  # its ratios' panel in answers.png
    # (figures now, figures of the compared run, the run's options) -> (title, lines) of the summary's
    # section on what changed since the compared run; None: its ratios say it
    since: Callable | None = None
    part: tuple[str, ...] = ()  # the names of its own figures in its records' `part` (bench.results.records)
    # --benchmark-compare: its ratios CHANGED beyond this (None: the run's --bench-change-threshold);
    # not judged at all when its figures move between runs of one commit by more than any threshold
    # worth having (they are shown with how far they moved)
    change_threshold: float | None = None
    judged_between_runs: bool = True
    first: bool = False  # measured before every other question (it must not share the machine with them)
    # off in a default run, which has 5 minutes (issue 38): measured only with its flag, "capacity"
    # (--bench-capacity) or "extended" (--bench-extended), and in a quick run; None: in every run
    opt_in: str | None = None
    gate: Gating | None = None  # None: not gated
    knobs: Knobs | None = None  # its rounds in a quick run, a full run and the gate; None: it sizes itself
