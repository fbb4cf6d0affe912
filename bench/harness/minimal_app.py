"""The smallest WSGI app under gunicorn: no Flask, no TensorFlow. Calibrates the client.

Its answers have the size and headers of real ones, so what the suite's client measures against
it is the floor of client + gunicorn, and the gap to wrk on the same server is the client's own
cost: the suite's JSON answer on every path, and on `/v2/...` the Open Inference Protocol v2's
infer answer for one text (serving.open_inference's shape). A POSTed body is read, not parsed.
"""
from __future__ import annotations

import json

from serving.open_inference import OUTPUTS, infer_response

ANSWER = (b'{"graph":"static","label":"POSITIVE","probabilities":{"NEGATIVE":0.01,"POSITIVE":0.99},'
          b'"probability":0.99,"timings_ms":{"inference_ms":0.0,"preprocess_ms":0.0,"total_ms":0.0}}\n')
V2_ANSWER = json.dumps(infer_response("sentiment", [{"label": "POSITIVE", "probabilities": {"NEGATIVE": 0.01, "POSITIVE": 0.99}}],
                                      ["NEGATIVE", "POSITIVE"], None, list(OUTPUTS))).encode()


def _headers(answer: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]


HEADERS, V2_HEADERS = _headers(ANSWER), _headers(V2_ANSWER)


def app(environ, start_response):
    if length := int(environ.get("CONTENT_LENGTH") or 0):
        environ["wsgi.input"].read(length)
    if environ.get("PATH_INFO", "").startswith("/v2/"):
        start_response("200 OK", V2_HEADERS)
        return [V2_ANSWER]
    start_response("200 OK", HEADERS)
    return [ANSWER]
