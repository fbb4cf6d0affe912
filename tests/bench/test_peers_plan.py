"""`--bench-peers` as the plan sees it: which peers, which cases, what each case is sent and how its
answers are judged (no server started here; tests/serving/test_peers.py starts them)."""
import json

import pytest

from bench.method.cases import Case, ServerConfig
from bench.method.oracle import OpenInferenceJudge
from bench.method.plan import Plan
from bench.questions import knobs, open_loop, peer_cold_starts, peers
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
    sent = peers.requests_for(texts)
    ours, v2 = peers.OURS[0], Case("onnx", ServerConfig("mlserver", 2))
    assert json.loads(sent(ours)[0].body) == {"text": "a lovely evening"}
    assert json.loads(sent(v2)[0].body)["inputs"][0] == {"name": "text", "datatype": "BYTES", "shape": [1],
                                                         "data": ["a lovely evening"]}
    assert str(sent(v2)[0]) == "a lovely evening"  # keyed by its text, for the judge

    class Ours:
        expected = {"a lovely evening": 0.9}

    judge = peers.judges_for(lambda case: Ours())(v2)
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


def test_peers_serve_the_suites_model_only_and_a_run_without_them_sends_no_texts_to_encode():
    from bench.method.subject import RemoteServer

    with pytest.raises(ValueError, match="--bench-peers serves the suite's own model in each peer: not with --model"):
        Plan.from_options(knobs(), True, None, subject=RemoteServer("http://127.0.0.1:1", "static"), peers="litserve")
    # a model file's requests are not texts: nothing is encoded for peers until a peer case asks
    peers.requests_for([object()])
