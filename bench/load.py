"""Client-side load: sequential keep-alive requests, and the 20-thread burst.

Latency is always the client's: from just before the request is sent until the
whole answer is read. The client is `http.client`, not `requests`: it costs
about 1.5 ms less per request, CPU the server shares on a small machine, so
figures describe the server more than the client. Answers are kept so the
caller can check them; a broken server must not be able to look fast.
"""
from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from itertools import cycle
from typing import Iterator
from urllib.parse import urlencode, urlsplit


class Answers:
    """Collects (text, HTTP status, body) of every timed request, for checking after timing."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, bytes]] = []

    def add(self, text: str, status: int, body: bytes) -> None:
        self.items.append((text, status, body))


class Connection:
    """One HTTP/1.1 connection, kept alive when the server allows (gunicorn sync workers do not)."""

    def __init__(self, url: str, timeout: float = 60.0):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port or 80, parts.path
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def get_text(self, text: str) -> tuple[int, bytes]:
        return self._send("GET", f"{self.path}?{urlencode({'text': text})}", None, {})

    def post_json(self, body: bytes) -> tuple[int, bytes]:
        return self._send("POST", self.path, body, {"Content-Type": "application/json"})

    def _send(self, method: str, target: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        reused = self._conn is not None
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request(method, target, body=body, headers=headers)
            response = self._conn.getresponse()
            answer = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            return self._send(method, target, body, headers)  # the server closed an idle kept-alive connection
        if response.will_close:
            self.close()
        return response.status, answer

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SequentialClient:
    """One request at a time over one connection, texts in turn."""

    def __init__(self, url: str, texts: list[str]):
        self.connection = Connection(url)
        self._texts: Iterator[str] = cycle(texts)
        self.answers = Answers()

    def one_request(self) -> None:
        text = next(self._texts)
        self.answers.add(text, *self.connection.get_text(text))

    def close(self) -> None:
        self.connection.close()


@dataclass
class Burst:
    """N threads, started and parked at a barrier; `release()` lets them all go at once.

    Thread creation happens in `prepare` (pytest-benchmark's setup), so the timed
    part is only the release, the requests and the joins: the burst's wall clock.
    Each thread opens its own connection, as the seed's separate clients did.
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
        connection = Connection(self.url)
        self._barrier.wait()
        started = time.perf_counter()
        try:
            status, body = connection.get_text(text)
        except (OSError, http.client.HTTPException) as error:
            with self._lock:
                self.errors.append(f"thread {index}: {error!r}")
            return
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        with self._lock:
            self.latencies_s.append(elapsed)
            self.answers.add(text, status, body)

    def release(self) -> None:
        self._barrier.wait()
        for worker in self._workers:
            worker.join()
