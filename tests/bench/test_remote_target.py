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


def test_open_inference_v2_measures_a_server_that_speaks_it(artifacts_dir, tmp_path):
    """`--serving-protocol v2`: the infer call of the Open Inference Protocol, against our own server
    (it answers v2 too), every answer judged on its shape, the set-up the server's metadata."""
    with ServerProcess("onnx", artifacts_dir, server="granian", workers=1) as staging:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "bench", "--bench-quick", "-k", "request or burst", "-p", "no:cacheprovider",
             "--benchmark-storage", str(tmp_path / "storage"), "--serving-url", staging.url, "--serving-protocol", "v2"],
            cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    saved = json.loads(next((tmp_path / "storage").glob("*/*.json")).read_text())
    assert {(b["extra_info"]["graph"], b["extra_info"]["setup"]) for b in saved["benchmarks"]} == {("v2", "remote")}
    setup = saved["benchmarks"][0]["extra_info"]["server_setup"]
    assert setup["protocol"] == "open inference v2" and setup["model"]["name"] == "sentiment"
    assert {b["group"].split(":")[0] for b in saved["benchmarks"]} == {"request", "burst of 20"}


def test_a_v2_model_that_is_not_there_is_a_one_line_usage_error(artifacts_dir, tmp_path):
    with ServerProcess("onnx", artifacts_dir, server="granian", workers=1) as staging:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "bench", "--serving-url", staging.url, "--serving-protocol", "v2",
             "--serving-model", "nonesuch", "-p", "no:cacheprovider", "--benchmark-storage", str(tmp_path)],
            cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 4
    assert f"--serving-url {staging.url}: model 'nonesuch' not ready over the Open Inference Protocol v2" in result.stderr
    assert "Traceback" not in result.stderr
