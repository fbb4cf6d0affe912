"""Safety: loopback by default, no debug mode, no stack traces, weights-only loading."""
import json
import subprocess
import sys

import psutil
import pytest

from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerProcess
from serving.servers import SERVERS


def listening_addresses(port: int) -> set[str]:
    """Local addresses (IPv4 and IPv6) listening on `port`, as the kernel reports its sockets."""
    return {connection.laddr.ip for connection in psutil.net_connections(kind="inet")
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port}


@pytest.mark.parametrize("server_kind", list(SERVERS))
def test_servers_listen_on_loopback_only_by_default(artifacts_dir, server_kind):
    with ServerProcess("static", artifacts_dir, server=server_kind) as server:
        assert listening_addresses(server.port) == {"127.0.0.1"}


def test_unexpected_errors_are_500_json_without_a_trace(artifacts_dir, monkeypatch):
    from serving import graphs
    from serving.app import create_app
    from serving.settings import Settings

    real_load = graphs.load

    def load_then_fail_on_requests(kind, artifacts):
        predictor, calls = real_load(kind, artifacts), []

        def predict(ids):
            calls.append(1)
            if len(calls) > 1:  # the warm-up call succeeds; requests hit an internal fault
                raise RuntimeError("secret internal detail")
            return predictor(ids)

        return predict

    monkeypatch.setattr(graphs, "load", load_then_fail_on_requests)
    app = create_app(Settings(graph="static", artifacts=artifacts_dir))
    assert app.debug is False and app.config["DEBUG"] is False
    response = app.test_client().get("/static", query_string={"text": "good"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}
    assert b"secret" not in response.data and b"Traceback" not in response.data


AUDIT_SCRIPT = r"""
import json, sys
from pathlib import Path
root = Path(sys.argv[1]).resolve()
seen = []
def under_root(name):
    return name is not None and root in Path(name if isinstance(name, str) else name.decode()).resolve().parents
def hook(event, args):
    if event == "pickle.find_class":
        seen.append([event, str(args[:2])])
from sentiment_model.artifacts import load_artifacts
from serving import graphs
sys.path.insert(0, str(root))  # even with the folder importable, nothing may be imported from it
sys.addaudithook(hook)
artifacts = load_artifacts(root)
graphs.load("dynamic", artifacts)(artifacts.vocabulary.encode_batch(["fine"]))
if sys.argv[2:] == ["control"]:  # proves the hook sees what it must refuse
    import network  # the planted module
# a module loaded from the folder shows in sys.modules
seen += [["import", name] for name, module in list(sys.modules.items()) if under_root(getattr(module, "__file__", None))]
print(json.dumps(seen))
"""


def planted_copy(artifacts_dir, tmp_path):
    planted = tmp_path / "artifacts"
    subprocess.run(["cp", "-r", str(artifacts_dir), str(planted)], check=True)
    # Bait: a pickle and a module beside the weights must never be touched.
    (planted / "model.pkl").write_bytes(b"\x80\x04K\x01.")
    (planted / "network.py").write_text("PLANTED = True  # imported from the artifacts folder: the fault looked for\n")
    return planted


def load_dynamic_watched(planted, *extra) -> tuple[list, set[str]]:
    """(Python audit events, files opened in the folder by any code, C++ included).

    TensorFlow reads the checkpoint in C++, which Python's audit hooks never see;
    the kernel's inotify sees every open in the watched folders.
    """
    from inotify_simple import INotify, flags

    watcher, folders = INotify(), {}
    for folder in [planted, *[p for p in planted.rglob("*") if p.is_dir()]]:
        folders[watcher.add_watch(str(folder), flags.OPEN)] = folder
    try:
        result = subprocess.run([sys.executable, "-c", AUDIT_SCRIPT, str(planted), *extra], capture_output=True,
                                text=True, cwd=PROJECT_ROOT, env=ROOT_ENV, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        opened = {str((folders[event.wd] / event.name).relative_to(planted))
                  for event in watcher.read(timeout=100) if event.name}
    finally:
        watcher.close()
    return json.loads(result.stdout.strip().splitlines()[-1]), opened


def test_dynamic_loading_reads_only_weights_never_pickles_or_code(artifacts_dir, tmp_path):
    events, opened = load_dynamic_watched(planted_copy(artifacts_dir, tmp_path))
    assert events == []  # no unpickling, no import from the folder
    assert {"manifest.json", "vocab.json", "checkpoint/model.index"} <= opened  # C++ reads are seen
    assert opened <= {"manifest.json", "vocab.json", "checkpoint/model.index", "checkpoint/model.data-00000-of-00001"}


def test_the_safety_checks_can_fail(artifacts_dir, tmp_path):
    """The same watch, when code does import from the folder and read the bait, reports both."""
    planted = planted_copy(artifacts_dir, tmp_path)
    events, opened = load_dynamic_watched(planted, "control")
    assert ["import", "network"] in events
    assert "network.py" in opened
