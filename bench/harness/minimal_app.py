"""The smallest WSGI app under gunicorn: no Flask, no TensorFlow. Calibrates the client.

Its answer has the size and headers of a real one, so what the suite's client
measures against it is the floor of client + gunicorn, and the gap to wrk on the
same server is the client's own cost.
"""
from __future__ import annotations

ANSWER = (b'{"graph":"static","label":"POSITIVE","probabilities":{"NEGATIVE":0.01,"POSITIVE":0.99},'
          b'"probability":0.99,"timings_ms":{"inference_ms":0.0,"preprocess_ms":0.0,"total_ms":0.0}}\n')
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [ANSWER]
