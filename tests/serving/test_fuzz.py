"""Property-based fuzzing (Hypothesis) of the input rules and of the whole app.

Whatever arrives, the answer is a correct prediction or a 4xx JSON error: never
a 500, never an exception escaping the rules. Hypothesis shrinks any failure to
the smallest input that shows it.
"""
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from serving.app import create_app
from serving.inputs import InputError, Limits, check_body_length, instances_from_json, texts_from_json, texts_from_query
from serving.settings import Settings

LIMITS = Limits(max_text_chars=50, max_batch=4)
DEEP = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", "", None,
                                 "APPLICATION/JSON", "application/json;;", "multipart/form-data"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.sampled_from(["text", "texts", "instances", "x"]) | st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)
# nesting depth as a searched dimension: random recursion alone never goes deep
nested = st.tuples(st.integers(min_value=1, max_value=200_000), st.sampled_from([(b"[", b"]"), (b'{"a": ', b"}")])).map(
    lambda depth_brackets: b'{"text": ' + depth_brackets[1][0] * depth_brackets[0] + b"1"
    + depth_brackets[1][1] * depth_brackets[0] + b"}")
bodies = st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()), nested)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def refused_properly(call) -> None:
    try:
        result = call()
    except InputError as error:
        assert 400 <= error.status < 500 and error.message
        return
    return result


@FUZZ
@given(st.binary(max_size=200))
def test_query_rule_takes_any_bytes(raw):
    texts = refused_properly(lambda: texts_from_query(raw, LIMITS))
    if texts is not None:
        assert len(texts) == 1 and texts[0].strip() and len(texts[0]) <= LIMITS.max_text_chars


@FUZZ
@given(bodies, CONTENT_TYPES)
@example(DEEP, "application/json")
def test_json_rule_takes_any_body(body, content_type):
    result = refused_properly(lambda: texts_from_json(body, content_type, LIMITS))
    if result is not None:
        texts, is_batch = result
        assert 1 <= len(texts) <= LIMITS.max_batch and all(isinstance(t, str) and t.strip() for t in texts)
        assert is_batch or len(texts) == 1


@FUZZ
@given(bodies, CONTENT_TYPES)
@example(DEEP, "application/json")
def test_tf_serving_rule_takes_any_body(body, content_type):
    instances = refused_properly(lambda: instances_from_json(body, content_type, 5, LIMITS))
    if instances is not None:
        assert all(len(row) == 5 and all(type(v) is int and v >= 0 for v in row) for row in instances)


@given(st.binary(max_size=50), st.integers(min_value=0, max_value=100))
def test_body_length_rule(body, announced):
    if announced > len(body):
        with pytest.raises(InputError):
            check_body_length(body, announced)
    else:
        assert check_body_length(body, announced) == body


@pytest.fixture(scope="module")
def client(artifacts_dir):
    app = create_app(Settings(graph="static", artifacts=artifacts_dir, limits=LIMITS))
    return app.test_client()


def assert_answer_or_4xx(response) -> None:
    assert response.status_code < 500, response.get_data()[:300]
    assert response.mimetype == "application/json"
    payload = response.get_json()
    if response.status_code == 200:
        answers = payload.get("results", [payload]) if "predictions" not in payload else []
        for answer in answers:
            assert answer["label"] in ("NEGATIVE", "POSITIVE")
            assert abs(sum(answer["probabilities"].values()) - 1) < 1e-4
    else:
        assert payload["error"]


@FUZZ
@given(st.binary(max_size=200))
def test_app_get_with_any_query(client, raw):
    # WSGI carries the raw query as a latin-1 string: every byte arrives as it was sent
    assert_answer_or_4xx(client.get("/static", environ_overrides={"QUERY_STRING": raw.decode("latin-1")}))


@FUZZ
@given(st.sampled_from(["/static", "/v1/models/sentiment:predict"]), bodies, CONTENT_TYPES,
       st.integers(min_value=0, max_value=3))
@example("/static", DEEP, "application/json", 0)
@example("/v1/models/sentiment:predict", DEEP, "application/json", 0)
def test_app_post_with_any_body(client, path, body, content_type, missing_bytes):
    """`missing_bytes`: the client announces more than it sends (a body cut short)."""
    headers = {"Content-Length": str(len(body) + missing_bytes)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    assert_answer_or_4xx(client.post(path, data=body, headers=headers))
