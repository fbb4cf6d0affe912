"""Open-loop load: schedules, coordinated omission shown against a server that stalls, rate search."""
import threading
import time
from http.server import HTTPServer, ThreadingHTTPServer

import pytest

from bench import openloop
from bench.load import SequentialClient
from tests.localhttp import QuietJsonHandler, serve_in_thread


def test_constant_schedule_is_even_and_poisson_is_seeded():
    assert openloop.schedule(4, 1.0) == [0.0, 0.25, 0.5, 0.75]
    arrivals = openloop.schedule(1000, 5.0, poisson=True, seed=3)
    assert arrivals == openloop.schedule(1000, 5.0, poisson=True, seed=3)
    assert 4700 < len(arrivals) < 5300 and arrivals == sorted(arrivals)
    with pytest.raises(ValueError):
        openloop.schedule(0, 1.0)


class Stalling(QuietJsonHandler):
    """Answers in ~0 ms, except while the stall lock is held (250 ms of every second)."""

    stall = threading.Lock()
    service_s = 0.0

    def before_answer(self):
        with Stalling.stall:
            pass
        time.sleep(Stalling.service_s)


@pytest.fixture()
def servers():
    started = []

    def serve(server_class):
        server, url = serve_in_thread(Stalling, server_class)
        started.append(server)
        return url

    yield serve
    for server in started:
        server.shutdown()
        server.server_close()


def stall_now_and_then(stop_event):
    while not stop_event.wait(0.75):
        with Stalling.stall:
            time.sleep(0.25)


def test_open_loop_p99_shows_a_stall_that_closed_loop_p99_hides(servers):
    Stalling.service_s = 0.0
    url = servers(ThreadingHTTPServer)
    stop = threading.Event()
    staller = threading.Thread(target=stall_now_and_then, args=(stop,), daemon=True)
    staller.start()
    try:
        closed, histogram, deadline = SequentialClient(url, ["a"]), openloop.new_histogram(), time.monotonic() + 3
        while time.monotonic() < deadline:
            started = time.perf_counter()
            closed.one_request()
            histogram.record_value(int((time.perf_counter() - started) * 1e6) or 1)
        closed.close()
        closed_p99 = openloop.percentiles_ms(histogram)["p99_ms"]
        opened = openloop.run(url, ["a"], rate=200, duration_s=3)
    finally:
        stop.set()
        staller.join()
    open_p99 = opened.summary()["p99_ms"]
    print(f"\nclosed-loop p99 {closed_p99:.2f} ms over {histogram.get_total_count()} requests; "
          f"open-loop p99 {open_p99:.2f} ms over {opened.sent}")
    assert opened.errors == [] and opened.sent == 600
    assert closed_p99 < 50, "the closed loop should hide the stall (few requests wait in it)"
    assert open_p99 > 100, "the open loop must charge every request scheduled during the stall"


def test_max_rate_search_finds_the_capacity_of_a_serial_server(servers):
    Stalling.service_s = 0.004  # one request at a time, 4 ms each: about 250 requests/s at most
    url = servers(HTTPServer)
    rate, trials = openloop.max_rate_under(url, ["a"], p99_bound_ms=40, start_rate=50, duration_s=1.0, steps=3)
    print(f"\nmax rate {rate:.0f}/s; trials {[(t['rate'], round(t['p99_ms'], 1)) for t in trials]}")
    assert 75 <= rate <= 250
    assert trials[0]["passed"] and not all(t["passed"] for t in trials)
