"""Open-loop load: schedules, coordinated omission shown against a server that stalls, rate search."""
import threading
import time
from http.server import HTTPServer, ThreadingHTTPServer

import pytest

from bench.clients import openloop
from bench.clients.http import SequentialClient
from bench.questions import open_loop
from tests.localhttp import QuietJsonHandler, serve_in_thread


def ok_judge(text, status, body):
    """The tiny servers' correct answer is a 200 `{"ok": true}`."""
    return None if status == 200 and body == b'{"ok": true}' else f"HTTP {status} {body!r}"


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
        opened = openloop.run(url, ["a"], ok_judge, rate=200, duration_s=3)
    finally:
        stop.set()
        staller.join()
    open_p99 = opened.summary()["p99_ms"]
    print(f"\nclosed-loop p99 {closed_p99:.2f} ms over {histogram.get_total_count()} requests; "
          f"open-loop p99 {open_p99:.2f} ms over {opened.sent}")
    assert opened.errors == [] and opened.sent == 600 and opened.wrong == 0
    assert closed_p99 < 50, "the closed loop should hide the stall (few requests wait in it)"
    assert open_p99 > 100, "the open loop must charge every request scheduled during the stall"


def test_max_rate_search_finds_the_capacity_of_a_serial_server(servers):
    Stalling.service_s = 0.004  # one request at a time, 4 ms each: about 250 requests/s at most
    url = servers(HTTPServer)
    curve = openloop.sweep(url, ["a"], ok_judge, p99_bound_ms=40, start_rate=50, duration_s=1.0, steps=3, past_knee=None)
    rate, trials = curve.knee, curve.trials
    print(f"\nmax rate {rate:.0f}/s; trials {[(t['rate'], round(t['p99_ms'], 1)) for t in trials]}")
    assert 75 <= rate <= 250
    assert trials[0]["passed"] and not all(t["passed"] for t in trials)


class Shedding(QuietJsonHandler):
    """The serial 4 ms server, except that a request arriving while another is served gets
    an instant 503: fast answers, but wrong ones."""

    busy = threading.Lock()

    def do_GET(self):
        if not Shedding.busy.acquire(blocking=False):
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            time.sleep(0.004)
            super().do_GET()
        finally:
            Shedding.busy.release()


def test_a_server_shedding_load_with_fast_503s_is_credited_no_more_than_the_real_one(servers):
    Stalling.service_s = 0.004
    honest_rate = openloop.sweep(servers(HTTPServer), ["a"], ok_judge, p99_bound_ms=40, start_rate=50, duration_s=1.0,
                                 steps=3, past_knee=None).knee
    shedding_server, shedding_url = serve_in_thread(Shedding)
    try:
        shedding = openloop.sweep(shedding_url, ["a"], ok_judge, p99_bound_ms=40, start_rate=50, duration_s=1.0,
                                  steps=3, past_knee=None)
        shedding_rate, trials = shedding.knee, shedding.trials
    finally:
        shedding_server.shutdown()
        shedding_server.server_close()
    print(f"\nhonest {honest_rate:.0f}/s, shedding {shedding_rate:.0f}/s; "
          f"wrong answers per trial {[(t['rate'], t['wrong']) for t in trials]}")
    assert shedding_rate <= honest_rate
    assert any(t["wrong"] > 0 and not t["passed"] for t in trials), "the 503s must be counted and fail their trial"


def test_a_sweep_draws_the_curve_from_light_load_to_past_saturation(servers):
    """The serial 4 ms server holds about 250 requests/s: the curve has at least 6 offered rates, the
    knee under the bound is bracketed by a failing rate above it, and past the knee the achieved
    rate falls behind the offered one (saturation, not only a worse p99)."""
    Stalling.service_s = 0.004
    curve = openloop.sweep(servers(HTTPServer), ["a"], ok_judge, p99_bound_ms=40, start_rate=25, duration_s=1.0, steps=3)
    points = curve.points
    print(f"\nknee {curve.knee:.0f}/s, failed at {curve.beyond:.0f}/s; "
          f"{[(t['rate'], t['achieved_rate'], round(t['p99_ms'], 1)) for t in points]}")
    assert len({t["rate"] for t in points}) >= 6
    assert 75 <= curve.knee < curve.beyond <= 2 * curve.knee
    assert points[0]["passed"] and not points[-1]["passed"] and points[-1]["rate"] > curve.beyond
    assert points[0]["achieved_rate"] > 0.8 * points[0]["rate"]  # light load: answered as offered
    assert points[-1]["achieved_rate"] < min(0.9 * points[-1]["rate"], 300)  # saturated, at ~250/s
    assert all(0 <= t["client_cpu_share"] for t in points)


def _swept(graph, setup, max_rate, pss_mb, light_p50_ms=1.0):
    from bench.report import Row
    from bench.results.records import Figure

    trials = [{"rate": 50.0, "p50_ms": light_p50_ms, "p99_ms": 2.0, "passed": True, "wrong": 0, "errors": 0}]
    figure = Figure(question=open_loop.RECORD, graph=graph, setup=setup, server_setup={}, memory={"pss_mb": pss_mb},
                    part={"max_rate": max_rate, "p99_bound_ms": 50.0, "beyond_rate": max_rate * 1.1, "trials": trials})
    return Row(group="open loop", case=f"{graph}-{setup}", median_ms=1000.0, figure=figure)


def test_the_recommendation_names_the_best_set_up_against_the_seed_and_the_rate_memory_front():
    rows = [_swept("static", "gunicorn-w2", 300, 900), _swept("onnx", "granian-w2", 1200, 250),
            _swept("onnx", "gunicorn-w2", 1000, 200), _swept("static-xla", "gunicorn-w2", 600, 1200)]
    found = open_loop.recommendation(rows)
    assert [(s["graph"], s["setup"]) for s in found][:2] == [("onnx", "granian-w2"), ("onnx", "gunicorn-w2")]
    assert {(s["graph"], s["setup"]) for s in found if s["front"]} == {("onnx", "granian-w2"), ("onnx", "gunicorn-w2")}
    first = open_loop.headline(rows)[0]
    assert "`onnx` on granian-w2, **1200 requests/s**" in first and "**300% more** than the seed's" in first
    assert "static` on gunicorn-w2, 300/s" in first


def test_more_workers_are_pruned_once_a_step_gained_under_five_per_cent():
    from bench.method.plan import Case, ServerConfig

    four = Case("onnx", ServerConfig("gunicorn", 4))
    assert open_loop.pruned(four, {}) is None
    assert open_loop.pruned(four, {"onnx-gunicorn-w1": 500, "onnx-gunicorn-w2": 900}) is None
    assert "pruned: 2 workers held 510/s, +2% over 1" in open_loop.pruned(four, {"onnx-gunicorn-w1": 500, "onnx-gunicorn-w2": 510})


def test_a_rate_is_held_only_when_the_answers_keep_up_not_only_when_p99_is_under_the_bound():
    """A short trial over capacity keeps its p99 while its backlog grows: it is not a rate the set-up holds."""
    keeping_up = {"rate": 600.0, "achieved_rate": 599.0, "p99_ms": 42.0, "errors": 0, "wrong": 0}
    falling_behind = {**keeping_up, "achieved_rate": 572.0}
    assert openloop.held(keeping_up, 50.0) and not openloop.held(falling_behind, 50.0)
    assert not openloop.held({**keeping_up, "p99_ms": 51.0}, 50.0)
    assert not openloop.held({**keeping_up, "wrong": 1}, 50.0) and not openloop.held({**keeping_up, "errors": 2}, 50.0)
