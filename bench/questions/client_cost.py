"""The client's own cost: our client and wrk against a server that does nothing (`bench/harness/
minimal_app.py` under gunicorn, one sync worker, as our servers run), the floor under every HTTP
figure of the run. wrk's p50 is measured in windows alternating with ours on the same server; the
difference is what the client itself adds to each request (nothing is subtracted from any figure).
It has no cases: it runs its own minimal server. Its benchmark: bench/test_client_cost.py."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from bench.clients import wrk
from bench.clients.http import SequentialClient
from bench.harness.minimal_app import ANSWER
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, free_port
from bench.method.paired import Rotation
from bench.method.rotations import Measured
from bench.method.rounds import Knobs, Rounds
from bench.questions.question import Question
from serving.setup_report import hosting

RECORD = "client cost"
# Requests timed by our client and by wrk on a server that does nothing, as many as single requests time.
KNOBS = Knobs(quick=Rounds(60), full=Rounds(480))
KEY = "minimal-gunicorn-w1"  # what it measures, as its figure's set-up names it
TEXT = "the staff was friendly, but the room was dirty"
WINDOWS, REQUESTS = 20, 100  # ~0.3 ms each: about a second in all
# Started here with these flags; it has no /healthz to report itself (it is not our app).
MINIMAL_SERVER = {**hosting("gunicorn", 1, "sync", 1), "app": "bench.harness.minimal_app"}
WRK_MISSING = "wrk is not installed (Debian: apt-get install wrk): the client's cost is measured against it"


# Its own figures: our client's and wrk's p50 in alternating windows on the same server, and the
# difference.
PART = ("client_window_p50_ms", "wrk_window_p50_ms", "client_cost_ms")


@contextmanager
def minimal_server() -> Iterator[str]:
    """The minimal app under gunicorn, one sync worker, on a free port: its URL; stopped on the way out."""
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


def measure(cases: list, run) -> Measured:
    """Windows of wrk and of our client alternating on the minimal server, then the question's rounds
    of our client alone (its own clock): `samples(KEY)`, `parts[KEY]`."""
    if not wrk.available():
        return Measured(RECORD, [], Rotation({}, {}), {}, method=f"not measured: {WRK_MISSING}")
    with minimal_server() as url:
        ours, theirs, _ = wrk.alternate_p50s(url, TEXT, windows=WINDOWS, requests=REQUESTS)
        client = SequentialClient(url, [TEXT])
        try:
            times = [client.timed_unit() for _ in range(run.plan.rounds_of(RECORD).rounds)]
        finally:
            client.close()
    faults = [f"HTTP {status}: {body[:120]!r}" for _, status, body in client.answers.items
              if not (status == 200 and body == ANSWER)]
    wrk_p50, ours_p50 = float(np.median(theirs)), float(np.median(ours))
    return Measured(RECORD, [], Rotation({KEY: times}, {}), {KEY: MINIMAL_SERVER}, faults={KEY: faults},
                    method=f"our client's own clock, {len(times)} requests back to back, after {WINDOWS} windows of "
                           f"{REQUESTS} alternating with wrk",
                    parts={KEY: {"client_window_p50_ms": round(ours_p50, 4), "wrk_window_p50_ms": wrk_p50,
                                 "client_cost_ms": round(ours_p50 - wrk_p50, 4)}})


QUESTION = Question(RECORD, None, "client cost against a minimal server", measure=measure, part=PART, knobs=KNOBS)
