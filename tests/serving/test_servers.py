"""Real servers in subprocesses: answers, routes, errors, imports and clean shutdown."""
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import psutil
import pytest
import requests

from bench.harness.supervisor import ROOT_ENV, ServerProcess
from serving import graphs
from serving.servers import SERVERS
from serving.settings import Settings

TEXTS = ["the movie was not good", "honestly, the staff was rude, but the room was lovely!", "great pasta"]


@pytest.fixture(scope="module")
def expected(oracle):
    """In-process probabilities for TEXTS: what every server must answer."""
    return oracle(TEXTS)


def workers_for(kind: str) -> int:
    """Two worker processes where the server has them (one is the other servers' only choice)."""
    return 2 if SERVERS[kind].worker_processes else 1


@pytest.fixture(scope="module", params=[(graph, kind) for kind in SERVERS for graph in ("dynamic", "static")],
                ids=lambda p: "-".join(p))
def server(request, artifacts_dir):
    graph, kind = request.param
    # Python logs every import to stderr: the log shows which modules the server loaded.
    with ServerProcess(graph, artifacts_dir, server=kind, workers=workers_for(kind),
                       env={"PYTHONPROFILEIMPORTTIME": "1"}) as process:
        process.session = requests.Session()
        yield process


def get(server, **params):
    return server.session.get(f"{server.url}/{server.graph}", params=params, timeout=30)


def test_get_answers_label_probability_graph_and_timings(server, expected):
    for text, probabilities in zip(TEXTS, expected):
        response = get(server, text=text)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["graph"] == server.graph
        assert body["label"] == ["NEGATIVE", "POSITIVE"][int(np.argmax(probabilities))]
        assert body["probability"] == pytest.approx(float(probabilities.max()), abs=1e-5)
        assert body["probabilities"]["POSITIVE"] == pytest.approx(float(probabilities[1]), abs=1e-5)
        assert set(body["timings_ms"]) == {"preprocess_ms", "inference_ms", "total_ms"}
        timings = body["timings_ms"]  # the parts are inside the whole, and the model takes time
        assert 0 < timings["inference_ms"] and timings["preprocess_ms"] + timings["inference_ms"] <= timings["total_ms"]


def test_post_single_and_batch(server, expected):
    url = f"{server.url}/{server.graph}"
    single = server.session.post(url, json={"text": TEXTS[0]}, timeout=30).json()
    assert single["probability"] == pytest.approx(float(expected[0].max()), abs=1e-5)
    batch = server.session.post(url, json={"texts": TEXTS}, timeout=30).json()
    assert [r["probabilities"]["POSITIVE"] for r in batch["results"]] == pytest.approx(expected[:, 1].tolist(), abs=1e-5)


def test_healthz(server):
    body = server.session.get(f"{server.url}/healthz", timeout=5).json()
    assert body["status"] == "ok" and body["graph"] == server.graph and body["warmup_ms"] > 0
    setup = body["setup"]
    assert setup["graph"] == server.graph and setup["cpu_count"] == os.cpu_count()
    assert setup["server"] in SERVERS and setup["tensorflow_version"]
    assert setup["workers"] == workers_for(setup["server"])
    # no thread flag: the cores shared out among the worker processes, as TensorFlow reports it
    cores = len(os.sched_getaffinity(0))
    assert setup["tf_intra_op_threads"] == max(1, cores // setup["workers"]) == setup["intra_op_threads_set"]
    assert setup["intra_op_threads_chosen_by"] == "cores ÷ worker processes" and setup["batch_window_ms"] is None


def test_healthz_reports_the_set_up_as_the_worker_sees_it(artifacts_dir):
    """Threads as TensorFlow reports them inside the worker, not as the command line asked."""
    with ServerProcess("static", artifacts_dir, worker_class="gthread", threads=4, batch_window_ms=1,
                       intra_op_threads=1, inter_op_threads=2) as process:
        setup = requests.get(f"{process.url}/healthz", timeout=5).json()["setup"]
    assert {k: setup[k] for k in ("server", "workers", "worker_class", "threads", "batch_window_ms",
                                  "tf_intra_op_threads", "tf_inter_op_threads")} == {
        "server": "gunicorn", "workers": 1, "worker_class": "gthread", "threads": 4, "batch_window_ms": 1.0,
        "tf_intra_op_threads": 1, "tf_inter_op_threads": 2}
    assert setup["intra_op_threads_chosen_by"] == "flag"


@pytest.mark.parametrize("method, query, kwargs, status", [
    ("GET", "", {}, 400),
    ("GET", "?text=", {}, 400),
    ("GET", "?text=%ff%fe", {}, 400),
    pytest.param("GET", "?text=" + "a" * 5_001, {}, 413, id="GET-text-over-limit"),
    ("POST", "", {"data": b"{bad", "headers": {"Content-Type": "application/json"}}, 400),
    ("POST", "", {"json": {"text": 5}}, 400),
    ("POST", "", {"data": b"text=a"}, 415),
    ("PUT", "?text=good", {}, 405),
    ("DELETE", "?text=good", {}, 405),
])
def test_bad_requests_get_json_4xx_and_the_server_keeps_serving(server, expected, method, query, kwargs, status):
    response = server.session.request(method, f"{server.url}/{server.graph}{query}", timeout=30, **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] and "Traceback" not in response.text
    assert get(server, text=TEXTS[0]).json()["probability"] == pytest.approx(float(expected[0].max()), abs=1e-5)


def test_other_graph_route_is_404_json(server):
    other = "static" if server.graph == "dynamic" else "dynamic"
    response = server.session.get(f"{server.url}/{other}", params={"text": "good"}, timeout=5)
    assert response.status_code == 404 and "error" in response.json()


@pytest.mark.parametrize("graph", [kind for kind, entry in graphs.KINDS.items()
                                   if kind not in ("dynamic", "static") and entry.runtime == "tensorflow"])
def test_no_other_static_kind_imports_the_model_code(artifacts_dir, graph):
    """saved_model and static-xla (and any kind added later) load without the model code too."""
    with ServerProcess(graph, artifacts_dir, env={"PYTHONPROFILEIMPORTTIME": "1"}) as process:
        response = requests.get(f"{process.url}/{graph}", params={"text": TEXTS[0]}, timeout=30)
        assert response.status_code == 200
        log = process.log_path.read_text(errors="replace")
    assert "| tensorflow\n" in log
    assert "sentiment_model.network" not in log and "sentiment_model.train" not in log


NOT_TENSORFLOW = [kind for kind, entry in graphs.KINDS.items() if entry.runtime != "tensorflow"]


@pytest.mark.parametrize("kind", [name for name, server in SERVERS.items() if server.worker_processes])
@pytest.mark.parametrize("graph", NOT_TENSORFLOW)
def test_a_server_of_another_runtime_never_imports_tensorflow(artifacts_dir, graph, kind):
    """The onnx kind (and any kind of another runtime): no TensorFlow module imported and no
    TensorFlow library mapped, in the master and in every worker, after answering."""
    with ServerProcess(graph, artifacts_dir, server=kind, workers=2, env={"PYTHONPROFILEIMPORTTIME": "1"}) as process:
        response = requests.get(f"{process.url}/{graph}", params={"text": TEXTS[0]}, timeout=30)
        assert response.status_code == 200 and response.json()["graph"] == graph
        assert requests.get(f"{process.url}/healthz", timeout=5).json()["setup"]["tensorflow_version"] is None
        tree = [psutil.Process(process.process.pid), *psutil.Process(process.process.pid).children(recursive=True)]
        assert len(tree) >= 3  # the master (and its launcher) and two workers
        mapped = {pid.pid: [m.path for m in pid.memory_maps()] for pid in tree}
        log = process.log_path.read_text(errors="replace")
    imported = set(re.findall(r"^import time:[^|]*\|[^|]*\|\s*([\w.]+)$", log, flags=re.M))  # at any depth
    assert "onnxruntime" in imported  # the import log covers the workers
    assert not imported & {"tensorflow", "keras", "tf_keras"}, sorted(imported & {"tensorflow", "keras", "tf_keras"})
    for pid, paths in mapped.items():
        found = [path for path in paths if "tensorflow" in path or "libtensorflow" in path]
        assert not found, f"process {pid} maps TensorFlow: {found[:3]}"
    assert any("onnxruntime" in path for paths in mapped.values() for path in paths)  # the check sees libraries


def test_only_the_dynamic_server_imports_the_model_code(server):
    get(server, text=TEXTS[0])
    log = server.log_path.read_text(errors="replace")
    assert "| tensorflow\n" in log  # the import log covers the workers, where the model loads
    if server.graph == "static":
        assert "sentiment_model.network" not in log and "sentiment_model.train" not in log
    else:  # the same check sees the model code where it is used
        assert "sentiment_model.network" in log


@pytest.mark.parametrize("graph", ["static", "static-xla"])
def test_micro_batching_gthread_server_answers_a_burst_correctly(artifacts_dir, oracle, graph):
    from bench.clients.http import Burst

    texts = TEXTS * 7
    expected = oracle(texts)[:, 1]
    with ServerProcess(graph, artifacts_dir, worker_class="gthread", threads=20, batch_window_ms=1) as server:
        burst = Burst(f"{server.url}/{graph}", texts, threads=20)
        burst.release()
    assert burst.errors == [] and len(burst.answers.items) == 20
    by_text = dict(zip(texts, expected.tolist()))
    for text, status, body in burst.answers.items:
        assert status == 200
        assert json.loads(body)["probabilities"]["POSITIVE"] == pytest.approx(by_text[text], abs=1e-5)


@pytest.mark.parametrize("kind", list(SERVERS))
def test_sigterm_stops_the_whole_server(artifacts_dir, kind):
    process = ServerProcess("static", artifacts_dir, server=kind, workers=workers_for(kind)).start().wait_healthy()
    try:
        group = process.process.pid
        os.kill(process.process.pid, signal.SIGTERM)  # only the leader: it must stop its workers
        assert process.process.wait(timeout=20) == 0
        with pytest.raises(ProcessLookupError):
            for _ in range(50):
                os.killpg(group, 0)
                __import__("time").sleep(0.1)
    finally:
        process.stop()


def run_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "serving", *args], capture_output=True, text=True, timeout=60, env=ROOT_ENV, **kwargs)


def test_missing_artifacts_folder_is_one_line_error(tmp_path):
    result = run_cli("run", "--graph", "static", "--artifacts", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "artifacts folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_flag_is_a_usage_error_not_a_traceback(artifacts_dir):
    result = run_cli("run", "--graph", "tflite", "--artifacts", str(artifacts_dir))
    assert result.returncode == 2 and "invalid choice" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("run", "--graph", "static", "--artifacts", str(artifacts_dir), "--workers", "0")
    assert result.returncode == 2 and "at least 1" in result.stderr
    result = run_cli("run", "--graph", "static", "--artifacts", str(artifacts_dir), "--server", "nginx")
    assert result.returncode == 2 and "invalid choice: 'nginx'" in result.stderr and "Traceback" not in result.stderr
    one_process = next(name for name, server in SERVERS.items() if not server.worker_processes)
    result = run_cli("run", "--graph", "static", "--artifacts", str(artifacts_dir), "--server", one_process,
                     "--workers", "2")
    assert result.returncode == 2 and "serves from one process" in result.stderr


def test_every_registered_server_module_keeps_the_contract():
    from serving import servers

    for name in SERVERS:
        module = servers.load(name)
        assert callable(module.run) and module.hosting(Settings(graph="static", artifacts=Path("."), server=name))["server"] == name
    with pytest.raises(ValueError, match="unknown server 'nginx'"):
        servers.load("nginx")


def test_port_in_use_is_one_line_error(artifacts_dir):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("run", "--graph", "static", "--artifacts", str(artifacts_dir), "--port", str(port))
    assert result.returncode != 0 and "already in use" in result.stderr and "Traceback" not in result.stderr



def test_a_launch_whose_port_was_taken_relaunches_on_another_and_times_from_the_launch_that_served(artifacts_dir):
    """The port is chosen free when the server is built and bound when it starts; in between, another
    server or a client's outgoing connection may take it (CI saw gunicorn give up on one)."""
    import socket

    process = ServerProcess("static", artifacts_dir, server="flask")  # its port chosen free here
    port = process.port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))  # ... and taken before it starts
        taken.listen()
        first_launch = None
        try:
            process.start()
            first_launch = process.launched_at
            process.wait_healthy()
            assert process.relaunches == 1 and process.port != port
            assert process.launched_at > first_launch  # cold starts time the launch that served
            assert requests.get(f"{process.url}/static", params={"text": "great pasta"}, timeout=30).status_code == 200
            assert f"port {port} taken before the server bound it" in process.log_path.read_text()
        finally:
            process.stop()


def _threads(pid: int) -> int:
    return psutil.Process(pid).num_threads()


def test_gunicorn_master_imports_tensorflow_but_only_workers_start_its_runtime(artifacts_dir):
    """The master imports TensorFlow once, for its forked workers to share; TensorFlow's
    runtime (its thread pools) started before the fork could hang workers, so it must start
    only in them: the master has no more threads than a bare import leaves."""
    from tests.procs import children

    bare_import = subprocess.run(
        [sys.executable, "-c", "import psutil, serving.graphs.static; print(psutil.Process().num_threads())"],
        capture_output=True, text=True, check=True, env=ROOT_ENV)
    with ServerProcess("static", artifacts_dir, workers=2) as server:
        master = server.process.pid
        master_maps = " ".join(region.path for region in psutil.Process(master).memory_maps(grouped=True))
        master_threads = _threads(master)
        workers = children(master)
        worker_threads = [_threads(pid) for pid in workers]
    assert "tensorflow" in master_maps
    assert master_threads <= int(bare_import.stdout.split()[-1])
    assert len(workers) == 2 and all(threads > master_threads for threads in worker_threads)
