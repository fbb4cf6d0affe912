"""A case: a graph kind on a server set-up (`ServerConfig`), named as saved runs' node ids name it;
the set-ups the questions use (in-process, the default server, micro-batching, someone else's)."""
from __future__ import annotations

from typing import NamedTuple

from bench.method.policy import FAST_KIND_SERVERS, SEED_SERVERS
from serving import peers, servers


# NamedTuples, so pytest-benchmark can store them in the saved run's `params`.
class ServerConfig(NamedTuple):
    # a server of serving.servers.SERVERS, a peer of serving.peers.PEERS, "in-process" (no HTTP: the
    # baseline) or "remote"
    server: str
    workers: int = 1
    threads: int = 1  # > 1: this many threads per process (gunicorn: gthread workers)
    batch_window_ms: float | None = None  # micro-batching window; None: off
    intra_op_threads: int = 0  # the runtime's threads inside an op, per worker; 0: the server fits them to the cores

    @property
    def in_process(self) -> bool:
        return self.server == IN_PROCESS.server

    @property
    def peer(self) -> bool:
        """Another project's model server (serving.peers), launched from its own environment."""
        return self.server in peers.PEERS

    @property
    def launched(self) -> bool:
        """A server the suite starts (not the in-process baseline, not someone else's server)."""
        return self.server in servers.SERVERS or self.peer

    @property
    def worker_processes(self) -> bool:
        """A server that runs `workers` processes (named by their count)."""
        return self.peer or (self.launched and servers.SERVERS[self.server].worker_processes)

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

# the seed's servers beside the default one (the Flask dev server)
OTHER_SEED_SERVERS = tuple(ServerConfig(name) for name in SEED_SERVERS if name != servers.DEFAULT)
OTHER_SERVERS = tuple(ServerConfig(name) for name in servers.SERVERS if name not in SEED_SERVERS)

# One gunicorn worker whose 20 threads hand requests to one micro-batcher.
MICRO_BATCHING = ServerConfig(servers.DEFAULT, 1, threads=20, batch_window_ms=0)


class Case(NamedTuple):
    graph: str
    config: ServerConfig

    def __str__(self) -> str:
        return f"{self.graph}-{self.config.id}"


def http_servers(front_ends: bool = True) -> tuple[str, ...]:
    """The default server, and every front end that serves the fast kinds (`front_ends`)."""
    return (servers.DEFAULT, *FAST_KIND_SERVERS) if front_ends else (servers.DEFAULT,)
