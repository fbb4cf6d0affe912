"""Requests through this side's WSGI app, in-process, counted by callgrind: run under
`valgrind --tool=callgrind --instr-atstart=no` (bench.harness.instructions), which counts nothing
until this script switches it on around the timed calls and off after them.

    python -P count_instructions.py ARTIFACTS GRAPH TEXTS_JSON CALLS WARMUP
        -> one JSON line {"answers": [[text, HTTP status, body], ...] (judged by the caller),
                          "seconds_per_call": the counted calls' wall clock (meaningful without valgrind,
                          where the hooks do nothing)}

What makes the count repeat (the rest is the launcher's: ASLR off, PYTHONHASHSEED=0):
- the runtime's threads 1 and 1, so no pool thread's spinning or scheduling is counted;
- the request environs and their bodies are built before counting, the answers read after it:
  what is counted is the app's request path (routing, input parsing, encoding, prediction,
  the JSON answer), as a server would call it for each request;
- `WARMUP` requests first, uncounted (first-call paths: caches, lazy imports, kernels);
- garbage collection off while counting (a collection lands where it lands).
"""
import gc
import io
import json
import sys
import time

from pytest_codspeed.instruments.hooks import dist_instrument_hooks as hooks
from werkzeug.test import EnvironBuilder

from serving.app import create_app
from serving.settings import parse

artifacts, graph, texts, calls, warmup = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
app = create_app(parse(["--graph", graph, "--artifacts", artifacts, "--intra-op-threads", "1", "--inter-op-threads", "1"]))
app.logger.disabled = True


def environs(count: int) -> list[dict]:
    """One POST environ per request, texts taken in turn, each with a fresh body stream."""
    found = []
    for index in range(count):
        body = json.dumps({"text": texts[index % len(texts)]}).encode()
        environ = EnvironBuilder(path=f"/{graph}", method="POST", data=body, content_type="application/json").get_environ()
        environ["wsgi.input"] = io.BytesIO(body)
        found.append(environ)
    return found


statuses: list[str] = []


def start_response(status, headers, exc_info=None):
    statuses.append(status)


def call_all(requests: list[dict]) -> list[bytes]:
    return [b"".join(app(environ, start_response)) for environ in requests]


call_all(environs(warmup))
statuses.clear()
requests = environs(calls)
gc.collect()
gc.disable()
started = time.perf_counter()
hooks.callgrind_start_instrumentation()
bodies = call_all(requests)
hooks.callgrind_stop_instrumentation()
elapsed = time.perf_counter() - started
gc.enable()
sent = [texts[index % len(texts)] for index in range(calls)]
print(json.dumps({"answers": [[text, int(status.split()[0]), body.decode()]
                              for text, status, body in zip(sent, statuses, bodies)],
                  "seconds_per_call": elapsed / calls}))
