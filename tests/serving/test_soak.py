"""Soak: 1,200 mixed requests against one server per kind, with a slow client always present
(tests/slowclient.py); answers, memory and descriptors hold."""
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

from bench.harness.supervisor import ServerProcess
from sentiment_model import corpus
from tests.procs import children
from tests.slowclient import lying_client

WARMUP_REQUESTS = 200
SOAK_REQUESTS = 1200
RSS_GROWTH_BOUND = 0.10  # each worker's resident memory may grow at most 10 % during the soak
TEXTS = [e.text for e in corpus.read_tsv() if e.split == "test"][:200]
DEADLINE = 1.0  # the soak's request deadlines (seconds): slow clients come and go often


def rss_kib(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss // 1024


def open_fds(pid: int) -> int:
    return psutil.Process(pid).num_fds()


@pytest.fixture(scope="module")
def expected(oracle):
    return dict(zip(TEXTS, oracle(TEXTS)[:, 1].tolist()))


def one_call(session: requests.Session, url: str, rng: random.Random) -> list[tuple[str, float]]:
    """A GET, a POST of one text, or a POST of a batch: (text, P(POSITIVE)) for each answer."""
    shape = rng.random()
    if shape < 0.6:
        text = rng.choice(TEXTS)
        response = session.get(url, params={"text": text}, timeout=60)
        response.raise_for_status()
        return [(text, response.json()["probabilities"]["POSITIVE"])]
    if shape < 0.8:
        text = rng.choice(TEXTS)
        response = session.post(url, json={"text": text}, timeout=60)
        response.raise_for_status()
        return [(text, response.json()["probabilities"]["POSITIVE"])]
    batch = rng.sample(TEXTS, rng.randint(2, 16))
    response = session.post(url, json={"texts": batch}, timeout=60)
    response.raise_for_status()
    return [(t, r["probabilities"]["POSITIVE"]) for t, r in zip(batch, response.json()["results"])]


class SlowClients(threading.Thread):
    """One lying client after another (announces more body than it sends), until stopped."""

    def __init__(self, port: int, path: str, gives_up_after: float):
        super().__init__(daemon=True)
        self.port, self.path, self.gives_up_after = port, path, gives_up_after
        self.outcomes: list[int | None] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            client = lying_client(self.port, self.path, b"{}", timeout=30)
            self.outcomes.append(client.outcome_within(self.gives_up_after).status)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=30)


def run_requests(url: str, count: int, seed: int) -> list[tuple[str, float]]:
    def client(index: int):
        rng, session = random.Random(seed * 100 + index), requests.Session()
        return [answer for _ in range(count // 4) for answer in one_call(session, url, rng)]

    with ThreadPoolExecutor(4) as pool:
        return [answer for answers in pool.map(client, range(4)) for answer in answers]


@pytest.mark.parametrize("graph, kind", [("dynamic", "gunicorn"), ("static", "gunicorn"), ("onnx", "gunicorn"),
                                         ("onnx", "granian")])
def test_soak(artifacts_dir, expected, graph, kind, record_property):
    with ServerProcess(graph, artifacts_dir, server=kind, workers=2, header_timeout=DEADLINE,
                       body_timeout=DEADLINE) as server:
        url = f"{server.url}/{graph}"
        run_requests(url, WARMUP_REQUESTS, seed=0)  # allocators and caches settle first
        workers = children(server.process.pid)
        rss_before = {pid: rss_kib(pid) for pid in workers}
        fds_before = {pid: open_fds(pid) for pid in [server.process.pid, *workers]}
        slow = SlowClients(server.port, f"/{graph}", gives_up_after=DEADLINE * 5)
        slow.start()
        try:
            answers = run_requests(url, SOAK_REQUESTS, seed=1)
        finally:
            slow.stop()
        assert children(server.process.pid) == workers, "a worker died or was replaced during the soak"
        rss_after = {pid: rss_kib(pid) for pid in workers}
        fds_after = {pid: open_fds(pid) for pid in fds_before}
    assert len(answers) >= SOAK_REQUESTS
    wrong = [(t, p) for t, p in answers if abs(p - expected[t]) > 1e-5]
    assert wrong == []
    growth = {pid: (rss_after[pid] - rss_before[pid]) / rss_before[pid] for pid in workers}
    figures = {"answers": len(answers), "rss_kib_before": rss_before, "rss_kib_after": rss_after,
               "rss_growth": {pid: round(g, 4) for pid, g in growth.items()}, "fds_before": fds_before, "fds_after": fds_after,
               "slow_clients": {str(status): slow.outcomes.count(status) for status in set(slow.outcomes)}}
    record_property("soak", json.dumps(figures))
    print(f"\nsoak {graph}: {json.dumps(figures)}")
    assert slow.outcomes and set(slow.outcomes) == {408}, figures  # slow clients were there throughout
    assert max(growth.values()) < RSS_GROWTH_BOUND, figures
    assert all(fds_after[pid] <= fds_before[pid] + 2 for pid in fds_before), figures
