"""How the benchmarks treat each registered graph kind and server (serving knows nothing of it):
which kinds the suite compares, which are fast, which servers are the seed's, and the tuples of
kinds and servers the questions draw their cases from."""
from __future__ import annotations

from dataclasses import dataclass

from serving import graphs, servers


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

# The seed's two servers are in every run; every other registered server (waitress, ...) is
# measured with --bench-extended, as deployed by default (its own thread count): registering a
# server is enough to benchmark it.
SEED_SERVERS = tuple(name for name in servers.SERVERS if server_policy(name).seed)
# Servers whose registry entry asks for the fast kinds in every run (a non-Python HTTP front end
# matters once the model costs less than HTTP): one worker for requests, two for bursts.
FAST_KIND_SERVERS = tuple(name for name in servers.SERVERS if server_policy(name).with_fast_kinds)
# Kind and server changed at once, ((kind, server), (kind, server)) at the same worker count: each fast
# kind of another runtime on each such front end against each fast TensorFlow kind on the default
# server, what leaving TensorFlow and gunicorn together buys (onnx on granian ÷ static-xla on gunicorn).
CROSS_PAIRS = tuple(((kind, server), (other, servers.DEFAULT))
                    for kind in FAST_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow" for server in FAST_KIND_SERVERS
                    for other in FAST_GRAPHS if graphs.KINDS[other].runtime == "tensorflow")
