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
