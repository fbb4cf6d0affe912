"""`--serving-url`: the request, burst and open-loop benchmarks measure a server that is already running."""
import json
import subprocess
import sys
import time

import psutil
import pytest
import requests

from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerProcess
from bench.results.records import Figure
from tests.procs import marked_pids, new_marker


def cmdline(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return ""


@pytest.mark.parametrize("graph, kind", [("static-xla", "gunicorn"), ("onnx", "granian")])
def test_benchmarks_measure_the_given_server_and_launch_none(artifacts_dir, tmp_path, graph, kind):
    # Two workers: a client that typed its own guess in (it used to store workers=1) would be caught.
    with ServerProcess(graph, artifacts_dir, server=kind, workers=2) as staging:
        told = requests.get(f"{staging.url}/healthz", timeout=5).json()["setup"]
        marker = new_marker()
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", "bench", "--bench-quick", "-k", "request or burst or max_rate",
             "-p", "no:cacheprovider", "--benchmark-storage", str(tmp_path / "storage"),
             "--artifacts-cache", str(artifacts_dir.parent)],
            cwd=PROJECT_ROOT, env={**ROOT_ENV, **marker, "TFSERVE_URL": staging.url},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        launched = set()
        while run.poll() is None:  # watch for any server the run might start itself
            launched |= {cmdline(pid) for pid in marked_pids(marker) if "serving" in cmdline(pid)}
            time.sleep(0.2)
        output = run.stdout.read().decode(errors="replace")
    assert run.returncode == 0, output[-3000:]
    assert launched == set()
    saved = json.loads(next((tmp_path / "storage").glob("*/*.json")).read_text())
    cases = {(b["extra_info"]["graph"], b["extra_info"]["setup"]) for b in saved["benchmarks"]}
    assert cases == {(graph, "remote")}
    # the set-up stored is what the measured server said of itself, not the client's
    assert told["workers"] == 2 and told["server"] == kind
    assert all(b["extra_info"]["server_setup"] == told and Figure.from_extra_info(b["extra_info"]).workers == 2 for b in saved["benchmarks"])
    assert saved["machine_info"]["client"]["cpu_count"]  # the client's facts, through the documented hook
    assert {b["group"].split(":")[0] for b in saved["benchmarks"]} == {"request", "burst of 20", "open loop"}


def test_unreachable_serving_url_is_a_one_line_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--serving-url", "http://127.0.0.1:9", "-p", "no:cacheprovider",
         "--benchmark-storage", str(tmp_path)], cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 4  # pytest's usage error
    assert "--serving-url http://127.0.0.1:9: no healthy tfserve-bench server there" in result.stderr
    assert "Traceback" not in result.stderr
