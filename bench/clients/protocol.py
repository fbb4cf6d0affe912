"""The one client protocol every rotation measures with (`bench.method.paired.rotate` takes turns
among clients, unit by unit):

    timed_unit() -> float   seconds of one unit: a request, a burst, a wrk window's p50; its
                            untimed set-up (a connection, parked threads) done just before
    answers                 bench.method.oracle.Answers: (text, status, body) of every request sent
    errors                  requests that got no answer, in words
    wait_ready() -> self    until it can send (an in-process worker loads its kind first)
    collect()               between rounds: the client's own garbage, never inside a unit
    close()

Clients: `bench.clients.http.SequentialClient` (one request at a time over HTTP),
`bench.clients.inprocess.InProcessClient` (the kind called in a process of its own, no HTTP),
`bench.clients.http.BurstClient` (N requests released together), `bench.clients.wrk.WrkClient` (a window of
wrk, the outside client). The open loop (`bench.clients.openloop`) is not one: its unit is a trial at a
rate, judged by its p99, not a time.
"""
from __future__ import annotations

from typing import Protocol

from bench.method.oracle import Answers


class Client(Protocol):
    answers: Answers
    errors: list[str]

    def timed_unit(self) -> float: ...

    def wait_ready(self) -> Client: ...

    def collect(self) -> None: ...

    def close(self) -> None: ...


class NothingToManage:
    """The protocol's set-up and tear-down for a client that keeps nothing between units."""

    def wait_ready(self):
        return self

    def collect(self) -> None:
        pass

    def close(self) -> None:
        pass
