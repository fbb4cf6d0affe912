"""`--bench-peers` as the plan sees it: which peers, which cases, what each case is sent and how its
answers are judged (no server started here; tests/serving/test_peers.py starts them)."""
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bench.method.cases import Case, ServerConfig
from bench.method.oracle import ModelJudge, OpenInferenceJudge, OpenInferenceModelJudge
from bench.method.plan import Plan
from bench.questions import QUESTIONS, knobs, open_loop, peer_cold_starts, peers
from serving.peers import PEERS


def plan(flag, quick=False):
    return Plan.from_options(knobs(), quick, None, peers=flag)


def test_the_flag_names_all_some_or_none():
    assert plan(None).peers == () and plan("all").peers == tuple(PEERS)
    assert plan("kserve, litserve").peers == ("kserve", "litserve")
    with pytest.raises(ValueError, match="unknown peer nonesuch; choose from all, "):
        plan("litserve,nonesuch")


def test_peer_cases_are_ours_and_theirs_and_only_with_the_flag():
    assert peers.cases(plan(None)) == [] and peer_cold_starts.cases(plan(None)) == []
    found = peers.cases(plan("litserve,kserve"))
    assert found[:3] == list(peers.OURS)
    assert found[3:] == [Case("onnx", ServerConfig("litserve", 2)), Case("onnx", ServerConfig("kserve", 2))]
    assert str(found[3]) == "onnx-litserve-w2" and found[3].config.launched and found[3].config.peer
    assert [str(case) for case in peer_cold_starts.cases(plan("litserve"))] == [
        "onnx-granian-w2", "onnx-gunicorn-w2", "onnx-litserve-w2"]  # ours in the peers' model form
    assert Case("onnx", ServerConfig("mlserver", 2)) in open_loop.cases(plan("mlserver"))
    assert not any(case.config.peer for case in open_loop.cases(plan(None)))


def test_each_case_is_sent_its_own_protocol_and_judged_in_it():
    texts = ["a lovely evening"]

    class Ours:
        expected = {"a lovely evening": 0.9}

    run = SimpleNamespace(plan=plan("mlserver"), texts=texts, judge=lambda case: Ours())
    sent = peers.requests_for(run)
    ours, v2 = peers.OURS[0], Case("onnx", ServerConfig("mlserver", 2))
    assert json.loads(sent(ours)[0].body) == {"text": "a lovely evening"}
    assert json.loads(sent(v2)[0].body)["inputs"][0] == {"name": "text", "datatype": "BYTES", "shape": [1],
                                                         "data": ["a lovely evening"]}
    assert str(sent(v2)[0]) == "a lovely evening"  # keyed by its text, for the judge

    judge = peers.judges_for(run)(v2)
    assert isinstance(judge, OpenInferenceJudge)

    def answer(positive, label):
        return json.dumps({"outputs": [{"name": "probabilities", "data": [1 - positive, positive]},
                                       {"name": "label", "data": [label]}]}).encode()

    assert judge(sent(v2)[0], 200, answer(0.9, "POSITIVE")) is None
    assert "expected 0.900000" in judge(sent(v2)[0], 200, answer(0.2, "POSITIVE"))
    assert "label NEGATIVE" in judge(sent(v2)[0], 200, answer(0.9, "NEGATIVE"))
    assert judge(sent(v2)[0], 500, b"{}").startswith("HTTP 500")
    assert OpenInferenceJudge()(sent(v2)[0], 200, answer(0.2, "POSITIVE")) is None  # a remote's: its shape only
    assert "no label" in OpenInferenceJudge()(sent(v2)[0], 200, answer(0.2, "MAYBE"))


def test_peers_serve_the_suites_model_or_a_model_file_not_a_remote_server():
    from bench.method.subject import RemoteServer

    with pytest.raises(ValueError, match="--bench-peers serves the suite's model or a --model file in each peer: "
                                         "not with --serving-url"):
        Plan.from_options(knobs(), True, None, subject=RemoteServer("http://127.0.0.1:1", "static"), peers="litserve")
    # a model file's requests are not texts: nothing is encoded for peers until a peer case asks
    peers.requests_for(SimpleNamespace(plan=plan("litserve"), texts=[object()], judge=None))


def a_model_file():
    """A model file as `--model` prepares it, without loading one: an input `x` [?, 2], an output `y:0`
    [?, 1], its onnx form (and no other) agreeing with it."""
    from bench.method.subject import ModelFile
    from serving.model_file.forms import Form
    from serving.model_file.prepare import Prepared
    from serving.model_file.spec import ModelSpec, TensorSpec

    spec = ModelSpec(Path("/models/tiny.onnx"), "onnx", "0" * 64, (TensorSpec("x", "float32", (None, 2)),),
                     (TensorSpec("y:0", "float32", (None, 1)),))
    return ModelFile(Prepared(spec, {"x": (1, 2)}, None, [{"x": np.array([[1.0, 2.0]], dtype=np.float32)}],
                              {"onnx": Form("onnx", predict=lambda request: request), "static": Form("static", reason="no")},
                              "onnx", [{"y:0": np.array([[0.25]], dtype=np.float32)}]))


def test_a_model_files_peers_are_ours_of_its_forms_and_every_peer():
    subject = a_model_file()
    found = subject.cases(QUESTIONS["peer request"], Plan.from_options(knobs(), False, None, peers="kserve,kserve-grpc",
                                                                       subject=subject))
    assert [str(case) for case in found] == ["onnx-granian-w2", "onnx-gunicorn-w2", "onnx-kserve-w2"]  # no static form


def test_a_model_files_v2_requests_are_its_typed_tensors_and_their_answers_are_judged_against_the_model():
    subject = a_model_file()
    (request,) = subject.requests_in("v2", subject.requests())
    assert json.loads(request.body) == {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1.0, 2.0]}]}
    assert subject.requests_in("json", subject.requests()) == subject.requests()  # TF Serving's body, as ours are sent
    ours = subject.judge("onnx", dict)
    assert isinstance(ours, ModelJudge) and subject.judge_in("json", ours) is ours
    judge = subject.judge_in("v2", ours)
    assert isinstance(judge, OpenInferenceModelJudge)

    def answer(value, name="y", shape=(1, 1)):
        return json.dumps({"outputs": [{"name": name, "datatype": "FP32", "shape": list(shape), "data": [value]}]}).encode()

    assert judge(request, 200, answer(0.25)) is None
    assert "off by up to 0.25" in judge(request, 200, answer(0.5))
    assert "shape [1] instead of [1, 1]" in judge(request, 200, answer(0.25, shape=(1,)))
    assert "unreadable answer" in judge(request, 200, answer(0.25, name="z"))
    assert judge(request, 400, b'{"error": "no"}').startswith("HTTP 400")


def test_a_grpc_peer_is_sent_the_texts_judged_as_grpc_answers_and_left_out_of_the_open_loop():
    from bench.method.oracle import GrpcJudge

    class Ours:
        expected = {"a lovely evening": 0.9}

    run = SimpleNamespace(plan=plan("kserve-grpc"), texts=["a lovely evening"], judge=lambda case: Ours())
    grpc_case = Case("onnx", ServerConfig("kserve-grpc", 2))
    assert peers.requests_for(run)(grpc_case) == ["a lovely evening"]  # the gRPC client serializes each text
    judge = peers.judges_for(run)(grpc_case)
    assert isinstance(judge, GrpcJudge) and judge.protocol == "v2" and judge.expected == Ours.expected
    assert peers.body_bytes("v2-grpc", "a lovely evening") > len("a lovely evening")
    assert grpc_case in peers.cases(run.plan) and grpc_case not in open_loop.cases(run.plan)
    with pytest.raises(ValueError, match="not sent over v2-grpc"):
        a_model_file().requests_in("v2-grpc", [])
