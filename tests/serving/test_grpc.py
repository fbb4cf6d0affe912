"""`python -m serving grpc`: the suite's model over gRPC in TF Serving's Predict and the Open Inference
Protocol v2's ModelInfer; the messages byte for byte those of the official modules; `--serving-url
HOST:PORT --serving-protocol tfs-grpc|v2-grpc` measuring it; bad input a clear status, the server
serving on; nothing left running."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import grpc
import pytest

from bench.clients.grpc_connection import GrpcConnection, request_bytes
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV, free_port
from bench.method.oracle import GrpcJudge
from serving import peers
from serving.grpc_api import V2_SERVICE, open_inference, tf_serving
from serving.peers import environment
from tests.procs import new_marker, wait_no_marked

TEXTS = ["What a wonderful, kind little film.", "The service was rude and the food was cold."]


@pytest.fixture(scope="module")
def grpc_server(artifacts_dir):
    """Ours, onnx on two workers sharing a port, started as a user starts it; stopped by SIGTERM, and
    checked that none of its processes outlives it."""
    port, marker = free_port(), new_marker()
    process = subprocess.Popen([sys.executable, "-m", "serving", "grpc", "--graph", "onnx", "--artifacts", str(artifacts_dir),
                                "--port", str(port), "--workers", "2"], cwd=PROJECT_ROOT, env={**ROOT_ENV, **marker},
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0 and wait_no_marked(marker) == []


def call(target: str, protocol: str, text: str, model: str = "sentiment") -> tuple[int, bytes]:
    connection = GrpcConnection(f"grpc+{protocol}://{target}/{model}", timeout=10)
    try:
        return connection.send(text)
    finally:
        connection.close()


@pytest.mark.parametrize("protocol", ["tfs", "v2"])
def test_both_apis_answer_as_the_model_does(grpc_server, oracle, protocol):
    expected = {text: float(positive) for text, (_, positive) in zip(TEXTS, oracle(TEXTS))}
    for text in TEXTS * 3:  # on either worker
        assert GrpcJudge(protocol, expected)(text, *call(grpc_server, protocol, text)) is None


def test_v2_health_and_a_batch_of_texts(grpc_server):
    v2 = open_inference()
    with grpc.insecure_channel(grpc_server) as channel:
        def rpc(method, request, response):
            return channel.unary_unary(f"/{V2_SERVICE}/{method}", request_serializer=request.SerializeToString,
                                       response_deserializer=response.FromString)(request, timeout=10)

        assert rpc("ServerLive", v2.ServerLiveRequest(), v2.ServerLiveResponse).live
        assert rpc("ServerReady", v2.ServerReadyRequest(), v2.ServerReadyResponse).ready
        assert rpc("ModelReady", v2.ModelReadyRequest(name="sentiment"), v2.ModelReadyResponse).ready
        assert not rpc("ModelReady", v2.ModelReadyRequest(name="other"), v2.ModelReadyResponse).ready
        request = v2.ModelInferRequest(model_name="sentiment", id="batch-1")
        request.inputs.add(name="text", datatype="BYTES", shape=[2]).contents.bytes_contents.extend(t.encode() for t in TEXTS)
        request.outputs.add(name="label")
        answer = rpc("ModelInfer", request, v2.ModelInferResponse)
    assert answer.id == "batch-1" and [output.name for output in answer.outputs] == ["label"]
    assert list(answer.outputs[0].shape) == [2] and len(answer.outputs[0].contents.bytes_contents) == 2


def test_bad_input_is_a_clear_status_and_the_server_serves_on(grpc_server):
    tfs = tf_serving()
    bad = tfs.PredictRequest()
    bad.model_spec.name = "sentiment"
    numbers = bad.inputs["text"]
    numbers.dtype = tfs.DataType.DT_FLOAT
    numbers.float_val.append(1.0)
    refused = {"wrong dtype": bad.SerializeToString(),
               "an empty text": request_bytes("tfs", "sentiment", "   "),
               "too long": request_bytes("tfs", "sentiment", "word " * 2000),
               "another model": request_bytes("tfs", "nonesuch", "fine"),
               "not UTF-8": request_bytes("tfs", "sentiment", "@@@").replace(b"@@@", b"\xff\xfe\xfd")}
    with grpc.insecure_channel(grpc_server) as channel:
        predict = channel.unary_unary("/tensorflow.serving.PredictionService/Predict")
        found = {}
        for name, body in refused.items():
            with pytest.raises(grpc.RpcError) as refusal:
                predict(body, timeout=10)
            found[name] = (refusal.value.code(), refusal.value.details())
    assert found["wrong dtype"] == (grpc.StatusCode.INVALID_ARGUMENT, "input 'text' has dtype DT_STRING, not DT_FLOAT")
    assert found["an empty text"] == (grpc.StatusCode.INVALID_ARGUMENT, "text[0] is empty")
    assert found["too long"][0] == grpc.StatusCode.RESOURCE_EXHAUSTED and "longer than 5000" in found["too long"][1]
    assert found["another model"] == (grpc.StatusCode.NOT_FOUND, "no model 'nonesuch' here; this server serves 'sentiment'")
    assert found["not UTF-8"] == (grpc.StatusCode.INVALID_ARGUMENT, "input 'text' holds bytes that are not UTF-8")
    # as the suite's client sees a refusal: the REST status, the message in JSON, and the judge says so
    status, body = call(grpc_server, "v2", "fine", model="nonesuch")
    assert status == 404 and json.loads(body)["grpc_status"] == "NOT_FOUND"
    assert GrpcJudge("v2")("fine", status, body).startswith("HTTP 404 (gRPC)")
    assert GrpcJudge("tfs")(TEXTS[0], *call(grpc_server, "tfs", TEXTS[0])) is None  # still serving


def test_a_server_that_is_not_there_is_a_connection_error_not_a_hang():
    started = time.monotonic()
    with pytest.raises(ConnectionError, match="not ready in 2 s"):
        GrpcConnection(f"grpc+v2://127.0.0.1:{free_port()}/sentiment", timeout=2).send("hello")
    assert time.monotonic() - started < 10


def test_the_messages_are_byte_for_byte_those_of_the_official_modules(grpc_server, tmp_path):
    """v2: KServe's generated module (in the kserve peer's environment) reads our request and writes
    the same bytes; TF Serving: the tensorflow-serving-api wheel (its pin needs the `tensorflow`
    distribution, so it is fetched without dependencies and used from a folder) does the same with our
    request and our server's answer."""
    ours_v2, ours_tfs = request_bytes("v2", "sentiment", TEXTS[0]), request_bytes("tfs", "sentiment", TEXTS[0])
    status, answer = call(grpc_server, "tfs", TEXTS[0])
    assert status == 200
    kserve = environment.python_of("kserve", peers.get("kserve"))
    script = ("import sys\nfrom kserve.protocol.grpc import grpc_predict_v2_pb2 as p\n"
              "m = p.ModelInferRequest.FromString(bytes.fromhex(sys.argv[1]))\n"
              "assert m.inputs[0].contents.bytes_contents[0].decode() == sys.argv[2] and m.model_name == 'sentiment'\n"
              "print(m.SerializeToString().hex())")
    theirs = subprocess.run([str(kserve), "-c", script, ours_v2.hex(), TEXTS[0]], capture_output=True, text=True, timeout=120)
    assert theirs.returncode == 0 and bytes.fromhex(theirs.stdout.strip()) == ours_v2, theirs.stderr[-2000:]
    folder = tmp_path / "tensorflow_serving_api"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--target",
                    str(folder), "tensorflow-serving-api==2.21.0"], check=True, timeout=300)
    script = ("import sys\nsys.path.insert(0, sys.argv[1])\n"
              "from tensorflow_serving.apis import predict_pb2\n"
              "request = predict_pb2.PredictRequest.FromString(bytes.fromhex(sys.argv[2]))\n"
              "assert request.inputs['text'].string_val[0].decode() == sys.argv[4]\n"
              "answer = predict_pb2.PredictResponse.FromString(bytes.fromhex(sys.argv[3]))\n"
              "assert len(answer.outputs['probabilities'].float_val) == 2 and answer.outputs['label'].string_val\n"
              "print(request.SerializeToString().hex(), answer.SerializeToString().hex())")
    theirs = subprocess.run([sys.executable, "-c", script, str(folder), ours_tfs.hex(), answer.hex(), TEXTS[0]],
                            capture_output=True, text=True, timeout=300, env=ROOT_ENV)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    request_again, answer_again = (bytes.fromhex(part) for part in theirs.stdout.split()[-2:])
    assert request_again == ours_tfs
    # a map's entries may be written in any order: the answer read back must be the same message
    read = tf_serving().PredictResponse.FromString
    assert read(answer_again) == read(answer) and len(answer_again) == len(answer)


@pytest.mark.parametrize("protocol", ["tfs-grpc", "v2-grpc"])
def test_serving_url_measures_a_grpc_server(grpc_server, tmp_path, protocol):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--bench-quick", "-k", "request or burst", "-p", "no:cacheprovider",
         "--benchmark-storage", str(tmp_path / "storage"), "--serving-url", grpc_server, "--serving-protocol", protocol],
        cwd=PROJECT_ROOT, env=ROOT_ENV, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    saved = json.loads(next((tmp_path / "storage").glob("*/*.json")).read_text())
    assert {(b["extra_info"]["graph"], b["extra_info"]["setup"]) for b in saved["benchmarks"]} == {(protocol, "remote")}
    assert {b["group"].split(":")[0] for b in saved["benchmarks"]} == {"request", "burst of 20"}
    assert saved["benchmarks"][0]["extra_info"]["server_setup"]["protocol"].endswith("over gRPC")


def test_a_grpc_url_with_nothing_there_is_a_one_line_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--serving-url", f"127.0.0.1:{free_port()}", "--serving-protocol", "v2-grpc",
         "-p", "no:cacheprovider", "--benchmark-storage", str(tmp_path)], cwd=PROJECT_ROOT, env=ROOT_ENV,
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 4 and "no gRPC server answering" in result.stderr and "Traceback" not in result.stderr


def test_the_v2_grpc_client_measures_kserve_through_its_own_grpc_server(artifacts_dir, oracle):
    """KServe's model server with its gRPC port on (the kserve-grpc peer): our client's calls, in its
    generated protocol, answered and judged right; what `--serving-protocol v2-grpc` sends it."""
    from bench.harness.peer_process import PeerProcess

    expected = {text: float(positive) for text, (_, positive) in zip(TEXTS, oracle(TEXTS))}
    marker = new_marker()
    with PeerProcess("kserve-grpc", artifacts_dir, workers=1, env=marker) as peer:
        port = peer.grpc_port
        assert peer.request_url == f"grpc+v2://127.0.0.1:{port}/sentiment"
        connection = GrpcConnection(peer.request_url, timeout=30)
        try:
            for text in TEXTS * 2:
                assert GrpcJudge("v2", expected)(text, *connection.send(text)) is None
            status, body = GrpcConnection(f"grpc+v2://127.0.0.1:{port}/nonesuch", timeout=30).send(TEXTS[0])
            assert status in (400, 404, 500) and json.loads(body)["grpc_status"], body  # refused, in its own words
        finally:
            connection.close()
    assert wait_no_marked(marker) == []
