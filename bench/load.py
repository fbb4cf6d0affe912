"""Client-side load: sequential keep-alive requests, and the 20-thread burst.

Latency is always the client's: from just before the request is sent until the
whole answer is read. Answers are kept so the caller can check them; a broken
server must not be able to look fast.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from itertools import cycle
from typing import Iterator

import requests


class Answers:
    """Collects (text, HTTP status, body) of every timed request, for checking after timing."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, bytes]] = []

    def add(self, text: str, response: requests.Response) -> None:
        self.items.append((text, response.status_code, response.content))


class SequentialClient:
    """One request at a time over one `requests.Session` (keep-alive when the server allows)."""

    def __init__(self, url: str, texts: list[str]):
        self.url = url
        self.session = requests.Session()
        self._texts: Iterator[str] = cycle(texts)
        self.answers = Answers()

    def one_request(self) -> None:
        text = next(self._texts)
        self.answers.add(text, self.session.get(self.url, params={"text": text}, timeout=60))

    def close(self) -> None:
        self.session.close()


@dataclass
class Burst:
    """N threads, started and parked at a barrier; `release()` lets them all go at once.

    Thread creation happens in `prepare` (pytest-benchmark's setup), so the timed
    part is only the release, the requests and the joins: the burst's wall clock.
    """

    url: str
    texts: list[str]
    threads: int = 20
    latencies_s: list[float] = field(default_factory=list)
    answers: Answers = field(default_factory=Answers)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._barrier = threading.Barrier(self.threads + 1)
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._one, args=(i,), daemon=True) for i in range(self.threads)]
        for worker in self._workers:
            worker.start()

    def _one(self, index: int) -> None:
        text = self.texts[index % len(self.texts)]
        self._barrier.wait()
        started = time.perf_counter()
        try:
            response = requests.get(self.url, params={"text": text}, timeout=60)
        except requests.RequestException as error:
            with self._lock:
                self.errors.append(f"thread {index}: {error}")
            return
        elapsed = time.perf_counter() - started
        with self._lock:
            self.latencies_s.append(elapsed)
            self.answers.add(text, response)

    def release(self) -> None:
        self._barrier.wait()
        for worker in self._workers:
            worker.join()
