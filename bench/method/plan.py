"""What a run measures: graph kinds × server configurations, and each question's rounds (declared
by the question, chosen for a quick run, a full run or the gate)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from serving import graphs, servers

if TYPE_CHECKING:  # a run on a model file; imported where one is made (it loads the model's libraries)
    from bench.method.model_run import ModelRun

TEXT_POOL_SIZE = 50


def request_texts() -> list[str]:
    """The texts every request sends, in turn: held-out sentences, real inputs none seen in training."""
    from sentiment_model import corpus

    return [e.text for e in corpus.read_tsv() if e.split == "test"][:TEXT_POOL_SIZE]


@dataclass(frozen=True)
class KindPolicy:
    """How the benchmarks treat a graph kind of `serving.graphs.KINDS` (serving knows nothing of it)."""

    compared_with: tuple[str, ...] = ()  # the kinds the suite states its ratio against (this ÷ that)
    in_default_loads: bool = True  # load + first prediction and cold start in a default run
    fast: bool = False  # served fast enough that HTTP is its cost: bursts, open loop, other servers
    seed: bool = False  # one of the two kinds the seed compared: measured on every set-up, also in quick runs


# By registry name; a registered kind not named here is benchmarked with the defaults.
KIND_POLICY = {
    "dynamic": KindPolicy(seed=True),
    "static": KindPolicy(compared_with=("dynamic",), seed=True),
    "saved_model": KindPolicy(compared_with=("static",)),
    # its first prediction compiles for ~2.3 s (13x static's load): its load is measured only with --bench-extended
    "static-xla": KindPolicy(compared_with=("static",), in_default_loads=False, fast=True),
    "onnx": KindPolicy(compared_with=("static", "static-xla"), fast=True),
}


def kind_policy(kind: str) -> KindPolicy:
    return KIND_POLICY.get(kind, KindPolicy())


@dataclass(frozen=True)
class ServerPolicy:
    """How the benchmarks treat a server of `serving.servers.SERVERS`."""

    seed: bool = False  # one of the seed's servers: in every run (the others with --bench-extended)
    # in a default run with the fast graph kinds (requests and bursts), not only --bench-extended
    with_fast_kinds: bool = False


SERVER_POLICY = {"gunicorn": ServerPolicy(seed=True), "flask": ServerPolicy(seed=True),
                 "granian": ServerPolicy(with_fast_kinds=True)}


def server_policy(server: str) -> ServerPolicy:
    return SERVER_POLICY.get(server, ServerPolicy())


ALL_GRAPHS = tuple(graphs.KINDS)  # a registered kind is benchmarked
SWEEP_GRAPHS = tuple(kind for kind in graphs.KINDS if kind_policy(kind).seed)  # the seed's question; the sweep is the costly part
# Served fast enough that HTTP is their cost: bursts on 2 workers, open loop, every server.
FAST_GRAPHS = tuple(kind for kind in graphs.KINDS if kind_policy(kind).fast)
DEFAULT_LOAD_GRAPHS = tuple(kind for kind in graphs.KINDS if kind_policy(kind).in_default_loads)
# (numerator, denominator) of every kind ratio the policy asks for, in registry order: the project's
# question first, then the other kinds.
GRAPH_PAIRS = tuple((kind, other) for kind in graphs.KINDS for other in kind_policy(kind).compared_with)
# The seed's two kinds and every kind of another runtime: a default run's cold starts (mostly the
# runtime's import) and instruction counts (each TensorFlow kind costs ~40 s under valgrind).
SEED_AND_OTHER_RUNTIMES = SWEEP_GRAPHS + tuple(
    kind for kind in DEFAULT_LOAD_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow")


# NamedTuples, so pytest-benchmark can store them in the saved run's `params`.
class ServerConfig(NamedTuple):
    server: str  # a server of serving.servers.SERVERS, "in-process" (no HTTP: the baseline) or "remote"
    workers: int = 1
    threads: int = 1  # > 1: this many threads per process (gunicorn: gthread workers)
    batch_window_ms: float | None = None  # micro-batching window; None: off
    intra_op_threads: int = 0  # the runtime's threads inside an op, per worker; 0: the server fits them to the cores

    @property
    def in_process(self) -> bool:
        return self.server == IN_PROCESS.server

    @property
    def launched(self) -> bool:
        """A server the suite starts (not the in-process baseline, not someone else's server)."""
        return self.server in servers.SERVERS

    @property
    def worker_processes(self) -> bool:
        """A server that runs `workers` processes (named by their count)."""
        return self.launched and servers.SERVERS[self.server].worker_processes

    @property
    def id(self) -> str:
        name = f"{self.server}-w{self.workers}" if self.worker_processes else self.server
        if self.threads > 1:
            name += f"-t{self.threads}"
        if self.batch_window_ms is not None:
            name += f"-batch{self.batch_window_ms:g}"
        if self.intra_op_threads:
            name += f"-intra{self.intra_op_threads}"
        return name

    def settings(self) -> dict:
        """This set-up's fields of `serving.settings.Settings` (the graph kind and artifacts aside)."""
        return {"server": self.server, "workers": self.workers, "threads": self.threads if self.threads > 1 else None,
                "batch_window_ms": self.batch_window_ms, "intra_op_threads": self.intra_op_threads}


# No HTTP: the graph kind called in a process of its own, the baseline every server is compared with.
IN_PROCESS = ServerConfig("in-process")
def default_server(workers: int = 1, server: str = servers.DEFAULT) -> ServerConfig:
    """The default server (`serving.servers.DEFAULT`), or `server`, with `workers` workers (a server
    of one process runs its own default threads)."""
    return ServerConfig(server, workers if servers.get(server).worker_processes else 1)


# A server someone else runs (`--serving-url`): nothing is launched for it.
REMOTE = ServerConfig("remote")

# The seed's two servers are in every run; every other registered server (waitress, ...) is
# measured with --bench-extended, as deployed by default (its own thread count): registering a
# server is enough to benchmark it.
SEED_SERVERS = tuple(name for name in servers.SERVERS if server_policy(name).seed)
# the seed's servers beside the default one (the Flask dev server)
OTHER_SEED_SERVERS = tuple(ServerConfig(name) for name in SEED_SERVERS if name != servers.DEFAULT)
OTHER_SERVERS = tuple(ServerConfig(name) for name in servers.SERVERS if name not in SEED_SERVERS)
# Servers whose registry entry asks for the fast kinds in every run (a non-Python HTTP front end
# matters once the model costs less than HTTP): one worker for requests, two for bursts.
FAST_KIND_SERVERS = tuple(name for name in servers.SERVERS if server_policy(name).with_fast_kinds)
# Kind and server changed at once, ((kind, server), (kind, server)) at the same worker count: each fast
# kind of another runtime on each such front end against each fast TensorFlow kind on the default
# server, what leaving TensorFlow and gunicorn together buys (onnx on granian ÷ static-xla on gunicorn).
CROSS_PAIRS = tuple(((kind, server), (other, servers.DEFAULT))
                    for kind in FAST_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow" for server in FAST_KIND_SERVERS
                    for other in FAST_GRAPHS if graphs.KINDS[other].runtime == "tensorflow")

# One gunicorn worker whose 20 threads hand requests to one micro-batcher.
MICRO_BATCHING = ServerConfig(servers.DEFAULT, 1, threads=20, batch_window_ms=0)


class Case(NamedTuple):
    graph: str
    config: ServerConfig

    def __str__(self) -> str:
        return f"{self.graph}-{self.config.id}"


@dataclass(frozen=True)
class Rounds:
    """The size of one question's rotation (`bench.method.paired.rotate`): every case takes `rounds`
    turns, each a window of `per_round` timed units after `discard` untimed ones (answered and judged,
    the server waking up). Zero rounds: the question is not measured."""

    rounds: int
    per_round: int = 1
    discard: int = 0


@dataclass(frozen=True)
class Knobs:
    """A question's rounds in a quick run, a full run and the regression gate (None: not gated). A
    question declares them in its module (`bench.questions.question.Question.knobs`); the plugin and
    the gate build the plan from the registry's."""

    quick: Rounds
    full: Rounds
    gate: Rounds | None = None


@dataclass(frozen=True)
class Plan:
    quick: bool
    workers: tuple[int, ...]
    # each question's rounds (its record → Rounds), from its Knobs for this kind of run
    rounds: Mapping[str, Rounds] = field(default_factory=dict, compare=False)
    remote_url: str | None = None
    remote_graph: str | None = None
    extended: bool = False  # the cases that cost a full run most and teach least, off by default
    p99_bound_ms: float = 50.0
    model: ModelRun | None = field(default=None, compare=False)  # `--model PATH`: a model file's forms, not the suite's

    def rounds_of(self, record: str) -> Rounds:
        """The rounds of the question whose records are `record` (its `KNOBS` for this kind of run)."""
        if record not in self.rounds:  # a question that measures in rounds declares them: never a silent 0
            raise KeyError(f"the plan has no rounds for {record!r}: its question declares no KNOBS for this run")
        return self.rounds[record]

    @classmethod
    def from_options(cls, knobs: Mapping[str, Knobs], quick: bool, workers: str | None, remote_url: str | None = None,
                     remote_graph: str | None = None, extended: bool = False, p99_bound_ms: float = 50.0,
                     model: ModelRun | None = None) -> Plan:
        """A run's plan: every question's quick or full rounds from `knobs` (the registry's), the
        worker counts of `--bench-workers`."""
        try:
            # 4 workers on 2 cores gained 0-7 % over 2 (intervals touching 1) for 14 s of the run
            sweep = tuple(int(w) for w in workers.split(",")) if workers else ((1, 2, 4) if extended and not quick else (1, 2))
        except ValueError:
            sweep = ()
        if not sweep or min(sweep) < 1:
            raise ValueError(f"--bench-workers needs positive integers, got {workers!r}")
        if not p99_bound_ms > 0:
            raise ValueError(f"--p99-bound-ms needs a positive number of milliseconds, got {p99_bound_ms:g}")
        rounds = {record: knob.quick if quick else knob.full for record, knob in knobs.items()}
        return cls(quick, sweep, rounds, remote_url, remote_graph, extended and not quick, p99_bound_ms, model)

    @classmethod
    def for_gate(cls, knobs: Mapping[str, Knobs], overrides: Mapping[str, Rounds] | None = None) -> Plan:
        """The regression gate's plan (`python -m bench.gate`): each gated question's gate rounds,
        `overrides` (the gate's flags) replacing some."""
        rounds = {record: knob.gate for record, knob in knobs.items() if knob.gate is not None}
        return cls(False, (1, 2), {**rounds, **(overrides or {})})


def model_cases(plan: Plan, workers: int) -> list[Case]:
    """A model file's run: every form that agreed with the model as given, on the default server and
    on every front end that serves the fast kinds, with `workers` workers."""
    return [Case(form, ServerConfig(server, workers)) for server in (servers.DEFAULT, *FAST_KIND_SERVERS)
            for form in plan.model.forms]


def remote_cases(plan: Plan) -> list[Case]:
    """The one case of a server someone else runs (`--serving-url`)."""
    return [Case(plan.remote_graph, REMOTE)]
