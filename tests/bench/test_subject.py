"""The run's subject (bench.method.subject) gives every question its cases: the suite's model by the
kind policy (each question's own `cases`), a model file's forms and a remote server by the question's
`sweep`, and nothing where a question declares none."""
from __future__ import annotations

from types import SimpleNamespace

from bench.method.plan import Plan
from bench.method.subject import ModelFile, RemoteServer, SuiteModel
from bench.questions import QUESTIONS, knobs
from serving.model_file.forms import Form


def _model_file() -> ModelFile:
    forms = {"dynamic": Form("dynamic", predict=lambda request: request), "static": Form("static", reason="no graph"),
             "onnx": Form("onnx", predict=lambda request: request)}
    return ModelFile(SimpleNamespace(forms=forms))


def _cases(subject, record: str, quick: bool = False, capacity: bool = False) -> list[str]:
    plan = Plan.from_options(knobs(), quick, None, subject=subject, capacity=capacity)
    return [str(case) for case in plan.subject.cases(QUESTIONS[record], plan)] if plan.asks(QUESTIONS[record]) else []


def test_a_model_files_agreeing_forms_are_swept_as_each_question_declares():
    model = _model_file()
    assert _cases(model, "request") == ["dynamic-in-process", "onnx-in-process", "dynamic-gunicorn-w1", "onnx-gunicorn-w1",
                                        "dynamic-granian-w1", "onnx-granian-w1"]
    assert _cases(model, "burst") == ["dynamic-gunicorn-w2", "onnx-gunicorn-w2", "dynamic-granian-w2", "onnx-granian-w2"]
    assert _cases(model, "open loop", quick=True) == ["dynamic-gunicorn-w2"]
    assert _cases(model, "cold start") == ["dynamic-gunicorn-w1", "onnx-gunicorn-w1"]
    assert _cases(model, "cold start", quick=True) == []  # no rounds in a quick run, whatever the subject
    # the suite's own model only: the load probe, valgrind, the idle regimes
    assert _cases(model, "load") == _cases(model, "instructions") == _cases(model, "after idle") == []


def test_a_remote_server_is_one_case_of_each_question_asked_over_http():
    remote = RemoteServer("http://127.0.0.1:1", "onnx")
    asked = {record for record in QUESTIONS if _cases(remote, record)}
    assert asked == {"request", "burst"}  # and the open loop with --bench-capacity:
    assert _cases(remote, "open loop", capacity=True) == ["onnx-remote"]
    assert _cases(remote, "burst") == ["onnx-remote"]


def test_the_suite_model_takes_each_questions_own_cases():
    plan = Plan.from_options(knobs(), False, None)
    assert isinstance(plan.subject, SuiteModel)
    for question in QUESTIONS.values():
        if question.cases:
            assert plan.subject.cases(question, plan) == question.cases(plan)
