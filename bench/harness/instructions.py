"""Instructions per request, counted by callgrind: the figure that repeats on a noisy machine.

Each count is one process of a checkout's code (`side_scripts/count_instructions.py`, the app
called in-process) under `valgrind --tool=callgrind --instr-atstart=no`; the script switches
counting on around the requests only (pytest-codspeed's instrument hooks, CodSpeed's method).
The count is **the request path's threads'**: the request's thread (routing, parsing, encoding, the
Python side of the runtime's call, the JSON answer; ONNX Runtime's and XLA's model too) and
TensorFlow's inter-op thread, which runs a graph's kernels; a runtime's helper threads, whose work
follows timing, are left out (`_request_path_threads`). What makes it repeat, process to process:
- TensorFlow's single-threaded executor (`executor_of`; the script sets it before the model loads).
  The default executor times its kernels with the CPU's cycle counter and runs each inline or on
  another thread by those times, so its count took one of two paths per process (all threads,
  dynamic 16.5 or 18.1 M a request; static 272.7 and 270.8 M for 20 requests in two processes);
- jemalloc with its time-based purging off (`JEMALLOC`, `ALLOCATOR_CONF`): glibc's malloc moved 0.4-1.6 % between
  two processes of static on the single-threaded executor (its free lists and consolidation depend
  on how two threads' allocations interleave), jemalloc 0.002-0.004 % with decay off, 0.1 % with it on;
- ASLR off (`setarch -R`), `PYTHONHASHSEED=0`, the same texts, `--fair-sched=yes`, runtime threads
  1/1, a pause after each request (the script's).
The request thread's own count is kept beside it (what Python and the app do; it leaves out
TensorFlow's kernels). `functions` holds the self instructions of every C function over the
counted threads, and `python_calls` the calls of every Python function: where a change of the count went.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import callgrind_profile, side_scripts

CALLS = 20  # requests counted per kind (texts in turn)
# Every kind on TensorFlow's single-threaded executor but those whose stored graph it cannot run: a
# SavedModel's loops were lowered to low-level control flow when it was saved.
DEFAULT_EXECUTOR_KINDS = ("saved_model",)
JEMALLOC = "libjemalloc.so.2"  # Debian: libjemalloc2
JEMALLOC_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")
ALLOCATOR_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"  # no purging by elapsed time
HELPER_SHARE = 0.1  # a thread with less than this share of the request thread's count is a helper
WARMUP = 5  # requests first, uncounted
AT_ONCE = 2  # valgrind processes at a time (2 cores; 1.1-1.4 GB each)
TIMEOUT_S = 600  # a TensorFlow kind takes 35-70 s under valgrind here


class CountError(RuntimeError):
    """A count could not be made (valgrind missing or failing, the app not starting)."""


def missing_tools() -> str | None:
    """Why instructions cannot be counted on this machine, or None."""
    for tool in ("valgrind", "setarch", "callgrind_annotate"):
        if shutil.which(tool) is None:
            return f"{tool} not found (Debian: apt-get install valgrind)"
    if jemalloc() is None:
        return f"{JEMALLOC} not found (Debian: apt-get install libjemalloc2)"
    return None


def jemalloc() -> str | None:
    found = [Path(folder) / JEMALLOC for folder in JEMALLOC_DIRS if (Path(folder) / JEMALLOC).is_file()]
    return str(found[0]) if found else None


def executor_of(graph: str) -> str:
    return "default" if graph in DEFAULT_EXECUTOR_KINDS else "single"


@dataclass(frozen=True)
class Count:
    graph: str
    request_thread: int  # over all counted calls, on the thread that called the app
    instructions: int  # over all counted calls, the request path's threads: the figure to compare
    calls: int
    answers: list  # [text, HTTP status, body] per counted call, for the caller's judge
    seconds: float  # wall clock of the whole valgrind process (start-up included)
    executor: str = "single"  # TensorFlow's executor in the counting process (executor_of)
    functions: dict = field(default_factory=dict)  # "file:function" -> self instructions, the counted threads
    python_calls: dict = field(default_factory=dict)  # "file:line(function)" -> calls, the same requests
    helpers: int = 0  # instructions of the runtime's helper threads, left out (_request_path_threads)

    @property
    def per_request(self) -> float:
        """The request path's count per request (the request's thread and the graph's): the figure
        compared and gated."""
        return self.instructions / self.calls

    @property
    def request_thread_per_request(self) -> float:
        return self.request_thread / self.calls

    def profile(self, top: int | None = None) -> dict[str, dict[str, float]]:
        """Its functions per request: C functions' self instructions (the counted threads) and Python
        functions' calls; with `top`, the largest of each only (what a saved run keeps)."""
        found = {"functions": callgrind_profile.per_request(self.functions, self.calls),
                 "python_calls": callgrind_profile.per_request(self.python_calls, self.calls)}
        if top:
            found = {key: dict(sorted(values.items(), key=lambda item: -item[1])[:top]) for key, values in found.items()}
        return {key: {name: round(value, 1) for name, value in values.items()} for key, values in found.items()}

    @property
    def repeatable(self) -> bool:
        """Whether the count repeats process to process (not on TensorFlow's default executor)."""
        return self.executor == "single"


def command(out_file: Path, artifacts: Path, graph: str, texts: list[str], calls: int = CALLS,
            warmup: int = WARMUP) -> list[str]:
    return ["setarch", "-R", "valgrind", "--tool=callgrind", "--fair-sched=yes", "--separate-threads=yes",
            "--instr-atstart=no", f"--callgrind-out-file={out_file}",
            *side_scripts.command("count_instructions", str(artifacts), graph, json.dumps(texts), str(calls), str(warmup),
                                  executor_of(graph), str(out_file.with_name("python_calls.json")))]


def count(root: Path, artifacts: Path, graph: str, texts: list[str], calls: int = CALLS, env: dict | None = None) -> Count:
    """Instructions of `calls` requests to `graph` through the app of the checkout at `root`."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as scratch:
        out_file = Path(scratch) / "callgrind.out"
        started = time.monotonic()
        # PYTHONPATH ".", run from the checkout: the environment is the same bytes for every checkout.
        # Two checkouts of one commit (the gate's no-op) counted static's request thread 0.40-0.46 %
        # apart with their paths in PYTHONPATH, 0.18-0.22 % with "." (the paths left in module names
        # and the working directory still move memory layout a little).
        side_env = {**(env or os.environ), "PYTHONPATH": ".", "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3",
                    "LD_PRELOAD": jemalloc() or "", "MALLOC_CONF": ALLOCATOR_CONF}
        process = subprocess.Popen(command(out_file, artifacts, graph, texts, calls), cwd=root, env=side_env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _running.add(process)
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise CountError(f"{graph}: no count within {TIMEOUT_S} s under valgrind") from None
        finally:
            _stop(process)
        thread_files = {path.name.rsplit("-", 1)[-1]: path for path in Path(scratch).glob("callgrind.out-*")}
        per_thread = {thread: _totals(path) for thread, path in thread_files.items()}
        if process.returncode != 0 or "01" not in per_thread:
            last = (stderr.strip().splitlines() or ["?"])[-1]
            raise CountError(f"{graph}: the counting process failed (exit {process.returncode}): {last}")
        counted = _request_path_threads(per_thread)
        answers = json.loads(stdout.strip().splitlines()[-1])["answers"]
        python_calls = Path(scratch) / "python_calls.json"
        return Count(graph, per_thread["01"], sum(per_thread[thread] for thread in counted), calls, answers,
                     time.monotonic() - started, executor_of(graph),
                     callgrind_profile.self_instructions(thread_files[thread] for thread in sorted(counted)),
                     json.loads(python_calls.read_text()) if python_calls.is_file() else {},
                     sum(per_thread.values()) - sum(per_thread[thread] for thread in counted))


def _request_path_threads(per_thread: dict[str, int]) -> list[str]:
    """The threads a request's work ran on: the request's own (valgrind's thread 1) and any that ran
    at least `HELPER_SHARE` of its count (TensorFlow's inter-op thread runs the graph: 4-5 times the
    request thread's). Smaller ones are a runtime's helpers, whose work follows timing: ONNX Runtime's
    ran 0 to 1.5 % of its request thread's instructions, process to process, under load."""
    return [thread for thread, total in per_thread.items() if thread == "01" or total >= HELPER_SHARE * per_thread["01"]]


def _totals(path: Path) -> int:
    found = re.search(r"^totals:\s+(\d+)", path.read_text(), re.MULTILINE)
    if not found:
        raise CountError(f"callgrind wrote no totals line in {path.name}")
    return int(found.group(1))


def seconds_per_request(root: Path, artifacts: Path, graph: str, texts: list[str], calls: int = 100) -> float:
    """The same requests without valgrind (the hooks then do nothing) on the executor the servers
    use: the wall clock of one, to say what a change in instructions means in time for this kind."""
    result = subprocess.run(side_scripts.command("count_instructions", str(artifacts), graph, json.dumps(texts),
                                                 str(calls), str(WARMUP), "default"), cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(root), "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=TIMEOUT_S)
    if result.returncode != 0:
        raise CountError(f"{graph}: the timing process failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds_per_call"]


def count_all(jobs: list[tuple[Path, Path, str]], texts: list[str], calls: int = CALLS,
              at_once: int = AT_ONCE) -> list[Count]:
    """Counts for (root, artifacts, graph) jobs, `at_once` valgrind processes at a time, in job order.
    Interrupted (Ctrl-C, SIGTERM) or failed: the jobs not started are dropped and the running
    valgrind processes killed, rather than left to finish (up to 70 s) or to outlive the run."""
    pool = ThreadPoolExecutor(max_workers=at_once)
    futures = [pool.submit(count, root, artifacts, graph, texts, calls) for root, artifacts, graph in jobs]
    try:
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list(_running):
            _stop(process)
        pool.shutdown(wait=True)


_running: set[subprocess.Popen] = set()  # valgrind processes alive, to stop on an interrupt


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    _running.discard(process)
