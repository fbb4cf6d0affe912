"""HTTP clients of the one client protocol (`bench.clients.protocol`): one request at a time, and bursts.

Latency is always the client's: from the request's first byte sent until the
whole answer is read, as wrk times it; opening the connection comes just before,
untimed (gunicorn's sync workers close every connection, so each request opens one). The client is `bench.clients.connection`, a lean socket loop (`requests`
cost 1.5 ms more per request, `http.client` 0.6-0.8 ms more than wrk), so figures
describe the server more than the client. Answers are kept so the
caller can check them; a broken server must not be able to look fast.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle

from bench.clients.connection import open_connection
from bench.clients.protocol import NothingToManage
from bench.method.oracle import Answers


class SequentialClient:
    """One request at a time over one connection, texts in turn."""

    def __init__(self, url: str, texts: list[str]):
        self.connection = open_connection(url)
        self._texts: Iterator[str] = cycle(texts)
        self.answers = Answers()
        # a timed request that failed (refused, reset, timed out, not HTTP): its stream's figure fails with
        # it while the other streams of its rotation go on (a peer that dies mid-rotation)
        self.errors: list[str] = []

    def connect(self) -> None:
        """Untimed set-up of the next request (pytest-benchmark's `setup`): its connection."""
        self.connection.connect()

    def one_request(self) -> None:
        text = next(self._texts)
        self.answers.add(text, *self.connection.send(text))

    def timed_unit(self) -> float:
        """One request timed from its first byte sent to its last byte read, as wrk times it; the
        connection opens just before, untimed (gunicorn's sync workers close every connection). A
        request that fails is kept in `errors` and is NaN, and so is every later one, not sent: a
        server that hangs would take the connection's timeout each time."""
        if self.errors:
            return math.nan
        try:
            self.connect()
            self.connection.defer_close = True  # a socket the server closes is closed after the timer, as wrk does
            try:
                started = time.perf_counter()
                self.one_request()
                return time.perf_counter() - started
            finally:
                self.connection.defer_close = False
                self.connection.close_if_spent()
        except OSError as error:  # bench.clients.connection's errors are OSErrors too
            self.errors.append(f"stopped answering after {len(self.answers.items)} answers: {error!r}")
            self.connection.close()
            return math.nan

    def wait_ready(self) -> SequentialClient:
        """Nothing to wait for: the server is healthy before a client is made."""
        return self

    def collect(self) -> None:
        """Nothing to collect between rounds (the in-process client's worker has garbage to)."""

    def close(self) -> None:
        self.connection.close()


@dataclass
class Burst:
    """N threads, started and parked at a barrier; `release()` lets them all go at once.

    Thread creation happens in `prepare` (pytest-benchmark's setup), so the timed
    part is only the release, the requests and the joins: the burst's wall clock.
    Each thread opens its own connection, as the seed's separate clients did: a TCP
    connection inside the timed burst, a gRPC channel before it (`opened_before_a_burst`).
    """

    url: str
    texts: list[str]
    threads: int = 20
    latencies_s: list[float] = field(default_factory=list)
    answers: Answers = field(default_factory=Answers)
    errors: list[str] = field(default_factory=list)
    ended: list[float] = field(default_factory=list)  # when each thread had its answer (or its error)

    def __post_init__(self) -> None:
        self._barrier = threading.Barrier(self.threads + 1)
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._one, args=(i,), daemon=True) for i in range(self.threads)]
        for worker in self._workers:
            worker.start()

    def _one(self, index: int) -> None:
        text = self.texts[index % len(self.texts)]
        connection = open_connection(self.url)
        if connection.opened_before_a_burst:
            try:
                connection.connect()
            except OSError as error:
                with self._lock:
                    self.errors.append(f"thread {index}: {error!r}")
                self._barrier.wait()
                return
        self._barrier.wait()
        started = time.perf_counter()
        try:
            status, body = connection.send(text)
        except OSError as error:
            with self._lock:
                self.ended.append(time.perf_counter())
                self.errors.append(f"thread {index}: {error!r}")
            connection.close()
            return
        answered = time.perf_counter()
        # closed once answered, untimed: a gRPC channel's close takes ~200 ms (measured here), which no
        # request waits for; it was in every gRPC burst's figure until this was moved out
        connection.close()
        with self._lock:
            self.ended.append(answered)
            self.latencies_s.append(answered - started)
            self.answers.add(text, status, body)

    def wait_parked(self) -> None:
        """Until every thread waits at the barrier (its gRPC channel, if any, open): untimed."""
        while self._barrier.n_waiting < self.threads and not self._barrier.broken:
            time.sleep(0.0005)

    def release(self) -> float:
        """Lets the threads go; the seconds from the release to the last answer (their closes untimed)."""
        started = time.perf_counter()
        self._barrier.wait()
        for worker in self._workers:
            worker.join()
        return max(self.ended, default=time.perf_counter()) - started


class BurstClient(NothingToManage):
    """Bursts of `threads` requests released together; each `timed_unit()` is one burst's wall
    clock (release to the last answer: the connections' closes after it are not timed), its threads
    started and parked untimed just before."""

    def __init__(self, url: str, texts: list[str], threads: int = 20):
        self.url, self.texts, self.threads = url, texts, threads
        self.bursts: list[list[float]] = []  # each burst's per-request latencies, in order
        self.answers = Answers()
        self.errors: list[str] = []

    def timed_unit(self) -> float:
        burst = Burst(self.url, self.texts, threads=self.threads)  # untimed: threads parked at the barrier
        burst.wait_parked()
        elapsed = burst.release()
        self.bursts.append(burst.latencies_s)
        self.answers.items += burst.answers.items
        self.errors += burst.errors
        return elapsed
