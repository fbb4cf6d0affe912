"""Locust's distributed mode (master + one local worker) runs the shipped locustfile against a real server."""
import csv
import os
import shutil
import signal
import subprocess

import pytest

from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerProcess, free_port
from tests.procs import new_marker, wait_no_marked
from tests.required_tools import require


@pytest.fixture(autouse=True)
def locust_installed():
    require("locust", shutil.which("locust") is not None, "pip install -r requirements.txt")


def test_headless_master_and_worker_write_a_clean_csv(artifacts_dir, tmp_path):
    marker = new_marker()
    env = {**ROOT_ENV, **marker, "TFSERVE_GRAPH": "static"}
    port = str(free_port())
    locustfile = str(PROJECT_ROOT / "tools" / "locustfile.py")
    with ServerProcess("static", artifacts_dir, workers=2) as server:
        master = subprocess.Popen(
            ["locust", "-f", locustfile, "--master", "--headless", "--expect-workers", "1", "-u", "8", "-r", "8",
             "-t", "4s", "--host", server.url, "--csv", str(tmp_path / "run"), "--master-bind-port", port,
             "--only-summary"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        worker = subprocess.Popen(
            ["locust", "-f", locustfile, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            output = master.communicate(timeout=90)[0].decode(errors="replace")
            worker.wait(timeout=30)
        finally:
            for process in (master, worker):
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
    assert master.returncode == 0, output[-2000:]
    with open(tmp_path / "run_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert int(rows["/static"]["Request Count"]) > 50
    assert int(rows["/static"]["Failure Count"]) == 0
    assert float(rows["/static"]["50%"]) > 0
    assert wait_no_marked(marker) == []
