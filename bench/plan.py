"""What a run measures: graph kinds × server configurations × rounds, from the options."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

ALL_GRAPHS = ("dynamic", "static", "saved_model")
SWEEP_GRAPHS = ("dynamic", "static")  # the seed's question; the sweep is the costly part


# NamedTuples, so pytest-benchmark can store them in the saved run's `params`.
class ServerConfig(NamedTuple):
    server: str  # "gunicorn", "flask", or "in-process" (no HTTP: the baseline)
    workers: int = 1

    @property
    def id(self) -> str:
        return f"gunicorn-w{self.workers}" if self.server == "gunicorn" else self.server


class Case(NamedTuple):
    graph: str
    config: ServerConfig

    def __str__(self) -> str:
        return f"{self.graph}-{self.config.id}"


@dataclass(frozen=True)
class Plan:
    quick: bool
    workers: tuple[int, ...]
    spawn_rounds: int
    cold_start_rounds: int
    request_rounds: int
    burst_rounds: int
    burst_threads: int = 20

    @classmethod
    def from_options(cls, quick: bool, workers: str | None) -> "Plan":
        sweep = tuple(int(w) for w in workers.split(",")) if workers else ((1, 2) if quick else (1, 2, 4))
        if not sweep or min(sweep) < 1:
            raise ValueError(f"--bench-workers needs positive integers, got {workers!r}")
        if quick:
            return cls(True, sweep, spawn_rounds=2, cold_start_rounds=1, request_rounds=50, burst_rounds=4)
        return cls(False, sweep, spawn_rounds=5, cold_start_rounds=2, request_rounds=200, burst_rounds=15)

    @property
    def spawn_graphs(self) -> tuple[str, ...]:
        return SWEEP_GRAPHS if self.quick else ALL_GRAPHS

    @property
    def request_cases(self) -> list[Case]:
        graphs = SWEEP_GRAPHS if self.quick else ALL_GRAPHS
        cases = [Case(graph, config) for config in (ServerConfig("in-process"), ServerConfig("gunicorn", 1)) for graph in graphs]
        if not self.quick:  # the seed's Flask dev server, for the two kinds it compared
            cases += [Case(graph, ServerConfig("flask")) for graph in SWEEP_GRAPHS]
        return cases

    @property
    def burst_cases(self) -> list[Case]:
        servers = [ServerConfig("gunicorn", w) for w in self.workers]
        if not self.quick:
            servers.insert(0, ServerConfig("flask"))  # the seed's threaded dev server
        return [Case(graph, config) for config in servers for graph in SWEEP_GRAPHS]
