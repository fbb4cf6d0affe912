"""The client's own cost, measured every run: our client and wrk on a minimal non-TensorFlow server.

The figure in pytest-benchmark's table is our client's latency against a server
that does nothing (`bench/harness/minimal_app.py` under gunicorn, one sync worker, as our
servers run): the floor under every HTTP figure of the run. `extra_info` stores
wrk's p50 on the same server, measured in windows alternating with ours, and the
difference: what the client itself adds to each request (nothing is subtracted
from any figure).
"""
from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from bench.clients import wrk
from bench.clients.http import SequentialClient
from bench.harness.minimal_app import ANSWER
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, free_port
from bench.method.stats import latency_summary
from bench.plugin.required_tools import require_tool
from bench.plugin.sample_clock import sample_clock
from bench.questions import client_cost
from bench.results.records import Figure
from serving.setup_report import hosting

WINDOWS, REQUESTS = 20, 100  # ~0.3 ms each: about a second in all
# Started here with these flags; it has no /healthz to report itself (it is not our app).
MINIMAL_SERVER = {**hosting("gunicorn", 1, "sync", 1), "app": "bench.harness.minimal_app"}


@pytest.fixture(scope="module")
def minimal_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
         "bench.harness.minimal_app:app"], cwd=PROJECT_ROOT, env=ROOT_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/static"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                SequentialClient(url, ["ping"]).one_request()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the minimal gunicorn server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.benchmark(timer=sample_clock)
def test_client_cost(benchmark, minimal_server, plan):
    require_tool(None if wrk.available() else "wrk is not installed (Debian: apt-get install wrk): the client's "
                 "cost is measured against it")
    benchmark.group = "client: against a minimal server (no TensorFlow)"
    text = "the staff was friendly, but the room was dirty"
    ours, theirs, _ = wrk.alternate_p50s(minimal_server, text, windows=WINDOWS, requests=REQUESTS)
    client = SequentialClient(minimal_server, [text])
    times = [client.timed_unit() for _ in range(plan.rounds_of(client_cost.RECORD).rounds)]  # the client's own clock
    client.close()
    assert all(status == 200 and body == ANSWER for _, status, body in client.answers.items)
    sample_clock.hand_over(benchmark, times)
    wrk_p50, ours_p50 = float(np.median(theirs)), float(np.median(ours))
    record = Figure(
        question=client_cost.RECORD, graph=None, setup="minimal-gunicorn-w1", server_setup=MINIMAL_SERVER,
        text_chars_mean=len(text), **latency_summary(times),
        part={"client_window_p50_ms": round(ours_p50, 4), "wrk_window_p50_ms": wrk_p50,
              "client_cost_ms": round(ours_p50 - wrk_p50, 4)},
    )
    benchmark.extra_info.update(record.as_extra_info())
