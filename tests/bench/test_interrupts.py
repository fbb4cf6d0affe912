"""An interrupt that lands while a child is being started waits until the child is held, so the
run's teardown stops it (CI once lost a gunicorn server and its workers that way)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from bench.harness import supervisor
from bench.harness.interrupts import interrupts_deferred, sigterm_as_ctrl_c


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_inside_the_block_is_raised_when_it_ends(stop):
    previous = signal.getsignal(signal.SIGTERM)
    sigterm_as_ctrl_c()
    try:
        finished = False
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                os.kill(os.getpid(), stop)
                finished = True
        assert finished
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_server_interrupted_mid_start_is_still_held_and_stopped(tmp_path, monkeypatch):
    real_popen = subprocess.Popen

    def popen_interrupted_after_the_fork(*args, **kwargs):
        child = real_popen(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # as if Ctrl-C came just before Popen returned
        return child

    monkeypatch.setattr(supervisor.subprocess, "Popen", popen_interrupted_after_the_fork)
    process = supervisor.ServerProcess("static", tmp_path)
    process.command = [sys.executable, "-c", "import time; time.sleep(600)"]
    with pytest.raises(KeyboardInterrupt):
        process.start()
    assert process.process is not None and process.process.poll() is None
    process.stop()
    assert process.process.poll() is not None


PROBE = """
import os, sys, time
import pytest
from bench.harness import supervisor

@pytest.fixture
def server(tmp_path):
    process = supervisor.ServerProcess("static", tmp_path, env=dict(os.environ))
    process.command = [sys.executable, "-c", "import time; time.sleep(600)"]  # a server's place, in its own session
    process.start()
    yield process
    process.stop()

def test_held_until_cancelled(server):
    print("server started", flush=True)
    time.sleep(600)
"""


def test_sigterm_to_the_tests_stops_the_servers_their_fixtures_started():
    """`pytest tests` cancelled with SIGTERM (not Ctrl-C) leaves no server behind: the servers run in
    sessions of their own, so only the fixtures' teardown stops them (10 were once left running)."""
    from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV
    from tests.procs import new_marker, wait_no_marked

    folder = PROJECT_ROOT / ".cache" / "sigterm-probe"  # under the project: its conftest.py applies, as to tests/
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_probe.py").write_text(PROBE)
    marker = new_marker()
    run = subprocess.Popen([sys.executable, "-m", "pytest", str(folder / "test_probe.py"), "-s", "-q", "-p", "no:randomly",
                            "-p", "no:cacheprovider", "--benchmark-disable"], cwd=PROJECT_ROOT,
                           env={**ROOT_ENV, **marker}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in run.stdout:
            if "server started" in line:
                break
        assert run.poll() is None, "the probe ended before its server started"
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert wait_no_marked(marker) == []
