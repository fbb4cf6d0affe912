"""Open-loop load: schedules, coordinated omission shown against a server that stalls, rate search."""
import os
import threading
import time
from http.server import HTTPServer, ThreadingHTTPServer

import pytest

from bench.clients import capacity, openloop
from bench.clients.capacity import SearchRule
from bench.clients.http import SequentialClient
from bench.questions import open_loop
from tests.localhttp import QuietJsonHandler, serve_in_thread


def searched(url, texts, judge, p99_bound_ms, rule=capacity.DEFAULT_RULE, server_cpu_s=None) -> capacity.Capacity:
    """One set-up's searches on one server, one after another (the run interleaves set-ups and relaunches
    servers between searches: `bench.questions.open_loop.measure`)."""
    search = capacity.Search(texts, judge, p99_bound_ms, rule, server_cpu_s)
    if search.first(url):
        for _ in range(rule.searches - 1):
            search.again(url)
    search.verify(url)
    return search.capacity


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
    found = searched(url, ["a"], ok_judge, 40, SearchRule(trial_s=1.0, start_rate=50, searches=3, verify=2,
                                                                    verify_s=1.0, past_knee=None),
                             server_cpu_s=time.process_time)  # the server runs in this process's threads
    rate, trials = found.knee, found.trials
    print(f"\nmax rate {rate:.0f}/s {found.interval} over {found.knees}; verified {found.verified} of 2; "
          f"trials {[(t['rate'], round(t['p99_ms'], 1)) for t in trials]}")
    assert 75 <= rate <= 250 and len(found.knees) == 3 and found.interval[0] <= rate <= found.interval[1]
    assert trials[0]["passed"] and not all(t["passed"] for t in trials)
    # Verification starts at the knee and steps down only past a failed trial, until a rate holds both.
    tried = list(dict.fromkeys(t["rate"] for t in found.verification))
    assert tried[0] == rate and tried == capacity.verification_rates(rate, found.interval[0], found.rule)[:len(tried)]
    assert found.verified_rate == tried[-1] and found.verified == 2
    assert all(any(not t["passed"] for t in found.verification if t["rate"] == r) for r in tried[:-1])
    assert found.cpu_ms_per_request() > 0


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
    rule = SearchRule(trial_s=1.0, start_rate=50, searches=1, verify=0, past_knee=None)
    honest_rate = searched(servers(HTTPServer), ["a"], ok_judge, 40, rule).knee
    shedding_server, shedding_url = serve_in_thread(Shedding)
    try:
        shedding = searched(shedding_url, ["a"], ok_judge, 40, rule)
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
    curve = searched(servers(HTTPServer), ["a"], ok_judge, 40, SearchRule(trial_s=1.0, start_rate=25, searches=1, verify=0))
    points = curve.points
    print(f"\nknee {curve.knee:.0f}/s, failed at {curve.beyond:.0f}/s; "
          f"{[(t['rate'], t['achieved_rate'], round(t['p99_ms'], 1)) for t in points]}")
    assert len({t["rate"] for t in points}) >= 6
    assert 75 <= curve.knee < curve.beyond <= 2 * curve.knee
    assert points[0]["passed"] and not points[-1]["passed"] and points[-1]["rate"] > curve.beyond
    assert points[0]["achieved_rate"] > 0.8 * points[0]["rate"]  # light load: answered as offered
    assert points[-1]["achieved_rate"] < min(0.9 * points[-1]["rate"], 300)  # saturated, at ~250/s
    # the load generator works for every request it sends: a share of a core above zero, within the machine's cores
    assert all(0 < t["client_cpu_share"] <= len(os.sched_getaffinity(0)) for t in points)


def _swept(graph, setup, max_rate, pss_mb, light_p50_ms=1.0, verified=3, spread=0.05):
    from bench.results.records import Figure
    from bench.results.rows import Row

    trials = [{"rate": 50.0, "p50_ms": light_p50_ms, "p99_ms": 2.0, "passed": True, "wrong": 0, "errors": 0}]
    verification = [{"rate": max_rate, "passed": index < verified, "client_cpu_share": 0.3} for index in range(3)]
    verified_rate = max_rate if verified == 3 else 0.0
    figure = Figure(question=open_loop.RECORD, graph=graph, setup=setup, server_setup={}, memory={"pss_mb": pss_mb},
                    part={"max_rate": max_rate, "max_rate_low": max_rate * (1 - spread), "max_rate_high": max_rate * (1 + spread),
                          "knees": [max_rate] * 5, "p99_bound_ms": 50.0, "beyond_rate": max_rate * 1.1, "trials": trials,
                          "verification": verification, "verified_rate": verified_rate, "cpu_ms_per_request": 1.6, "cpu_bound_rate": 1250.0,
                          "command": f"python -m serving run --graph {graph}"})
    return Row(group="open loop", case=f"{graph}-{setup}", median_ms=1000.0 / max_rate, figure=figure)


def test_the_recommendation_names_the_best_set_up_against_the_seed_and_the_rate_memory_front():
    rows = [_swept("static", "gunicorn-w2", 300, 900), _swept("onnx", "granian-w2", 1200, 250),
            _swept("onnx", "gunicorn-w2", 1000, 200), _swept("static-xla", "gunicorn-w2", 600, 1200)]
    found = open_loop.recommendation(rows)
    assert [(s["graph"], s["setup"]) for s in found][:2] == [("onnx", "granian-w2"), ("onnx", "gunicorn-w2")]
    assert {(s["graph"], s["setup"]) for s in found if s["front"]} == {("onnx", "granian-w2"), ("onnx", "gunicorn-w2")}
    first, cpu, command = open_loop.headline(rows)[:3]
    assert "`onnx` on granian-w2, **1200 requests/s** (held in 3 of 3 verification trials; knee 1200 [1140, 1260], median of 5" in first
    assert "**300% more** than the seed's" in first and "static` on gunicorn-w2, 300/s" in first
    assert "1.600 ms of CPU a request" in cpu and "at most 1250/s" in cpu and "0.30 of a core" in cpu
    assert command == "- **Run it**: `python -m serving run --graph onnx` (the artifacts of this run's model; the thread counts it reported it chooses itself)."


def test_a_knee_that_fails_its_verification_is_not_the_recommendation():
    rows = [_swept("onnx", "granian-w2", 1200, 250, verified=2), _swept("onnx", "gunicorn-w2", 1000, 200)]
    assert [(s["graph"], s["setup"]) for s in open_loop.recommendation(rows)][0] == ("onnx", "gunicorn-w2")
    assert "`onnx` on gunicorn-w2" in open_loop.headline(rows)[0]
    assert open_loop.headline([_swept("onnx", "granian-w2", 1200, 250, verified=0)])[0].startswith("- **No set-up to deploy")


def test_more_workers_are_pruned_once_a_step_gained_under_five_per_cent():
    from bench.method.cases import Case, ServerConfig

    four = Case("onnx", ServerConfig("gunicorn", 4))
    assert open_loop.pruned(four, {}) is None
    assert open_loop.pruned(four, {"onnx-gunicorn-w1": 500, "onnx-gunicorn-w2": 900}) is None
    assert "pruned: 2 workers held 510/s, +2% over 1" in open_loop.pruned(four, {"onnx-gunicorn-w1": 500, "onnx-gunicorn-w2": 510})


def test_a_rate_is_held_only_when_the_backlog_drains_within_the_bound_not_only_when_p99_is_under_it():
    """A short trial over capacity keeps its p99 while its backlog grows: its last answer comes late."""
    keeping_up = {"rate": 600.0, "achieved_rate": 599.0, "p99_ms": 42.0, "drain_ms": 3.0, "errors": 0, "wrong": 0}
    falling_behind = {**keeping_up, "drain_ms": 51.0}
    assert capacity.held(keeping_up, 50.0) and not capacity.held(falling_behind, 50.0)
    assert not capacity.held({**keeping_up, "p99_ms": 51.0}, 50.0)
    assert not capacity.held({**keeping_up, "wrong": 1}, 50.0) and not capacity.held({**keeping_up, "errors": 2}, 50.0)


class _FakeTrials:
    """Stands in for the open-loop client: a set-up holding `capacity_rate`, with one spike (a failed
    trial) at the `spike_at`-th trial whatever its rate."""

    def __init__(self, capacity_rate: float, spike_at: int | None = None):
        self.capacity_rate, self.spike_at, self.calls = capacity_rate, spike_at, []

    def __call__(self, url, texts, judge, rate, duration_s):
        self.calls.append((rate, duration_s))
        spike = len(self.calls) == self.spike_at
        p99 = 60.0 if spike or rate > self.capacity_rate else 5.0
        summary = {"rate": rate, "achieved_rate": rate, "requests": int(rate * duration_s), "errors": 0, "wrong": 0,
                   "p50_ms": 1.0, "p99_ms": p99, "drain_ms": 1.0, "client_cpu_share": 0.2}
        return type("Result", (), {"summary": lambda self: dict(summary)})()


def test_one_spike_below_the_knee_does_not_end_the_search(monkeypatch):
    """The 81 % move measured here: one trial at 200/s with a 53 ms p99 ended a search that held 1000/s.
    The failed trial is repeated, the repeat holds, and the search goes on to the real knee."""
    fake = _FakeTrials(capacity_rate=1000.0, spike_at=2)  # the second trial: 200/s
    monkeypatch.setattr(capacity, "run", fake)
    found = searched("http://x", ["a"], ok_judge, 50.0, SearchRule(searches=3, verify=2, verify_s=2.0))
    print(f"\nknees {found.knees}, calls {fake.calls}")
    assert fake.calls[1][0] == fake.calls[2][0] == 200.0  # the spike, then its repeat
    assert all(900 <= knee <= 1000 for knee in found.knees) and found.knee == sorted(found.knees)[1]
    assert found.interval == (min(found.knees), max(found.knees)) and found.verified == 2
    assert [call for call in fake.calls if call[1] == 2.0] == [(found.knee, 2.0)] * 2  # verified at the knee
    assert found.verified_rate == found.knee
    doubling_ends = [i for i, call in enumerate(fake.calls) if call == (1600.0, 0.8)][1]  # 1600/s failed twice
    bisected = [call for call in fake.calls[doubling_ends + 1:] if call[1] == 0.8]
    assert all(one != other for one, other in zip(bisected, bisected[1:]))  # no failed trial repeated there


def test_a_knee_that_fails_verification_is_verified_lower_or_not_claimed(monkeypatch):
    """The knee held 0.8 s trials but not 2 s ones: its interval's lower end is verified instead."""
    fake = _FakeTrials(capacity_rate=1000.0)
    original = fake.__call__

    def longer_trials_hold_less(url, texts, judge, rate, duration_s):
        return original(url, texts, judge, rate if duration_s < 1 else rate * 1.04, duration_s)

    monkeypatch.setattr(capacity, "run", longer_trials_hold_less)
    found = searched("http://x", ["a"], ok_judge, 50.0, SearchRule(searches=5, verify=3))
    low, verifying = found.interval[0], [rate / 1.04 for rate, seconds in fake.calls if seconds == 2.0]
    print(f"\nknees {found.knees}; verification at {verifying}, passed {[t['passed'] for t in found.verification]}")
    assert abs(verifying[0] - found.knee) < 1e-6 and not found.verification[0]["passed"]  # stopped at its first failure
    tried = list(dict.fromkeys(verifying))
    assert tried == pytest.approx(capacity.verification_rates(found.knee, low, SearchRule())[:len(tried)])
    if low < found.knee:
        assert abs(tried[1] - low) < 1e-6
    # the claim: the first of those a 2 s trial holds (here: at most 1000 / 1.04), held by all 3 of its trials
    assert found.verified_rate == next(rate for rate in tried if rate * 1.04 <= 1000) and found.verified == 3
    assert all(rate * 1.04 > 1000 for rate in found.failed_verification)


def test_a_later_search_is_not_bounded_by_the_first_searchs_bracket():
    """The first search came out low (a spike while bisecting): a later one that holds the top of its
    bracket doubles on from there to the real knee, rather than stopping at the first knee × 1.4."""
    rule = SearchRule()
    knee = capacity._bisection_around(lambda rate: rate <= 1000, lambda rate: rate <= 1000, 500.0, rule)
    assert 500 * rule.span < knee <= 1000
    low = capacity._bisection_around(lambda rate: rate <= 200, lambda rate: rate <= 200, 500.0, rule)
    assert 0 < low <= 200  # and the other way: from light load again


def test_the_rule_states_its_coverage():
    rule = SearchRule()
    assert rule.coverage == 1 - 2 / 32 and abs(rule.disjoint_by_chance - 2 / 252) < 1e-12
    assert "median of 5 searches" in rule.words() and "93.75%" in rule.words()


def test_a_knee_changed_between_runs_only_when_the_intervals_are_apart_and_it_moved_beyond_the_threshold():
    from bench.method.headlines import capacity_changes

    def part(knee, low, high, searches=5):
        return {"max_rate": knee, "max_rate_low": low, "max_rate_high": high, "knees": [knee] * searches}

    before = {"a": part(2600, 2400, 2800), "b": part(2600, 2400, 2800), "c": part(2600, 2400, 2800), "d": part(500, 500, 500, 1)}
    now = {"a": part(2000, 1900, 2100), "b": part(2500, 2300, 2700), "c": part(2380, 2350, 2390), "d": part(400, 400, 400, 1),
           "e": part(100, 90, 110)}
    lines = dict(line.split(": ", 1) for line in capacity_changes(now, before, threshold=0.05))
    print("\n" + "\n".join(f"{k}: {v}" for k, v in lines.items()))
    assert "CHANGED by -23.1%" in lines["a"] and "at most 2.4% over the 3 set-ups" in lines["a"]
    assert "unchanged (-3.8%, intervals overlap)" in lines["b"]
    assert "unchanged (-8.5%: intervals apart" not in lines["c"] and "CHANGED by -8.5%" in lines["c"]
    assert "not judged" in lines["d"] and "new" in lines["e"]


def test_no_garbage_collection_runs_inside_a_trial(servers):
    """A full collection in pytest's process (it holds TensorFlow) takes ~0.25 s: inside a trial it
    would stall every sender and be charged to the server. The collector is off while a trial runs,
    and back on after it."""
    import gc

    Stalling.service_s = 0.0
    url, seen = servers(ThreadingHTTPServer), []

    def judging(text, status, body):
        seen.append(gc.isenabled())
        return ok_judge(text, status, body)

    assert gc.isenabled()
    result = openloop.run(url, ["a"], judging, rate=100, duration_s=0.3)
    assert result.sent == len(seen) == 30 and not any(seen) and gc.isenabled()


def test_a_run_failing_benchmark_compare_fail_still_prints_our_summary_and_exits_1_without_a_traceback():
    """pytest-benchmark raises `PerformanceRegression` inside the terminal summary (a traceback, and every
    later section lost, the capacity verdicts among them); ours catches it around its hook, prints the
    summary, says FAILED in one line and sets the session's exit status to 1."""
    from pytest_benchmark.session import PerformanceRegression

    from bench.plugin import summary
    from bench.plugin.state import run_state

    class Reporter:
        def __init__(self):
            self.lines = []

        def write_line(self, text, **markup):
            self.lines.append(text)

        def section(self, title, **markup):
            self.lines.append(f"== {title}")

    config = type("Config", (), {"stash": pytest.Stash(), "getoption": lambda self, name: 0.05})()
    session = type("Session", (), {"exitstatus": 0})()
    run_state(config).session = session
    reporter = Reporter()
    hook = summary.pytest_terminal_summary(reporter, 0, config)
    next(hook)
    with pytest.raises(StopIteration):
        hook.throw(PerformanceRegression("Performance has regressed."))
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    assert reporter.lines[-1].startswith("FAILED: a figure regressed beyond --benchmark-compare-fail")


def test_the_command_that_serves_a_set_up_runs_from_the_checkout_on_any_machine():
    from serving.settings import Settings

    artifacts = open_loop.ROOT / ".cache" / "artifacts" / "abc"
    line = open_loop.command(Settings(graph="onnx", artifacts=artifacts, server="granian", workers=2, port=8123))
    assert line.startswith("python -m serving run --graph onnx") and "--port" not in line
    assert "--artifacts .cache/artifacts/abc" in line and str(open_loop.ROOT) not in line
