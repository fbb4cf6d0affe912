"""The peers (`serving.peers`): each serves the suite's model, and a model file's onnx form, from its
own environment, answers as ours do, reports its set-up, and leaves nothing running; one that cannot be
installed or started is one line saying why."""
import subprocess
import sys

import pytest
import requests

from bench.clients.grpc_connection import GrpcConnection
from bench.harness.peer_process import PeerProcess
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, ServerError
from bench.method.cases import Case, ServerConfig
from bench.method.oracle import AnswerJudge
from bench.method.subject import ModelFile, SuiteModel
from bench.questions.peers import protocol_of
from serving import peers
from serving.peers import Peer, environment
from tests.procs import new_marker, wait_no_marked

TEXTS = ["What a wonderful, kind little film.", "The service was rude and the food was cold."]


def sent_to(peer, request) -> tuple[int, bytes]:
    """(status, body) of one request to a peer, in its protocol: POSTed JSON, or a gRPC ModelInfer call."""
    if peer.grpc_port:
        connection = GrpcConnection(peer.request_url, timeout=30)
        try:
            return connection.send(request)
        finally:
            connection.close()
    answer = requests.post(peer.request_url, data=request.body, headers={"Content-Type": "application/json"}, timeout=10)
    return answer.status_code, answer.content


@pytest.mark.parametrize("name", list(peers.PEERS))
def test_a_peer_answers_as_ours_do_and_leaves_nothing_running(artifacts_dir, oracle, name):
    marker = new_marker()
    case = Case("onnx", ServerConfig(name, 2))
    expected = {text: float(positive) for text, (_, positive) in zip(TEXTS, oracle(TEXTS))}
    judge = SuiteModel().judge_in(protocol_of(case), AnswerJudge("onnx", expected))
    with PeerProcess(name, artifacts_dir, workers=2, env=marker) as peer:
        for request in SuiteModel().requests_in(protocol_of(case), TEXTS):  # its protocol, judged as the suite judges it
            status, body = sent_to(peer, request)
            assert judge(request, status, body) is None, body
        setup, server = peer.reported_setup(), peers.get(name).environment or name  # kserve-grpc: KServe's server
        assert setup["server"] == server and setup["workers"] == 2 and setup[f"{server}_version"]
        assert setup["grpc_port"] == peer.grpc_port  # None: REST only
        assert setup["ort_intra_op_threads"] >= 1 and setup["tensorflow_version"] is None  # onnx, no TensorFlow
    assert wait_no_marked(marker) == []


@pytest.fixture(scope="module")
def onnx_model_file(tmp_path_factory):
    """onnx's `test_lstm_defaults` case as a model file (serving/model_file/examples.py), prepared as
    `--model` prepares it: its requests and the answers the model as given gives them."""
    from serving.model_file.prepare import prepare

    folder = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, "-m", "serving.model_file.examples", str(folder)], check=True, capture_output=True)
    return ModelFile(prepare(folder / "test_lstm_defaults.onnx"))


@pytest.mark.parametrize("name", [name for name, peer in peers.PEERS.items() if not peer.over_grpc])
def test_a_peer_serves_a_model_file_as_ours_do_and_refuses_a_bad_body_with_a_4xx(onnx_model_file, name):
    subject, marker = onnx_model_file, new_marker()
    protocol = peers.get(name).protocol
    ours = subject.judge("onnx", dict)
    judge = subject.judge_in(protocol, ours)
    sent = subject.requests_in(protocol, subject.requests())
    with PeerProcess(name, None, workers=1, env=marker, **subject.launch_settings()) as peer:
        assert peer.endpoint == {"json": "/v1/models/test_lstm_defaults:predict",
                                 "v2": "/v2/models/test_lstm_defaults/infer"}[protocol]

        def post(body: bytes):
            return requests.post(f"{peer.url}{peer.endpoint}", data=body, headers={"Content-Type": "application/json"},
                                 timeout=10)

        for request in sent:  # the model's own inputs in the peer's protocol, judged against the model as given
            answer = post(request.body)
            assert judge(request, answer.status_code, answer.content) is None, answer.text
        wrong = post(b'{"inputs": [{"name": "nonesuch", "datatype": "FP32", "shape": [1], "data": [1.0]}]}'
                     if protocol == "v2" else b'{"instances": "not a list"}')
        assert 400 <= wrong.status_code < 500, (wrong.status_code, wrong.text)
        answer = post(sent[0].body)  # and it keeps serving
        assert judge(sent[0], answer.status_code, answer.content) is None, answer.text
        setup = peer.reported_setup()
        assert setup["server"] == name and setup["model"].endswith("test_lstm_defaults.onnx")
    assert wait_no_marked(marker) == []


def test_a_model_file_without_an_onnx_form_is_one_line_for_every_peer(tmp_path):
    (tmp_path / "model.keras").write_bytes(b"not a model")
    with pytest.raises(ServerError) as error:
        PeerProcess("litserve", None, workers=1, model=tmp_path / "model.keras")
    assert "\n" not in str(error.value) and "model.keras" in str(error.value)


def test_a_peer_that_cannot_be_installed_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "CACHE", tmp_path)
    broken = Peer("litserve_peer", ("litserve==0.0.0.0.1",), "a pin no index has", "none", "/health")
    with pytest.raises(environment.PeerUnavailable) as error:
        environment.python_of("broken", broken)
    assert "pip could not install litserve==0.0.0.0.1" in str(error.value) and "\n" not in str(error.value)


def test_a_peer_that_dies_at_start_is_a_server_error_with_its_log(artifacts_dir, tmp_path):
    process = PeerProcess("litserve", tmp_path / "no-model-here", workers=1)
    with pytest.raises(ServerError, match="litserve exited") as error:
        with process:
            pass
    assert "no-model-here" in str(error.value)  # its own one line, quoted from its log


def test_unknown_peers_are_a_one_line_usage_error():
    result = subprocess.run([sys.executable, "-m", "pytest", "bench", "--bench-peers", "nonesuch", "--collect-only",
                             "-p", "no:cacheprovider"], cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True)
    assert result.returncode != 0
    assert "--bench-peers: unknown peer nonesuch; choose from all, " in result.stderr
    assert "Traceback" not in result.stderr


def test_the_peers_list_names_each_with_its_pins():
    result = subprocess.run([sys.executable, "-m", "serving.peers", "list"], cwd=PROJECT_ROOT, env=ROOT_ENV,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name, peer in peers.PEERS.items():
        assert any(line.startswith(f"{name}: ") and peer.requirements[0] in line for line in result.stdout.splitlines())


def test_a_peer_that_cannot_start_fails_its_own_figures_and_stops_nothing_else(artifacts_dir, tmp_path, monkeypatch):
    from bench.harness.server_pool import ServerPool

    monkeypatch.setattr(environment, "CACHE", tmp_path)
    monkeypatch.setitem(peers.PEERS, "broken", Peer("litserve_peer", ("litserve==0.0.0.0.1",), "a pin no index has",
                                                   "none", "/health"))
    broken = Case("onnx", ServerConfig("broken", 1))
    pool = ServerPool(artifacts_dir, {"group": [broken]})
    try:
        pool.start_group("group")  # no exception: the run goes on without it
        assert "pip could not install litserve==0.0.0.0.1" in pool.failure_of(broken)
        with pytest.raises(ServerError, match="pip could not install"):
            pool.get(broken)
    finally:
        pool.stop_all()


def test_a_peer_that_dies_mid_rotation_fails_its_own_figure_and_the_rotation_goes_on(artifacts_dir, oracle):
    """A peer killed (SIGKILL, its whole process group) after two rounds of single requests: its figure
    fails saying so, ours is measured to the end with every answer right."""
    import os
    import signal

    from bench.harness.server_pool import ServerPool
    from bench.method.plan import Plan
    from bench.questions import knobs
    from bench.questions.peers import REQUESTS as RECORD
    from bench.questions.single_requests import measure_requests

    ours, peer = Case("onnx", ServerConfig("gunicorn", 1)), Case("onnx", ServerConfig("litserve", 1))
    plan = Plan.from_options(knobs(), True, None, peers="litserve")
    texts = TEXTS * 5
    expected = {text: float(positive) for text, (_, positive) in zip(texts, oracle(texts))}
    pool = ServerPool(artifacts_dir, {"group": [ours, peer]})
    rounds = []

    def kill_the_peer_after_two_rounds():
        rounds.append(1)
        if len(rounds) == 3:  # the warm-up round and one timed round done
            os.killpg(pool.get(peer).process.pid, signal.SIGKILL)

    try:
        pool.start_group("group")
        measured = measure_requests([ours, peer], plan, pool, lambda case: SuiteModel().requests_in("json", texts), None,
                                    lambda case: AnswerJudge("onnx", expected), between_rounds=kill_the_peer_after_two_rounds,
                                    record=RECORD)
    finally:
        pool.stop_all()
    assert measured.faults[str(ours)] == [] and len(measured.rotation.round_medians[str(ours)]) >= plan.rounds_of(RECORD).rounds
    assert measured.faults[str(peer)] and "stopped answering after" in measured.faults[str(peer)][0], measured.faults
    assert not any(str(peer) in comparison.name for comparison in measured.comparisons)
    with pytest.raises(AssertionError, match="stopped answering"):
        measured.assert_correct(str(peer))
