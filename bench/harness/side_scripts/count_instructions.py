"""Requests through this side's WSGI app, in-process, counted by callgrind: run under
`valgrind --tool=callgrind --instr-atstart=no` (bench.harness.instructions), which counts nothing
until this script switches it on around the timed calls and off after them.

    python -P count_instructions.py ARTIFACTS GRAPH TEXTS_JSON CALLS WARMUP EXECUTOR [PYTHON_CALLS_FILE]
        -> one JSON line {"answers": [[text, HTTP status, body], ...] (judged by the caller),
                          "seconds_per_call": the counted calls' wall clock (meaningful without valgrind,
                          where the hooks do nothing)}

What makes the count repeat (the rest is the launcher's: ASLR off, PYTHONHASHSEED=0, the allocator):
- EXECUTOR "single": TensorFlow's single-threaded executor for every function this process traces
  and calls, set before the app loads its model (TensorFlow's own switch, which also keeps a traced
  loop as one While op, as that executor needs). It runs the graph's kernels one after another, in
  order; the default executor picks, per kernel, inline or another thread from cycle-counter timings,
  so its count follows the machine's load. "default": the executor the servers use (a kind whose
  saved graph that executor cannot run);
- the runtime's threads 1 and 1, so no pool thread's spinning or scheduling is counted;
- a pause after each request, so the runtime's thread finishes its clean-up before the next one;
- the request environs and their bodies are built before counting, the answers read after it:
  what is counted is the app's request path (routing, input parsing, encoding, prediction,
  the JSON answer), as a server would call it for each request;
- `WARMUP` requests first, uncounted (first-call paths: caches, lazy imports, kernels);
- garbage collection off while counting (a collection lands where it lands).

With PYTHON_CALLS_FILE, the counted requests are made once more afterwards under cProfile, and the
calls of every Python function written there as JSON ("file:line(function)" -> calls): callgrind
sees the interpreter's C functions, this names the Python ones. Calls repeat exactly.
"""
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import time

from pytest_codspeed.instruments.hooks import dist_instrument_hooks as hooks
from werkzeug.test import EnvironBuilder

PAUSE_S = 0.02  # after each request: longer than the runtime thread's clean-up takes under valgrind

artifacts, graph, texts, calls, warmup, executor = (sys.argv[1], sys.argv[2], json.loads(sys.argv[3]),
                                                    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
python_calls_file = sys.argv[7] if len(sys.argv) > 7 else None
if executor == "single":
    from tensorflow.python.eager import context  # the option has no public API; context.py documents it

    options = context.context().function_call_options
    options.executor_type = "SINGLE_THREADED_EXECUTOR"
    context.context().function_call_options = options  # this thread's: the one that loads and calls

from serving.app import create_app  # noqa: E402 (after the executor is chosen: loading traces functions)
from serving.settings import parse  # noqa: E402

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


def call_all(requests: list[dict]) -> tuple[list[bytes], float]:
    """The answers' bodies, and the calls' own wall clock (the pauses left out)."""
    bodies, busy_s = [], 0.0
    for environ in requests:
        started = time.perf_counter()
        bodies.append(b"".join(app(environ, start_response)))
        busy_s += time.perf_counter() - started
        time.sleep(PAUSE_S)
    return bodies, busy_s


call_all(environs(warmup))
statuses.clear()
requests = environs(calls)
gc.collect()
gc.disable()
hooks.callgrind_start_instrumentation()
bodies, elapsed = call_all(requests)
hooks.callgrind_stop_instrumentation()
gc.enable()
sent = [texts[index % len(texts)] for index in range(calls)]
answers = [[text, int(status.split()[0]), body.decode()] for text, status, body in zip(sent, statuses, bodies)]


def source(file: str) -> str:
    """A file as the same for both checkouts: under the checkout (the working directory) or the
    installed packages, from there on."""
    if file.startswith(os.getcwd() + os.sep):
        return file[len(os.getcwd()) + 1:]
    return file.split("site-packages" + os.sep, 1)[-1]


if python_calls_file:
    profiler = cProfile.Profile()
    profiler.runcall(call_all, environs(calls))
    stats = pstats.Stats(profiler).stats  # (file, line, function) -> (primitive calls, calls, ...)
    with open(python_calls_file, "w") as out:
        json.dump({f"{source(file)}:{line}({function})": found[1] for (file, line, function), found in stats.items()}, out)
print(json.dumps({"answers": answers, "seconds_per_call": elapsed / calls}))
