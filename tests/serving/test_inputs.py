import json

import pytest

from serving.inputs import InputError, Limits, texts_from_json, texts_from_query

LIMITS = Limits(max_text_chars=20, max_batch=3)


def query_error(raw: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        texts_from_query(raw, LIMITS)
    return caught.value


def json_error(body: bytes, content_type="application/json") -> InputError:
    with pytest.raises(InputError) as caught:
        texts_from_json(body, content_type, LIMITS)
    return caught.value


def test_query_text_is_percent_decoded():
    assert texts_from_query(b"text=good+food%21", LIMITS) == ["good food!"]
    assert texts_from_query(b"text=caf%C3%A9", LIMITS) == ["café"]


@pytest.mark.parametrize("raw, status, message", [
    (b"", 400, "missing"),
    (b"txt=a", 400, "missing"),
    (b"text=", 400, "empty"),
    (b"text=+++", 400, "empty"),
    (b"text=%ff%fe", 400, "UTF-8"),
    (b"text=\xff", 400, "UTF-8"),
    (b"text=a&text=b", 400, "once"),
    (b"text=" + b"a" * 21, 413, "longer than 20"),
])
def test_bad_queries(raw, status, message):
    error = query_error(raw)
    assert error.status == status and message in error.message


def test_json_single_and_batch():
    assert texts_from_json(b'{"text": "nice"}', "application/json; charset=utf-8", LIMITS) == (["nice"], False)
    assert texts_from_json(b'{"texts": ["a", "b"]}', "application/json", LIMITS) == (["a", "b"], True)


@pytest.mark.parametrize("body, status, message", [
    (b"{", 400, "invalid JSON"),
    (b"\xff{}", 400, "UTF-8"),
    (b"[]", 400, "object"),
    (b"{}", 400, "exactly one"),
    (b'{"text": "a", "texts": ["b"]}', 400, "exactly one"),
    (b'{"text": 5}', 400, "string, not int"),
    (b'{"text": null}', 400, "string, not NoneType"),
    (b'{"texts": "x"}', 400, "list of strings"),
    (b'{"texts": []}', 400, "empty"),
    (b'{"texts": ["a", 1]}', 400, "texts[1]"),
    (b'{"texts": ["a", "b", "c", "d"]}', 413, "limit is 3"),
    (json.dumps({"text": "\ud800"}).encode(), 400, "Unicode"),
])
def test_bad_json(body, status, message):
    error = json_error(body)
    assert error.status == status and message in error.message


def test_json_needs_json_content_type():
    assert json_error(b'{"text": "a"}', "text/plain").status == 415
    assert json_error(b'{"text": "a"}', None).status == 415
