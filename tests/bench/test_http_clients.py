"""The HTTP clients against a tiny real HTTP server that records arrival times."""
import time

import pytest

from bench.clients.http import Burst, BurstClient, SequentialClient
from tests.localhttp import QuietJsonHandler, serve_in_thread


class Recorder(QuietJsonHandler):
    arrivals: list[float] = []
    delay = 0.05

    def before_answer(self):
        Recorder.arrivals.append(time.perf_counter())
        time.sleep(Recorder.delay)  # every request takes a while: queueing would show


@pytest.fixture()
def recorder():
    Recorder.arrivals = []
    server, url = serve_in_thread(Recorder)
    yield url
    server.shutdown()
    server.server_close()


def test_burst_threads_wait_at_the_barrier_then_go_together(recorder):
    burst = Burst(recorder, ["a", "b"], threads=20)
    time.sleep(0.3)
    assert Recorder.arrivals == []  # prepared threads send nothing before release
    released = time.perf_counter()
    burst.release()
    wall = time.perf_counter() - released
    assert len(Recorder.arrivals) == 20 and not burst.errors
    # together: one after another they would span 19 x 50 ms = 0.95 s; a loaded 2-core machine can
    # take more than the server's 50 ms to start 20 threads' sends (seen: over 40 ms), not 0.25 s
    assert max(Recorder.arrivals) - min(Recorder.arrivals) < 0.25
    assert len(burst.latencies_s) == 20 and min(burst.latencies_s) >= Recorder.delay
    assert wall >= max(burst.latencies_s)  # the wall clock covers the slowest request
    assert [status for _, status, _ in burst.answers.items] == [200] * 20


def test_burst_reports_connection_errors_instead_of_latencies():
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    burst = Burst(f"http://127.0.0.1:{port}/x", ["a"], threads=3)
    burst.release()
    assert len(burst.errors) == 3 and burst.latencies_s == []


def test_sequential_client_rotates_texts_and_records_answers(recorder):
    client = SequentialClient(recorder, ["one", "two"])
    for _ in range(3):
        client.one_request()
    client.close()
    assert [text for text, _, _ in client.answers.items] == ["one", "two", "one"]


def test_a_burst_client_times_each_burst_and_keeps_every_answer_and_latency(recorder):
    client = BurstClient(recorder, ["a", "b"], threads=5)
    walls = [client.timed_unit() for _ in range(3)]
    # each unit waits for its slowest request (50 ms each, served in parallel), not their sum
    assert all(Recorder.delay <= wall < 5 * Recorder.delay for wall in walls), walls
    assert [len(latencies) for latencies in client.bursts] == [5, 5, 5]
    assert len(client.answers.items) == 15 and all(status == 200 for _, status, _ in client.answers.items)
    assert client.errors == []


def test_a_grpc_burst_opens_its_channels_before_it_is_timed(monkeypatch):
    """A gRPC channel's set-up takes 2-14 ms here: each thread opens its channel before the release,
    and the timer starts once all are parked."""
    from bench.clients import grpc_connection
    from bench.clients.http import BurstClient
    from bench.questions import client_cost

    opened, started = [], []
    real_connect, real_release = grpc_connection.GrpcConnection.connect, Burst.release

    def connect(self):
        if self._channel is None:
            opened.append(time.perf_counter())
        real_connect(self)

    def release(self):
        started.append(time.perf_counter())
        return real_release(self)

    monkeypatch.setattr(grpc_connection.GrpcConnection, "connect", connect)
    monkeypatch.setattr(Burst, "release", release)
    with client_cost.minimal_grpc_server() as target:
        client = BurstClient(f"grpc+v2://{target}/sentiment", ["a lovely evening"], threads=5)
        assert client.timed_unit() > 0
    assert not client.errors and len(client.answers.items) == 5 and len(opened) == 5
    assert max(opened) < started[0]


def test_a_grpc_burst_is_timed_to_its_last_answer_not_to_its_channels_closes():
    """A gRPC channel's close takes ~200 ms (grpc's own shutdown), which no request waits for: a burst's
    figure ends at its last answer. It once included them: every gRPC burst of 20 read ~200 ms."""
    from bench.clients.grpc_connection import GrpcConnection
    from bench.questions import client_cost

    with client_cost.minimal_grpc_server() as target:
        url = f"grpc+v2://{target}/sentiment"
        client = BurstClient(url, ["a lovely evening"], threads=5)
        walls = [client.timed_unit() for _ in range(3)]
        connection = GrpcConnection(url)
        connection.send("a lovely evening")
        closing = time.perf_counter()
        connection.close()
        close_s = time.perf_counter() - closing
    assert not client.errors and len(client.answers.items) == 15
    assert close_s > 0.05, close_s  # what the figure must leave out
    assert max(walls) < close_s and max(max(burst) for burst in client.bursts) < close_s, (walls, close_s)
