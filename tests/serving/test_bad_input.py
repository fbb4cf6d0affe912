"""A corpus of bad and odd requests against real gunicorn servers of both graph kinds.

Each bad request gets a 4xx JSON error without a traceback; each odd but valid
one gets the right answer; after every one, a normal request is still served.
"""
import json
from urllib.parse import parse_qs, quote

import pytest

from bench.harness.supervisor import ServerProcess
from tests.rawhttp import raw_request

NORMAL = "the food was great"
JSON = [(b"Content-Type", b"application/json")]


def q(text: str) -> bytes:
    return b"?text=" + quote(text).encode()


def body(value) -> bytes:
    return json.dumps(value).encode()


# (id, method, target, headers, body, expected status); 200 means "a correct answer".
CASES = [
    ("no-query", b"GET", b"", [], None, 400),
    ("empty-text", b"GET", b"?text=", [], None, 400),
    ("whitespace-text", b"GET", b"?text=%20%09%0A%20", [], None, 400),
    ("other-parameter", b"GET", b"?txt=good", [], None, 400),
    ("text-twice", b"GET", b"?text=a&text=b", [], None, 400),
    ("text-over-limit", b"GET", q("a" * 5001), [], None, 413),
    ("one-mb-url", b"GET", q("a" * 1_000_000), [], None, 414),
    ("far-over-maxlen", b"GET", q(" ".join(["the movie was good"] * 120)), [], None, 200),
    ("invalid-utf8-percent", b"GET", b"?text=%ff%fe", [], None, 400),
    ("invalid-utf8-raw-byte", b"GET", b"?text=caf\xe9", [], None, 400),
    ("surrogate-utf8", b"GET", b"?text=%ED%A0%80", [], None, 400),
    ("overlong-utf8", b"GET", b"?text=%C0%AF", [], None, 400),
    ("nul-byte", b"GET", b"?text=good%00food", [], None, 200),
    ("emoji-only", b"GET", q("😀😀🔥"), [], None, 200),
    ("emoji-and-words", b"GET", q("the pasta was lovely 😀"), [], None, 200),
    ("rtl-text", b"GET", q("الطعام كان رائعا"), [], None, 200),
    ("unknown-words-only", b"GET", q("zxqv blorf quuxly"), [], None, 200),
    ("fullwidth-letters", b"GET", q("ｔｈｅ ｆｏｏｄ ｗａｓ ｇｒｅａｔ"), [], None, 200),
    ("json-text-number", b"POST", b"", JSON, body({"text": 5}), 400),
    ("json-text-null", b"POST", b"", JSON, body({"text": None}), 400),
    ("json-texts-string", b"POST", b"", JSON, body({"texts": "x"}), 400),
    ("json-texts-empty", b"POST", b"", JSON, body({"texts": []}), 400),
    ("json-texts-null-item", b"POST", b"", JSON, body({"texts": ["a", None]}), 400),
    ("json-batch-over-limit", b"POST", b"", JSON, body({"texts": ["good"] * 65}), 413),
    ("json-nested-100k-deep", b"POST", b"", JSON, b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("json-malformed", b"POST", b"", JSON, b'{"text": "a"', 400),
    ("json-array", b"POST", b"", JSON, b"[]", 400),
    ("json-both-keys", b"POST", b"", JSON, body({"text": "a", "texts": ["b"]}), 400),
    ("json-lone-surrogate", b"POST", b"", JSON, b'{"text": "\\ud800"}', 400),
    ("json-invalid-utf8", b"POST", b"", JSON, b'{"text": "caf\xe9"}', 400),
    ("json-one-mb-text", b"POST", b"", JSON, body({"text": "a" * 1_000_000}), 413),
    ("json-two-mb-body", b"POST", b"", JSON, body({"text": "a " * 1_000_000}), 413),
    ("json-nul-in-text", b"POST", b"", JSON, body({"text": "\u0000the room was lovely"}), 200),
    ("content-type-text", b"POST", b"", [(b"Content-Type", b"text/plain")], b'{"text": "a"}', 415),
    ("content-type-missing", b"POST", b"", [], b'{"text": "a"}', 415),
    ("head", b"HEAD", q("good"), [], None, 200),
    ("put", b"PUT", q("good"), [], b"", 405),
    ("delete", b"DELETE", q("good"), [], None, 405),
    ("patch", b"PATCH", q("good"), JSON, body({"text": "a"}), 405),
    ("header-flood", b"GET", q("good"), [(f"X-H{i}".encode(), b"v") for i in range(150)], None, 431),
    ("huge-header", b"GET", q("good"), [(b"X-Big", b"v" * 20_000)], None, 431),
]
RAW_LINES = [
    ("garbage-request-line", b"HELLO THERE\x01", 400),
    ("bad-http-version", b"GET /static?text=a HTTP/9.9", 400),
]


# The seed's two kinds on gunicorn, the other runtime's kind, and the non-Python front end.
SERVED = [("dynamic", "gunicorn"), ("static", "gunicorn"), ("onnx", "gunicorn"), ("onnx", "granian")]

# What a front end answers itself, before the app sees the request, where it offers no hook to
# answer in JSON (serving/servers/granian_server.py): case -> its status, its own empty body.
FRONT_END_ANSWERS = {"granian": {"one-mb-url": 431, "header-flood": 431, "invalid-utf8-raw-byte": 400,
                                 "garbage-request-line": 400, "bad-http-version": 400}}
# What a front end lets through where gunicorn refuses it: answered by the app, correctly.
PASSED_BY_FRONT_END = {"granian": {"huge-header"}}


@pytest.fixture(scope="module", params=SERVED, ids=["-".join(pair) for pair in SERVED])
def server(request, artifacts_dir):
    graph, kind = request.param
    with ServerProcess(graph, artifacts_dir, server=kind, workers=1) as process:
        yield process


@pytest.fixture(scope="module")
def reference(oracle):
    return lambda text: oracle([text])[0]


def assert_still_serving(server, reference):
    response = raw_request(server.port, b"GET", f"/{server.graph}".encode() + q(NORMAL))
    assert response.status == 200
    assert json.loads(response.body)["probability"] == pytest.approx(float(reference(NORMAL).max()), abs=1e-5)


def front_end_answer(server, name: str) -> int | None:
    return FRONT_END_ANSWERS.get(server.settings.server, {}).get(name)


@pytest.mark.parametrize("name, method, query, headers, payload, status", CASES, ids=[c[0] for c in CASES])
def test_bad_or_odd_request(server, reference, name, method, query, headers, payload, status):
    response = raw_request(server.port, method, f"/{server.graph}".encode() + query, headers, payload)
    if (own := front_end_answer(server, name)) is not None:
        assert response.status == own and response.body == b""
        assert_still_serving(server, reference)
        return
    if name in PASSED_BY_FRONT_END.get(server.settings.server, set()):
        status = 200
    assert response.status == status, response.body[:300]
    assert response.headers["content-type"].startswith("application/json")
    if method == b"HEAD":
        assert response.body == b""
    elif status == 200:
        answer = json.loads(response.body)
        text = json.loads(payload)["text"] if payload else parse_qs(query[1:].decode())["text"][0]
        assert answer["probability"] == pytest.approx(float(reference(text).max()), abs=1e-5)
    else:
        error = json.loads(response.body)["error"]
        assert error and "Traceback" not in error and 'File "' not in error
    assert_still_serving(server, reference)


@pytest.mark.parametrize("name, request_line, status", RAW_LINES, ids=[c[0] for c in RAW_LINES])
def test_malformed_request_line(server, reference, name, request_line, status):
    response = raw_request(server.port, b"GET", b"", request_line=request_line)
    assert response.status == status
    if front_end_answer(server, name) is None:
        assert response.headers["content-type"] == "application/json" and json.loads(response.body)["error"]
    assert_still_serving(server, reference)


@pytest.mark.parametrize("payload", [body({"text": NORMAL}), b'{"text": "the fo'], ids=["whole-json", "cut-json"])
def test_body_shorter_than_its_content_length(server, reference, payload):
    """The client announces 100 bytes more than it sends, then stops: a 400, not an answer
    to half a request, and the worker serves the next one."""
    response = raw_request(server.port, b"POST", f"/{server.graph}".encode(), JSON, payload,
                           content_length=len(payload) + 100)
    assert response.status == 400, response.body[:300]
    assert "Content-Length" in json.loads(response.body)["error"]
    assert_still_serving(server, reference)
