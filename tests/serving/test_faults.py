"""Faults: killed workers, taken ports, broken artifacts, servers that never get healthy, Ctrl-C."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from bench.clients.http import Burst
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerError, ServerProcess
from serving.servers import SERVERS
from tests.procs import children, marked_pids, new_marker, wait_no_marked

TEXTS = ["the staff was rude", "the room was lovely", "the movie was not good", "great pasta"]


@pytest.fixture(scope="module")
def expected(oracle):
    return dict(zip(TEXTS, oracle(TEXTS)[:, 1].tolist()))


def assert_correct(answers, expected):
    for text, status, body in answers.items:
        assert status == 200, body
        assert json.loads(body)["probabilities"]["POSITIVE"] == pytest.approx(expected[text], abs=1e-5)


def test_killed_worker_loses_requests_visibly_and_is_replaced(artifacts_dir, expected):
    marker = new_marker()
    with ServerProcess("static", artifacts_dir, workers=2, env=marker) as server:
        workers_before = children(server.process.pid)
        assert len(workers_before) == 2
        url = f"{server.url}/static"
        for _ in range(20):  # until a kill lands while requests are in flight
            burst = Burst(url, TEXTS, threads=20)
            killer = threading.Timer(0.01, os.kill, (workers_before[0], signal.SIGKILL))
            killer.start()
            burst.release()
            killer.join()
            # Every request either failed visibly or got the right answer: never a wrong one.
            assert len(burst.errors) + len(burst.answers.items) == 20
            assert_correct(burst.answers, expected)
            if burst.errors:
                break
            workers_before = _wait_for_workers(server, 2)  # the kill came after the burst: again
        assert burst.errors, "no request was in flight when the worker died"
        replaced = _wait_for_workers(server, 2)
        assert workers_before[0] not in replaced
        _wait_until_answering(server)
        after = Burst(url, TEXTS, threads=20)
        after.release()
        assert after.errors == [] and len(after.answers.items) == 20
        assert_correct(after.answers, expected)
    assert wait_no_marked(marker) == []


def _wait_for_workers(server, count, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = children(server.process.pid)
        if len(pids) == count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not get back to {count} workers")


def _wait_until_answering(server, seconds=60):
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # the new worker needs a few seconds to load TensorFlow
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)


def _expect_startup_failure(process: ServerProcess, marker, within: float) -> str:
    started = time.monotonic()
    with pytest.raises(ServerError) as failure:
        with process:
            pass
    assert time.monotonic() - started < within
    assert wait_no_marked(marker) == []
    return str(failure.value)


def test_taken_port_fails_fast_with_the_log(artifacts_dir):
    first_marker, second_marker = new_marker(), new_marker()
    with ServerProcess("static", artifacts_dir, env=first_marker) as first:
        message = _expect_startup_failure(
            ServerProcess("static", artifacts_dir, port=first.port, env=second_marker), second_marker, within=30)
    assert "already in use" in message and "Traceback" not in message


def test_missing_artifacts_fail_fast_in_one_line(tmp_path):
    marker = new_marker()
    process = ServerProcess("static", tmp_path / "none", env=marker)
    message = _expect_startup_failure(process, marker, within=30)
    assert "artifacts folder not found" in message and "Traceback" not in message
    assert "artifacts folder not found" in process.log_path.read_text()  # it exited by itself: its log stays
    process.log_path.unlink()


@pytest.mark.parametrize("graph, path", [("static", "frozen_model.pb"), ("dynamic", "checkpoint/model.index")])
@pytest.mark.parametrize("server_kind", list(SERVERS))
def test_corrupt_model_file_stops_the_server_with_one_error_line(artifacts_dir, tmp_path, graph, path, server_kind):
    broken = tmp_path / "artifacts"
    shutil.copytree(artifacts_dir, broken)
    (broken / path).write_bytes(b"\x00not a model\xff")
    marker = new_marker()
    message = _expect_startup_failure(
        ServerProcess(graph, broken, server=server_kind, workers=2 if SERVERS[server_kind].worker_processes else 1,
                      env=marker), marker, within=90)
    assert f"cannot load the model: corrupt artifact: {broken / path.split('/')[0]}" in message
    assert "Traceback" not in message


def test_server_that_never_gets_healthy_is_stopped_after_the_timeout(artifacts_dir):
    marker = new_marker()
    process = ServerProcess("static", artifacts_dir, env=marker, startup_timeout=3)
    process.command = [sys.executable, "-c", "import time; print('stuck', flush=True); time.sleep(600)"]
    message = _expect_startup_failure(process, marker, within=20)
    assert "not healthy after 3 s" in message and "stuck" in message
    assert not process.log_path.exists()  # stopped here: its log goes with it (the message has its tail)


def test_a_server_stopped_after_serving_leaves_no_log(artifacts_dir):
    with ServerProcess("onnx", artifacts_dir) as process:
        assert process.log_path.exists()
    assert not process.log_path.exists()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_a_benchmark_run_leaves_no_process(artifacts_dir, tmp_path, stop):
    """Ctrl-C, or SIGTERM (a CI runner cancelling the job), to `pytest bench` while its servers
    run: pytest's teardown must stop them all."""
    marker = new_marker()
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "bench/test_burst.py", "--bench-quick", "-p", "no:cacheprovider",
         "--benchmark-storage", str(tmp_path / "storage"), "--artifacts-cache", str(artifacts_dir.parent)],
        cwd=PROJECT_ROOT, env={**ROOT_ENV, **marker}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
        # A shell's background job starts with Ctrl-C ignored, and Python keeps an ignored SIGINT
        # ignored: the run must get it as a terminal's Ctrl-C would, however this test was started.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        while len(marked_pids(marker)) < 4 and time.monotonic() < deadline:  # pytest + servers + workers
            time.sleep(0.2)
        assert len(marked_pids(marker)) >= 4, "the benchmark run never started its servers"
        run.send_signal(stop)
        output = run.communicate(timeout=120)[0].decode(errors="replace")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert "KeyboardInterrupt" in output
    assert wait_no_marked(marker) == [], output[-2000:]
