"""Instructions per request under callgrind (bench.harness.instructions): the count repeats, it
counts only the requests, it sees a small change in work, it holds the model's kernels, and every
counted answer is right.

Real valgrind on the onnx kind (about 15 s a count here) and on static (about 36 s); skipped without
valgrind, a failure in CI.
"""
from __future__ import annotations

import shutil

import pytest

from bench.harness import instructions
from bench.harness.supervisor import PROJECT_ROOT
from bench.method.oracle import AnswerJudge
from bench.method.subject import request_texts
from tests.required_tools import require

TEXTS = request_texts()[:instructions.CALLS // 2]  # each sent twice in a count of CALLS: the same mix in a half count
APP_LINE = "            results, timings = classifier.classify(texts)\n"


@pytest.fixture(scope="module")
def judge(oracle) -> AnswerJudge:
    return AnswerJudge("onnx", dict(zip(TEXTS, oracle(TEXTS)[:, 1].tolist())))


@pytest.fixture(scope="module")
def busier_checkout(tmp_path_factory):
    """A copy of this checkout's code whose request handler does ~10 % more work on onnx's instructions
    a request: a 400-step generator loop, ~240 k instructions (no sleep: work)."""
    root = tmp_path_factory.mktemp("busier")
    for package in ("serving", "sentiment_model"):
        shutil.copytree(PROJECT_ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    app = root / "serving" / "app.py"
    assert APP_LINE in app.read_text()
    app.write_text(app.read_text().replace(APP_LINE, APP_LINE + '            timings["busy"] = sum(i * i for i in range(400))\n'))
    return root


def test_counts_repeat_count_every_request_and_see_added_work(artifacts_dir, judge, busier_checkout):
    require("valgrind", instructions.missing_tools() is None, "Debian: apt-get install valgrind")
    first, second, busier, shorter = instructions.count_all(
        [(PROJECT_ROOT, artifacts_dir, "onnx"), (PROJECT_ROOT, artifacts_dir, "onnx"),
         (busier_checkout, artifacts_dir, "onnx")], TEXTS) + [
        instructions.count(PROJECT_ROOT, artifacts_dir, "onnx", TEXTS, calls=instructions.CALLS // 2)]
    for count in (first, second, busier, shorter):
        assert len(count.answers) == count.calls
        assert [fault for text, status, body in count.answers if (fault := judge(text, status, body.encode()))] == []
    assert abs(second.per_request / first.per_request - 1) < 0.001  # repeats (0.001 % seen here)
    # Only the requests are counted: half the calls, half the instructions (a process start-up
    # counted too would make the shorter run's count per request larger).
    assert abs(shorter.per_request / first.per_request - 1) < 0.02
    assert 1.05 < busier.per_request / first.per_request < 1.2  # the added loop, seen
    assert 1e6 < first.per_request < 1e7  # onnx's request path with its model: 2.2 M here
    # the added loop, named: its generator resumed 401 times a request, in the app's own file
    added = (PROJECT_ROOT / "serving" / "app.py").read_text().splitlines(keepends=True).index(APP_LINE) + 2  # its line
    assert busier.python_calls[f"serving/app.py:{added}(<genexpr>)"] == 401 * busier.calls, sorted(busier.python_calls)[:5]


def test_the_count_holds_tensorflows_kernels_and_repeats(artifacts_dir, oracle):
    """The LSTM's matrix products run on TensorFlow's inter-op thread: the count holds them (on the
    request's thread alone it would not), and on the single-threaded executor it repeats."""
    require("valgrind", instructions.missing_tools() is None, "Debian: apt-get install valgrind libjemalloc2")
    first, second = instructions.count_all([(PROJECT_ROOT, artifacts_dir, "static")] * 2, TEXTS)
    judge = AnswerJudge("static", dict(zip(TEXTS, oracle(TEXTS)[:, 1].tolist())))
    assert [fault for text, status, body in first.answers if (fault := judge(text, status, body.encode()))] == []
    assert first.executor == "single" and first.repeatable
    assert abs(second.per_request / first.per_request - 1) < 0.001  # 0.001 % seen here (the default executor: 0.7 %)
    products = sum(value for name, value in first.functions.items() if "general_matrix_vector_product" in name)
    assert products / first.instructions > 0.05, products  # the LSTM's matrix-vector products, counted
    assert first.per_request > 3 * first.request_thread_per_request  # the graph's thread, counted too


def test_a_missing_valgrind_is_one_line(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "valgrind" else "/bin/" + tool)
    assert instructions.missing_tools() == "valgrind not found (Debian: apt-get install valgrind)"


def test_a_missing_jemalloc_is_one_line(monkeypatch):
    monkeypatch.setattr(instructions, "JEMALLOC_DIRS", ())
    assert instructions.missing_tools() == "libjemalloc.so.2 not found (Debian: apt-get install libjemalloc2)"


def test_where_a_count_grew_is_said_function_by_function():
    from bench.harness.callgrind_profile import where_between

    base = {"functions": {"a.c:f": 100.0, "b.c:g": 50.0}, "python_calls": {"app.py:3(h)": 1.0}}
    candidate = {"functions": {"a.c:f": 100.0, "b.c:g": 80.0, "c.c:k": 20.0},
                 "python_calls": {"app.py:3(h)": 1.0, "app.py:9(<genexpr>)": 401.0}}
    lines = where_between(base, candidate, top=3)
    assert lines == ["C function, self instructions: b.c:g: 50 → 80 a request (+30, 60% of the change)",
                     "C function, self instructions: c.c:k: 0 → 20 a request (+20, 40% of the change)",
                     "Python function, calls: app.py:9(<genexpr>): 0 → 401 a request"]
    assert where_between(base, base) == []  # nothing grew: nothing said
